//! Every operation's documented examples against its generated Rust types.
//!
//! The operations are reached through `dingtalk_openapi::operations()` and `visit_operation`, so an
//! operation added to the spec is covered without touching this file. For each one:
//!
//! - (a) `INFO.example_request` deserializes into the request type and serializes back to the same
//!   JSON, keys in the same order at every level (the robot checks its body as sent, and GUIDE
//!   §1.3 wants the wire exactly as documented);
//! - (b) `validate()` accepts the example request;
//! - (c) `INFO.example_response` deserializes into the response type, every documented field landing
//!   in a field of the type (none skipped as unknown, as a misspelt wire name would be);
//! - (d) responses tolerate the unexpected: an unknown field added to every object, `{}`, each
//!   nested object emptied, and each object's fields all `null` (openapi.json declares optional
//!   response fields nullable) still deserialize;
//! - (e) open enums keep unknown values: every enum-typed value in the examples (found through the
//!   `x-enum-values` of generated/openapi.json) is replaced by an unlisted value, which requests must
//!   round-trip and responses must read; the named enums (blackboard `private_level`, hrm
//!   `status_list`, report statistics `type`, robot `btnOrientation` and `hideAvatar`) are also
//!   checked through their `Unknown` variants, both ways;
//! - request types reject an unknown field at every level (`dingtalk call` relies on that, GUIDE §1.5).
//!
//! Failures of all operations are gathered and reported together.
//!
//! [`ordered`] compares key order, [`tracked`] finds the fields a type skips, [`variants`] builds
//! the altered examples, [`enums`] finds the enum values through openapi.json, and [`check`] runs
//! the checks on one operation; the tests here run it on every operation and on a broken one.

mod check;
mod enums;
mod ordered;
mod tracked;
mod variants;

use std::collections::BTreeMap;

use dingtalk_openapi::operation::{Host, Method, Operation, OperationInfo, OperationVisitor};
use serde::Deserialize;
use serde_json::{Value, json};

use check::CheckExamples;

const OPENAPI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../generated/openapi.json");

/// Failures that are known generator bugs, as (operation id, the start of the failure message).
/// They are reported but do not fail the test; one that no longer occurs does, so the entry is
/// removed with the fix.
const KNOWN_BUGS: &[(&str, &str)] = &[
    // Empty: the robot's unknown-field and string-errcode bugs are fixed in the generator.
];

fn openapi() -> Value {
    let text =
        std::fs::read_to_string(OPENAPI).unwrap_or_else(|e| panic!("cannot read {OPENAPI}: {e}"));
    serde_json::from_str(&text).expect("openapi.json is JSON")
}

#[test]
fn every_operation_round_trips_its_examples() {
    let doc = openapi();
    let operations = dingtalk_openapi::operations();
    assert!(
        operations.len() >= 102,
        "{} operations, expected at least 102",
        operations.len()
    );

    let mut failures = Vec::new();
    let mut enums: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    println!("{:<38} {:>8} {:>6}", "operation", "variants", "enums");
    for info in &operations {
        let Some(report) = dingtalk_openapi::visit_operation(info.id, CheckExamples { doc: &doc })
        else {
            failures.push(format!(
                "{}: listed by operations() but unknown to visit_operation",
                info.id
            ));
            continue;
        };
        println!(
            "{:<38} {:>8} {:>6}",
            info.id,
            report.variants,
            report.enums.len()
        );
        failures.extend(report.failures);
        enums.insert(info.id, report.enums);
    }
    println!("{} operations", operations.len());
    for (id, sites) in &enums {
        for site in sites {
            println!("  open enum in {id} {site}");
        }
    }

    // The open enums of the spec's examples were found (and so checked above).
    for (id, site) in [
        (
            "blackboard.create",
            "request $.create_request.private_level: PrivateLevel",
        ),
        (
            "blackboard.get",
            "response $.result.private_level: PrivateLevel",
        ),
        (
            "smartwork.hrm.employee.queryonjob",
            "request $.status_list: csv<HrmEmployeeStatus>",
        ),
        (
            "report.statistics.listbytype",
            "request $.type: ReportStatisticsType",
        ),
        (
            "call_back.register_call_back",
            "request $.call_back_tag[0]: CallbackTag",
        ),
        (
            "message.corpconversation.getsendprogress",
            "response $.progress.status: WorkNoticeTaskStatus",
        ),
    ] {
        if !enums
            .get(id)
            .is_some_and(|sites| sites.iter().any(|s| s == site))
        {
            failures.push(format!(
                "{id}: expected an open enum at {site}; found {:?}",
                enums.get(id)
            ));
        }
    }

    // Known bugs are reported, not failed; a known bug that is gone fails, so its entry goes too.
    let is_known = |f: &str, (id, start): &(&str, &str)| f.starts_with(&format!("{id}: {start}"));
    let (known, mut failures): (Vec<String>, Vec<String>) = failures
        .into_iter()
        .partition(|f| KNOWN_BUGS.iter().any(|bug| is_known(f, bug)));
    for f in &known {
        println!("known generator bug (see KNOWN_BUGS): {f}");
    }
    for bug in KNOWN_BUGS {
        if !known.iter().any(|f| is_known(f, bug)) {
            failures.push(format!(
                "{}: the known bug {:?} no longer occurs; remove it from KNOWN_BUGS",
                bug.0, bug.1
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn named_open_enums_keep_unknown_values() {
    use dingtalk_openapi::blackboard::{
        BlackboardCreateRequest, BlackboardGetRequest, BlackboardGetResponse, PrivateLevel,
    };
    use dingtalk_openapi::hrm::{HrmEmployeeStatus, SmartworkHrmEmployeeQueryonjobRequest};
    use dingtalk_openapi::report::{ReportStatisticsListbytypeRequest, ReportStatisticsType};
    use dingtalk_openapi::robot::{
        RobotBtnOrientation, RobotHideAvatar, RobotMessage, RobotSendRequest,
    };

    // blackboard private_level: 7 is neither 0 (普通公告) nor 20 (保密公告).
    assert_eq!(
        serde_json::from_str::<PrivateLevel>("7").unwrap(),
        PrivateLevel::Unknown(7)
    );
    assert_eq!(
        serde_json::to_string(&PrivateLevel::Unknown(7)).unwrap(),
        "7"
    );
    let mut get: Value = serde_json::from_str(BlackboardGetRequest::INFO.example_response).unwrap();
    get["result"]["private_level"] = json!(7);
    let response: BlackboardGetResponse = serde_json::from_value(get.clone()).unwrap();
    assert_eq!(
        response.result.as_ref().unwrap().private_level,
        Some(PrivateLevel::Unknown(7))
    );
    assert_eq!(serde_json::to_value(&response).unwrap(), get);
    let mut create: Value =
        serde_json::from_str(BlackboardCreateRequest::INFO.example_request).unwrap();
    create["create_request"]["private_level"] = json!(7);
    let request: BlackboardCreateRequest = serde_json::from_value(create.clone()).unwrap();
    assert_eq!(
        request.create_request.private_level,
        Some(PrivateLevel::Unknown(7))
    );
    assert_eq!(serde_json::to_value(&request).unwrap(), create);

    // hrm status_list: 9 is not a documented status; the list keeps its order.
    let body = json!({"status_list": "2,9,-1", "offset": 0, "size": 50});
    let request: SmartworkHrmEmployeeQueryonjobRequest =
        serde_json::from_value(body.clone()).unwrap();
    assert_eq!(
        request.status_list.0,
        [
            HrmEmployeeStatus::Probation,
            HrmEmployeeStatus::Unknown(9),
            HrmEmployeeStatus::NoStatus
        ]
    );
    assert_eq!(serde_json::to_value(&request).unwrap(), body);

    // report statistics type: 5 is none of 0 read, 1 commented, 2 liked.
    let body = json!({"report_id": "17469xxx", "type": 5});
    let request: ReportStatisticsListbytypeRequest = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(request.type_, ReportStatisticsType::Unknown(5));
    assert_eq!(serde_json::to_value(&request).unwrap(), body);

    // robot actionCard btnOrientation and hideAvatar: strings "0"/"1" documented, "2" kept.
    let body = json!({
        "msgtype": "actionCard",
        "actionCard": {"title": "t", "text": "x", "btnOrientation": "2", "hideAvatar": "2"}
    });
    let request: RobotSendRequest = serde_json::from_value(body.clone()).unwrap();
    let RobotMessage::ActionCard(card) = &request.message else {
        panic!("an actionCard: {request:?}")
    };
    assert_eq!(
        card.btn_orientation,
        Some(RobotBtnOrientation::Unknown("2".into()))
    );
    assert_eq!(card.hide_avatar, Some(RobotHideAvatar::Unknown("2".into())));
    assert_eq!(serde_json::to_value(&request).unwrap(), body);
}

/// A hand-written operation broken on purpose: its keys serialize in another order than the
/// example's, and its response type drops `errmsg` and requires `errcode`.
#[derive(serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Broken {
    b: i64,
    a: i64,
}

#[derive(Deserialize)]
struct BrokenResponse {
    #[allow(dead_code)]
    errcode: i64,
}

const BROKEN_INFO: OperationInfo = {
    let mut info = OperationInfo::new(
        "test.broken",
        Method::Post,
        Host::Oapi,
        "/topapi/test/broken",
    );
    info.example_request = r#"{"a":1,"b":2}"#;
    info.example_response = r#"{"errcode":0,"errmsg":"ok"}"#;
    info
};

impl Operation for Broken {
    type Response = BrokenResponse;
    const INFO: &'static OperationInfo = &BROKEN_INFO;
}

#[test]
fn the_checks_can_fail() {
    let doc = openapi();
    let failures = CheckExamples { doc: &doc }.visit::<Broken>().failures;
    for expected in [
        "test.broken: (a) request example: key order differs: keys at $: example [\"a\", \"b\"], serialized [\"b\", \"a\"]",
        "test.broken: (c) response example: the response type drops documented fields [\"$.errmsg\"]",
        "test.broken: (d) response: `{}` does not deserialize",
        "test.broken: openapi.json: the operation is missing",
    ] {
        assert!(
            failures.iter().any(|f| f.starts_with(expected)),
            "expected a failure starting {expected:?} in {failures:#?}"
        );
    }
}
