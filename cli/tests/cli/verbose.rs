//! Tracing on stderr: `-v` shows every HTTP attempt (method, URL with credentials masked,
//! status, attempt, time taken) and every retry with its reason, `-vv` adds the debug events,
//! `RUST_LOG` replaces both; stdout keeps only the answer.

use crate::calls::serve;
use crate::{Run, control, dingtalk, json_of, run};

const CREATE: &str = r#"{"create_request":{"operation_userid":"manager01","blackboard_receiver":{"userid_list":["manager02"]},"title":"t","content":"c"}}"#;

/// The lines of `stderr` that contain every one of `parts`.
fn lines_with<'a>(stderr: &'a str, parts: &[&str]) -> Vec<&'a str> {
    stderr
        .lines()
        .filter(|l| parts.iter().all(|p| l.contains(p)))
        .collect()
}

#[test]
fn help_documents_v_vv_and_rust_log() {
    let out = run(&["--help"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for expected in ["-v, --verbose", "-vv", "RUST_LOG"] {
        assert!(out.stdout.contains(expected), "{expected}:\n{}", out.stdout);
    }
    let out = run(&["call", "--help"]);
    assert!(out.stdout.contains("-v, --verbose"), "{}", out.stdout);
}

#[test]
fn v_traces_each_attempt_and_keeps_stdout_the_answer() {
    let quiet = run(&["--mock", "call", "blackboard.create", "--body", CREATE]);
    let out = run(&[
        "-v",
        "--mock",
        "call",
        "blackboard.create",
        "--body",
        CREATE,
    ]);
    assert_eq!(json_of(&out), json_of(&quiet), "stdout is the answer alone");
    assert_eq!(quiet.stderr, "", "no trace without -v");
    let stderr = &out.stderr;
    // The token request, then the call: method, URL without its credentials, status, attempt
    // and time taken, inside the call's span.
    let token = lines_with(
        stderr,
        &[
            "INFO",
            "dingtalk::http",
            "operation=\"blackboard.create\"",
            " GET http://127.0.0.1:",
            "/gettoken?appkey=mock-app-key&appsecret=*** ",
            "status=200",
            "attempt=1",
            "latency_ms=",
        ],
    );
    assert_eq!(token.len(), 1, "{stderr}");
    let call = lines_with(
        stderr,
        &[
            "INFO",
            " POST http://127.0.0.1:",
            "/topapi/blackboard/create?access_token=*** ",
            "status=200",
            "attempt=1",
            "latency_ms=",
        ],
    );
    assert_eq!(call.len(), 1, "{stderr}");
    // The call's span closes with its outcome.
    assert_eq!(
        lines_with(stderr, &["http.response.status_code=200", "close"]).len(),
        1,
        "{stderr}"
    );
    assert!(
        !stderr.contains("DEBUG"),
        "-v shows no debug event:\n{stderr}"
    );
    assert!(!stderr.contains("mock-app-secret"), "{stderr}");
}

#[test]
fn vv_adds_the_debug_events() {
    let out = run(&[
        "-vv",
        "--mock",
        "call",
        "blackboard.create",
        "--body",
        CREATE,
    ]);
    assert_eq!(json_of(&out)["result"], true);
    let stderr = &out.stderr;
    for parts in [
        &[
            "DEBUG",
            "sending POST http://127.0.0.1:",
            "access_token=***",
        ][..],
        &["DEBUG", "call succeeded"],
        &["DEBUG", "oapi base URL http://127.0.0.1:", "(from --mock)"],
        &["INFO", "status=200", "attempt=1"],
    ] {
        assert!(
            !lines_with(stderr, parts).is_empty(),
            "{parts:?} in:\n{stderr}"
        );
    }
    // `--verbose` is `-v`.
    let long = run(&[
        "--verbose",
        "--mock",
        "call",
        "blackboard.create",
        "--body",
        CREATE,
    ]);
    assert_eq!(
        lines_with(&long.stderr, &["INFO", "status=200"]).len(),
        2,
        "{}",
        long.stderr
    );
}

#[test]
fn rust_log_wins_over_v() {
    let with = |filter: &str, args: &[&str]| -> Run {
        dingtalk(args)
            .env("RUST_LOG", filter)
            .output()
            .expect("run")
            .into()
    };
    let call = ["--mock", "call", "blackboard.create", "--body", CREATE];
    let off = with("off", &[&["-vv"][..], &call].concat());
    assert_eq!(json_of(&off)["result"], true);
    assert_eq!(off.stderr, "", "RUST_LOG=off silences -vv");
    let runtime = with("dingtalk_openapi_runtime=debug", &call);
    assert!(
        runtime.stderr.contains("call succeeded"),
        "{}",
        runtime.stderr
    );
    assert!(
        !runtime.stderr.contains("dingtalk::http"),
        "{}",
        runtime.stderr
    );
    // An invalid filter is said so, and -v still applies.
    let bad = with("=^bad[", &[&["-v"][..], &call].concat());
    assert_eq!(json_of(&bad)["result"], true);
    assert!(
        bad.stderr
            .starts_with("warning: RUST_LOG `=^bad[` is not a filter"),
        "{}",
        bad.stderr
    );
    assert!(bad.stderr.contains("status=200"), "{}", bad.stderr);
}

#[test]
fn v_shows_retries_with_their_reason() {
    let served = serve();
    let base = &served.env["DINGTALK_OAPI_BASE_URL"];
    // DingTalk busy (errcode -1), once: retried.
    control(
        base,
        "/__mock/faults",
        r#"{"op":"report.getunreadcount","fault":{"errcode":-1},"times":1}"#,
    );
    let out: Run = dingtalk(&[
        "-v",
        "call",
        "report.getunreadcount",
        "--body",
        r#"{"userid":"manager01"}"#,
    ])
    .envs(&served.env)
    .output()
    .expect("run")
    .into();
    assert!(json_of(&out).is_object());
    let stderr = &out.stderr;
    let attempts = |n: &str| {
        lines_with(
            stderr,
            &[
                "POST http://127.0.0.1:",
                "getunreadcount?access_token=*** ",
                "status=200",
                n,
            ],
        )
        .len()
    };
    assert_eq!(
        (attempts("attempt=1"), attempts("attempt=2")),
        (1, 1),
        "{stderr}"
    );
    let retrying = lines_with(
        stderr,
        &["INFO", "retrying", "attempt=1", "delay_ms=", "error="],
    );
    assert_eq!(retrying.len(), 1, "{stderr}");
    assert!(
        retrying[0].contains("-1"),
        "the reason names the errcode: {}",
        retrying[0]
    );
}
