//! The mapping from answers to errors, and what each error says about itself.

use super::classify::ErrcodeAnswer;
use super::*;

fn api(errcode: i64, sub_code: Option<&str>) -> Error {
    Error::from_errcode(
        "blackboard.create",
        ErrcodeAnswer {
            errcode,
            errmsg: "msg".into(),
            sub_code: sub_code.map(Into::into),
            sub_msg: None,
            request_id: Some("rid".into()),
        },
    )
}

#[test]
fn errcodes_map_to_variants() {
    let cases: &[(i64, Option<RateLimit>)] = &[
        (90018, Some(RateLimit::PerAppQps)),
        (90002, Some(RateLimit::GlobalQps)),
        (90020, Some(RateLimit::MonthlyQuota)),
        // The robot's codes mean something only for the robot: see `robot_errcodes_are_typed`.
        (130101, None),
        (-1, None),
        (40014, None),
    ];
    for &(code, limit) in cases {
        match (api(code, None), limit) {
            (Error::RateLimited { limit: got, .. }, Some(want)) => {
                assert_eq!(got, want, "{code}")
            }
            (Error::Api { errcode, .. }, None) => assert_eq!(errcode, code),
            (e, _) => panic!("{code}: {e:?}"),
        }
    }
}

#[test]
fn predicates() {
    assert!(api(-1, None).is_retryable());
    assert!(api(15, Some("isp.-1")).is_retryable());
    assert!(!api(15, None).is_retryable());
    assert!(api(90018, None).is_retryable());
    assert!(api(90002, None).is_retryable());
    assert!(!api(90020, None).is_retryable());
    assert!(api(90020, None).is_rate_limited());
    for (code, sub) in [
        (40014, None),
        (42001, None),
        (40001, None),
        (33001, None),
        (88, Some("40014")),
        (88, Some("40000")),
    ] {
        assert!(api(code, sub).is_token_error(), "{code} {sub:?}");
    }
    assert!(!api(88, Some("60011")).is_token_error());
    let http = Error::from_http("a.b", 400, "InvalidAuthentication".into(), "m".into(), None);
    assert!(http.is_token_error());
    assert!(!http.is_retryable());
    let http = Error::from_http(
        "a.b",
        403,
        "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi".into(),
        "m".into(),
        None,
    );
    assert!(matches!(
        http,
        Error::RateLimited {
            limit: RateLimit::PerAppQps,
            status: Some(403),
            ..
        }
    ));
    let http = Error::from_http(
        "a.b",
        403,
        "Forbidden.AccessDenied.ApiCountLimitForOrg".into(),
        "m".into(),
        None,
    );
    assert!(!http.is_retryable());
    assert!(Error::from_http("a.b", 500, "systemError".into(), "m".into(), None).is_retryable());
}

#[test]
fn display_names_operation_code_and_message() {
    let e = Error::Api {
        operation: "blackboard.create",
        errcode: 88,
        errmsg: "invalid token".into(),
        sub_code: Some("40014".into()),
        sub_msg: Some("不合法的access_token".into()),
        request_id: Some("r1".into()),
    };
    assert_eq!(
        e.to_string(),
        "blackboard.create: errcode 88 (sub_code 40014): invalid token; 不合法的access_token (request id r1)"
    );
    let e = Error::from_http(
        "hrm.employees.dismissions",
        400,
        "InvalidAuthentication".into(),
        "bad".into(),
        None,
    );
    assert_eq!(
        e.to_string(),
        "hrm.employees.dismissions: HTTP 400 InvalidAuthentication: bad"
    );
    assert_eq!(
        api(90018, None).to_string(),
        "blackboard.create: rate limited (per-app QPS limit), errcode 90018: msg (request id rid)"
    );
}

#[test]
fn token_errors_delegate() {
    let e = Error::Token {
        operation: "report.list",
        source: Box::new(api(-1, None)),
    };
    assert!(e.is_retryable());
    assert_eq!(e.errcode(), Some(-1));
    assert_eq!(e.operation(), Some("report.list"));
    assert!(!e.is_token_error());
}

#[test]
fn errors_travel_between_threads_and_into_boxed_errors() {
    fn check<E: std::error::Error + Send + Sync + 'static>() {}
    check::<Error>();
    let boxed: BoxError = Box::new(api(-1, None));
    assert!(
        boxed
            .to_string()
            .starts_with("blackboard.create: errcode -1")
    );
}

#[cfg(feature = "robot")]
#[test]
fn robot_errcodes_are_typed() {
    use crate::robot::SecurityFailure;

    let robot = |errcode: i64, errmsg: &str| {
        Error::from_robot_errcode(
            "robot.send",
            ErrcodeAnswer {
                errcode,
                errmsg: errmsg.into(),
                ..ErrcodeAnswer::default()
            },
        )
    };
    let e = robot(
        310000,
        "sign not match, more: [https://ding-doc.dingtalk.com/doc]",
    );
    assert!(
        matches!(
            &e,
            Error::Robot {
                kind: RobotErrorKind::SecurityCheck(SecurityFailure::SignMismatch),
                errcode: 310000,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "robot.send: robot security check failed: signature mismatch \
         (errcode 310000: sign not match, more: [https://ding-doc.dingtalk.com/doc])"
    );
    assert!(!e.is_retryable() && !e.is_rate_limited());
    assert_eq!(e.errcode(), Some(310000));
    assert_eq!(
        robot(300005, "token is not exist").robot_kind(),
        Some(&RobotErrorKind::TokenNotFound)
    );
    assert_eq!(
        robot(460101, "message too long").robot_kind(),
        Some(&RobotErrorKind::BodyTooLarge)
    );
    for code in [130101, 660026] {
        let e = robot(code, "send too fast");
        assert!(
            matches!(
                e,
                Error::RateLimited {
                    limit: RateLimit::Robot,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.is_rate_limited() && !e.is_retryable());
        assert_eq!(e.robot_kind(), Some(&RobotErrorKind::TooManyMessages));
    }
    // Codes the SDK does not name stay plain API errors; a busy robot is retried.
    let e = robot(-1, "system busy");
    assert!(matches!(e, Error::Api { errcode: -1, .. }) && e.is_retryable());
    assert_eq!(e.robot_kind(), None);
    let e = Error::RobotGuard {
        operation: "robot.send",
        source: RobotError::BodyTooLarge {
            size: 20_001,
            limit: 20_000,
        },
    };
    assert_eq!(e.robot_kind(), Some(&RobotErrorKind::BodyTooLarge));
    assert!(!e.is_rate_limited() && !e.is_retryable());
    assert_eq!(
        e.to_string(),
        "robot.send: not sent: the robot message body is 20001 bytes, more than the limit of 20000"
    );
}

#[test]
fn excerpts_are_short() {
    let body = "<html>".repeat(100);
    let e = excerpt(body.as_bytes());
    assert_eq!(e.chars().count(), 201);
    assert_eq!(excerpt(b"abc"), "abc");
}
