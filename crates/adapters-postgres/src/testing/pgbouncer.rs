//! A private PgBouncer in transaction mode, for tests that prove the server works through one
//! (feature `test-support`).
//!
//! Each [`PgBouncer`] is its own `pgbouncer` process (Debian's package, any version: 1.18 has no
//! prepared-statement support at all), in the foreground, on a free loopback port, with its own
//! configuration in a fresh directory, in front of the PostgreSQL server named by
//! `TEST_DATABASE_URL`. Every database of that server is reachable through it under its own
//! name (PgBouncer's `*` entry). It is killed by PID, and its directory removed, when the value
//! drops, whatever the test did.

use std::fs::File;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// A running `pgbouncer` with `pool_mode = transaction`.
#[derive(Debug)]
pub struct PgBouncer {
    child: Child,
    dir: PathBuf,
    port: u16,
    user: String,
    pool_size: u32,
}

impl PgBouncer {
    /// Starts a pooler whose every database has `pool_size` server connections (shared by all
    /// its clients, one transaction at a time).
    ///
    /// # Panics
    /// When `pgbouncer` is not installed (`apt-get install pgbouncer`) or does not listen within
    /// 10 s (its log is in the message).
    pub fn start(pool_size: u32) -> Self {
        let upstream = Upstream::from_admin_url(
            &std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned()),
        );
        let dir =
            std::env::temp_dir().join(format!("calls-pgbouncer-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("pgbouncer directory");
        let port = free_port();
        let ini = dir.join("pgbouncer.ini");
        std::fs::write(&ini, upstream.ini(port, pool_size, &dir)).expect("pgbouncer.ini written");
        std::fs::write(
            dir.join("users.txt"),
            format!("\"{}\" \"\"\n", upstream.user),
        )
        .expect("pgbouncer auth file written");
        let log = File::create(dir.join("pgbouncer.log")).expect("pgbouncer log");
        let mut command = Command::new(binary());
        if running_as_root() {
            // PgBouncer refuses to run as root; `-u` drops privileges in the same process, so
            // the PID we hold is PgBouncer's own.
            command.args(["-u", "postgres"]);
        }
        command
            .arg(&ini)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("pgbouncer log"))
            .stderr(log);
        let child = command
            .spawn()
            .unwrap_or_else(|error| panic!("pgbouncer does not start: {error}"));
        let mut bouncer = Self {
            child,
            dir,
            port,
            user: upstream.user,
            pool_size,
        };
        bouncer.wait_until_listening();
        bouncer
    }

    fn wait_until_listening(&mut self) {
        let address = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("pgbouncer exited with {status}:\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "pgbouncer did not listen on {address} within {START_TIMEOUT:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The URL of `database` through the pooler.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{}@127.0.0.1:{}/{database}",
            self.user, self.port
        )
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Server connections per database (`default_pool_size`).
    pub fn pool_size(&self) -> u32 {
        self.pool_size
    }

    /// Everything PgBouncer logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("pgbouncer.log")).unwrap_or_default()
    }

    /// One command of PgBouncer's admin console (`SHOW CLIENTS`, `SHOW POOLS`, ...) through
    /// `psql`: its rows, `|`-separated, without headers.
    ///
    /// # Panics
    /// When `psql` is missing or the console refuses the command.
    pub fn admin(&self, command: &str) -> String {
        let output = Command::new("psql")
            .args(["-X", "-A", "-t", "-h", "127.0.0.1"])
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                &self.user,
                "-d",
                "pgbouncer",
            ])
            .args(["-c", command])
            .output()
            .expect("psql runs");
        assert!(
            output.status.success(),
            "pgbouncer admin {command}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Client connections the pooler holds for `database` (`SHOW CLIENTS`).
    pub fn clients_of(&self, database: &str) -> usize {
        let clients = self.admin("SHOW CLIENTS");
        clients
            .lines()
            .filter(|row| row.split('|').nth(2) == Some(database))
            .count()
    }
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The PostgreSQL server behind the pooler, from the tests' admin URL.
struct Upstream {
    host: String,
    port: u16,
    user: String,
    password: Option<String>,
}

impl Upstream {
    /// `postgres://[user[:password]@]host[:port]/database[?...]`; the database is ignored.
    fn from_admin_url(url: &str) -> Self {
        let rest = url
            .split_once("://")
            .map_or(url, |(_, rest)| rest)
            .split(['/', '?'])
            .next()
            .unwrap_or_default();
        let (credentials, location) = match rest.rsplit_once('@') {
            Some((credentials, location)) => (Some(credentials), location),
            None => (None, rest),
        };
        let (user, password) = match credentials.map(|c| c.split_once(':')) {
            Some(Some((user, password))) => (user.to_owned(), Some(password.to_owned())),
            Some(None) => (credentials.unwrap_or_default().to_owned(), None),
            None => ("postgres".to_owned(), None),
        };
        let (host, port) = match location.rsplit_once(':') {
            Some((host, port)) => (host.to_owned(), port.parse().unwrap_or(5432)),
            None => (location.to_owned(), 5432),
        };
        let host = if host.is_empty() {
            "127.0.0.1".to_owned()
        } else {
            host
        };
        Self {
            host,
            port,
            user,
            password,
        }
    }

    /// PgBouncer's connection string for the server (the `*` entry: any database name).
    fn connection(&self) -> String {
        let mut entry = format!("host={} port={} user={}", self.host, self.port, self.user);
        if let Some(password) = &self.password {
            entry.push_str(&format!(" password={password}"));
        }
        entry
    }

    fn ini(&self, port: u16, pool_size: u32, dir: &Path) -> String {
        format!(
            "[databases]\n* = {connection}\n\n\
             [pgbouncer]\n\
             listen_addr = 127.0.0.1\n\
             listen_port = {port}\n\
             unix_socket_dir =\n\
             auth_type = trust\n\
             auth_file = {auth}\n\
             admin_users = {user}\n\
             pool_mode = transaction\n\
             default_pool_size = {pool_size}\n\
             min_pool_size = 0\n\
             reserve_pool_size = 0\n\
             max_client_conn = 1000\n\
             server_login_retry = 1\n\
             log_connections = 0\n\
             log_disconnections = 0\n",
            connection = self.connection(),
            auth = dir.join("users.txt").display(),
            user = self.user,
        )
    }
}

/// Where `pgbouncer` is: `PGBOUNCER`, else Debian's `/usr/sbin/pgbouncer`, else `PATH`.
fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("PGBOUNCER") {
        return PathBuf::from(path);
    }
    let debian = Path::new("/usr/sbin/pgbouncer");
    if debian.exists() {
        return debian.to_owned();
    }
    let found = Command::new("sh")
        .args(["-c", "command -v pgbouncer"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .filter(|path| !path.is_empty());
    match found {
        Some(path) => PathBuf::from(path),
        None => panic!(
            "pgbouncer was not found (PGBOUNCER, /usr/sbin/pgbouncer, PATH): these tests need it \
             (apt-get install pgbouncer)"
        ),
    }
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

/// A port nothing listens on right now (the pooler binds it a moment later).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}
