//! Where the mail goes: `SMTP_URL`, read once at start.
//!
//! * `smtps://host[:465]`: TLS from the first byte (implicit TLS, RFC 8314).
//! * `smtp://host[:587]`: STARTTLS, required: the server must offer it, or nothing is sent.
//!   Except to a loopback host (`localhost`, 127.0.0.0/8, `::1`), where plain SMTP is used:
//!   the mail never leaves the machine (a local relay, the tests).
//! * `?tls=required|opportunistic|none` on `smtp://` overrides that choice (`none` sends the
//!   password, if any, in clear: only for a relay on a trusted network).
//! * `user:password@` in the URL (percent-encoded) logs in with AUTH PLAIN or LOGIN. Refused
//!   with `tls=opportunistic`, which would send the password in clear to a server (or a man in
//!   the middle) that offers no STARTTLS; allowed over TLS, over plain SMTP to a loopback host
//!   (it never leaves the machine) and with an explicit `tls=none`.

use std::net::IpAddr;

use url::Url;

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (`smtps://`).
    ImplicitTls,
    /// STARTTLS, refusing a server that does not offer it.
    StartTlsRequired,
    /// STARTTLS when offered, else plain.
    StartTlsOpportunistic,
    /// Plain SMTP.
    Plain,
}

/// A parsed `SMTP_URL`. Its `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpTarget {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub credentials: Option<(String, String)>,
}

impl std::fmt::Debug for SmtpTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpTarget")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .finish()
    }
}

/// What is wrong with an `SMTP_URL`; it never quotes the URL (it may hold a password).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmtpUrlError {
    #[error("is not a URL")]
    NotAUrl,
    #[error("must start with smtp:// or smtps://")]
    Scheme,
    #[error("names no host")]
    NoHost,
    #[error("has an unknown tls= value (required, opportunistic or none)")]
    TlsMode,
    #[error("tls= applies to smtp:// only (smtps:// is always TLS)")]
    TlsModeOnSmtps,
    #[error("has a path or a parameter other than tls=")]
    Extra,
    #[error("user name or password is not valid percent-encoded UTF-8")]
    Credentials,
    #[error(
        "carries a password with tls=opportunistic, which would send it in clear to a server without STARTTLS (use tls=required)"
    )]
    CredentialsInClear,
}

impl SmtpTarget {
    pub fn parse(raw: &str) -> Result<Self, SmtpUrlError> {
        let url = Url::parse(raw.trim()).map_err(|_| SmtpUrlError::NotAUrl)?;
        let implicit = match url.scheme() {
            "smtps" => true,
            "smtp" => false,
            _ => return Err(SmtpUrlError::Scheme),
        };
        let host = match url.host() {
            Some(url::Host::Domain(domain)) if !domain.is_empty() => domain.to_owned(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            _ => return Err(SmtpUrlError::NoHost),
        };
        if !(url.path().is_empty() || url.path() == "/") || url.fragment().is_some() {
            return Err(SmtpUrlError::Extra);
        }
        let mut tls_mode = None;
        for (key, value) in url.query_pairs() {
            if key != "tls" || tls_mode.is_some() {
                return Err(SmtpUrlError::Extra);
            }
            tls_mode = Some(match value.as_ref() {
                "required" => Security::StartTlsRequired,
                "opportunistic" => Security::StartTlsOpportunistic,
                "none" => Security::Plain,
                _ => return Err(SmtpUrlError::TlsMode),
            });
        }
        let security = match (implicit, tls_mode) {
            (true, None) => Security::ImplicitTls,
            (true, Some(_)) => return Err(SmtpUrlError::TlsModeOnSmtps),
            (false, Some(mode)) => mode,
            (false, None) if is_loopback(&host) => Security::Plain,
            (false, None) => Security::StartTlsRequired,
        };
        let port = url.port().unwrap_or(if implicit { 465 } else { 587 });
        let credentials = if url.username().is_empty() {
            None
        } else {
            let user = percent_decode(url.username()).ok_or(SmtpUrlError::Credentials)?;
            let password =
                percent_decode(url.password().unwrap_or("")).ok_or(SmtpUrlError::Credentials)?;
            Some((user, password))
        };
        if credentials.is_some() && security == Security::StartTlsOpportunistic {
            return Err(SmtpUrlError::CredentialsInClear);
        }
        Ok(Self {
            host,
            port,
            security,
            credentials,
        })
    }

    /// What the log may say about it: scheme, host, port, security; no user, no password.
    pub fn describe(&self) -> String {
        format!("{}:{} ({:?})", self.host, self.port, self.security)
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

/// `%XX` escapes to bytes, then UTF-8; `None` when the result is not UTF-8 or an escape is
/// cut short.
fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = raw.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> SmtpTarget {
        SmtpTarget::parse(raw).unwrap_or_else(|err| panic!("{raw}: {err}"))
    }

    #[test]
    fn smtp_to_a_remote_host_requires_starttls_on_587() {
        let target = parse("smtp://mail.example.com");
        assert_eq!(target.host, "mail.example.com");
        assert_eq!(target.port, 587);
        assert_eq!(target.security, Security::StartTlsRequired);
        assert_eq!(target.credentials, None);
    }

    #[test]
    fn smtps_is_implicit_tls_on_465() {
        let target = parse("smtps://mail.example.com");
        assert_eq!((target.port, target.security), (465, Security::ImplicitTls));
        assert_eq!(parse("smtps://mail.example.com:2465").port, 2465);
    }

    #[test]
    fn smtp_to_loopback_is_plain_unless_told_otherwise() {
        for raw in [
            "smtp://127.0.0.1:2525",
            "smtp://localhost:25",
            "smtp://[::1]:2525",
            "smtp://127.9.0.1:25",
        ] {
            assert_eq!(parse(raw).security, Security::Plain, "{raw}");
        }
        assert_eq!(
            parse("smtp://127.0.0.1:2525?tls=required").security,
            Security::StartTlsRequired
        );
        assert_eq!(
            parse("smtp://mail.example.com?tls=opportunistic").security,
            Security::StartTlsOpportunistic
        );
        assert_eq!(
            parse("smtp://relay.internal:25?tls=none").security,
            Security::Plain
        );
        assert_eq!(parse("smtp://[::1]:2525").host, "::1");
    }

    #[test]
    fn credentials_are_percent_decoded() {
        let target = parse("smtps://mailer%40example.com:p%3As%2Fw+rd@mail.example.com");
        assert_eq!(
            target.credentials,
            Some(("mailer@example.com".to_owned(), "p:s/w+rd".to_owned()))
        );
        assert!(
            !format!("{target:?}").contains("p:s/w+rd"),
            "Debug hides the password"
        );
        assert!(
            !target.describe().contains("mailer"),
            "the log line names no user"
        );
    }

    #[test]
    fn bad_urls_are_refused_without_quoting_them() {
        for (raw, expected) in [
            ("", SmtpUrlError::NotAUrl),
            ("mail.example.com:587", SmtpUrlError::Scheme),
            ("https://mail.example.com", SmtpUrlError::Scheme),
            ("smtp://", SmtpUrlError::NoHost),
            ("smtp://mail.example.com?tls=always", SmtpUrlError::TlsMode),
            (
                "smtps://mail.example.com?tls=none",
                SmtpUrlError::TlsModeOnSmtps,
            ),
            ("smtp://mail.example.com/inbox", SmtpUrlError::Extra),
            ("smtp://mail.example.com?pool=5", SmtpUrlError::Extra),
            ("smtp://u:%FF@mail.example.com", SmtpUrlError::Credentials),
            (
                "smtp://u:p@mail.example.com?tls=opportunistic",
                SmtpUrlError::CredentialsInClear,
            ),
        ] {
            assert_eq!(SmtpTarget::parse(raw), Err(expected.clone()), "{raw:?}");
            assert!(!expected.to_string().contains("example"), "{expected}");
        }
    }
}
