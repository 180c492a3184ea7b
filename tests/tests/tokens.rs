//! Access tokens through the generated crate against the fake: one token request however many
//! callers wait on a cold cache, one refresh after an expiry, one refresh and one retry after a
//! token error. (The runtime's own tests cover the same with hand-written operations and every
//! token errcode; this is the end-to-end view.)

use dingtalk_openapi::Client;
use dingtalk_openapi::report::ReportGetunreadcountRequest;
use dingtalk_openapi_fake::{MockServer, TokenRejection};
use futures_util::future::join_all;

async fn fake() -> (MockServer, Client) {
    let server = MockServer::builder(dingtalk_openapi_fake::operations())
        .start()
        .await
        .expect("start the fake");
    let client = tests::fake_client(&server).build().expect("client");
    (server, client)
}

async fn unread(client: &Client) -> Option<i64> {
    client
        .report()
        .getunreadcount(ReportGetunreadcountRequest::new("user123"))
        .await
        .expect("call succeeds")
        .count
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_callers_on_a_cold_cache_make_one_token_request() {
    let (server, client) = fake().await;
    let calls = (0..1000).map(|_| unread(&client));
    let answers = join_all(calls).await;
    assert!(answers.iter().all(|a| *a == Some(2)));
    assert_eq!(server.faults().token_requests(), 1);
    assert_eq!(server.faults().calls("report.getunreadcount"), 1000);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_call_retried() {
    let (server, client) = fake().await;
    unread(&client).await;
    for rejection in [TokenRejection::Invalid, TokenRejection::Expired] {
        let before = server.faults().token_requests();
        server.faults().expire_tokens_with(rejection);
        // Every caller sees the rejection, but only one new token is fetched.
        let answers = join_all((0..50).map(|_| unread(&client))).await;
        assert!(answers.iter().all(|a| *a == Some(2)), "{rejection:?}");
        assert_eq!(
            server.faults().token_requests(),
            before + 1,
            "{rejection:?}"
        );
    }
}
