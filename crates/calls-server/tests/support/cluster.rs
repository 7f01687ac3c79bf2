//! Private PostgreSQL clusters for process tests: made with PostgreSQL's own tools (`initdb`,
//! `pg_ctl`, `pg_basebackup`) in temporary directories, on free local ports, and stopped
//! (immediately) when dropped, whatever happened in the test. When the tests run as root, the
//! clusters belong to the `postgres` user (initdb refuses root) and live under /tmp.
//!
//! The binaries: `PG_BINDIR`, else the newest `/usr/lib/postgresql/*/bin`, else `PATH`. Without
//! them the test fails; it never skips.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A cluster in a temporary directory; stopped (immediately) on drop.
pub struct Cluster {
    bindir: PathBuf,
    pub dir: tempfile::TempDir,
    pub port: u16,
    as_postgres: bool,
}

impl Cluster {
    /// A new, empty cluster (`initdb`, trust authentication, replication allowed from
    /// 127.0.0.1), not started. `prefix` names its temporary directory.
    pub fn create(prefix: &str, port: u16) -> Self {
        let cluster = Self::empty_dir(prefix, port);
        let mut initdb = cluster.command("initdb");
        initdb
            .arg("-D")
            .arg(cluster.data())
            .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"])
            .args(["--no-sync", "--no-instructions"]);
        run(&mut initdb);
        cluster
    }

    /// A streaming replica of the running `primary` (`pg_basebackup -R`: a base backup plus
    /// `standby.signal` and `primary_conninfo`), not started.
    pub fn replica_of(primary: &Self, prefix: &str, port: u16) -> Self {
        let cluster = Self::empty_dir(prefix, port);
        let mut backup = cluster.command("pg_basebackup");
        backup
            .arg("-D")
            .arg(cluster.data())
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &primary.port.to_string(),
                "-U",
                "postgres",
            ])
            .args(["-R", "-X", "stream", "-c", "fast", "--no-sync"]);
        run(&mut backup);
        cluster
    }

    fn empty_dir(prefix: &str, port: u16) -> Self {
        let bindir = pg_bindir();
        let as_postgres = running_as_root();
        // The `postgres` user must reach the directory: under /tmp, not a root-only TMPDIR.
        let dir = if as_postgres {
            tempfile::Builder::new().prefix(prefix).tempdir_in("/tmp")
        } else {
            tempfile::Builder::new().prefix(prefix).tempdir()
        }
        .expect("temp dir");
        if as_postgres {
            run(Command::new("chown")
                .args(["postgres:postgres"])
                .arg(dir.path()));
        }
        Self {
            bindir,
            dir,
            port,
            as_postgres,
        }
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bindir.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }

    /// Starts the server on its port (127.0.0.1 only, its socket in its directory), with
    /// `settings` (`name=value`) added; waits until it accepts connections.
    pub fn start_with(&self, settings: &[&str]) {
        let mut options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {}",
            self.port,
            self.dir.path().display()
        );
        for setting in settings {
            options.push_str(" -c ");
            options.push_str(setting);
        }
        let mut start = self.command("pg_ctl");
        start
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.dir.path().join("postgres.log"))
            .args(["-w", "-t", "60", "-o", &options, "start"]);
        run(&mut start);
    }

    pub fn start(&self) {
        self.start_with(&[]);
    }

    /// As a crash would: no checkpoint, connections cut.
    pub fn kill(&self) {
        let mut stop = self.command("pg_ctl");
        stop.arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "-w", "stop"]);
        run(&mut stop);
    }

    /// The `postgres` database.
    pub fn url(&self) -> String {
        self.url_of("postgres")
    }

    pub fn url_of(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// One SQL statement through psql on the `postgres` database; rows as `|`-separated lines.
    pub fn query(&self, sql: &str) -> String {
        self.query_in("postgres", sql)
    }

    /// One SQL statement through psql on `database`, trimmed.
    pub fn query_in(&self, database: &str, sql: &str) -> String {
        let output = Command::new(self.bindir.join("psql"))
            .args([
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                &self.url_of(database),
            ])
            .args(["-c", sql])
            .output()
            .expect("psql runs");
        assert!(
            output.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    /// As [`Cluster::query_in`], `None` when psql fails (e.g. the database is not there yet).
    pub fn try_query_in(&self, database: &str, sql: &str) -> Option<String> {
        let output = Command::new(self.bindir.join("psql"))
            .args([
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                &self.url_of(database),
            ])
            .args(["-c", sql])
            .output()
            .ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("postgres.log")).unwrap_or_default()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.data().join("postmaster.pid").exists() {
            let mut stop = self.command("pg_ctl");
            stop.arg("-D")
                .arg(self.data())
                .args(["-m", "immediate", "-w", "stop"]);
            let _ = stop.output();
        }
    }
}

/// Where `initdb` and `pg_ctl` are. Panics (the test fails, it does not skip) without them.
fn pg_bindir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PG_BINDIR") {
        return PathBuf::from(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return bin;
    }
    let found = Command::new("sh")
        .args(["-c", "command -v initdb"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned());
    match found {
        Some(path) if !path.is_empty() => Path::new(&path)
            .parent()
            .expect("initdb's directory")
            .to_owned(),
        _ => panic!(
            "PostgreSQL's initdb was not found (PG_BINDIR, /usr/lib/postgresql/*/bin, PATH): \
             this test needs the PostgreSQL server binaries (apt-get install postgresql)"
        ),
    }
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

pub fn run(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|err| panic!("{command:?} does not run: {err}"));
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}
