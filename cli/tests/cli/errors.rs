//! Errors: one line starting `error: `, exit 2 when nothing was sent and 1 when the call failed;
//! unknown operations, bodies that are not JSON, unknown, missing and ill-typed fields, broken
//! limits, missing credentials, plain http to a remote host, and DingTalk's and the network's
//! failures.

use crate::{assert_error, assert_error_starts, dingtalk, run, run_with_stdin};

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
fn unknown_areas_suggest_the_nearest() {
    assert_error(
        &run(&["list", "--area", "blackbord"]),
        2,
        "no area `blackbord`; did you mean `blackboard`?",
    );
    assert_error(
        &run(&["list", "--area", "zzz"]),
        2,
        "no area `zzz`; `dingtalk list --json | jq -r '.[].area' | sort -u` shows them",
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
    let dir =
        std::env::temp_dir().join(format!("dingtalk-openapi-cli-test-{}", std::process::id()));
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
        "blackboard.create: `create_request.blackboard_receiver.userid_list[0]`: invalid type: integer `1`, expected a string",
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

#[test]
fn file_flags_are_checked_before_anything_is_sent() {
    assert_error(
        &run(&[
            "--mock",
            "call",
            "media.upload",
            "--body",
            r#"{"type":"image"}"#,
        ]),
        2,
        "media.upload: the file part `media` is missing; pass it with --file media=@PATH",
    );
    assert_error(
        &run(&[
            "--mock",
            "call",
            "media.upload",
            "--body",
            r#"{"type":"image"}"#,
            "--file",
            "media=logo.png",
        ]),
        2,
        "media.upload: --file `media=logo.png` is not of the form NAME=@PATH (e.g. --file media=@logo.png)",
    );
    assert_error(
        &run(&[
            "--mock",
            "call",
            "media.upload",
            "--body",
            r#"{"type":"image"}"#,
            "--file",
            "photo=@logo.png",
        ]),
        2,
        "media.upload: --file names `photo`, which is not a file part (its file parts: `media`)",
    );
    assert_error(
        &run(&["--mock", "call", "user.count", "--file", "media=@logo.png"]),
        2,
        "user.count: --file names `media`, which is not a file part (user.count sends no file)",
    );
    assert_error_starts(
        &run(&[
            "--mock",
            "call",
            "media.upload",
            "--body",
            r#"{"type":"image"}"#,
            "--file",
            "media=@/no/such/logo.png",
        ]),
        2,
        "media.upload: ",
    );
}
