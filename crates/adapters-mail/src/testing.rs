//! A real SMTP server on loopback, for tests: it speaks enough of RFC 5321 for any client
//! (EHLO/HELO, STARTTLS, AUTH PLAIN and LOGIN, MAIL, RCPT, DATA with dot-unstuffing, RSET,
//! NOOP, QUIT), keeps every message it accepts, and can be told to be slow or to refuse.
//! It runs on the tokio runtime of the test that starts it and stops when dropped.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;

/// A throw-away CA and a certificate it signs for 127.0.0.1 and `localhost`: the server's
/// TLS configuration, and the CA as PEM for the client to trust (`SMTP_CA_FILE`).
pub struct TestTls {
    pub ca_pem: String,
    pub server: Arc<ServerConfig>,
}

impl TestTls {
    pub fn generate() -> Self {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
        use tokio_rustls::rustls::crypto::aws_lc_rs;
        use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign];
        let ca_cert = ca.self_signed(&ca_key).expect("CA certificate");
        let issuer = Issuer::new(ca, ca_key);
        let key = KeyPair::generate().expect("server key");
        let server_cert =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
                .expect("server params")
                .signed_by(&key, &issuer)
                .expect("server certificate");
        let server = ServerConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![server_cert.der().clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .expect("server TLS configuration");
        Self {
            ca_pem: ca_cert.pem(),
            server: Arc::new(server),
        }
    }
}

/// How the server protects its connections.
#[derive(Clone)]
pub enum ServerTls {
    Plain,
    /// Offers STARTTLS with this configuration.
    StartTls(Arc<ServerConfig>),
    /// TLS from the first byte.
    Implicit(Arc<ServerConfig>),
}

/// How the server behaves.
#[derive(Clone)]
pub struct Behaviour {
    pub tls: ServerTls,
    /// Waited before the greeting of every connection (a slow server).
    pub greeting_delay: Duration,
    /// Answered to every RCPT TO instead of 250, e.g. `"550 5.1.1 no such user"` or
    /// `"451 4.3.0 try again later"`.
    pub refuse_recipients: Option<String>,
    /// Refuses mail (530) until the client has logged in with these.
    pub require_login: Option<(String, String)>,
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            tls: ServerTls::Plain,
            greeting_delay: Duration::ZERO,
            refuse_recipients: None,
            require_login: None,
        }
    }
}

/// A message as received: the envelope and the raw data (headers and body, unstuffed).
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    pub data: String,
    /// Whether it came over TLS (STARTTLS or implicit).
    pub over_tls: bool,
    /// The user it was sent as, if the client logged in.
    pub user: Option<String>,
}

impl ReceivedMail {
    /// The value of header `name` (first occurrence, unfolded), RFC 2047 encoded words
    /// decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        let (head, _) = self.split();
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            match &mut value {
                Some(current) if line.starts_with([' ', '\t']) => {
                    current.push_str(line);
                }
                Some(_) => break,
                None => {
                    if let Some((key, rest)) = line.split_once(':')
                        && key.eq_ignore_ascii_case(name)
                    {
                        value = Some(rest.trim().to_owned());
                    }
                }
            }
        }
        value.map(|raw| decode_words(&raw))
    }

    /// The body, its transfer encoding (base64, quoted-printable, 7bit, 8bit) undone.
    pub fn text(&self) -> String {
        let (_, body) = self.split();
        let encoding = self
            .header("Content-Transfer-Encoding")
            .unwrap_or_default()
            .to_ascii_lowercase();
        match encoding.as_str() {
            "base64" => {
                let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
                String::from_utf8_lossy(&STANDARD.decode(compact).unwrap_or_default()).into_owned()
            }
            "quoted-printable" => quoted_printable(body),
            _ => body.to_owned(),
        }
    }

    fn split(&self) -> (&str, &str) {
        self.data
            .split_once("\r\n\r\n")
            .unwrap_or((self.data.as_str(), ""))
    }
}

fn quoted_printable(body: &str) -> String {
    let mut bytes = Vec::with_capacity(body.len());
    let raw = body.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'=' {
            if raw.get(i + 1..i + 3) == Some(b"\r\n") {
                i += 3;
                continue;
            }
            if let Some(byte) = body
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            {
                bytes.push(byte);
                i += 3;
                continue;
            }
        }
        bytes.push(raw[i]);
        i += 1;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// `=?utf-8?b?...?=` and `=?utf-8?q?...?=` words decoded (the blanks between two of them
/// dropped, RFC 2047 section 6.2); other text kept.
fn decode_words(raw: &str) -> String {
    let mut out = String::new();
    let mut rest = raw;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, word) = rest.split_at(start);
        if !(after_word && before.trim().is_empty()) {
            out.push_str(before);
        }
        match decode_word(word) {
            Some((decoded, length)) => {
                out.push_str(&decoded);
                rest = &word[length..];
                after_word = true;
            }
            None => {
                out.push_str("=?");
                rest = &word[2..];
                after_word = false;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The text of the encoded word `word` starts with, and its length.
fn decode_word(word: &str) -> Option<(String, usize)> {
    let mut parts = word.get(2..)?.splitn(3, '?');
    let charset = parts.next()?;
    let encoding = parts.next()?;
    let tail = parts.next()?;
    let end = tail.find("?=")?;
    let text = &tail[..end];
    let length = 2 + charset.len() + 1 + encoding.len() + 1 + end + 2;
    let decoded = if encoding.eq_ignore_ascii_case("b") {
        String::from_utf8_lossy(&STANDARD.decode(text).ok()?).into_owned()
    } else if encoding.eq_ignore_ascii_case("q") {
        quoted_printable(&text.replace('_', " "))
    } else {
        return None;
    };
    Some((decoded, length))
}

#[derive(Default)]
struct Mailbox {
    mails: Mutex<Vec<ReceivedMail>>,
    arrived: Notify,
    connections: Mutex<u64>,
}

/// The server; stops accepting when dropped.
pub struct SmtpServer {
    address: SocketAddr,
    mailbox: Arc<Mailbox>,
    accept: JoinHandle<()>,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl SmtpServer {
    /// Listens on 127.0.0.1, on a free port.
    pub async fn start(behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the SMTP test server");
        let address = listener.local_addr().expect("its address");
        let mailbox = Arc::new(Mailbox::default());
        let shared = mailbox.clone();
        let accept = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                *shared.connections.lock().expect("not poisoned") += 1;
                let behaviour = behaviour.clone();
                let mailbox = shared.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, behaviour, mailbox).await;
                });
            }
        });
        Self {
            address,
            mailbox,
            accept,
        }
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `smtp://127.0.0.1:<port>` (plain to loopback, for [`ServerTls::Plain`]).
    pub fn url(&self) -> String {
        format!("smtp://{}", self.address)
    }

    /// Every message accepted so far.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.mailbox.mails.lock().expect("not poisoned").clone()
    }

    /// Connections accepted so far (attempts, for a refusing or slow server).
    pub fn connections(&self) -> u64 {
        *self.mailbox.connections.lock().expect("not poisoned")
    }

    /// Waits until at least `count` messages arrived, up to `limit`; what arrived.
    pub async fn wait_for(&self, count: usize, limit: Duration) -> Vec<ReceivedMail> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let arrived = self.mailbox.arrived.notified();
            let mails = self.received();
            if mails.len() >= count || tokio::time::Instant::now() >= deadline {
                return mails;
            }
            let _ = tokio::time::timeout_at(deadline, arrived).await;
        }
    }
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

async fn serve(
    stream: TcpStream,
    behaviour: Behaviour,
    mailbox: Arc<Mailbox>,
) -> std::io::Result<()> {
    tokio::time::sleep(behaviour.greeting_delay).await;
    let (mut stream, mut over_tls): (Box<dyn Stream>, bool) = match &behaviour.tls {
        ServerTls::Implicit(config) => (
            Box::new(TlsAcceptor::from(config.clone()).accept(stream).await?),
            true,
        ),
        _ => (Box::new(stream), false),
    };
    stream
        .write_all(b"220 127.0.0.1 ESMTP calls-test\r\n")
        .await?;
    loop {
        match session(stream, &behaviour, &mailbox, over_tls).await? {
            Next::Close => return Ok(()),
            Next::StartTls(plain) => {
                let ServerTls::StartTls(config) = &behaviour.tls else {
                    return Ok(());
                };
                stream = Box::new(TlsAcceptor::from(config.clone()).accept(plain).await?);
                over_tls = true;
            }
        }
    }
}

enum Next {
    Close,
    /// The client asked for STARTTLS on this (so far plain) stream.
    StartTls(Box<dyn Stream>),
}

/// One SMTP session on `stream`, until QUIT, the connection's end, or STARTTLS.
async fn session(
    stream: Box<dyn Stream>,
    behaviour: &Behaviour,
    mailbox: &Mailbox,
    over_tls: bool,
) -> std::io::Result<Next> {
    let mut reader = BufReader::new(stream);
    let mut mail_from: Option<String> = None;
    let mut rcpt_to = Vec::new();
    let mut user: Option<String> = None;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(Next::Close);
        }
        let command = line.trim_end().to_owned();
        let verb = command
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: String = match verb.as_str() {
            "EHLO" => {
                let mut lines = vec!["250-127.0.0.1".to_owned(), "250-8BITMIME".to_owned()];
                if matches!(behaviour.tls, ServerTls::StartTls(_)) && !over_tls {
                    lines.push("250-STARTTLS".to_owned());
                }
                if behaviour.require_login.is_some() {
                    lines.push("250-AUTH PLAIN LOGIN".to_owned());
                }
                lines.push("250 SMTPUTF8".to_owned());
                lines.join("\r\n")
            }
            "HELO" => "250 127.0.0.1".to_owned(),
            "STARTTLS" if matches!(behaviour.tls, ServerTls::StartTls(_)) && !over_tls => {
                let mut stream = reader.into_inner();
                stream.write_all(b"220 2.0.0 ready for TLS\r\n").await?;
                return Ok(Next::StartTls(stream));
            }
            "AUTH" => {
                let words: Vec<&str> = command.split_whitespace().collect();
                let mechanism = words.get(1).map(|m| m.to_ascii_uppercase());
                let credentials = match mechanism.as_deref() {
                    Some("PLAIN") => {
                        let encoded = match words.get(2) {
                            Some(encoded) => (*encoded).to_owned(),
                            None => prompt(&mut reader, "334 ").await?,
                        };
                        let decoded = STANDARD.decode(encoded.trim()).unwrap_or_default();
                        let parts: Vec<String> = decoded
                            .split(|byte| *byte == 0)
                            .map(|part| String::from_utf8_lossy(part).into_owned())
                            .collect();
                        match parts.as_slice() {
                            [_, user, password] => Some((user.clone(), password.clone())),
                            _ => None,
                        }
                    }
                    Some("LOGIN") => {
                        let user = prompt(&mut reader, "334 VXNlcm5hbWU6").await?;
                        let password = prompt(&mut reader, "334 UGFzc3dvcmQ6").await?;
                        let decode = |text: &str| {
                            String::from_utf8_lossy(
                                &STANDARD.decode(text.trim()).unwrap_or_default(),
                            )
                            .into_owned()
                        };
                        Some((decode(&user), decode(&password)))
                    }
                    _ => None,
                };
                match (credentials, &behaviour.require_login) {
                    (Some(given), Some(expected)) if given == *expected => {
                        user = Some(given.0);
                        "235 2.7.0 authenticated".to_owned()
                    }
                    _ => "535 5.7.8 authentication failed".to_owned(),
                }
            }
            "MAIL" if behaviour.require_login.is_some() && user.is_none() => {
                "530 5.7.0 authentication required".to_owned()
            }
            "MAIL" => {
                mail_from = Some(address_of(&command));
                rcpt_to.clear();
                "250 2.1.0 ok".to_owned()
            }
            "RCPT" if mail_from.is_none() => "503 5.5.1 MAIL first".to_owned(),
            "RCPT" => match &behaviour.refuse_recipients {
                Some(refusal) => refusal.clone(),
                None => {
                    rcpt_to.push(address_of(&command));
                    "250 2.1.5 ok".to_owned()
                }
            },
            "DATA" if rcpt_to.is_empty() => "503 5.5.1 RCPT first".to_owned(),
            "DATA" => {
                reader
                    .get_mut()
                    .write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let data = read_data(&mut reader).await?;
                let mail = ReceivedMail {
                    mail_from: mail_from.take().unwrap_or_default(),
                    rcpt_to: std::mem::take(&mut rcpt_to),
                    data,
                    over_tls,
                    user: user.clone(),
                };
                mailbox.mails.lock().expect("not poisoned").push(mail);
                mailbox.arrived.notify_waiters();
                "250 2.0.0 queued".to_owned()
            }
            "RSET" => {
                mail_from = None;
                rcpt_to.clear();
                "250 2.0.0 ok".to_owned()
            }
            "NOOP" => "250 2.0.0 ok".to_owned(),
            "QUIT" => {
                reader.get_mut().write_all(b"221 2.0.0 bye\r\n").await?;
                return Ok(Next::Close);
            }
            _ => "500 5.5.1 command unrecognized".to_owned(),
        };
        reader
            .get_mut()
            .write_all(format!("{reply}\r\n").as_bytes())
            .await?;
    }
}

async fn prompt(
    reader: &mut BufReader<Box<dyn Stream>>,
    challenge: &str,
) -> std::io::Result<String> {
    reader
        .get_mut()
        .write_all(format!("{challenge}\r\n").as_bytes())
        .await?;
    let mut answer = String::new();
    reader.read_line(&mut answer).await?;
    Ok(answer.trim_end().to_owned())
}

/// The lines up to the lone `.`, with leading dots unstuffed (RFC 5321 section 4.5.2).
async fn read_data(reader: &mut BufReader<Box<dyn Stream>>) -> std::io::Result<String> {
    let mut data = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == ".\r\n" || line == ".\n" {
            return Ok(data);
        }
        let unstuffed = line.strip_prefix('.').unwrap_or(&line);
        data.push_str(unstuffed);
    }
}

/// `user@example.com` from `MAIL FROM:<user@example.com> SIZE=10`.
fn address_of(command: &str) -> String {
    command
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(address, _)| address.to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_words_and_transfer_encodings_are_decoded() {
        assert_eq!(decode_words("=?utf-8?b?0KHQsdGA0L7RgQ==?="), "Сброс");
        assert_eq!(
            decode_words("=?utf-8?b?0KHQsdGA?= =?utf-8?b?0L7RgQ==?= x"),
            "Сброс x"
        );
        assert_eq!(decode_words("plain text"), "plain text");
        assert_eq!(decode_words("=?utf-8?q?a_b=3Dc?="), "a b=c");
        assert_eq!(quoted_printable("caf=C3=A9 =\r\nnext"), "café next");
    }
}
