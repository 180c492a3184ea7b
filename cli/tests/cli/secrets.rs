//! No credential ever reaches the output: not the app secret (flag or variable), the robot's
//! token and secret, an access token, the signature of a signed query, nor a user name, password
//! or query of a base URL; not in `--help`, errors, warnings or traces at any verbosity,
//! `RUST_LOG=trace` included.

use std::process::Command;

use crate::calls::serve;
use crate::{Run, assert_error, dingtalk, json_of};

/// The variables, each set to a value that must never be printed.
const CONFIGURED: &[(&str, &str)] = &[
    ("DINGTALK_APP_KEY", "appkey-NOTSHOWN"),
    ("DINGTALK_APP_SECRET", "appsecret-TOPSECRET"),
    (
        "DINGTALK_OAPI_BASE_URL",
        "http://alice:SUPERSECRET123@127.0.0.1:1/?access_token=URLTOKEN",
    ),
    (
        "DINGTALK_API_BASE_URL",
        "https://bob:APIPASSWORD@127.0.0.1:1",
    ),
    ("DINGTALK_ROBOT_TOKEN", "robottoken-TOPSECRET"),
    ("DINGTALK_ROBOT_SECRET", "SECrobotsecret-TOPSECRET"),
];

/// What must not appear, whatever the command prints.
const HUNTED: &[&str] = &[
    "appsecret-TOPSECRET",
    "SUPERSECRET123",
    "URLTOKEN",
    "APIPASSWORD",
    "robottoken-TOPSECRET",
    "SECrobotsecret-TOPSECRET",
    "FLAGSECRET",
    "alice",
    "bob:",
];

fn configured(args: &[&str]) -> Command {
    let mut command = dingtalk(args);
    command.envs(CONFIGURED.iter().copied());
    command
}

/// Asserts that nothing of `hunted` is in the run's output, and that every credential a URL
/// in it carries is masked.
#[track_caller]
fn assert_no_secret(what: &str, run: &Run, hunted: &[&str]) {
    for secret in hunted {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "{what}: `{secret}` printed:\n{}{}",
            run.stdout,
            run.stderr
        );
    }
    for key in ["access_token=", "sign=", "signature=", "appsecret="] {
        for (i, _) in run.stderr.match_indices(key) {
            assert!(
                run.stderr[i + key.len()..].starts_with("***"),
                "{what}: {key} unmasked:\n{}",
                run.stderr
            );
        }
    }
}

#[test]
fn help_never_shows_the_values_of_the_variables() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["call", "--help"],
        &["list", "--help"],
        &["mock", "serve", "--help"],
        &["help", "call"],
    ] {
        let out: Run = configured(args).output().expect("run").into();
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert!(
            out.stdout.contains("DINGTALK_OAPI_BASE_URL"),
            "{}",
            out.stdout
        );
        assert_no_secret(&format!("{args:?}"), &out, HUNTED);
        assert!(!out.stdout.contains("NOTSHOWN"), "{args:?}: {}", out.stdout);
    }
}

#[test]
fn rejected_base_urls_never_show_their_credentials() {
    let body = r#"{"userid":"u"}"#;
    let out: Run = dingtalk(&["call", "report.getunreadcount", "--body", body])
        .env(
            "DINGTALK_OAPI_BASE_URL",
            "http://user:SUPERSECRET123@127.0.0.1:1",
        )
        .env("DINGTALK_APP_KEY", "k")
        .env("DINGTALK_APP_SECRET", "appsecret-TOPSECRET")
        .output()
        .expect("run")
        .into();
    assert_error(
        &out,
        2,
        "configuration error: oapi base URL `http://***@127.0.0.1:1/` must not carry a query, \
         fragment or credentials",
    );
    let out: Run = configured(&["call", "hrm.employees.dismissions"])
        .env("DINGTALK_OAPI_BASE_URL", "http://127.0.0.1:1")
        .env(
            "DINGTALK_API_BASE_URL",
            "ftp://alice:SUPERSECRET123@127.0.0.1:1/?access_token=URLTOKEN",
        )
        .output()
        .expect("run")
        .into();
    assert_error(
        &out,
        2,
        "configuration error: api base URL `ftp://***@127.0.0.1:1/?***` has scheme `ftp`; \
         expected https",
    );
    let out: Run = configured(&[
        "call",
        "gettoken",
        "--body",
        r#"{"appkey":"k","appsecret":"s"}"#,
    ])
    .env(
        "DINGTALK_OAPI_BASE_URL",
        "http://alice:SUPERSECRET123@192.0.2.1/?access_token=URLTOKEN",
    )
    .output()
    .expect("run")
    .into();
    assert_error(
        &out,
        2,
        "DINGTALK_OAPI_BASE_URL `http://***@192.0.2.1/?***` uses plain http for a host that is \
         not loopback; pass --allow-insecure-http to send credentials unencrypted",
    );
    let out: Run = dingtalk(&[
        "--oapi-base-url",
        "http://alice:SUPERSECRET123@192.0.2.1",
        "call",
        "gettoken",
        "--body",
        r#"{"appkey":"k","appsecret":"s"}"#,
    ])
    .output()
    .expect("run")
    .into();
    assert_error(
        &out,
        2,
        "--oapi-base-url `http://***@192.0.2.1/` uses plain http for a host that is not \
         loopback; pass --allow-insecure-http to send credentials unencrypted",
    );
}

#[test]
fn no_secret_in_errors_or_traces_of_failed_calls() {
    let body = r#"{"userid":"u"}"#;
    let robot = r#"{"msgtype":"text","text":{"content":"hi"}}"#;
    let reachable = |command: &mut Command| -> Run {
        command
            .env("DINGTALK_OAPI_BASE_URL", "http://127.0.0.1:1")
            .env("DINGTALK_API_BASE_URL", "http://127.0.0.1:1")
            .output()
            .expect("run")
            .into()
    };
    let runs = [
        (
            "bad oapi URL, -vv",
            configured(&["-vv", "call", "report.getunreadcount", "--body", body])
                .output()
                .expect("run")
                .into(),
        ),
        (
            "refused, -vv",
            reachable(&mut configured(&[
                "-vv",
                "--timeout",
                "5s",
                "call",
                "report.getunreadcount",
                "--body",
                body,
            ])),
        ),
        (
            "refused, --app-secret",
            reachable(&mut configured(&[
                "-vv",
                "--app-secret",
                "FLAGSECRET",
                "call",
                "report.getunreadcount",
                "--body",
                body,
            ])),
        ),
        (
            "robot refused, -vv",
            reachable(&mut configured(&[
                "-vv",
                "call",
                "robot.send",
                "--body",
                robot,
            ])),
        ),
        (
            "robot refused, trace",
            reachable(
                configured(&["call", "robot.send", "--body", robot]).env("RUST_LOG", "trace"),
            ),
        ),
    ];
    for (what, out) in &runs {
        assert!(out.code == 1 || out.code == 2, "{what}: {}", out.stderr);
        assert!(out.stderr.contains("error: "), "{what}: {}", out.stderr);
        assert_no_secret(what, out, HUNTED);
    }
    // The traces are there, masked.
    let (_, robot) = &runs[3];
    assert!(
        robot
            .stderr
            .contains("/robot/send?access_token=***&timestamp="),
        "{}",
        robot.stderr
    );
}

#[test]
fn no_secret_or_token_in_traces_of_calls_that_succeed() {
    let served = serve();
    let run = |args: &[&str], filter: Option<&str>| -> Run {
        let mut command = dingtalk(args);
        command.envs(&served.env);
        if let Some(filter) = filter {
            command.env("RUST_LOG", filter);
        }
        command.output().expect("run").into()
    };
    // The token the fake issues, which it gives again while it is valid.
    let token = json_of(&run(
        &[
            "call",
            "gettoken",
            "--body",
            r#"{"appkey":"mock-app-key","appsecret":"mock-app-secret"}"#,
        ],
        None,
    ))["access_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let mut hunted = HUNTED.to_vec();
    hunted.extend([
        "mock-app-secret",
        "mock-robot-token",
        "SECmock-robot-secret",
        token.as_str(),
    ]);
    let body = r#"{"userid":"manager01"}"#;
    let robot = r#"{"msgtype":"text","text":{"content":"hi"}}"#;
    let code = r#"{"tmp_auth_code":"x"}"#;
    let runs = [
        (
            "-vv oapi",
            run(
                &["-vv", "call", "report.getunreadcount", "--body", body],
                None,
            ),
        ),
        (
            "-vv v1.0",
            run(&["-vv", "call", "hrm.employees.dismissions"], None),
        ),
        (
            "-vv robot",
            run(&["-vv", "call", "robot.send", "--body", robot], None),
        ),
        (
            "trace oapi",
            run(
                &["call", "report.getunreadcount", "--body", body],
                Some("trace"),
            ),
        ),
        (
            "trace v1.0",
            run(&["call", "hrm.employees.dismissions"], Some("trace")),
        ),
        (
            "trace robot",
            run(&["call", "robot.send", "--body", robot], Some("trace")),
        ),
        (
            "trace --mock",
            run(
                &["--mock", "call", "robot.send", "--body", robot],
                Some("trace"),
            ),
        ),
        (
            "-vv signed query",
            run(
                &["-vv", "call", "sns.getuserinfo_bycode", "--body", code],
                None,
            ),
        ),
        (
            "trace signed query",
            run(
                &["call", "sns.getuserinfo_bycode", "--body", code],
                Some("trace"),
            ),
        ),
    ];
    for (what, out) in &runs {
        assert!(json_of(out).is_object(), "{what}");
        assert!(
            out.stderr.contains("status=200"),
            "{what}: traced:\n{}",
            out.stderr
        );
        assert_no_secret(what, out, &hunted);
    }
    // The signed query is traced with its signature masked.
    let (_, signed) = &runs[7];
    assert!(
        signed
            .stderr
            .contains("/sns/getuserinfo_bycode?accessKey=mock-app-key&timestamp=")
            && signed.stderr.contains("&signature=***"),
        "{}",
        signed.stderr
    );
}
