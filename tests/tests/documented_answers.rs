//! Answers as DingTalk's own pages show them, for the imported operations whose response the
//! official SDK leaves untyped and `spec/import-overrides.yaml` settles from those pages: a
//! loopback server answers each operation exactly as documented (`200` with no body, or the
//! documented JSON), and the typed client must read it.

use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use dingtalk_openapi::Client;
use dingtalk_openapi::contact::ContactDeleteEmpAttributeVisibilityRequest;
use dingtalk_openapi::operation::Returns;
use serde_json::json;

/// The operations whose pages answer `200 OK` with no body (`returns: none` in the overrides).
const EMPTY_ANSWERS: [&str; 11] = [
    "contact.DeleteContactHideSetting",
    "contact.UpdateBranchAttributesInCooperate",
    "contact.UpdateDeptSettngTailFirst",
    "exclusive.SetDeptPartnerTypeAndNum",
    "resident.AddPoint",
    "service_group.UpgradeCloudGroup",
    "service_group.UpgradeNormalGroup",
    "yida.DeleteSequence",
    "yida.RenderBatchCallback",
    "yida.UpdateInstance",
    "yida.UpdateStatus",
];

/// The token endpoint, the one documented JSON answer, and an empty `200` for anything else.
async fn answer(uri: Uri) -> Response {
    let path = uri.path();
    if path == "/gettoken" {
        let token =
            json!({"errcode": 0, "access_token": "documented-answers-token", "expires_in": 7200});
        return axum::Json(token).into_response();
    }
    if path.starts_with("/v1.0/contact/staffAttributes/visibilitySettings/") {
        return axum::Json(json!({"result": true})).into_response();
    }
    StatusCode::OK.into_response()
}

async fn client() -> Client {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        axum::serve(listener, Router::new().fallback(answer))
            .await
            .expect("serve");
    });
    Client::builder()
        .app_credentials("documented-answers-key", "documented-answers-secret")
        .api_base_url(&base)
        .oapi_base_url(&base)
        .no_rate_limit()
        .retry_base_delay(Duration::from_millis(1))
        .retry_max_delay(Duration::from_millis(5))
        .build()
        .expect("client")
}

#[tokio::test]
async fn operations_documented_to_answer_nothing_return_nothing() {
    let client = client().await;
    for id in EMPTY_ANSWERS {
        let operation = dingtalk_openapi::dyn_operation(id).unwrap_or_else(|| panic!("{id}"));
        assert_eq!(operation.info().returns, Returns::Empty, "{id}");
        let sent = tests::call_example(&client, id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        sent.unwrap_or_else(|e| panic!("{id}: an empty 200 answer: {e}"));
    }
}

#[tokio::test]
async fn delete_emp_attribute_visibility_reads_its_documented_flag() {
    let client = client().await;
    let answer = client
        .contact()
        .delete_emp_attribute_visibility(ContactDeleteEmpAttributeVisibilityRequest::new("s-1"))
        .await
        .expect("the documented answer reads");
    assert_eq!(answer.result, Some(true));
}
