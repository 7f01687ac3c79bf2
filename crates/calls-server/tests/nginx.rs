//! The shipped reverse-proxy configuration, for real: Debian's nginx runs
//! `deploy/nginx/calls-platform.conf` (only ports and file paths replaced) in front of two
//! `calls-server` processes on one fresh PostgreSQL database, with a throw-away certificate.
//! Clients connect from distinct loopback addresses (all of 127.0.0.0/8 is this machine):
//! 127.0.0.9 is an attacker, 127.0.0.10 a victim, 127.0.0.11 the read load. It proves:
//!
//! - HTTPS end to end (TLS at nginx, `X-Forwarded-Proto: https` believed from it: HSTS), and
//!   plain HTTP redirected with 308;
//! - the attacker is throttled after `address_max_failures` failed logins in total over both
//!   instances, although nginx spread them over both and every one carried a forged
//!   `X-Forwarded-For`; the server logs name 127.0.0.9, never a forged address;
//! - the victim, behind the same nginx, logs in at once;
//! - a rolling restart of both instances (SIGTERM one, start it again, wait until it is ready
//!   and nginx routes to it again, then the other) under read load fails no request, and
//!   nginx's error log shows no connection cut under a request ("upstream prematurely closed
//!   connection", "reset by peer"): only the refused connects of a stopped instance.
//!
//! `#[ignore]`d: it needs nginx (`apt-get install -y nginx`; `.ci/run` installs it) and takes
//! about a minute. Run it with `just test-nginx` or
//! `cargo test -p calls-server --test nginx -- --ignored --nocapture`.

mod support;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use calls_adapters_postgres::testing::TestDatabase;
use serde_json::json;
use support::certs::TestCertificates;
use support::{PASSWORD, ServerProcess, describe};
use tokio::sync::Mutex;

const ATTACKER: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 9));
const VICTIM: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 10));
const READER: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 11));
/// `auth.throttle.address_max_failures` of both instances.
const ADDRESS_LIMIT: usize = 6;
const READ_CLIENTS: usize = 4;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("free port")
        .port()
}

fn nginx_binary() -> PathBuf {
    ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|path| path.exists())
        .expect("nginx is not installed: apt-get install -y nginx (.ci/run does)")
}

/// nginx in the foreground with its own prefix, pid and logs; stopped on drop.
struct Nginx {
    child: Child,
    error_log: PathBuf,
}

impl Nginx {
    fn start(dir: &Path, site: &str) -> Self {
        std::fs::write(dir.join("calls-platform.conf"), site).expect("site written");
        let main = format!(
            "pid {dir}/nginx.pid;\n\
             worker_processes 1;\n\
             events {{ worker_connections 1024; }}\n\
             http {{\n\
             \x20   access_log {dir}/access.log;\n\
             \x20   client_body_temp_path {dir}/body;\n\
             \x20   proxy_temp_path {dir}/proxy;\n\
             \x20   fastcgi_temp_path {dir}/fastcgi;\n\
             \x20   uwsgi_temp_path {dir}/uwsgi;\n\
             \x20   scgi_temp_path {dir}/scgi;\n\
             \x20   include {dir}/calls-platform.conf;\n\
             }}\n",
            dir = dir.display()
        );
        std::fs::write(dir.join("nginx.conf"), main).expect("nginx.conf written");
        let error_log = dir.join("error.log");
        let log = std::fs::File::create(dir.join("nginx.out")).expect("nginx output");
        let child = Command::new(nginx_binary())
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .arg("-e")
            .arg(&error_log)
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("nginx starts");
        Self { child, error_log }
    }

    fn error_log(&self) -> String {
        std::fs::read_to_string(&self.error_log).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // TERM to the master, which stops its workers; KILL only if it does not go.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The shipped site file with only its ports and paths replaced; each must be found.
fn templated_site(upstreams: [u16; 2], http: u16, https: u16, certs: &TestCertificates) -> String {
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/nginx/calls-platform.conf"),
    )
    .expect("deploy/nginx/calls-platform.conf");
    let replacements = [
        (
            "server server-1:8080",
            format!("server 127.0.0.1:{}", upstreams[0]),
        ),
        (
            "server server-2:8080",
            format!("server 127.0.0.1:{}", upstreams[1]),
        ),
        ("listen 80;", format!("listen 127.0.0.1:{http};")),
        ("listen [::]:80;", format!("listen [::1]:{http};")),
        ("listen 443 ssl", format!("listen 127.0.0.1:{https} ssl")),
        ("listen [::]:443 ssl", format!("listen [::1]:{https} ssl")),
        (
            "/etc/nginx/tls/fullchain.pem",
            certs.chain_file.display().to_string(),
        ),
        (
            "/etc/nginx/tls/privkey.pem",
            certs.key_file.display().to_string(),
        ),
    ];
    let mut site = shipped;
    for (from, to) in replacements {
        assert_eq!(
            site.matches(from).count(),
            1,
            "'{from}' once in the shipped file"
        );
        site = site.replace(from, &to);
    }
    site
}

/// A client from `local`, trusting the test CA, reaching nginx's HTTPS port as `localhost`.
fn client_from(local: IpAddr, https: u16, certs: &TestCertificates) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(certs.ca_pem.as_bytes()).expect("CA");
    reqwest::Client::builder()
        .local_address(local)
        .resolve("localhost", SocketAddr::from(([127, 0, 0, 1], https)))
        .tls_certs_only([ca])
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

async fn login(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
    forged: Option<&str>,
) -> u16 {
    let mut request = client
        .post(format!("{base}/api/auth/login"))
        .json(&json!({ "email": email, "password": password }));
    if let Some(forged) = forged {
        request = request.header("x-forwarded-for", forged);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|err| panic!("login: {}", describe(&err)));
    response.status().as_u16()
}

/// The instance's log shows a request from `client` (the span's `client` field).
fn served(instance: &ServerProcess, client: IpAddr) -> usize {
    let needle = format!("\"client\":\"{client}\"");
    instance
        .log_text()
        .lines()
        .filter(|line| line.contains(&needle) && line.contains("request handled"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs nginx; run by .ci/run and `just test-nginx`"]
async fn two_instances_behind_the_shipped_nginx_config() {
    let Some(database) = tokio::task::block_in_place(TestDatabase::create) else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    // nginx's workers run as `nobody` when the test runs as root: let them in.
    let _ = Command::new("chmod").arg("755").arg(dir.path()).status();
    let certs = TestCertificates::generate(dir.path());
    let config = dir.path().join("calls.toml");
    std::fs::write(
        &config,
        format!(
            "[auth.throttle]\naddress_max_failures = {ADDRESS_LIMIT}\naccount_max_failures = 100\n"
        ),
    )
    .expect("config");
    let config = config.to_str().expect("utf-8").to_owned();
    let ports = [free_port(), free_port()];
    let port_text = ports.map(|port| port.to_string());
    let env = |index: usize| {
        vec![
            ("DATABASE_URL", database.url().to_owned()),
            ("CALLS_CONFIG", config.clone()),
            ("SERVER_PORT", port_text[index].clone()),
            // nginx connects from 127.0.0.1; nothing else is trusted.
            ("TRUSTED_PROXIES", "127.0.0.1".to_owned()),
        ]
    };
    let start = |index: usize, generation: usize| {
        let env = env(index);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let log = dir.path().join(format!("server-{index}-{generation}.log"));
        ServerProcess::start(&env, &log)
    };
    let mut instances = [start(0, 0), start(1, 0)];

    let (http, https) = (free_port(), free_port());
    let nginx = Nginx::start(dir.path(), &templated_site(ports, http, https, &certs));
    let base = format!("https://localhost:{https}");
    let victim = client_from(VICTIM, https, &certs);
    wait_until_served(&victim, &base, &nginx).await;

    // HTTPS end to end; plain HTTP is redirected.
    let email = "victim@example.com";
    let registered = victim
        .post(format!("{base}/api/auth/register"))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .expect("register through nginx");
    assert_eq!(registered.status().as_u16(), 201);
    assert_eq!(
        registered
            .headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok()),
        Some("max-age=31536000"),
        "HTTPS as nginx says"
    );
    let token = registered.json::<serde_json::Value>().await.expect("json")["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(format!("http://127.0.0.1:{http}/system/health?x=1"))
        .send()
        .await
        .expect("plain HTTP answered");
    assert_eq!(redirect.status().as_u16(), 308);
    assert_eq!(
        redirect
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("https://127.0.0.1/system/health?x=1")
    );

    // The attacker: every failure forges another client; all count for 127.0.0.9, in total
    // over both instances.
    let attacker = client_from(ATTACKER, https, &certs);
    for attempt in 0..ADDRESS_LIMIT {
        let forged = format!("203.0.113.{attempt}");
        let status = login(
            &attacker,
            &base,
            &format!("nobody{attempt}@example.com"),
            "a wrong passphrase",
            Some(&forged),
        )
        .await;
        assert_eq!(status, 401, "failure {attempt}");
    }
    let spread = instances
        .each_ref()
        .map(|instance| served(instance, ATTACKER));
    assert!(
        spread.iter().all(|&n| n > 0),
        "nginx spread the attacker's requests over both instances: {spread:?}"
    );
    for instance in &instances {
        assert!(
            !instance.log_text().contains("\"client\":\"203.0.113."),
            "a forged address reached a log line"
        );
    }
    for attempt in 0..2 {
        let status = login(&attacker, &base, email, PASSWORD, Some("198.51.100.77")).await;
        assert_eq!(
            status, 429,
            "attempt {attempt} after {ADDRESS_LIMIT} failures in total over both instances \
             (spread {spread:?}): throttled on every instance"
        );
    }
    // The victim, behind the same proxy, logs in at once (on both instances).
    for attempt in 0..2 {
        assert_eq!(
            login(&victim, &base, email, PASSWORD, None).await,
            200,
            "victim {attempt}"
        );
    }

    // Rolling restart under read load.
    let stop = Arc::new(AtomicBool::new(false));
    let failures: Arc<Mutex<Vec<String>>> = Arc::default();
    let reader = client_from(READER, https, &certs);
    let loads: Vec<_> = (0..READ_CLIENTS)
        .map(|_| {
            let (reader, base, token) = (reader.clone(), base.clone(), token.clone());
            let (stop, failures) = (stop.clone(), failures.clone());
            tokio::spawn(async move {
                let mut sent = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    sent += 1;
                    let result = reader
                        .get(format!("{base}/api/calls/history"))
                        .bearer_auth(&token)
                        .send()
                        .await;
                    let failure = match result {
                        Ok(response) if response.status().as_u16() == 200 => {
                            response.bytes().await.err().map(|err| describe(&err))
                        }
                        Ok(response) => Some(format!(
                            "{}: {}",
                            response.status(),
                            response.text().await.unwrap_or_default()
                        )),
                        Err(err) => Some(describe(&err)),
                    };
                    if let Some(failure) = failure {
                        failures.lock().await.push(failure);
                    }
                }
                sent
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut exits = Vec::new();
    for (index, instance) in instances.iter_mut().enumerate() {
        let signalled = Instant::now();
        instance.sigterm();
        let status = tokio::task::block_in_place(|| instance.wait_exit(Duration::from_secs(15)));
        let exit_after = signalled.elapsed();
        assert_eq!(
            status.and_then(|s| s.code()),
            Some(0),
            "instance {index} exits 0 after SIGTERM:\n{}",
            instance.log_tail(20)
        );
        exits.push(exit_after);
        let restarted = tokio::task::block_in_place(|| start(index, 1));
        let ready = reqwest::get(format!("{}/system/ready", restarted.base()))
            .await
            .expect("ready answered");
        assert_eq!(ready.status().as_u16(), 200);
        // Back in rotation: nginx sends it the readers' requests again (it waits out
        // fail_timeout after the refused connections).
        let deadline = Instant::now() + Duration::from_secs(20);
        while served(&restarted, READER) == 0 {
            assert!(
                Instant::now() < deadline,
                "nginx never routed to the restarted instance {index}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        *instance = restarted;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    let mut sent = 0;
    for load in loads {
        sent += load.await.expect("reader");
    }
    let failures = failures.lock().await.clone();
    let error_log = nginx.error_log();
    assert!(
        failures.is_empty(),
        "{} of {sent} reads failed during the rolling restart: {failures:#?}\nnginx:\n{error_log}",
        failures.len()
    );
    // No connection was cut under a request: a stopping instance serves every connection it
    // accepted and refuses new ones at once (crates/server-actix/src/server/stop.rs), so
    // nginx's only complaint may be the refused connects ("connect() failed (111"), after
    // which it goes to the other instance before sending anything.
    let cut: Vec<&str> = error_log
        .lines()
        .filter(|line| {
            [
                "prematurely closed",
                "reset by peer",
                "upstream timed out",
                "broken pipe",
            ]
            .iter()
            .any(|symptom| line.contains(symptom))
        })
        .collect();
    assert!(
        cut.is_empty(),
        "{} connections cut under a request:\n{error_log}",
        cut.len()
    );
    println!(
        "nginx figures: reads={sent} failed=0 cut=0 exits_after_sigterm={exits:.2?} \
         attacker_spread={spread:?}\nnginx error log:\n{error_log}"
    );
    drop(nginx);
}

/// Waits until nginx answers `/system/health` through HTTPS (it starts in a moment).
async fn wait_until_served(client: &reqwest::Client, base: &str, nginx: &Nginx) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(response) = client.get(format!("{base}/system/health")).send().await
            && response.status().as_u16() == 200
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "nginx did not serve within 20 s:\n{}",
            nginx.error_log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
