//! From DingTalk's answers (and reqwest's failures) to [`Error`]: which errcodes are rate
//! limits, which robot refusals mean what, and whether a failure shows the request was not
//! processed.

#[cfg(feature = "robot")]
use super::RobotErrorKind;
use super::{Error, RateLimit, is_busy};

/// The error fields of an oapi answer.
#[derive(Debug, Default)]
pub(crate) struct ErrcodeAnswer {
    pub(crate) errcode: i64,
    pub(crate) errmsg: String,
    pub(crate) sub_code: Option<String>,
    pub(crate) sub_msg: Option<String>,
    pub(crate) request_id: Option<String>,
}

impl Error {
    /// The error for an oapi answer whose `errcode` is not 0.
    pub(crate) fn from_errcode(operation: &'static str, answer: ErrcodeAnswer) -> Error {
        let ErrcodeAnswer {
            errcode,
            errmsg,
            sub_code,
            sub_msg,
            request_id,
        } = answer;
        let limit = match errcode {
            90018 => Some(RateLimit::PerAppQps),
            90002 => Some(RateLimit::GlobalQps),
            90020 => Some(RateLimit::MonthlyQuota),
            _ => None,
        };
        match limit {
            Some(limit) => Error::RateLimited {
                operation,
                limit,
                errcode: Some(errcode),
                code: None,
                status: None,
                message: errmsg,
                request_id,
            },
            None => Error::Api {
                operation,
                errcode,
                errmsg,
                sub_code,
                sub_msg,
                request_id,
            },
        }
    }

    /// The error for a group robot answer whose `errcode` is not 0, read by
    /// [`robot::classify`](crate::robot::classify): the minute limit is [`Error::RateLimited`],
    /// the other named codes [`Error::Robot`], anything else as [`Error::from_errcode`] reads it
    /// (so a busy robot, errcode -1, is retried like any other call).
    #[cfg(feature = "robot")]
    pub(crate) fn from_robot_errcode(operation: &'static str, answer: ErrcodeAnswer) -> Error {
        match crate::robot::classify(answer.errcode, &answer.errmsg) {
            RobotErrorKind::TooManyMessages => Error::RateLimited {
                operation,
                limit: RateLimit::Robot,
                errcode: Some(answer.errcode),
                code: None,
                status: None,
                message: answer.errmsg,
                request_id: answer.request_id,
            },
            RobotErrorKind::Other(_) => Error::from_errcode(operation, answer),
            kind => Error::Robot {
                operation,
                kind,
                errcode: answer.errcode,
                errmsg: answer.errmsg,
                request_id: answer.request_id,
            },
        }
    }

    /// The error for a v1.0 answer with an HTTP error status.
    pub(crate) fn from_http(
        operation: &'static str,
        status: u16,
        code: String,
        message: String,
        request_id: Option<String>,
    ) -> Error {
        let limit = match code.as_str() {
            "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi" => Some(RateLimit::PerAppQps),
            "Forbidden.AccessDenied.QpsLimitForApi" => Some(RateLimit::GlobalQps),
            "Forbidden.AccessDenied.ApiCountLimitForOrg" => Some(RateLimit::MonthlyQuota),
            _ => None,
        };
        match limit {
            Some(limit) => Error::RateLimited {
                operation,
                limit,
                errcode: None,
                code: Some(code),
                status: Some(status),
                message,
                request_id,
            },
            None => Error::Http {
                operation,
                status,
                code,
                message,
                request_id,
            },
        }
    }

    /// The error for a failed HTTP exchange; the URL (which may hold the token) is dropped.
    pub(crate) fn from_reqwest(operation: &'static str, error: reqwest::Error) -> Error {
        if error.is_timeout() && !error.is_connect() {
            return Error::Timeout { operation };
        }
        Error::Transport {
            operation,
            source: error.without_url(),
        }
    }

    /// Whether the failure shows the request was not processed (so even a create may be retried).
    pub(crate) fn shows_unprocessed(&self) -> bool {
        match self {
            Error::Api {
                errcode, sub_code, ..
            } => is_busy(*errcode, sub_code.as_deref()),
            Error::RateLimited { .. } | Error::Token { .. } => true,
            #[cfg(feature = "robot")]
            Error::Robot { .. } | Error::RobotGuard { .. } => true,
            Error::Transport { source, .. } => source.is_connect(),
            _ => false,
        }
    }
}

/// At most 200 characters of a body, for error messages.
pub(crate) fn excerpt(body: &[u8]) -> String {
    const MAX: usize = 200;
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(MAX).collect();
    if text.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}
