//! Access tokens: the three token endpoints (`gettoken`, `sso.gettoken`, `oauth2.accessToken`),
//! where each host reads the token, and how tokens end (expired on purpose, or by their
//! time-to-live on tokio's paused clock).

use std::time::Duration;

use dingtalk_openapi::auth::{GettokenRequest, Oauth2AccessTokenRequest, SsoGettokenRequest};
use dingtalk_openapi::blackboard::BlackboardListidsRequest;
use dingtalk_openapi::hrm::HrmEmployeesDismissionsRequest;
use dingtalk_openapi::operation::Operation;
use dingtalk_openapi_fake::TokenRejection;

use crate::common::{Fake, TOKEN_HEADER, builder, json, listids};

/// The fake's app credentials as a `gettoken` request.
fn gettoken(fake: &Fake) -> GettokenRequest {
    GettokenRequest::new()
        .appkey(fake.server.app_key())
        .appsecret(fake.server.app_secret())
}

#[tokio::test]
async fn gettoken_issues_a_token_and_the_same_one_while_it_is_valid() {
    let fake = Fake::start(true).await;
    let first = fake.call("", &gettoken(&fake)).await;
    let body = first.json();
    assert_eq!(
        (body["errcode"].as_i64(), body["errmsg"].as_str()),
        (Some(0), Some("ok")),
        "{body}"
    );
    assert_eq!(body["expires_in"], 7200);
    let token = body["access_token"].as_str().unwrap_or_default().to_owned();
    assert!(!token.is_empty());
    assert_eq!(
        fake.token().await,
        token,
        "asking again while valid returns the same token"
    );
    fake.server.shutdown().await;
}

#[tokio::test]
async fn one_token_serves_both_hosts() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    let request = Oauth2AccessTokenRequest::new(fake.server.app_key(), fake.server.app_secret());
    let v1 = fake.call("", &request).await;
    assert_eq!(v1.status, 200, "{}", v1.text);
    assert_eq!(
        v1.json()["accessToken"],
        token.as_str(),
        "one token serves both hosts"
    );
    assert_eq!(v1.json()["expireIn"], 7200);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn wrong_app_secrets_are_refused_in_each_hosts_words() {
    let fake = Fake::start(true).await;
    let key = fake.server.app_key().to_owned();
    let bad = fake
        .call("", &GettokenRequest::new().appkey(&key).appsecret("wrong"))
        .await;
    assert_eq!(bad.errcode(), 40096, "{}", bad.text);
    let bad = fake
        .call("", &Oauth2AccessTokenRequest::new(&key, "x"))
        .await;
    assert_eq!(
        (bad.status, bad.code().as_str()),
        (400, "invalidClientIdOrSecret"),
        "{}",
        bad.text
    );
    assert!(bad.json()["requestid"].is_string());
    fake.server.shutdown().await;
}

#[tokio::test]
async fn corp_credentials_and_the_sso_secret_get_tokens() {
    let fake = Fake::start(true).await;
    let corp = GettokenRequest::new()
        .corpid("mock-corp-id")
        .corpsecret("mock-corp-secret");
    let answer = fake.call("", &corp).await;
    assert_eq!(answer.errcode(), 0, "{}", answer.text);
    let wrong = GettokenRequest::new()
        .corpid("mock-corp-id")
        .corpsecret("nope");
    let answer = fake.call("", &wrong).await;
    assert_eq!(answer.errcode(), 40089, "{}", answer.text);
    let sso = fake
        .call(
            "",
            &SsoGettokenRequest::new("mock-corp-id", "mock-sso-secret"),
        )
        .await;
    assert!(sso.json()["access_token"].is_string(), "{}", sso.text);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn seeded_fakes_accept_the_documented_example_credentials() {
    let seeded = Fake::start(true).await;
    let bare = Fake::start(false).await;
    let gettoken: GettokenRequest =
        serde_json::from_str(GettokenRequest::INFO.example_request).expect("example");
    let sso: SsoGettokenRequest =
        serde_json::from_str(SsoGettokenRequest::INFO.example_request).expect("example");
    let oauth2: Oauth2AccessTokenRequest =
        serde_json::from_str(Oauth2AccessTokenRequest::INFO.example_request).expect("example");

    let answer = seeded.call("", &gettoken).await;
    assert_eq!(answer.errcode(), 0, "{}", answer.text);
    let answer = seeded.call("", &sso).await;
    assert_eq!(answer.errcode(), 0, "{}", answer.text);
    let answer = seeded.call("", &oauth2).await;
    assert_eq!(answer.status, 200, "{}", answer.text);

    // Without seeding only the builder's credentials count.
    assert_eq!(bare.call("", &gettoken).await.errcode(), 40096);
    assert_eq!(bare.call("", &sso).await.errcode(), 40089);
    assert_eq!(bare.call("", &oauth2).await.status, 400);
    seeded.server.shutdown().await;
    bare.server.shutdown().await;
}

#[tokio::test]
async fn token_requests_are_checked_against_their_typed_request() {
    let fake = Fake::start(true).await;
    // Nothing at all: neither credential pair.
    let none = fake.get(GettokenRequest::INFO.path, &[]).await;
    assert_eq!(none.errcode(), 40035, "{}", none.text);
    assert!(none.errmsg().starts_with("缺少参数"), "{}", none.text);
    // An unknown parameter beside valid credentials.
    let unknown = fake
        .get(
            GettokenRequest::INFO.path,
            &[
                ("appkey", fake.server.app_key()),
                ("appsecret", fake.server.app_secret()),
                ("x", "1"),
            ],
        )
        .await;
    assert_eq!(unknown.errcode(), 40035, "{}", unknown.text);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn every_request_to_a_token_endpoint_is_counted_accepted_or_not() {
    let fake = Fake::start(true).await;
    fake.token().await;
    fake.call("", &GettokenRequest::new().appkey("a").appsecret("b"))
        .await;
    fake.get(GettokenRequest::INFO.path, &[]).await;
    fake.call("", &SsoGettokenRequest::new("mock-corp-id", "nope"))
        .await;
    fake.call("", &Oauth2AccessTokenRequest::new("a", "b"))
        .await;
    let listed = fake
        .oapi(
            BlackboardListidsRequest::INFO.path,
            "no-token",
            &json(&listids(1, 3)),
        )
        .await;
    assert_eq!(listed.errcode(), 88, "{}", listed.text);
    let faults = fake.server.faults();
    assert_eq!(faults.token_requests(), 5, "other operations do not count");
    assert_eq!(faults.calls(GettokenRequest::INFO.id), 3);
    assert_eq!(faults.calls(SsoGettokenRequest::INFO.id), 1);
    assert_eq!(faults.calls(Oauth2AccessTokenRequest::INFO.id), 1);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn oapi_reads_the_token_from_the_query_only() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    let path = BlackboardListidsRequest::INFO.path;
    let body = json(&listids(1, 10));

    let ok = fake.oapi(path, &token, &body).await;
    assert_eq!(ok.errcode(), 0, "{}", ok.text);
    assert!(ok.json()["request_id"].is_string());
    let missing = fake.send(fake.http.post(fake.url(path)).json(&body)).await;
    assert_eq!(
        (missing.errcode(), missing.sub_code().as_str()),
        (88, "40000"),
        "{}",
        missing.text
    );
    let misplaced = fake
        .send(
            fake.http
                .post(fake.url(path))
                .header(TOKEN_HEADER, &token)
                .json(&body),
        )
        .await;
    assert_eq!(
        misplaced.sub_code(),
        "40000",
        "a header token does not count on oapi: {}",
        misplaced.text
    );
    let invalid = fake.oapi(path, "not-a-token", &body).await;
    assert_eq!(
        (invalid.errcode(), invalid.sub_code().as_str()),
        (88, "40014"),
        "{}",
        invalid.text
    );
    fake.server.shutdown().await;
}

#[tokio::test]
async fn v1_reads_the_token_from_the_header_only() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    let path = HrmEmployeesDismissionsRequest::INFO.path;

    let ok = fake.api_get(path, &token, &[]).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert!(ok.request_id.is_some());
    let missing = fake.get(path, &[]).await;
    assert_eq!(
        (missing.status, missing.code().as_str()),
        (400, "AuthenticationFailed.MissingParameter")
    );
    let misplaced = fake.get(path, &[("access_token", &token)]).await;
    assert_eq!(
        misplaced.code(),
        "AuthenticationFailed.MissingParameter",
        "a query token does not count on v1.0"
    );
    let invalid = fake.api_get(path, "not-a-token", &[]).await;
    assert_eq!(
        (invalid.status, invalid.code().as_str()),
        (400, "InvalidAuthentication")
    );
    fake.server.shutdown().await;
}

#[tokio::test]
async fn expired_tokens_are_refused_until_a_new_one_is_fetched() {
    let fake = Fake::start(true).await;
    let listids = listids(1, 3);
    let old = fake.token().await;
    fake.server.faults().expire_tokens();
    let refused = fake.call(&old, &listids).await;
    assert_eq!(
        (refused.errcode(), refused.sub_code().as_str()),
        (88, "40014"),
        "{}",
        refused.text
    );
    let v1 = fake
        .call(&old, &HrmEmployeesDismissionsRequest::new())
        .await;
    assert_eq!(v1.code(), "InvalidAuthentication");

    let new = fake.token().await;
    assert_ne!(new, old);
    assert_eq!(fake.call(&new, &listids).await.errcode(), 0);

    fake.server
        .faults()
        .expire_tokens_with(TokenRejection::Expired);
    let refused = fake.call(&new, &listids).await;
    assert_eq!(refused.errcode(), 42001, "{}", refused.text);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn a_time_to_live_of_zero_makes_every_token_born_expired() {
    let fake = Fake::start_with(builder().token_ttl(Duration::ZERO)).await;
    let token = fake.token().await;
    assert_eq!(fake.call(&token, &listids(1, 3)).await.sub_code(), "40014");
    fake.server.shutdown().await;
}

/// A time-to-live too long for the clock saturates: the token never ends (it used to be born
/// expired), and `expires_in` says the most it can.
#[tokio::test]
async fn a_time_to_live_too_long_for_the_clock_never_runs_out() {
    let fake = Fake::start_with(builder().token_ttl(Duration::MAX)).await;
    let answer = fake.call("", &gettoken(&fake)).await;
    assert_eq!(answer.json()["expires_in"], i64::MAX, "{}", answer.text);
    let token = fake.token().await;
    assert_eq!(fake.call(&token, &listids(1, 3)).await.errcode(), 0);
    fake.server.shutdown().await;
}

/// On tokio's paused clock, which the fake measures time-to-live on: exact, whatever the
/// machine is doing.
#[tokio::test(start_paused = true)]
async fn tokens_end_when_their_time_to_live_passes() {
    let fake = Fake::start_timerless(builder().token_ttl(Duration::from_secs(60))).await;
    let token = fake.token().await;
    let answer = fake.call("", &gettoken(&fake)).await;
    assert_eq!(answer.json()["expires_in"], 60, "expires_in says the ttl");
    tokio::time::advance(Duration::from_secs(59)).await;
    assert_eq!(fake.call(&token, &listids(1, 3)).await.errcode(), 0);
    // Asking again while valid extends the token by a whole ttl.
    assert_eq!(fake.token().await, token);
    tokio::time::advance(Duration::from_secs(59)).await;
    assert_eq!(fake.call(&token, &listids(1, 3)).await.errcode(), 0);
    tokio::time::advance(Duration::from_secs(2)).await;
    let refused = fake.call(&token, &listids(1, 3)).await;
    assert_eq!(
        (refused.errcode(), refused.sub_code().as_str()),
        (88, "40014"),
        "{}",
        refused.text
    );
    let new = fake.token().await;
    assert_ne!(new, token, "an ended token is not reissued");
    fake.server.shutdown().await;
}

#[tokio::test]
async fn the_typed_client_refetches_an_expired_token() {
    let fake = Fake::start(true).await;
    let client = fake.client();
    let first = client
        .blackboard()
        .listids(listids(1, 3))
        .await
        .expect("first call");
    assert_eq!(first.result.map(|ids| ids.len()), Some(3));
    fake.server.faults().expire_tokens();
    client
        .blackboard()
        .listids(listids(1, 3))
        .await
        .expect("the client fetches a new token and calls again");
    assert_eq!(fake.server.faults().token_requests(), 2);
    assert_eq!(
        fake.server
            .faults()
            .calls(BlackboardListidsRequest::INFO.id),
        3
    );
    fake.server.shutdown().await;
}
