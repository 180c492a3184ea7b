//! The custom robot: the signing known answer, encoding the signature exactly once, webhook
//! parsing, the local limits and the reading of robot error codes.
#![cfg(feature = "robot")]

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::Query;
use dingtalk_openapi_runtime::robot::{
    LimitPolicy, MAX_BODY_BYTES, RobotError, RobotErrorKind, RobotLimiter, RobotWebhook,
    SecurityFailure, check_body_size, classify, parse_errcode, sign,
};
use serde_json::json;

const KNOWN_SIGN: &str = "OuzzJR5+xZ4/EYwqtNt6sMYZQMTa/HEGvc9miJe7XzY=";
const KNOWN_SIGN_ENCODED: &str = "OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D";

#[test]
fn signature_known_answer() {
    assert_eq!(sign("secret", 1_700_000_000_000), KNOWN_SIGN);
}

#[test]
fn signature_changes_with_timestamp_and_secret() {
    assert_ne!(sign("secret", 1_700_000_000_001), KNOWN_SIGN);
    assert_ne!(sign("secret2", 1_700_000_000_000), KNOWN_SIGN);
}

#[test]
fn signed_query_encodes_the_signature_once() {
    let robot = RobotWebhook::new("abc123")
        .unwrap()
        .with_secret("secret")
        .unwrap();
    let query = robot.signed_query(1_700_000_000_000);
    assert_eq!(
        query,
        format!("access_token=abc123&timestamp=1700000000000&sign={KNOWN_SIGN_ENCODED}")
    );
    assert!(query.contains(&format!("sign={KNOWN_SIGN_ENCODED}")));
    assert!(!query.contains("%25"), "encoded twice: {query}");

    // A server decoding the query once gets the base64 signature back.
    let uri = format!("/robot/send?{query}").parse().unwrap();
    let Query(params) = Query::<HashMap<String, String>>::try_from_uri(&uri).unwrap();
    assert_eq!(params["sign"], KNOWN_SIGN);
    assert_eq!(params["timestamp"], "1700000000000");
    assert_eq!(params["access_token"], "abc123");
}

#[test]
fn query_params_are_left_for_the_client_to_encode() {
    let robot = RobotWebhook::new("abc123")
        .unwrap()
        .with_secret("secret")
        .unwrap();
    assert_eq!(
        robot.query_params(1_700_000_000_000),
        vec![
            ("access_token", "abc123".to_owned()),
            ("timestamp", "1700000000000".to_owned()),
            ("sign", KNOWN_SIGN.to_owned()),
        ]
    );
}

#[test]
fn robot_without_secret_sends_only_the_token() {
    let robot = RobotWebhook::new("abc123").unwrap();
    assert_eq!(robot.signed_query(1_700_000_000_000), "access_token=abc123");
    assert_eq!(
        robot.query_params(1),
        vec![("access_token", "abc123".to_owned())]
    );
    assert!(robot.secret().is_none());
}

#[test]
fn signed_query_now_uses_a_current_timestamp() {
    let robot = RobotWebhook::new("t").unwrap().with_secret("SECx").unwrap();
    let query = robot.signed_query_now();
    let ts: i64 = query
        .split("timestamp=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let now = dingtalk_openapi_runtime::primitives::EpochMillis::now().as_millis();
    assert!((now - ts).abs() < 60_000);
}

#[test]
fn webhook_urls_parse() {
    let plain: RobotWebhook = "https://oapi.dingtalk.com/robot/send?access_token=abc123"
        .parse()
        .unwrap();
    assert_eq!(plain.access_token().expose(), "abc123");

    for url in [
        "  https://oapi.dingtalk.com/robot/send?access_token=abc123\n",
        "HTTPS://oapi.dingtalk.com/robot/send?access_token=abc123",
        "http://127.0.0.1:8080/robot/send?access_token=abc123",
        "https://oapi.dingtalk.com/robot/send?timestamp=1&access_token=abc123&sign=xyz",
        "https://oapi.dingtalk.com/robot/send?access_token=abc123#frag",
        "https://oapi.dingtalk.com/robot/send?access%5Ftoken=abc%31%323",
    ] {
        let robot = RobotWebhook::from_url(url).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(robot.access_token().expose(), "abc123", "{url}");
    }
}

#[test]
fn bad_webhook_urls_are_rejected_without_echoing_the_url() {
    let cases = [
        (
            "oapi.dingtalk.com/robot/send?access_token=tok999",
            "has no scheme",
        ),
        (
            "ftp://oapi.dingtalk.com/robot/send?access_token=tok999",
            "is not an http or https URL",
        ),
        (
            "https://oapi.dingtalk.com/robot/send",
            "has no query string",
        ),
        (
            "https://oapi.dingtalk.com/robot/send?token=tok999",
            "has no `access_token` parameter",
        ),
        (
            "https://oapi.dingtalk.com/robot/send?access_token=tok999%zz",
            "has a malformed `access_token` value",
        ),
    ];
    for (url, problem) in cases {
        let err = RobotWebhook::from_url(url).unwrap_err();
        assert_eq!(err, RobotError::InvalidWebhookUrl { problem }, "{url}");
        assert!(!err.to_string().contains("tok999"));
    }
    assert!(matches!(
        RobotWebhook::from_url("https://oapi.dingtalk.com/robot/send?access_token="),
        Err(RobotError::InvalidToken { .. })
    ));
}

#[test]
fn credentials_are_checked() {
    assert_eq!(
        RobotWebhook::new(""),
        Err(RobotError::InvalidToken {
            problem: "is empty"
        })
    );
    assert!(matches!(
        RobotWebhook::new("abc\n"),
        Err(RobotError::InvalidToken { .. })
    ));
    let robot = RobotWebhook::new("abc").unwrap();
    assert_eq!(
        robot.clone().with_secret(""),
        Err(RobotError::InvalidSecret {
            problem: "is empty"
        })
    );
    assert!(matches!(
        robot.clone().with_secret("SEC x"),
        Err(RobotError::InvalidSecret { .. })
    ));
    // DingTalk's secrets start with SEC, but others are accepted.
    assert!(robot.with_secret("not-a-SEC-secret").is_ok());
}

#[test]
fn debug_hides_token_and_secret() {
    let robot = RobotWebhook::new("tok999")
        .unwrap()
        .with_secret("SECsecret777")
        .unwrap();
    let debug = format!("{robot:?}");
    assert!(!debug.contains("tok999"), "{debug}");
    assert!(!debug.contains("secret777"), "{debug}");
}

#[test]
fn body_size_limit() {
    assert_eq!(MAX_BODY_BYTES, 20_000);
    assert!(check_body_size(&[b'x'; 20_000]).is_ok());
    let err = check_body_size(&[b'x'; 20_001]).unwrap_err();
    assert_eq!(
        err,
        RobotError::BodyTooLarge {
            size: 20_001,
            limit: 20_000
        }
    );
    assert_eq!(
        err.to_string(),
        "the robot message body is 20001 bytes, more than the limit of 20000"
    );
}

#[test]
fn fail_policy_allows_twenty_a_minute_per_robot() {
    let limiter = RobotLimiter::new(LimitPolicy::Fail);
    let a = RobotWebhook::new("robot-a").unwrap();
    let b = RobotWebhook::new("robot-b").unwrap();
    for _ in 0..20 {
        limiter.try_acquire(&a).unwrap();
    }
    let err = limiter.try_acquire(&a).unwrap_err();
    let RobotError::RateLimited {
        max_messages,
        window,
        retry_after,
    } = err.clone()
    else {
        panic!("{err:?}");
    };
    assert_eq!((max_messages, window), (20, Duration::from_secs(60)));
    assert!(
        retry_after > Duration::from_secs(59) && retry_after <= Duration::from_secs(60),
        "{retry_after:?}"
    );
    assert!(
        err.to_string().starts_with(
            "robot message limit reached (20 per 60s); the next message is allowed in"
        )
    );
    // Another robot has its own window.
    limiter.try_acquire(&b).unwrap();
    assert!(!format!("{limiter:?}").contains("robot-a"));
}

#[tokio::test]
async fn fail_policy_acquire_fails_at_once() {
    let limiter = RobotLimiter::with_limit(
        LimitPolicy::Fail,
        NonZeroU32::new(1).unwrap(),
        Duration::from_secs(60),
    );
    let robot = RobotWebhook::new("r").unwrap();
    limiter.acquire(&robot).await.unwrap();
    assert!(matches!(
        limiter.acquire(&robot).await,
        Err(RobotError::RateLimited { .. })
    ));
}

/// On tokio's paused clock: the waits are exact, whatever the machine is doing.
#[tokio::test(start_paused = true)]
async fn wait_policy_sleeps_until_the_window_slides() {
    let window = Duration::from_millis(300);
    let limiter = RobotLimiter::with_limit(LimitPolicy::Wait, NonZeroU32::new(2).unwrap(), window);
    let robot = RobotWebhook::new("r").unwrap();
    let start = tokio::time::Instant::now();
    limiter.acquire(&robot).await.unwrap();
    limiter.acquire(&robot).await.unwrap();
    assert_eq!(start.elapsed(), Duration::ZERO);
    limiter.acquire(&robot).await.unwrap();
    assert!(start.elapsed() >= window, "{:?}", start.elapsed());
    assert!(
        start.elapsed() < window + Duration::from_millis(5),
        "{:?}",
        start.elapsed()
    );
    // The first two have left the window: one more fits, then try_acquire fails rather than
    // waiting, whatever the policy.
    limiter.try_acquire(&robot).unwrap();
    assert!(matches!(
        limiter.try_acquire(&robot),
        Err(RobotError::RateLimited { .. })
    ));
}

#[test]
fn errcodes_are_classified() {
    let more = ", more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]";
    let security = |msg: &str| classify(310000, msg);
    assert_eq!(
        security(&format!("sign not match{more}")),
        RobotErrorKind::SecurityCheck(SecurityFailure::SignMismatch)
    );
    assert_eq!(
        security(&format!("keywords not in content{more}")),
        RobotErrorKind::SecurityCheck(SecurityFailure::KeywordsNotInContent)
    );
    assert_eq!(
        security("invalid timestamp"),
        RobotErrorKind::SecurityCheck(SecurityFailure::InvalidTimestamp)
    );
    assert_eq!(
        security("Invalid timestamp."),
        RobotErrorKind::SecurityCheck(SecurityFailure::InvalidTimestamp)
    );
    assert_eq!(
        security("Sign not match."),
        RobotErrorKind::SecurityCheck(SecurityFailure::SignMismatch)
    );
    assert_eq!(
        security("ip ::1 not allowed"),
        RobotErrorKind::SecurityCheck(SecurityFailure::IpNotAllowed {
            ip: Some("::1".into())
        })
    );
    assert_eq!(
        security("ip 10.1.2.3 not in whitelist"),
        RobotErrorKind::SecurityCheck(SecurityFailure::IpNotAllowed {
            ip: Some("10.1.2.3".into())
        })
    );
    assert_eq!(
        security(&format!("IP X.X.X.X not in whitelist{more}")),
        RobotErrorKind::SecurityCheck(SecurityFailure::IpNotAllowed { ip: None })
    );
    assert_eq!(
        security("something new"),
        RobotErrorKind::SecurityCheck(SecurityFailure::Other("something new".into()))
    );
    assert_eq!(
        classify(300005, "token is not exist"),
        RobotErrorKind::TokenNotFound
    );
    assert_eq!(
        classify(130101, "send too fast, exceed 20 times per minute"),
        RobotErrorKind::TooManyMessages
    );
    assert_eq!(
        classify(660026, "send too fast"),
        RobotErrorKind::TooManyMessages
    );
    assert!(classify(660026, "").is_rate_limited());
    assert_eq!(
        classify(460101, "message too long"),
        RobotErrorKind::BodyTooLarge
    );
    assert_eq!(
        classify(400013, "群已被解散"),
        RobotErrorKind::Other(400013)
    );
    assert!(!classify(0, "ok").is_rate_limited());
}

#[test]
fn errcode_as_number_or_numeric_string() {
    let body = json!({"errcode": "310000", "errmsg": "sign not match"});
    assert_eq!(parse_errcode(&body["errcode"]), Some(310000));
    assert_eq!(parse_errcode(&json!(0)), Some(0));
    assert_eq!(parse_errcode(&json!(-1)), Some(-1));
    assert_eq!(parse_errcode(&json!(" 130101 ")), Some(130101));
    assert_eq!(parse_errcode(&json!("-1")), Some(-1));
    assert_eq!(parse_errcode(&body["missing"]), None);
    for bad in [
        json!(null),
        json!(1.5),
        json!("ok"),
        json!(""),
        json!(true),
        json!([1]),
        json!(u64::MAX),
    ] {
        assert_eq!(parse_errcode(&bad), None, "{bad}");
    }
}
