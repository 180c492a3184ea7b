//! The `dingtalk` command as a user runs it: the real binary in a child process, run with a
//! clean environment by every test. Covered: `list` against `operations()`, `describe`, every one-line error
//! with its exact text and exit status, `--mock` calls, `--body @FILE` and `--body -`, and every
//! operation's documented example request through `dingtalk call` against a `dingtalk mock
//! serve` child, configured only through the environment variables it prints.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use dingtalk_openapi::operations;
use serde_json::Value;

/// The variables the command reads; cleared for every run so the developer's own do not leak in.
const VARIABLES: &[&str] = &[
    "DINGTALK_APP_KEY",
    "DINGTALK_APP_SECRET",
    "DINGTALK_OAPI_BASE_URL",
    "DINGTALK_API_BASE_URL",
    "DINGTALK_ROBOT_TOKEN",
    "DINGTALK_ROBOT_SECRET",
];

const CREATE: &str = r#"{"create_request":{"operation_userid":"manager01","blackboard_receiver":{"userid_list":["manager02"]},"title":"入职须知","content":"欢迎加入"}}"#;

/// The `dingtalk` binary of this package, which cargo builds for its integration tests.
fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_dingtalk"))
}

/// A `dingtalk` command with none of the DINGTALK_* variables set.
fn dingtalk(args: &[&str]) -> Command {
    let mut command = Command::new(binary());
    command.args(args);
    for name in VARIABLES {
        command.env_remove(name);
    }
    command
}

/// What a run printed.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

fn run(args: &[&str]) -> Run {
    dingtalk(args).output().expect("run dingtalk").into()
}

fn run_with_stdin(args: &[&str], stdin: &str) -> Run {
    let mut child = dingtalk(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run dingtalk");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait for dingtalk").into()
}

/// Asserts a failure with exactly this one-line message and exit status, and nothing on stdout.
#[track_caller]
fn assert_error(run: &Run, code: i32, message: &str) {
    assert_eq!(run.stderr, format!("error: {message}\n"), "stderr");
    assert_eq!(run.code, code, "exit status; stderr: {}", run.stderr);
    assert_eq!(run.stdout, "", "stdout");
}

/// Asserts a failure whose one-line message starts with `prefix`.
#[track_caller]
fn assert_error_starts(run: &Run, code: i32, prefix: &str) {
    assert!(
        run.stderr.starts_with(&format!("error: {prefix}")),
        "stderr: {}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "one line: {}", run.stderr);
    assert_eq!(run.code, code, "exit status; stderr: {}", run.stderr);
}

#[track_caller]
fn json_of(run: &Run) -> Value {
    assert_eq!(run.code, 0, "exit status; stderr: {}", run.stderr);
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", run.stdout))
}

// ---------------------------------------------------------------------------------------------
// list, describe, help, completions

#[test]
fn list_shows_every_operation_with_method_url_and_title() {
    let out = run(&["list"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let ops = operations();
    assert_eq!(lines.len(), ops.len(), "{}", out.stdout);
    // Aligned: every URL starts in the same column.
    let url_column = lines[0].find("https://").expect("a URL");
    for (line, op) in lines.iter().zip(&ops) {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(
            words[..3],
            [op.id, op.method.as_str(), op.default_url().as_str()],
            "{line}"
        );
        assert!(line.ends_with(op.title), "{line}");
        assert_eq!(line.find("https://"), Some(url_column), "{line}");
    }
}

#[test]
fn list_filters_and_prints_json() {
    let out = run(&["list", "--json"]);
    let listed = json_of(&out);
    let ids: Vec<&str> = listed
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|o| o["id"].as_str())
        .collect();
    let expected: Vec<&str> = operations().iter().map(|op| op.id).collect();
    assert_eq!(ids, expected);
    assert_eq!(listed[0]["url"], operations()[0].default_url());

    let out = run(&["list", "BLACKBOARD"]);
    assert!(!out.stdout.is_empty());
    assert!(
        out.stdout.lines().all(|l| l.starts_with("blackboard.")),
        "{}",
        out.stdout
    );
}

#[test]
fn describe_shows_parameters_limits_examples_and_response_fields() {
    let out = run(&["describe", "blackboard.create"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = &out.stdout;
    for expected in [
        "blackboard.create  创建公告\n",
        "POST https://oapi.dingtalk.com/topapi/blackboard/create\n",
        "  docs        https://open.dingtalk.com/document/",
        "  auth        access token in the query string",
        "  effect      create",
        "  pagination  none",
        "create_request*",
        "body    object (BlackboardCreateVo)",
        "operation_userid*",
        "e.g. \"manager01\"",
        "integer (PrivateLevel)",
        "one of 0 (普通公告), 20 (保密公告)",
        "array of integer",
        "at most 20 items",
        "at most 1000 items",
        "操作人的userId",
        "Response fields (HTTP 200)",
        "  result ",
        "dingtalk --mock call blackboard.create --body '{\"create_request\":",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // Nested fields sit deeper than their object.
    let indent = |name: &str| {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(name))
            .expect(name);
        line.len() - line.trim_start().len()
    };
    assert!(indent("deptid_list") > indent("blackboard_receiver*"));
    assert!(indent("blackboard_receiver*") > indent("create_request*"));
}

#[test]
fn describe_v1_query_parameters_and_pagination() {
    let out = run(&["describe", "hrm.employees.dismissions"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for expected in [
        "GET https://api.dingtalk.com/v1.0/hrm/employees/dismissions",
        "x-acs-dingtalk-access-token",
        "bare: the body itself on success",
        "next token `nextToken` (absent first), page size `maxResults`",
        "maxResults  query   integer  ≤ 50; default 30",
        "userIdList  array of string",
        "on failure: HTTP 4xx/5xx",
    ] {
        assert!(
            out.stdout.contains(expected),
            "missing {expected:?} in:\n{}",
            out.stdout
        );
    }
    let out = run(&["describe", "smartwork.hrm.employee.queryonjob"]);
    assert!(
        out.stdout
            .contains("string (comma-joined integer (HrmEmployeeStatus))"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("1..=50"), "{}", out.stdout);
    let out = run(&["describe", "checkin.record.get"]);
    assert!(
        out.stdout
            .contains("time window `start_time`..`end_time` spans at most 10 days"),
        "{}",
        out.stdout
    );
}

#[test]
fn describe_every_operation_and_json() {
    for op in operations() {
        let out = run(&["describe", op.id]);
        assert_eq!(out.code, 0, "{}: {}", op.id, out.stderr);
        assert!(
            out.stdout.starts_with(&format!("{}  ", op.id)),
            "{}",
            out.stdout
        );
        assert!(out.stdout.contains("Response fields"), "{}", out.stdout);
        let out = run(&["describe", op.id, "--json"]);
        assert_eq!(json_of(&out)["operationId"], op.id);
    }
}

#[test]
fn help_has_examples_and_every_subcommand_is_documented() {
    let out = run(&["--help"]);
    assert_eq!(out.code, 0);
    for expected in [
        "Examples:",
        "dingtalk --mock call",
        "DINGTALK_APP_KEY",
        "Exit status",
        "--allow-insecure-http",
    ] {
        assert!(
            out.stdout.contains(expected),
            "missing {expected:?}:\n{}",
            out.stdout
        );
    }
    for sub in ["list", "describe", "call", "completions"] {
        let out = run(&[sub, "--help"]);
        assert_eq!(out.code, 0, "{sub}");
        assert!(
            out.stdout.contains("Examples:"),
            "{sub} --help:\n{}",
            out.stdout
        );
    }
    let out = run(&["mock", "serve", "--help"]);
    assert!(out.stdout.contains("--port"), "{}", out.stdout);
}

#[test]
fn completions_know_the_operation_ids() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run(&["completions", shell]);
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.contains("describe"), "{shell}");
        // clap_complete offers positional values in these three.
        if ["bash", "zsh", "fish"].contains(&shell) {
            assert!(out.stdout.contains("blackboard.create"), "{shell}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Errors: one line, `error: `, exit 2 when nothing was sent and 1 when the call failed

#[test]
fn unknown_operations_suggest_the_nearest_id() {
    assert_error(
        &run(&["call", "blackbord.create", "--body", "{}"]),
        2,
        "unknown operation `blackbord.create`; did you mean `blackboard.create`?",
    );
    assert_error(
        &run(&["describe", "oauth2.accesstoken"]),
        2,
        "unknown operation `oauth2.accesstoken`; did you mean `oauth2.accessToken`?",
    );
    assert_error(
        &run(&["describe", "/topapi/report/list"]),
        2,
        "unknown operation `/topapi/report/list`; did you mean `report.list`?",
    );
    assert_error(
        &run(&["call", "nothing.like.it"]),
        2,
        "unknown operation `nothing.like.it`; `dingtalk list` shows every operation",
    );
}

#[test]
fn bodies_that_are_not_json_name_line_and_column() {
    assert_error(
        &run(&[
            "--mock",
            "call",
            "blackboard.create",
            "--body",
            "{\"create_request\": ",
        ]),
        2,
        "blackboard.create: --body is not valid JSON: EOF while parsing a value at line 1 column 19",
    );
    let dir = std::env::temp_dir().join(format!("dingtalk-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("bad.json");
    std::fs::write(&file, "{\n  \"userid\": \"u\",\n}\n").expect("write");
    let arg = format!("@{}", file.display());
    assert_error(
        &run(&["--mock", "call", "report.getunreadcount", "--body", &arg]),
        2,
        &format!(
            "report.getunreadcount: `{}` is not valid JSON: key must be a string at line 3 column 1",
            file.display()
        ),
    );
    assert_error(
        &run_with_stdin(
            &["--mock", "call", "report.getunreadcount", "--body", "-"],
            "[1]",
        ),
        2,
        "report.getunreadcount: standard input must be a JSON object of the operation's parameters by wire name",
    );
    assert_error_starts(
        &run(&[
            "call",
            "report.getunreadcount",
            "--body",
            "@/nonexistent/body.json",
        ]),
        2,
        "cannot read the body file `/nonexistent/body.json`: ",
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn unknown_missing_and_ill_typed_fields_name_their_path() {
    assert_error(
        &run(&[
            "--mock",
            "call",
            "blackboard.create",
            "--body",
            r#"{"create_request":{"titel":"x"}}"#,
        ]),
        2,
        "blackboard.create: unknown field `create_request.titel`; did you mean `title`?",
    );
    assert_error(
        &run(&[
            "--mock",
            "call",
            "blackboard.create",
            "--body",
            r#"{"create_request":{"operation_userid":"m","blackboard_receiver":{"userid_list":[1]},"title":"t","content":"c"}}"#,
        ]),
        2,
        "blackboard.create: `create_request.blackboard_receiver.userid_list[0]`: invalid type: integer `1`, expected a string at line 1 column 81",
    );
    assert_error(
        &run(&[
            "--mock",
            "call",
            "blackboard.create",
            "--body",
            r#"{"create_request":{"operation_userid":"m"}}"#,
        ]),
        2,
        "blackboard.create: missing field `create_request.blackboard_receiver`",
    );
    assert_error(
        &run(&[
            "--mock",
            "call",
            "hrm.employees.dismissions",
            "--body",
            r#"{"max_results":5}"#,
        ]),
        2,
        "hrm.employees.dismissions: unknown field `max_results`; did you mean `maxResults`?",
    );
}

#[test]
fn broken_limits_name_operation_field_and_limit() {
    assert_error(
        &run(&[
            "--mock",
            "call",
            "report.list",
            "--body",
            r#"{"start_time":1507564800000,"end_time":1507564800000,"cursor":0,"size":50}"#,
        ]),
        2,
        "report.list: `size` is 50, above the maximum of 20",
    );
    let depts: Vec<String> = (1..=21).map(|i| i.to_string()).collect();
    let body = format!(
        r#"{{"create_request":{{"operation_userid":"m","blackboard_receiver":{{"deptid_list":[{}]}},"title":"t","content":"c"}}}}"#,
        depts.join(",")
    );
    assert_error(
        &run(&["--mock", "call", "blackboard.create", "--body", &body]),
        2,
        "blackboard.create: `create_request.blackboard_receiver.deptid_list` has 21 items, more than the limit of 20",
    );
}

#[test]
fn missing_credentials_say_what_to_set() {
    assert_error(
        &run(&[
            "call",
            "report.getunreadcount",
            "--body",
            r#"{"userid":"u"}"#,
        ]),
        2,
        "report.getunreadcount needs an access token: set DINGTALK_APP_KEY and DINGTALK_APP_SECRET, or pass --app-key/--app-secret, or use --mock",
    );
    assert_error(
        &dingtalk(&[
            "call",
            "report.getunreadcount",
            "--body",
            r#"{"userid":"u"}"#,
        ])
        .env("DINGTALK_APP_KEY", "k")
        .output()
        .expect("run")
        .into(),
        2,
        "report.getunreadcount needs an access token: set DINGTALK_APP_SECRET or pass --app-secret (the app key is set), or use --mock",
    );
    assert_error(
        &run(&[
            "call",
            "robot.send",
            "--body",
            r#"{"msgtype":"text","text":{"content":"hi"}}"#,
        ]),
        2,
        "robot.send needs the group robot's webhook token: set DINGTALK_ROBOT_TOKEN (and DINGTALK_ROBOT_SECRET if the robot signs), or pass --robot-token/--robot-secret, or use --mock",
    );
    // The body is checked before the credentials.
    assert_error(
        &run(&["call", "report.getunreadcount", "--body", "{}"]),
        2,
        "report.getunreadcount: missing field `userid`",
    );
}

#[test]
fn plain_http_is_for_loopback_only() {
    let body = r#"{"appkey":"k","appsecret":"s"}"#;
    assert_error(
        &dingtalk(&["call", "gettoken", "--body", body])
            .env("DINGTALK_OAPI_BASE_URL", "http://192.0.2.1")
            .output()
            .expect("run")
            .into(),
        2,
        "DINGTALK_OAPI_BASE_URL `http://192.0.2.1` uses plain http for a host that is not loopback; pass --allow-insecure-http to send credentials unencrypted",
    );
    assert_error(
        &run(&[
            "--api-base-url",
            "http://example.invalid",
            "call",
            "gettoken",
            "--body",
            body,
        ]),
        2,
        "--api-base-url `http://example.invalid` uses plain http for a host that is not loopback; pass --allow-insecure-http to send credentials unencrypted",
    );
}

#[test]
fn api_http_and_network_failures_exit_1_with_dingtalks_error() {
    let out = run(&[
        "--mock",
        "call",
        "gettoken",
        "--body",
        r#"{"appkey":"wrong","appsecret":"wrong"}"#,
    ]);
    assert_error_starts(
        &out,
        1,
        "gettoken: errcode 40096: 不合法的appKey或appSecret (request id ",
    );
    let out = run(&[
        "--mock",
        "call",
        "oauth2.accessToken",
        "--body",
        r#"{"appKey":"wrong","appSecret":"wrong"}"#,
    ]);
    assert_error_starts(
        &out,
        1,
        "oauth2.accessToken: HTTP 400 invalidClientIdOrSecret: ",
    );
    assert!(out.stderr.contains("(request id "), "{}", out.stderr);
    let out = run(&[
        "--mock",
        "call",
        "blackboard.get",
        "--body",
        r#"{"operation_userid":"manager01","blackboard_id":"no-such-id"}"#,
    ]);
    assert_error_starts(&out, 1, "blackboard.get: errcode 40035: ");
    // Nothing listens on port 1.
    let out = run(&[
        "--timeout",
        "5s",
        "--oapi-base-url",
        "http://127.0.0.1:1",
        "call",
        "gettoken",
        "--body",
        r#"{"appkey":"k","appsecret":"s"}"#,
    ]);
    assert_error_starts(&out, 1, "gettoken: connecting failed: ");
}

// ---------------------------------------------------------------------------------------------
// Calls

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
    let dir = std::env::temp_dir().join(format!("dingtalk-cli-body-{}", std::process::id()));
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
struct Served {
    child: Child,
    env: HashMap<String, String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `dingtalk mock serve --port 0` and reads the `export` lines it prints.
fn serve() -> Served {
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
    for op in operations() {
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
