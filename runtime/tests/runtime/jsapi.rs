//! The jsapi_ticket cache: one fetch for many callers, reused while fresh, replaced a margin
//! before it expires; and the page configs signed with it.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use dingtalk_openapi_runtime::login::{JsapiTickets, jsapi_signature};
use dingtalk_openapi_runtime::time::ManualClock;
use serde_json::json;

use crate::common::{Fake, Reply};

fn tickets(fake: &Fake, clock: &ManualClock) -> Arc<JsapiTickets> {
    let client = fake.builder().time_source(clock.clone()).build().unwrap();
    Arc::new(JsapiTickets::new(client))
}

#[tokio::test]
async fn one_fetch_serves_every_caller_until_the_margin_before_expiry() {
    let fake = Fake::start().await;
    let issued = std::sync::atomic::AtomicUsize::new(0);
    fake.on("/get_jsapi_ticket", move |request| {
        assert!(request.token().is_some(), "sent with the access token");
        let n = issued.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Reply::json(json!({"errcode": 0, "errmsg": "ok", "ticket": format!("ticket{n}"), "expires_in": 7200}))
    });
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let tickets = tickets(&fake, &clock);

    let callers: Vec<_> = (0..8)
        .map(|_| {
            let tickets = tickets.clone();
            tokio::spawn(async move { tickets.ticket().await.unwrap().expose().to_owned() })
        })
        .collect();
    for caller in callers {
        assert_eq!(caller.await.unwrap(), "ticket0");
    }
    assert_eq!(fake.requests_to("/get_jsapi_ticket").len(), 1);

    // Still fresh 5 minutes and 1 second before expiry; replaced at 5 minutes before.
    clock.advance(Duration::from_secs(7200 - 301));
    assert_eq!(tickets.ticket().await.unwrap().expose(), "ticket0");
    clock.advance(Duration::from_secs(1));
    assert_eq!(tickets.ticket().await.unwrap().expose(), "ticket1");
    assert_eq!(fake.requests_to("/get_jsapi_ticket").len(), 2);

    // Invalidated: fetched again.
    tickets.invalidate().await;
    assert_eq!(tickets.ticket().await.unwrap().expose(), "ticket2");
}

#[tokio::test]
async fn a_config_is_signed_with_the_ticket_the_url_and_a_fresh_nonce() {
    let fake = Fake::start().await;
    fake.on("/get_jsapi_ticket", |_| {
        Reply::json(json!({"errcode": 0, "errmsg": "ok", "ticket": "t-123", "expires_in": 7200}))
    });
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let tickets = tickets(&fake, &clock);
    let url = "https://app.example.com/page?x=1#/home";
    let a = tickets.config("123", "dingcorp", url).await.unwrap();
    let b = tickets.config("123", "dingcorp", url).await.unwrap();
    assert_eq!(a.time_stamp, "1700000000");
    assert_eq!(
        (a.agent_id.as_str(), a.corp_id.as_str()),
        ("123", "dingcorp")
    );
    assert_eq!(a.nonce_str.len(), 16);
    assert_ne!(a.nonce_str, b.nonce_str, "a fresh nonce per config");
    assert_eq!(
        a.signature,
        jsapi_signature("t-123", &a.nonce_str, "1700000000", url).unwrap()
    );
    assert!(!format!("{a:?}{tickets:?}").contains("t-123"));
}

#[tokio::test]
async fn a_refused_ticket_request_is_dingtalks_error() {
    let fake = Fake::start().await;
    fake.on("/get_jsapi_ticket", |_| {
        Reply::errcode(40078, "不存在的临时授权码")
    });
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let tickets = tickets(&fake, &clock);
    let error = tickets.config("1", "c", "https://x/").await.unwrap_err();
    assert!(error.to_string().contains("40078"), "{error}");
}
