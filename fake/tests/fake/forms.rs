//! topapi operations also take their parameters as an HTML form, as DingTalk's own curl
//! examples and its older Java SDK send them: the same answers and the same checks as JSON; every
//! other operation (here the robot webhook) wants JSON.

use dingtalk_openapi::blackboard::BlackboardListidsRequest;
use dingtalk_openapi::hrm::{
    SmartworkHrmEmployeeQuerypreentryRequest, SmartworkHrmEmployeeQuerypreentryRequestRequired,
};
use dingtalk_openapi::operation::Operation;
use dingtalk_openapi::primitives::EpochMillis;
use dingtalk_openapi::robot::RobotSendRequest;

use crate::common::{Answer, Fake, json, listids};

const PREENTRY: &str = SmartworkHrmEmployeeQuerypreentryRequest::INFO.path;
const LISTIDS: &str = BlackboardListidsRequest::INFO.path;

/// A POST of `fields` as a form to `path` with `query`.
fn form(
    fake: &Fake,
    path: &str,
    query: &[(&str, &str)],
    fields: &[(&str, &str)],
) -> reqwest::RequestBuilder {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    fake.http
        .post(fake.at(path, query))
        .header(
            "content-type",
            "application/x-www-form-urlencoded;charset=utf-8",
        )
        .body(body)
}

/// Asserts a 40035 whose message names `field`.
fn rejected(answer: &Answer, field: &str) {
    assert_eq!(answer.errcode(), 40035, "{}", answer.text);
    assert!(answer.errmsg().contains(field), "{field}: {}", answer.text);
}

#[tokio::test]
async fn a_form_with_the_token_as_a_field_answers_as_json_does() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    // The token as a form field and the numbers as text, as DingTalk's curl examples send them.
    let as_json = fake
        .call(
            &token,
            &SmartworkHrmEmployeeQuerypreentryRequest::new(
                SmartworkHrmEmployeeQuerypreentryRequestRequired { offset: 0, size: 2 },
            ),
        )
        .await;
    let as_form = fake
        .send(form(
            &fake,
            PREENTRY,
            &[],
            &[("access_token", &token), ("offset", "0"), ("size", "2")],
        ))
        .await;
    assert_eq!(as_form.errcode(), 0, "{}", as_form.text);
    assert_eq!(as_form.json()["result"], as_json.json()["result"]);
    assert_eq!(
        as_form.json()["result"]["data_list"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    fake.server.shutdown().await;
}

#[tokio::test]
async fn a_nested_object_may_come_as_json_text() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    // The token in the query, a nested object as JSON text (how the older Java SDK sends one).
    let nested = json(&listids(1, 3))["query_request"].to_string();
    let as_form = fake
        .send(form(
            &fake,
            LISTIDS,
            &[("access_token", &token)],
            &[("query_request", &nested)],
        ))
        .await;
    let as_json = fake.call(&token, &listids(1, 3)).await;
    assert_eq!(as_form.errcode(), 0, "{}", as_form.text);
    assert_eq!(as_form.json()["result"], as_json.json()["result"]);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn forms_get_the_same_checks_as_json() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    let query = [("access_token", token.as_str())];
    let over = json(&listids(1, 31))["query_request"].to_string();
    let over = fake
        .send(form(&fake, LISTIDS, &query, &[("query_request", &over)]))
        .await;
    rejected(&over, "query_request.page_size");
    let not_an_object = fake
        .send(form(&fake, LISTIDS, &query, &[("query_request", "5")]))
        .await;
    rejected(&not_an_object, "query_request");
    let broken_nested = fake
        .send(form(
            &fake,
            LISTIDS,
            &query,
            &[("query_request", "{\"page\": 1")],
        ))
        .await;
    rejected(&broken_nested, "query_request");
    let nested = json(&listids(1, 3))["query_request"].to_string();
    let unknown = fake
        .send(form(
            &fake,
            LISTIDS,
            &query,
            &[("query_request", &nested), ("x", "1")],
        ))
        .await;
    rejected(&unknown, "x");
    fake.server.shutdown().await;
}

#[tokio::test]
async fn a_form_token_field_is_checked_like_a_query_token() {
    let fake = Fake::start(true).await;
    let no_token = fake
        .send(form(
            &fake,
            PREENTRY,
            &[],
            &[("offset", "0"), ("size", "2")],
        ))
        .await;
    assert_eq!(
        (no_token.errcode(), no_token.sub_code().as_str()),
        (88, "40000"),
        "{}",
        no_token.text
    );
    let bad_token = fake
        .send(form(
            &fake,
            PREENTRY,
            &[],
            &[("access_token", "nope"), ("offset", "0"), ("size", "2")],
        ))
        .await;
    assert_eq!(bad_token.sub_code(), "40014", "{}", bad_token.text);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn only_topapi_operations_take_forms() {
    let fake = Fake::start(true).await;
    let query = fake.robot_query(fake.server.robot_token(), EpochMillis::now().as_millis());
    let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let robot = fake
        .send(form(
            &fake,
            RobotSendRequest::INFO.path,
            &query,
            &[("msgtype", "text")],
        ))
        .await;
    assert_eq!(robot.errcode(), 43004, "{}", robot.text);
    fake.server.shutdown().await;
}
