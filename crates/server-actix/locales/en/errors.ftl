# The `message` of every error answer, in English (the default language).
#
# One entry per `error` code, named after it (crates/server-actix/src/error/codes.rs), plus
# `<code>--<variant>` entries where one code has several messages
# (crates/server-actix/src/error/messages.rs lists them with their variables). Field and
# parameter names ($field, $name) and call statuses are the API's own words and stay as they
# are in every language. A test fails when an entry is missing, extra, or uses a variable the
# server does not pass.

validation_error = the request is invalid
validation_error--email-required = email is required
validation_error--email-too-long = email must be at most { $max } characters
validation_error--email-invalid = email is not a valid address
validation_error--password-too-short = password must be at least { $min } characters
validation_error--password-too-long = password must be at most { $max } characters
validation_error--password-too-common = password is too common: it appears in lists of frequently used passwords; choose another
validation_error--phone-required = phone_number is required
validation_error--phone-not-e164 = phone_number must be in E.164 form: '+' followed by 8 to 15 digits, e.g. +4930123456
validation_error--phone-not-valid-for-country = phone_number is not a valid number for its country
validation_error--phone-refused-by-provider = phone_number is not a number the voice provider can call
validation_error--status-unknown = status must be one of initiated, connecting, active, completed, failed, canceled
validation_error--path-id-not-uuid = call id must be a UUID
validation_error--field-not-uuid = { $field } must be a UUID
validation_error--duration-out-of-range = duration must be a whole number of seconds between 0 and { $max }
validation_error--not-positive-integer = { $field } must be a positive integer
validation_error--not-date-time = { $field } must be an RFC 3339 date-time with an offset, e.g. 2026-11-25T10:15:00Z
validation_error--time-zone-unknown = tz must be an IANA time zone name such as Europe/Berlin
validation_error--cursor-unknown = cursor is not one this server issued
validation_error--page-out-of-range = page must be an integer between 1 and { $max }
validation_error--limit-out-of-range = limit must be an integer between 1 and { $max }
validation_error--date-range-empty = date_from must not be after date_to
validation_error--query-too-long = query string must be at most { $max } bytes
validation_error--query-invalid = invalid query string: { $detail }
validation_error--body-not-object = request body must be a JSON object
validation_error--body-unreadable = request body could not be read
validation_error--json-trailing-data = malformed JSON: unexpected data after the object
validation_error--json-malformed = malformed JSON: { $detail }
validation_error--field-missing = request body is invalid: missing field `{ $field }`
validation_error--body-invalid = request body is invalid: { $detail }
validation_error--field-invalid = { $field }: { $detail }
validation_error--webhook-form-invalid = webhook parameters are not valid form encoding
validation_error--webhook-parameter-missing = { $name } is required
validation_error--webhook-parameter-malformed = { $name } must be { $expected }
validation_error--request-unparsable = the request could not be parsed: a malformed request line or header, or a request target longer than 65534 bytes

invalid_reset_token = the password-reset link is invalid, already used or expired; ask for a new one
unauthorized = a valid bearer token is required
invalid_credentials = invalid email or password
invalid_credentials--current-password = the current password is wrong
invalid_credentials--password = the password is wrong
forbidden = this call belongs to another user

destination_not_allowed = calls to this number range are not allowed
destination_not_allowed--country = calls to { $country } are not allowed
destination_not_allowed--no-country = calls to numbers without a country are not allowed
destination_not_allowed--provider = the voice provider does not allow calls to this destination

invalid_signature = the request signature does not verify
not_found = no such route
call_not_found = call not found
method_not_allowed = this route accepts only { $allow }
user_already_exists = an account with this email already exists
invalid_transition = a { $current } call cannot become { $requested }
call_in_progress = you already have { $limit } call(s) in progress; end it before starting another
payload_too_large = request body must be at most { $limit } bytes

unsupported_media_type = request body must be JSON with Content-Type: application/json
unsupported_media_type--webhook-form = webhook body must be application/x-www-form-urlencoded

rate_limited = too many attempts; retry in { $seconds ->
        [one] { $seconds } second
       *[other] { $seconds } seconds
    }
daily_limit_exceeded = the limit of { $limit } calls per 24 hours is reached; try again later
request_header_fields_too_large = the request head (request line and headers) is too large
internal_error = an internal error occurred
database_unavailable = the database is unavailable; try again shortly
voip_unavailable = the voice provider is unavailable; try again shortly
voice_not_configured = the voice provider has no browser SDK (Twilio Voice) settings
mail_not_configured = password reset by e-mail is not available: no mail server is configured
