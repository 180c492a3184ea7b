//! The robot's error answers, with `errcode` as a number and as a string: each refusal is a typed
//! `Error::Robot`, and the throttling codes are `Error::RateLimited`; none is retried.

use dingtalk_openapi::robot::*;
use dingtalk_openapi::{ClientBuilder, Error, RateLimit};
use serde_json::{Value, json};

use crate::server::{Server, webhook};

/// An answer with `errcode` as a number, or as the same number in a string.
fn answer(errcode: i64, errmsg: &str, as_string: bool) -> Value {
    if as_string {
        json!({"errcode": errcode.to_string(), "errmsg": errmsg})
    } else {
        json!({"errcode": errcode, "errmsg": errmsg})
    }
}

#[tokio::test]
async fn robot_answers_are_typed_errors() {
    const MORE: &str = "more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]";
    let refusals: Vec<(i64, String, RobotErrorKind)> = vec![
        (
            310000,
            format!("sign not match, {MORE}"),
            RobotErrorKind::SecurityCheck(SecurityFailure::SignMismatch),
        ),
        (
            310000,
            format!("keywords not in content, {MORE}"),
            RobotErrorKind::SecurityCheck(SecurityFailure::KeywordsNotInContent),
        ),
        (
            310000,
            format!("invalid timestamp, {MORE}"),
            RobotErrorKind::SecurityCheck(SecurityFailure::InvalidTimestamp),
        ),
        (
            310000,
            format!("ip 203.0.113.7 not in whitelist, {MORE}"),
            RobotErrorKind::SecurityCheck(SecurityFailure::IpNotAllowed {
                ip: Some("203.0.113.7".into()),
            }),
        ),
        (
            300005,
            "token is not exist".into(),
            RobotErrorKind::TokenNotFound,
        ),
        (
            460101,
            "message too long, exceed 20000 bytes".into(),
            RobotErrorKind::BodyTooLarge,
        ),
    ];
    let server = Server::start().await;
    let client = ClientBuilder::for_robot(webhook(&server, true))
        .no_rate_limit()
        .build()
        .expect("robot client");
    let robot = client.robot();
    let send = || robot.send(RobotSendRequest::new(RobotText::new("hi")));
    for as_string in [false, true] {
        for (code, errmsg, kind) in &refusals {
            server.clear();
            server.reply_next(answer(*code, errmsg, as_string));
            let error = send().await.expect_err("refused");
            match &error {
                Error::Robot {
                    operation,
                    kind: got,
                    errcode,
                    errmsg: got_msg,
                    ..
                } => {
                    assert_eq!(*operation, "robot.send");
                    assert_eq!(got, kind, "{errmsg}");
                    assert_eq!(errcode, code);
                    assert_eq!(got_msg, errmsg);
                }
                other => panic!("{code} {errmsg} (string: {as_string}): {other:?}"),
            }
            assert_eq!(error.robot_kind(), Some(kind));
            assert_eq!(error.errcode(), Some(*code));
            assert!(!error.is_retryable() && !error.is_rate_limited(), "{error}");
            assert!(error.to_string().contains(&code.to_string()), "{error}");
            assert_eq!(server.seen().len(), 1, "{code} is not retried");
        }
        for code in [130101, 660026] {
            server.clear();
            server.reply_next(answer(
                code,
                "send too fast, exceed 20 times per minute",
                as_string,
            ));
            let error = send().await.expect_err("throttled");
            assert!(
                matches!(
                    error,
                    Error::RateLimited {
                        operation: "robot.send",
                        limit: RateLimit::Robot,
                        errcode: Some(c),
                        ..
                    } if c == code
                ),
                "{error:?}"
            );
            assert!(error.is_rate_limited());
            assert!(!error.is_retryable(), "retrying at once is pointless");
            assert_eq!(error.robot_kind(), Some(&RobotErrorKind::TooManyMessages));
            assert_eq!(server.seen().len(), 1, "{code} is not retried");
        }
    }
}
