//! A connection's socket that ends itself once the server drains and the connection is idle
//! (see [`super::drain`]): reads then return end-of-stream, and actix-http closes the
//! connection as it does when a client hangs up between requests.
//!
//! "Idle" is checked against the socket itself, not only against what the runtime has said:
//! a request can sit in the socket's receive buffer before tokio's reactor has reported the
//! socket readable (on a busy machine, for a while), and reading end-of-stream then would close
//! a connection under a request the server has received. So before ending a connection,
//! [`UnreadBytes`] peeks at the socket.

use std::io;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use actix_tls::accept::rustls_0_23::TlsStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;

use super::JsonParseErrors;
use super::drain::{ConnectionActivity, IDLE_GRACE};

/// Whether the client has sent bytes that wait in the socket, unread.
pub trait UnreadBytes {
    fn has_unread_bytes(&self) -> bool;
}

impl UnreadBytes for TcpStream {
    fn has_unread_bytes(&self) -> bool {
        // The socket is non-blocking (tokio's): an empty buffer is `WouldBlock`, a client that
        // hung up is `Ok(0)`; neither is a request waiting.
        let mut byte = [MaybeUninit::uninit(); 1];
        matches!(socket2::SockRef::from(self).peek(&mut byte), Ok(n) if n > 0)
    }
}

/// Only the TCP socket's bytes: a TLS record rustls has partly read is not seen (a request
/// that arrives split across the moment the drain starts may then be cut).
impl UnreadBytes for TlsStream<TcpStream> {
    fn has_unread_bytes(&self) -> bool {
        self.get_ref().0.has_unread_bytes()
    }
}

impl<T: UnreadBytes> UnreadBytes for JsonParseErrors<T> {
    fn has_unread_bytes(&self) -> bool {
        self.get_ref().has_unread_bytes()
    }
}

type Started = Pin<Box<dyn Future<Output = ()> + Send>>;

pub struct DrainingIo<T> {
    inner: T,
    activity: Arc<ConnectionActivity>,
    /// Resolves when draining starts; `None` once it has.
    started: Option<Started>,
    /// Fires when the connection will have been quiet for [`IDLE_GRACE`].
    quiet: Option<Pin<Box<Sleep>>>,
}

impl<T: UnreadBytes> DrainingIo<T> {
    pub fn new(inner: T, activity: Arc<ConnectionActivity>) -> Self {
        let started = Box::pin(activity.drain().started());
        Self {
            inner,
            activity,
            started: Some(started),
            quiet: None,
        }
    }

    /// The connection's activity, which its requests see as connection data.
    pub fn activity(&self) -> Arc<ConnectionActivity> {
        self.activity.clone()
    }

    /// Whether an idle, draining connection should read end-of-stream now; otherwise arranges
    /// to be woken when it should.
    fn poll_idle_end(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(started) = &mut self.started {
            if started.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.started = None;
        }
        // A request in progress gets its answer, marked `Connection: close`, which closes it.
        if self.activity.requests_in_progress() > 0 {
            return Poll::Pending;
        }
        if Instant::now() >= self.activity.last_activity() + IDLE_GRACE {
            if !self.inner.has_unread_bytes() {
                return Poll::Ready(());
            }
            // A request is on its way up: the reactor will report it; the clock restarts.
            self.activity.touch();
        }
        let quiet_at = self.activity.last_activity() + IDLE_GRACE;
        let deadline = tokio::time::Instant::from_std(quiet_at);
        let quiet = self
            .quiet
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        quiet.as_mut().reset(deadline);
        quiet.as_mut().poll(cx)
    }
}

impl<T: AsyncRead + UnreadBytes + Unpin> AsyncRead for DrainingIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.activity.touch();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(err)) => Poll::Ready(Err(err)),
            // Nothing to read: end the stream if the server drains and the connection is idle.
            Poll::Pending => this.poll_idle_end(cx).map(|()| Ok(())),
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for DrainingIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::drain::Drain;
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

    /// An in-memory pipe has no socket to peek at: what it holds, a read returns.
    impl UnreadBytes for DuplexStream {
        fn has_unread_bytes(&self) -> bool {
            false
        }
    }

    #[tokio::test]
    async fn an_idle_connection_reads_end_of_stream_once_draining() {
        let drain = Drain::default();
        let (mut client, server) = tokio::io::duplex(64);
        let mut io = DrainingIo::new(server, ConnectionActivity::new(drain.clone()));
        client.write_all(b"ping").await.expect("write");
        let mut buf = [0u8; 16];
        let n = io.read(&mut buf).await.expect("read");
        assert_eq!(&buf[..n], b"ping", "bytes pass through");
        let pending = tokio::time::timeout(Duration::from_millis(100), io.read(&mut buf)).await;
        assert!(pending.is_err(), "no end of stream before draining");
        drain.start();
        let n = tokio::time::timeout(Duration::from_secs(5), io.read(&mut buf))
            .await
            .expect("ends while draining")
            .expect("read");
        assert_eq!(n, 0, "end of stream");
    }

    #[tokio::test]
    async fn a_connection_with_a_request_in_progress_stays_open() {
        let drain = Drain::default();
        let activity = ConnectionActivity::new(drain.clone());
        let (_client, server) = tokio::io::duplex(64);
        let mut io = DrainingIo::new(server, activity.clone());
        let busy = activity.begin();
        drain.start();
        let mut buf = [0u8; 16];
        let read = tokio::time::timeout(IDLE_GRACE * 2, io.read(&mut buf)).await;
        assert!(
            read.is_err(),
            "no end of stream under a request in progress"
        );
        drop(busy);
        let n = tokio::time::timeout(IDLE_GRACE * 4, io.read(&mut buf))
            .await
            .expect("ends once idle")
            .expect("read");
        assert_eq!(n, 0);
    }
}
