//! The contract's JSON error body for requests that actix-http refuses before any application
//! code runs.
//!
//! actix-http answers a request it cannot parse by itself, with an empty body: a request target
//! over 65534 bytes (the `http` crate's URI limit: a 100 KB query string), a malformed request
//! line or header gets `400`, and a head over its buffer `431`. It offers no hook for that
//! answer, and the wire contract says every 4xx carries `{"error","message"}` without
//! exception. So each connection's socket is wrapped: when the first bytes of a write are such
//! a bare answer (status 400 or 431, `content-length: 0`, no `content-type`; the application
//! never sends one, its errors all carry a JSON body), they are replaced by the same status with
//! the JSON body and the security headers. actix closes the connection after a parse error, so
//! nothing follows the replaced answer.
//!
//! The message is in the language of the request's `Accept-Language` when its line was read
//! before the refusal (see [`HeadLanguage`] for how far that goes), else in English.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::head_language::HeadLanguage;
use crate::error::{ErrorCode, MessageId, messages as m};
use crate::i18n::Language;

/// A connection whose parse-error answers get the contract's JSON body.
pub struct JsonParseErrors<T> {
    inner: T,
    /// A replacement answer not yet fully written, and how much of it was.
    pending: Option<(Vec<u8>, usize)>,
    /// The language of the request being read.
    head_language: HeadLanguage,
}

impl<T> JsonParseErrors<T> {
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            pending: None,
            head_language: HeadLanguage::default(),
        }
    }

    /// The connection underneath.
    pub fn get_ref(&self) -> &T {
        &self.inner
    }
}

impl<T: AsyncWrite + Unpin> JsonParseErrors<T> {
    /// Writes what is left of a replacement answer.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = &mut self.pending {
            if *written == bytes.len() {
                self.pending = None;
                break;
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for JsonParseErrors<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        this.head_language.read(&buf.filled()[before..]);
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for JsonParseErrors<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        ready!(this.poll_pending(cx))?;
        if let Some(replacement) = replacement_for(buf, || this.head_language.language()) {
            // The caller's bytes count as written: they are replaced, not delayed.
            this.pending = Some((replacement, 0));
            // Best effort now; whatever is left goes out on the next write or flush.
            if let Poll::Ready(Err(err)) = this.poll_pending(cx) {
                return Poll::Ready(Err(err));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        this.head_language.answered();
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

/// The JSON answer that replaces `written`, when `written` starts with one of actix-http's bare
/// parse-error answers; its message in `language()`, asked only then.
fn replacement_for(written: &[u8], language: impl FnOnce() -> Language) -> Option<Vec<u8>> {
    let head_end = find(written, b"\r\n\r\n")?;
    let head = std::str::from_utf8(&written[..head_end]).ok()?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let (version, rest) = status_line.split_once(' ')?;
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return None;
    }
    let message: MessageId = match rest.split(' ').next()? {
        // Bad input, as every other malformed request: the contract's `validation_error`.
        "400" => m::REQUEST_UNPARSABLE,
        "431" => m::REQUEST_HEADER_FIELDS_TOO_LARGE,
        _ => return None,
    };
    let mut empty = false;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let name = name.trim();
        if name.eq_ignore_ascii_case("content-type") {
            return None;
        }
        if name.eq_ignore_ascii_case("content-length") {
            empty = value.trim() == "0";
        }
    }
    if !empty || head_end + 4 != written.len() {
        return None;
    }
    let language = language();
    let code: ErrorCode = message.code();
    let body = serde_json::json!({
        "error": code.as_str(),
        "message": crate::error::Message::new(message).render(language),
    })
    .to_string();
    let answer = format!(
        "{status_line}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         content-language: {}\r\nvary: Accept-Language\r\n\
         connection: close\r\nx-content-type-options: nosniff\r\ncache-control: no-store\r\n\
         content-security-policy: frame-ancestors 'none'\r\n\r\n{body}",
        body.len(),
        language.tag()
    );
    Some(answer.into_bytes())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    const BARE_400: &[u8] =
        b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\ndate: x\r\n\r\n";

    fn body_of(answer: &[u8]) -> serde_json::Value {
        let text = std::str::from_utf8(answer).expect("utf-8");
        let (_, body) = text.split_once("\r\n\r\n").expect("head and body");
        serde_json::from_str(body).expect("JSON body")
    }

    #[test]
    fn bare_400_and_431_get_the_json_body() {
        let answer = replacement_for(BARE_400, || Language::En).expect("replaced");
        let text = std::str::from_utf8(&answer).expect("utf-8");
        assert!(text.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{text}");
        assert!(
            text.contains("content-type: application/json\r\n"),
            "{text}"
        );
        assert!(
            text.contains("x-content-type-options: nosniff\r\n"),
            "{text}"
        );
        let body = body_of(&answer);
        assert_eq!(body["error"], "validation_error");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
        let (head, body_text) = text.split_once("\r\n\r\n").expect("head");
        assert!(
            head.contains(&format!("content-length: {}", body_text.len())),
            "{head}"
        );

        let bare_431 = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n";
        let answer = replacement_for(bare_431, || Language::En).expect("replaced");
        assert_eq!(body_of(&answer)["error"], "request_header_fields_too_large");
    }

    #[test]
    fn application_answers_pass_untouched() {
        let json_400 = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\ncontent-type: application/json\r\n\r\n{}";
        assert_eq!(replacement_for(json_400, || Language::En), None);
        let typed_empty =
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ncontent-type: text/plain\r\n\r\n";
        assert_eq!(replacement_for(typed_empty, || Language::En), None);
        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(replacement_for(ok, || Language::En), None);
        let not_found = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(replacement_for(not_found, || Language::En), None);
        // A bare 400 followed by more bytes is not the connection's last answer: left alone.
        let mut followed = BARE_400.to_vec();
        followed.extend_from_slice(b"HTTP/1.1 200 OK\r\n");
        assert_eq!(replacement_for(&followed, || Language::En), None);
        assert_eq!(
            replacement_for(b"HTTP/1.1 400 Bad Re", || Language::En),
            None
        );
    }

    #[test]
    fn the_replacement_is_in_the_language_asked_for() {
        let answer = replacement_for(BARE_400, || Language::Ru).expect("replaced");
        let text = std::str::from_utf8(&answer).expect("utf-8");
        let (head, body_text) = text.split_once("\r\n\r\n").expect("head");
        assert!(head.contains("content-language: ru\r\n"), "{head}");
        assert!(head.contains("vary: Accept-Language\r\n"), "{head}");
        assert!(
            head.contains(&format!("content-length: {}", body_text.len())),
            "{head}"
        );
        let body = body_of(&answer);
        assert_eq!(body["error"], "validation_error");
        assert_eq!(
            body["message"],
            crate::i18n::render(Language::Ru, m::REQUEST_UNPARSABLE.id(), &[])
        );
        let english = replacement_for(BARE_400, || Language::En).expect("replaced");
        assert!(
            std::str::from_utf8(&english)
                .expect("utf-8")
                .contains("content-language: en\r\n")
        );
    }

    #[tokio::test]
    async fn the_language_is_the_one_the_refused_request_asked_for() {
        let (mut client, server) = tokio::io::duplex(1024);
        let mut wrapped = JsonParseErrors::new(server);
        client
            .write_all(b"GET / HTTP/1.1\r\nAccept-Language: ru-RU\r\nBad Header\r\n\r\n")
            .await
            .expect("write");
        let mut request = [0; 256];
        let n = tokio::io::AsyncReadExt::read(&mut wrapped, &mut request)
            .await
            .expect("read");
        assert!(n > 0);
        wrapped.write_all(BARE_400).await.expect("write");
        wrapped.shutdown().await.expect("shutdown");
        drop(wrapped);
        let mut received = Vec::new();
        tokio::io::AsyncReadExt::read_to_end(&mut client, &mut received)
            .await
            .expect("read");
        let body = body_of(&received);
        assert_eq!(body["error"], "validation_error");
        assert_eq!(
            body["message"],
            crate::i18n::render(Language::Ru, m::REQUEST_UNPARSABLE.id(), &[])
        );
    }

    #[tokio::test]
    async fn the_socket_carries_the_replacement_and_other_bytes_unchanged() {
        let (client, server) = tokio::io::duplex(16);
        let mut wrapped = JsonParseErrors::new(server);
        let reader = tokio::spawn(async move {
            let mut client = client;
            let mut received = Vec::new();
            tokio::io::AsyncReadExt::read_to_end(&mut client, &mut received)
                .await
                .expect("read");
            received
        });
        wrapped
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            .await
            .expect("write");
        wrapped.write_all(BARE_400).await.expect("write");
        wrapped.shutdown().await.expect("shutdown");
        drop(wrapped);
        let received = reader.await.expect("reader");
        let text = String::from_utf8(received).expect("utf-8");
        let (first, second) = text.split_at("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok".len());
        assert_eq!(first, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
        assert_eq!(body_of(second.as_bytes())["error"], "validation_error");
    }
}
