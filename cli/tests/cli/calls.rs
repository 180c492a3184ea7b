//! Calls that succeed: `--mock` calls printing DingTalk's answer, bodies from `@FILE` and from
//! standard input, token operations without credentials, and every operation's documented example
//! through `dingtalk call` against a `dingtalk mock serve` child configured only through the
//! environment variables it prints.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use dingtalk_openapi::operations;
use serde_json::Value;

use crate::{Run, VARIABLES, dingtalk, json_of, run, run_with_stdin};

const CREATE: &str = r#"{"create_request":{"operation_userid":"manager01","blackboard_receiver":{"userid_list":["manager02"]},"title":"入职须知","content":"欢迎加入"}}"#;

#[test]
fn mock_call_prints_the_created_result() {
    let answer = json_of(&run(&[
        "--mock",
        "call",
        "blackboard.create",
        "--body",
        CREATE,
    ]));
    assert_eq!(answer["errcode"], 0, "{answer}");
    assert_eq!(answer["result"], true, "{answer}");
    // Pretty-printed, one key a line.
    let out = run(&["--mock", "call", "blackboard.create", "--body", CREATE]);
    assert!(out.stdout.contains("\n  \"errcode\": 0"), "{}", out.stdout);
    assert_eq!(out.stderr, "", "no warning");
}

#[test]
fn bodies_from_files_and_standard_input() {
    let dir =
        std::env::temp_dir().join(format!("dingtalk-openapi-cli-body-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("create.json");
    std::fs::write(&file, CREATE).expect("write");
    let arg = format!("@{}", file.display());
    assert_eq!(
        json_of(&run(&[
            "--mock",
            "call",
            "blackboard.create",
            "--body",
            &arg
        ]))["result"],
        true
    );
    let from_stdin = run_with_stdin(
        &["--mock", "call", "blackboard.create", "--body", "-"],
        CREATE,
    );
    assert_eq!(json_of(&from_stdin)["result"], true);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_signed_query_call_needs_only_the_app_credentials() {
    // accessKey, timestamp and signature are the client's to add: the body is the auth code.
    let out = run(&[
        "--mock",
        "call",
        "sns.getuserinfo_bycode",
        "--body",
        r#"{"tmp_auth_code":"x"}"#,
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(json_of(&out)["errcode"], 0, "{}", out.stdout);
    assert_eq!(out.stderr, "", "no warning");
    // They are not parameters the caller may pass.
    let out = run(&[
        "--mock",
        "call",
        "sns.getuserinfo_bycode",
        "--body",
        r#"{"tmp_auth_code":"x","signature":"forged"}"#,
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("unknown field `signature`"),
        "{}",
        out.stderr
    );
}

#[test]
fn token_operations_need_no_configured_credentials() {
    let out = run(&[
        "--mock",
        "call",
        "gettoken",
        "--body",
        r#"{"appkey":"mock-app-key","appsecret":"mock-app-secret"}"#,
    ]);
    assert!(json_of(&out)["access_token"].is_string(), "{}", out.stdout);
}

/// A `dingtalk mock serve` child, killed when dropped.
pub(crate) struct Served {
    child: Child,
    /// The variables it printed, by name.
    pub(crate) env: HashMap<String, String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `dingtalk mock serve --port 0` and reads the `export` lines it prints.
pub(crate) fn serve() -> Served {
    let mut child = dingtalk(&["mock", "serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start dingtalk mock serve");
    let stdout = child.stdout.take().expect("stdout");
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    let mut served = Served {
        child,
        env: HashMap::new(),
    };
    while served.env.len() < VARIABLES.len() {
        let line = receive
            .recv_timeout(Duration::from_secs(60))
            .expect("mock serve prints its environment");
        if let Some((name, value)) = line.strip_prefix("export ").and_then(|l| l.split_once('=')) {
            served
                .env
                .insert(name.to_owned(), value.trim_matches('\'').to_owned());
        }
    }
    served
}

#[test]
fn every_operation_succeeds_through_dingtalk_call_against_mock_serve() {
    let served = serve();
    let base = &served.env["DINGTALK_OAPI_BASE_URL"];
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    for name in VARIABLES {
        assert!(served.env.contains_key(*name), "mock serve prints {name}");
    }
    let mut failures = Vec::new();
    // Every curated operation, and the imported sample (each call is a process).
    let curated = operations().into_iter().filter(|op| op.action.is_empty());
    for op in curated.chain(super::imported::sample()) {
        let mut command = dingtalk(&["call", op.id, "--body", op.example_request]);
        command.envs(&served.env);
        let out: Run = command.output().expect("run dingtalk").into();
        let answer: Option<Value> = serde_json::from_str(&out.stdout).ok();
        if out.code != 0 || answer.is_none() || !out.stderr.is_empty() {
            failures.push(format!(
                "{} (exit {}): {}{}",
                op.id,
                out.code,
                out.stderr.trim(),
                out.stdout
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "operations that failed through the command:\n{}",
        failures.join("\n")
    );
}

/// `--file NAME=@PATH` uploads a file from disk; the `media_id` it answers is then accepted in a
/// work notification, in a second `--mock` run and against one `mock serve` (which also hands the
/// stored bytes back).
#[test]
fn an_uploaded_file_goes_into_a_work_notification() {
    let dir = std::env::temp_dir().join(format!(
        "dingtalk-openapi-cli-upload-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("logo.png");
    let content: Vec<u8> = (0..5000u32).map(|i| (i % 256) as u8).collect();
    std::fs::write(&file, &content).expect("write");
    let file_arg = format!("media=@{}", file.display());
    let upload = [
        "call",
        "media.upload",
        "--body",
        r#"{"type":"image"}"#,
        "--file",
        &file_arg,
    ];
    let notify = |media_id: &str| {
        serde_json::json!({
            "agent_id": 1234,
            "userid_list": "manager01",
            "msg": {"msgtype": "image", "image": {"media_id": media_id}},
        })
        .to_string()
    };

    let mut mock = vec!["--mock"];
    mock.extend(upload);
    let answer = json_of(&run(&mock));
    let media_id = answer["media_id"].as_str().expect("media_id").to_owned();
    assert_eq!(answer["type"], "image", "{answer}");
    let body = notify(&media_id);
    let sent = json_of(&run(&[
        "--mock",
        "call",
        "message.corpconversation.asyncsend_v2",
        "--body",
        &body,
    ]));
    assert_eq!(sent["errcode"], 0, "{sent}");

    let served = serve();
    let mut command = dingtalk(&upload);
    command.envs(&served.env);
    let out: Run = command.output().expect("run dingtalk").into();
    let media_id = json_of(&out)["media_id"]
        .as_str()
        .expect("media_id")
        .to_owned();
    let mut command = dingtalk(&[
        "call",
        "message.corpconversation.asyncsend_v2",
        "--body",
        &notify(&media_id),
    ]);
    command.envs(&served.env);
    let out: Run = command.output().expect("run dingtalk").into();
    assert_eq!(json_of(&out)["errcode"], 0, "{}", out.stderr);
    let mut command = dingtalk(&[
        "call",
        "message.corpconversation.asyncsend_v2",
        "--body",
        &notify("@not-uploaded"),
    ]);
    command.envs(&served.env);
    let out: Run = command.output().expect("run dingtalk").into();
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("errcode 40007"), "{}", out.stderr);
    let _ = std::fs::remove_dir_all(dir);
}
