//! A TCP proxy in front of PostgreSQL that counts what the client sends (feature
//! `test-support`): `Execute` and simple `Query` messages (statements run) and `Sync` messages
//! (round trips), parsed from the frontend side of the protocol while every byte is forwarded.
//! Tests put it between a storage and a server to prove how many statements an operation
//! costs, on a primary and on a replica alike.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Frontend messages seen, by kind.
#[derive(Debug, Default)]
pub struct Counts {
    executes: AtomicUsize,
    simple_queries: AtomicUsize,
    syncs: AtomicUsize,
}

impl Counts {
    /// (statements, simple queries, round trips) so far.
    pub fn snapshot(&self) -> (usize, usize, usize) {
        (
            self.executes.load(Ordering::SeqCst),
            self.simple_queries.load(Ordering::SeqCst),
            self.syncs.load(Ordering::SeqCst),
        )
    }
}

/// Reads exactly `buf.len()` bytes, or `false` at end of stream.
fn read_exact_or_end(stream: &mut TcpStream, buf: &mut [u8]) -> bool {
    stream.read_exact(buf).is_ok()
}

/// Forwards one client connection to `upstream`, counting its frontend messages.
fn relay(mut client: TcpStream, upstream: &str, counts: &Counts) {
    let Ok(mut server) = TcpStream::connect(upstream) else {
        return;
    };
    let (mut from_server, mut to_client) = (
        server.try_clone().expect("clone"),
        client.try_clone().expect("clone"),
    );
    let backward = std::thread::spawn(move || {
        let _ = std::io::copy(&mut from_server, &mut to_client);
        let _ = to_client.shutdown(Shutdown::Write);
    });
    // The startup message has no type byte: a length (itself included), then the rest.
    let mut length = [0u8; 4];
    if read_exact_or_end(&mut client, &mut length) {
        let mut rest = vec![0u8; (u32::from_be_bytes(length) as usize).saturating_sub(4)];
        if read_exact_or_end(&mut client, &mut rest) {
            let _ = server.write_all(&length);
            let _ = server.write_all(&rest);
            // Then typed messages: a type byte, a length, the body.
            let mut head = [0u8; 5];
            while read_exact_or_end(&mut client, &mut head) {
                let length = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
                let mut body = vec![0u8; length.saturating_sub(4)];
                if !read_exact_or_end(&mut client, &mut body) {
                    break;
                }
                match head[0] {
                    b'E' => counts.executes.fetch_add(1, Ordering::SeqCst),
                    b'Q' => counts.simple_queries.fetch_add(1, Ordering::SeqCst),
                    b'S' => counts.syncs.fetch_add(1, Ordering::SeqCst),
                    _ => 0,
                };
                if server.write_all(&head).is_err() || server.write_all(&body).is_err() {
                    break;
                }
            }
        }
    }
    let _ = server.shutdown(Shutdown::Write);
    let _ = backward.join();
}

/// Starts the counting proxy in front of `upstream` (`host:port`); returns its address.
fn start_proxy(upstream: String, counts: Arc<Counts>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
    let address = listener.local_addr().expect("proxy address").to_string();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let (upstream, counts) = (upstream.clone(), counts.clone());
            std::thread::spawn(move || relay(client, &upstream, &counts));
        }
    });
    address
}

/// `url` with its `host:port` replaced by `address`, TLS and GSS encryption off (so that the
/// proxy sees the protocol in clear), and the `host:port` it had.
pub fn through(url: &str, address: &str) -> (String, String) {
    let after_at = url
        .find('@')
        .map_or(url.find("//").expect("scheme") + 2, |at| at + 1);
    let end = after_at + url[after_at..].find('/').expect("database name");
    let upstream = url[after_at..end].to_owned();
    let proxied = format!(
        "{}{address}{}?sslmode=disable&gssencmode=disable",
        &url[..after_at],
        &url[end..]
    );
    (proxied, upstream)
}

/// `url` reached through a new counting proxy: the proxied URL and the proxy's counts. The
/// proxy's threads live as long as the test process.
pub fn counted(url: &str) -> (String, Arc<Counts>) {
    let counts = Arc::new(Counts::default());
    let (proxied, upstream) = through(url, "PROXY");
    let address = start_proxy(upstream, counts.clone());
    (proxied.replace("PROXY", &address), counts)
}
