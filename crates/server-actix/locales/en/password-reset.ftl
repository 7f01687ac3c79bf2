# Password reset by e-mail (POST /api/auth/password-reset): the message that carries the link,
# and the answer to the request (the same whether or not the address has an account).

password-reset-accepted = If an account with this e-mail address exists, a link to set a new password has been sent to it.

password-reset-subject = Reset your password

# $link: the page that sets a new password. $minutes: how long the link works.
password-reset-body =
    Hello,

    Someone (hopefully you) asked to reset the password of the calls-platform account registered with this e-mail address.

    To choose a new password, open this link within { $minutes ->
        [one] { $minutes } minute
       *[other] { $minutes } minutes
    }:

    { $link }

    The link works once. Setting a new password signs the account out on every device.

    If you did not ask for this, ignore this message: your password stays as it is.
