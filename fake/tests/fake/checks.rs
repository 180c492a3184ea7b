//! The typed check of "the request": missing, mistyped, unknown and out-of-limit parameters
//! (oapi errcode 40035, v1.0 `MissingParameter` / `InvalidParameter`), query text read as
//! numbers, content types, methods and unknown paths; and [`MockOperation::check`] without HTTP.

use dingtalk_openapi::auth::Oauth2AccessTokenRequest;
use dingtalk_openapi::blackboard::BlackboardListidsRequest;
use dingtalk_openapi::event_callback::CallBackRegisterCallBackRequest;
use dingtalk_openapi::hrm::HrmEmployeesDismissionsRequest;
use dingtalk_openapi::operation::Operation;
use dingtalk_openapi_fake::{MockOperation, RejectionKind};
use serde_json::json;

use crate::common::{Fake, json, listids};

const LISTIDS: &str = BlackboardListidsRequest::INFO.path;
const DISMISSIONS: &str = HrmEmployeesDismissionsRequest::INFO.path;
const REGISTER: &str = CallBackRegisterCallBackRequest::INFO.path;

#[tokio::test]
async fn a_missing_required_field_is_named() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    let missing = fake
        .oapi(
            LISTIDS,
            &token,
            &json!({"query_request": {"operation_userid": "m", "page_size": 3}}),
        )
        .await;
    assert_eq!(missing.errcode(), 40035);
    assert_eq!(missing.errmsg(), "缺少参数 query_request.page");
    fake.server.shutdown().await;
}

#[tokio::test]
async fn wrong_types_and_unknown_fields_are_invalid_parameters() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    let wrong_type = fake
        .oapi(
            LISTIDS,
            &token,
            &json!({"query_request": {"operation_userid": "m", "page": "one", "page_size": 3}}),
        )
        .await;
    assert_eq!(wrong_type.errcode(), 40035);
    assert!(
        wrong_type
            .errmsg()
            .starts_with("不合法的参数 query_request.page:"),
        "{}",
        wrong_type.text
    );

    let mut unknown = json(&listids(1, 3));
    unknown["query_request"]["x"] = json!(1);
    let unknown = fake.oapi(LISTIDS, &token, &unknown).await;
    assert!(
        unknown.errmsg().contains("query_request.x"),
        "{}",
        unknown.text
    );
    fake.server.shutdown().await;
}

#[tokio::test]
async fn documented_limits_are_checked() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    // The typed request would refuse to send it; the fake refuses it on the wire too.
    let limit = fake.oapi(LISTIDS, &token, &json(&listids(1, 31))).await;
    assert_eq!(limit.errcode(), 40035);
    assert!(
        limit.errmsg().contains("query_request.page_size")
            && limit.errmsg().contains("maximum of 30"),
        "{}",
        limit.text
    );
    // Fewer characters than the minimum: an aes_key must be exactly 43.
    let register = json!({
        "call_back_tag": ["user_add_org"],
        "token": "123456",
        "aes_key": "x".repeat(42),
        "url": "https://example.com/callback",
    });
    let short = fake.oapi(REGISTER, &token, &register).await;
    assert_eq!(short.errcode(), 40035);
    assert!(
        short.errmsg().contains("aes_key") && short.errmsg().contains("minimum of 43"),
        "{}",
        short.text
    );
    fake.server.shutdown().await;
}

#[tokio::test]
async fn bodies_must_be_json_objects_sent_as_json_with_the_right_method() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    let not_json = fake
        .send(
            fake.http
                .post(fake.at(LISTIDS, &[("access_token", &token)]))
                .header("content-type", "text/plain")
                .body("{}"),
        )
        .await;
    assert_eq!(not_json.errcode(), 43004, "{}", not_json.text);
    let broken = fake
        .send(
            fake.http
                .post(fake.at(LISTIDS, &[("access_token", &token)]))
                .header("content-type", "application/json")
                .body("{"),
        )
        .await;
    assert_eq!(broken.errcode(), 40035, "{}", broken.text);
    let wrong_method = fake.get(LISTIDS, &[("access_token", &token)]).await;
    assert_eq!(wrong_method.errcode(), 43002, "{}", wrong_method.text);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn v1_query_text_is_read_as_the_numbers_the_typed_request_wants() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    let ok = fake
        .api_get(
            DISMISSIONS,
            &token,
            &[("nextToken", "2"), ("maxResults", "3")],
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.json()["userIdList"].as_array().map(Vec::len), Some(3));
    let limit = fake
        .api_get(DISMISSIONS, &token, &[("maxResults", "51")])
        .await;
    assert_eq!(
        (limit.status, limit.code().as_str()),
        (400, "InvalidParameter"),
        "{}",
        limit.text
    );
    assert!(
        limit.json()["message"]
            .as_str()
            .unwrap_or_default()
            .contains("maxResults")
    );
    let wrong_type = fake
        .api_get(DISMISSIONS, &token, &[("maxResults", "many")])
        .await;
    assert_eq!(wrong_type.code(), "InvalidParameter", "{}", wrong_type.text);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn v1_bodies_must_be_json_and_unknown_paths_are_404() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    let form = fake
        .send(
            fake.http
                .post(fake.url(Oauth2AccessTokenRequest::INFO.path))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("appKey=a"),
        )
        .await;
    assert_eq!(form.status, 415, "{}", form.text);
    let unknown_path = fake.oapi("/topapi/nothing/here", &token, &json!({})).await;
    assert_eq!(unknown_path.status, 404);
    fake.server.shutdown().await;
}

#[test]
fn the_check_runs_without_http() {
    let op = MockOperation::of::<BlackboardListidsRequest>();
    let rejection = op.check(&json!({})).expect_err("empty request");
    assert_eq!(
        (rejection.kind, rejection.field.as_str()),
        (RejectionKind::Missing, "query_request")
    );
    assert_eq!(op.check(&json(&listids(1, 3))), Ok(()));
}
