//! `dingtalk stream listen` against a `dingtalk mock serve` child, configured only through the
//! variables it prints: messages pushed through the fake's control API come out as one JSON line
//! each, every line's message is acked before the command exits, and stdout holds nothing else.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::calls::serve;
use crate::{control, dingtalk, http, run};

/// How long a child may take before the test gives up on it (a hang fails, it never blocks CI).
const PATIENCE: Duration = Duration::from_secs(120);

/// Pushes one message through the control API; gives its messageId.
fn push(base: &str, message: Value) -> String {
    let answer = control(base, "/__mock/stream/push", &message.to_string());
    let answer: Value = serde_json::from_str(&answer).expect("push answers JSON");
    answer["messageId"]
        .as_str()
        .expect("a messageId")
        .to_owned()
}

#[test]
fn listen_prints_three_lines_acks_them_and_exits_0() {
    let served = serve();
    let base = served.env["DINGTALK_API_BASE_URL"].clone();
    let sent = [
        push(
            &base,
            json!({"type": "EVENT", "topic": "user_add_org", "data": {"userId": ["u1"]}}),
        ),
        push(
            &base,
            json!({"type": "CALLBACK", "topic": "/v1.0/im/bot/messages/get",
                   "data": {"msgtype": "text", "text": {"content": "你好"}}}),
        ),
        push(
            &base,
            json!({"type": "EVENT", "topic": "org_dept_create", "data": {"deptId": [7]}}),
        ),
    ];

    let mut child = dingtalk(&[
        "stream",
        "listen",
        "--bot",
        "--topic",
        "*",
        "--max-messages",
        "3",
    ])
    .envs(&served.env)
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("start dingtalk stream listen");
    let stdout = child.stdout.take().expect("stdout");
    let (send, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > PATIENCE {
            let _ = child.kill();
            panic!("stream listen did not exit after 3 messages");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("read stderr");
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");

    let printed: Vec<Value> = lines
        .try_iter()
        .map(|l| serde_json::from_str(&l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert_eq!(printed.len(), 3, "{printed:?}");
    let ids: Vec<&str> = printed
        .iter()
        .map(|l| l["messageId"].as_str().unwrap())
        .collect();
    let mut expected: Vec<&str> = sent.iter().map(String::as_str).collect();
    let mut got = ids.clone();
    expected.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, expected);
    let by_id = |id: &str| printed.iter().find(|l| l["messageId"] == id).unwrap();
    assert_eq!(
        by_id(&sent[0]),
        &json!({"type": "EVENT", "topic": "user_add_org", "messageId": sent[0],
                "data": {"userId": ["u1"]}})
    );
    assert_eq!(
        by_id(&sent[1]),
        &json!({"type": "CALLBACK", "topic": "/v1.0/im/bot/messages/get", "messageId": sent[1],
                "data": {"msgtype": "text", "text": {"content": "你好"}}})
    );
    for line in &printed {
        let keys: Vec<&String> = line.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["type", "topic", "messageId", "data"]);
    }

    // Every printed message was acked as handled before the command exited.
    let acks: Value = serde_json::from_str(&http(&base, "GET", "/__mock/stream/acks", ""))
        .expect("acks are JSON");
    let acked: Vec<&str> = acks
        .as_array()
        .expect("a list of acks")
        .iter()
        .filter(|a| a["code"] == 200)
        .filter_map(|a| a["messageId"].as_str().or(a["message_id"].as_str()))
        .collect();
    for id in &sent {
        assert!(acked.contains(&id.as_str()), "{id} not acked: {acks}");
    }
    let secret = &served.env["DINGTALK_APP_SECRET"];
    assert!(!stderr.contains(secret.as_str()), "{stderr}");
}

#[test]
fn listen_needs_credentials_and_refuses_mock() {
    let out = run(&["stream", "listen"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.starts_with(
            "error: stream listen needs the app's credentials: set DINGTALK_APP_KEY and DINGTALK_APP_SECRET"
        ),
        "{}",
        out.stderr
    );
    let out = run(&["--mock", "stream", "listen"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("dingtalk mock serve"), "{}", out.stderr);
    assert_eq!(out.stdout, "");
}

#[test]
fn listen_help_names_the_contract() {
    let out = run(&["stream", "listen", "--help"]);
    assert_eq!(out.code, 0);
    for flag in [
        "--topic",
        "--bot",
        "--card",
        "--max-messages",
        "--idle-timeout",
    ] {
        assert!(out.stdout.contains(flag), "{flag}: {}", out.stdout);
    }
}
