//! A fake serving a hand-written operation beside the generated ones. Hand-written only because
//! no generated operation has its shape: a parameter that travels in an HTTP header, which the
//! fake reads into "the request" (as text, then as the number the typed request wants).

use dingtalk_openapi::operation::{
    Auth, Envelope, Host, Location, Method, Operation, OperationInfo, Param,
};
use dingtalk_openapi_fake::{MockOperation, MockServer};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::common::{Fake, TOKEN_HEADER};

/// `GET /v1.0/custom/header`, whose one parameter is the integer header `x-page`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HeaderParam {
    #[serde(rename = "x-page")]
    page: i64,
}

impl Operation for HeaderParam {
    type Response = Value;
    const INFO: &'static OperationInfo = &{
        let mut info = OperationInfo::new(
            "custom.header",
            Method::Get,
            Host::Api,
            "/v1.0/custom/header",
        )
        .with_auth(Auth::HeaderToken)
        .with_envelope(Envelope::Bare)
        .with_params(&[Param::new("x-page", Location::Header, true, false)]);
        info.example_response = r#"{"ok":true}"#;
        info
    };
}

/// A fake of every generated operation and [`HeaderParam`], and a token for it.
async fn start() -> (Fake, String) {
    let mut operations = dingtalk_openapi_fake::operations();
    operations.push(MockOperation::of::<HeaderParam>());
    let fake = Fake::start_with(MockServer::builder(operations)).await;
    let token = fake.token().await;
    (fake, token)
}

/// `GET /v1.0/custom/header` with the token and, if given, the `x-page` header.
async fn get(fake: &Fake, token: &str, page: Option<&str>) -> crate::common::Answer {
    let mut request = fake
        .http
        .get(fake.url(HeaderParam::INFO.path))
        .header(TOKEN_HEADER, token);
    if let Some(page) = page {
        request = request.header("x-page", page);
    }
    fake.send(request).await
}

#[tokio::test]
async fn a_header_parameter_is_read_as_the_number_the_request_wants() {
    let (fake, token) = start().await;
    let ok = get(&fake, &token, Some("2")).await;
    assert_eq!(
        (ok.status, ok.json()),
        (200, json!({"ok": true})),
        "{}",
        ok.text
    );
    let recorded = fake.server.requests().pop().expect("recorded");
    assert_eq!(recorded.operation, Some(HeaderParam::INFO.id));
    assert_eq!(recorded.header("x-page"), Some("2"));
    fake.server.shutdown().await;
}

#[tokio::test]
async fn a_header_parameter_is_checked_like_any_other() {
    let (fake, token) = start().await;
    let missing = get(&fake, &token, None).await;
    assert_eq!(
        (missing.status, missing.code().as_str()),
        (400, "MissingParameter"),
        "{}",
        missing.text
    );
    assert!(
        missing.json()["message"]
            .as_str()
            .unwrap_or_default()
            .contains("x-page")
    );
    let wrong = get(&fake, &token, Some("two")).await;
    assert_eq!(
        (wrong.status, wrong.code().as_str()),
        (400, "InvalidParameter"),
        "{}",
        wrong.text
    );
    fake.server.shutdown().await;
}
