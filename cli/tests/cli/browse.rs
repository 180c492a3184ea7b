//! Browsing the operations: `list` (aligned, filtered, as JSON) against `operations()`,
//! `describe` of parameters, limits, pagination, examples and response fields, `--help` with its
//! examples, and shell completions that know the operation ids.

use dingtalk_openapi::operations;

use crate::{json_of, run};

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

    // FILTER is a case-blind substring of the id or of DingTalk's action name.
    let out = run(&["list", "BLACKBOARD"]);
    let printed: Vec<&str> = out
        .stdout
        .lines()
        .map(|l| l.split_whitespace().next().expect("an id"))
        .collect();
    let expected: Vec<&str> = operations()
        .iter()
        .filter(|op| {
            op.id.to_lowercase().contains("blackboard")
                || op.action.to_lowercase().contains("blackboard")
        })
        .map(|op| op.id)
        .collect();
    assert!(printed.contains(&"blackboard.get"), "{}", out.stdout);
    assert_eq!(printed, expected);
}

#[test]
fn list_narrows_by_area_and_action() {
    let out = run(&["list", "--area", "blackboard", "--json"]);
    let listed = json_of(&out);
    let mut expected: Vec<&str> = operations()
        .iter()
        .filter(|op| op.area == "blackboard")
        .map(|op| op.id)
        .collect();
    expected.sort_unstable();
    assert!(!expected.is_empty());
    let mut ids: Vec<&str> = listed
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|o| o["id"].as_str())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, expected);
    // Curated operations have no DingTalk action; the key is there, null. The imported ones
    // the area gained name theirs.
    let by_id = |id: &str| {
        listed
            .as_array()
            .and_then(|all| all.iter().find(|o| o["id"] == id))
            .cloned()
            .unwrap_or_default()
    };
    assert!(by_id("blackboard.create")["action"].is_null(), "{listed}");
    assert_eq!(by_id("blackboard.create")["returns"], "object");
    // An area an imported file adds to lists both kinds, the imported ones with their action.
    let out = run(&["list", "--area", "attendance", "--json"]);
    let listed = json_of(&out);
    let all = listed.as_array().expect("array");
    assert!(all.iter().any(|o| o["action"].is_null()), "{listed}");
    for imported in operations()
        .iter()
        .filter(|op| op.area == "attendance" && !op.action.is_empty())
    {
        let entry = all.iter().find(|o| o["id"] == imported.id);
        assert_eq!(
            entry.map(|o| &o["action"]),
            Some(&serde_json::json!(imported.action)),
            "{}",
            imported.id
        );
    }

    // Filters combine; FILTER is a substring of the id within the area.
    let out = run(&["list", "--area", "hrm", "employees"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.is_empty());
    assert!(
        out.stdout.lines().all(|l| l.contains("hrm.employee")),
        "{}",
        out.stdout
    );

    // Ids and actions are different names: no curated operation has an action.
    let out = run(&["list", "--action", "blackboard.create"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{}", out.stderr);

    let out = run(&["list", "--help"]);
    for flag in ["--area <AREA>", "--action <ACTION>", "contact_1.0/GetUser"] {
        assert!(out.stdout.contains(flag), "{flag} in {}", out.stdout);
    }
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
        "maxResults  query   integer  1..=50; default 30",
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
fn describe_a_signed_query() {
    let out = run(&["describe", "sns.getuserinfo_bycode"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains(
            "auth        signed query (`accessKey`, `timestamp`, `signature`): DINGTALK_APP_KEY and \
             the current time signed with DINGTALK_APP_SECRET, added by the client to every attempt"
        ),
        "{}",
        out.stdout
    );
    // The three are the client's, not parameters.
    assert!(!out.stdout.contains("accessKey  "), "{}", out.stdout);
    assert!(out.stdout.contains("tmp_auth_code*"), "{}", out.stdout);
}

#[test]
fn describe_offset_pagination_that_reads_has_more() {
    let out = run(&["describe", "attendance.list"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let expected = "pagination  offset `offset` (0 first, then plus the page size), page size \
                    `limit`, has more `hasMore`, items `recordresult`; ends when hasMore is false \
                    or a page is empty";
    assert!(out.stdout.contains(expected), "{}", out.stdout);
}

#[test]
fn describe_string_lengths() {
    let out = run(&["describe", "call_back.register_call_back"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let aes_key = out
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("aes_key*"))
        .unwrap_or_default();
    assert!(
        aes_key.contains("exactly 43 characters; secret"),
        "{aes_key}"
    );
    let out = run(&["describe", "microapp.create"]);
    assert!(out.stdout.contains("1..=10 characters"), "{}", out.stdout);
    let out = run(&["describe", "report.create"]);
    assert!(
        out.stdout.contains("at most 1000 characters"),
        "{}",
        out.stdout
    );
}

#[test]
fn describe_every_operation_and_json() {
    // Every curated operation, and every 16th imported one (each call is a process reading the
    // whole OpenAPI document; the imported ones are all made by the same code).
    let imported = operations().into_iter().filter(|op| !op.action.is_empty());
    let sample = operations()
        .into_iter()
        .filter(|op| op.action.is_empty())
        .chain(imported.step_by(16));
    for op in sample {
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
