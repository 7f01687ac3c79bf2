//! Secrets stay out of the logs: the real binary, at debug level, through a full journey with
//! the Twilio provider (against a local fake), must never print a password, a token, a Twilio
//! credential, the JWT secret or a full phone number.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use calls_adapters_voip::twilio::signature;
use serde_json::{Value, json};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PASSWORD: &str = "correct horse battery staple 42";
const WRONG_PASSWORD: &str = "wrong horse battery staple 43";
const JWT_SECRET: &str = "log-secrecy-jwt-secret-0123456789abcdef";
const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
const AUTH_TOKEN: &str = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";
const PUBLIC_BASE_URL: &str = "https://calls.example.com";
const NUMBER: &str = "+4930901820";
const CALL_SID: &str = "CA5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f";

/// The server process; killed when dropped.
struct Server {
    child: Child,
    lines: mpsc::Receiver<String>,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(database_url: &str, twilio_url: &str) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_calls-server"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("JWT_SECRET", JWT_SECRET)
        .env("SERVER_HOST", "127.0.0.1")
        .env("SERVER_PORT", "0")
        .env("LOG_LEVEL", "debug")
        .env("LOG_FORMAT", "json")
        .env("VOIP_PROVIDER", "twilio")
        .env("VOIP_ACCOUNT_SID", ACCOUNT_SID)
        .env("VOIP_AUTH_TOKEN", AUTH_TOKEN)
        .env("VOIP_FROM_NUMBER", "+14155550100")
        .env("VOICE_PUBLIC_BASE_URL", PUBLIC_BASE_URL)
        .env("TWILIO_API_BASE_URL", twilio_url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let (sender, lines) = mpsc::channel();
    for stream in [
        Box::new(child.stdout.take().expect("stdout")) as Box<dyn Read + Send>,
        Box::new(child.stderr.take().expect("stderr")),
    ] {
        let sender = sender.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
    }
    let mut server = Server {
        child,
        lines,
        port: 0,
    };
    while server.port == 0 {
        let line = server
            .lines
            .recv_timeout(Duration::from_secs(60))
            .expect("the server logs that it listens");
        if let Ok(event) = serde_json::from_str::<Value>(&line)
            && event["message"] == "listening"
        {
            server.port = event["port"].as_u64().expect("port") as u16;
        }
    }
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_journey_logs_no_secret() {
    let twilio = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path_regex(r"/Calls\.json$"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "sid": CALL_SID })))
        .mount(&twilio)
        .await;
    Mock::given(method("POST"))
        .and(path_regex(r"/Calls/CA[0-9a-f]{32}\.json$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "sid": CALL_SID })))
        .mount(&twilio)
        .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = format!("sqlite://{}", dir.path().join("calls.db").display());
    let server = start(&database_url, &twilio.uri());
    let base = format!("http://127.0.0.1:{}", server.port);
    let client = reqwest::Client::new();
    let email = "secrecy@example.com";

    let registered: Value = client
        .post(format!("{base}/api/auth/register"))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .expect("register")
        .json()
        .await
        .expect("json");
    let _ = client
        .post(format!("{base}/api/auth/login"))
        .json(&json!({ "email": email, "password": WRONG_PASSWORD }))
        .send()
        .await
        .expect("failed login");
    let login: Value = client
        .post(format!("{base}/api/auth/login"))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let token = login["token"].as_str().expect("token").to_owned();
    let started: Value = client
        .post(format!("{base}/api/calls/initiate"))
        .bearer_auth(&token)
        .json(&json!({ "phone_number": NUMBER }))
        .send()
        .await
        .expect("initiate")
        .json()
        .await
        .expect("json");
    let call_id = started["call_id"]
        .as_str()
        .expect("call started")
        .to_owned();
    for params in [
        vec![
            ("CallSid", CALL_SID),
            ("CallStatus", "in-progress"),
            ("To", NUMBER),
        ],
        vec![
            ("CallSid", CALL_SID),
            ("CallStatus", "ringing"),
            ("To", NUMBER),
        ],
    ] {
        let url = format!("{PUBLIC_BASE_URL}/api/voice/status");
        let signed = signature::compute(AUTH_TOKEN, &url, &params);
        let response = client
            .post(format!("{base}/api/voice/status"))
            .header("X-Twilio-Signature", signed)
            .form(&params)
            .send()
            .await
            .expect("status callback");
        assert_eq!(response.status(), 204);
    }
    let forged = client
        .post(format!("{base}/api/voice/status"))
        .header("X-Twilio-Signature", "forged")
        .form(&[("CallSid", CALL_SID), ("CallStatus", "completed")])
        .send()
        .await
        .expect("forged callback");
    assert_eq!(forged.status(), 403);
    let ended = client
        .post(format!("{base}/api/calls/terminate"))
        .bearer_auth(&token)
        .json(&json!({ "call_id": call_id }))
        .send()
        .await
        .expect("terminate");
    assert_eq!(ended.status(), 200);
    let history = client
        .get(format!("{base}/api/calls/history"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("history");
    assert_eq!(history.status(), 200);
    let bad_token = client
        .get(format!("{base}/api/calls/history"))
        .bearer_auth(format!("{token}x"))
        .send()
        .await
        .expect("bad token");
    assert_eq!(bad_token.status(), 401);
    let logout = client
        .post(format!("{base}/api/auth/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("logout");
    assert!(logout.status().is_success());

    // Give the log writer a moment, then collect everything.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let logs: Vec<String> = server.lines.try_iter().collect();
    drop(server);
    let all = logs.join("\n");
    assert!(
        logs.len() > 10 && all.contains("call initiated"),
        "the journey was logged at all: {all}"
    );
    let register_token = registered["token"].as_str().expect("token");
    let token_signature = token.rsplit('.').next().expect("signature");
    let digits = NUMBER.trim_start_matches('+');
    for (what, secret) in [
        ("password", PASSWORD),
        ("wrong password", WRONG_PASSWORD),
        ("login token", token.as_str()),
        ("login token signature", token_signature),
        ("register token", register_token),
        ("JWT secret", JWT_SECRET),
        ("Twilio auth token", AUTH_TOKEN),
        ("full phone number", digits),
        ("full phone number, grouped", "30901820"),
    ] {
        let leaked: Vec<&String> = logs.iter().filter(|line| line.contains(secret)).collect();
        assert!(leaked.is_empty(), "{what} appears in the logs: {leaked:#?}");
    }
    assert!(
        all.contains("1820"),
        "masked numbers keep their last four digits: {all}"
    );
}
