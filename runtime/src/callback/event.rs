//! Decrypted callback messages read as typed events, keyed by their `EventType`.

use serde::Deserialize;

use super::CallbackError;

/// A decrypted callback message.
///
/// The URL checks DingTalk sends while a callback is being registered are typed; every other
/// event is kept whole in [`CallbackEvent::Other`] with its type, so no event is ever lost or
/// refused for being unknown. More events may become typed in later versions, hence
/// `#[non_exhaustive]`: match on [`CallbackEvent::event_type`] for anything not typed yet.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CallbackEvent {
    /// `check_url`: DingTalk checks the callback URL of an event subscription; answer
    /// `success` ([`CallbackEvent::reply_text`]).
    CheckUrl,
    /// `check_create_suite_url`: a third-party suite's callback URL is checked at creation;
    /// answer the `Random` value.
    CheckCreateSuiteUrl(SuiteUrlCheck),
    /// `check_update_suite_url`: the same check when the URL is changed; answer the `Random`
    /// value.
    CheckUpdateSuiteUrl(SuiteUrlCheck),
    /// Any other event (or a URL check without its `Random`), kept as sent.
    Other {
        /// The `EventType`.
        event_type: String,
        /// The whole message.
        raw: serde_json::Value,
    },
}

/// The fields of a suite URL check.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[non_exhaustive]
pub struct SuiteUrlCheck {
    /// `Random`: the value the app must send back, encrypted.
    #[serde(rename = "Random")]
    pub random: String,
    /// `TestSuiteKey`: the suite key the check is for, when sent.
    #[serde(rename = "TestSuiteKey", default)]
    pub test_suite_key: Option<String>,
}

impl CallbackEvent {
    /// The `EventType` of `check_url`.
    pub const CHECK_URL: &'static str = "check_url";
    /// The `EventType` of `check_create_suite_url`.
    pub const CHECK_CREATE_SUITE_URL: &'static str = "check_create_suite_url";
    /// The `EventType` of `check_update_suite_url`.
    pub const CHECK_UPDATE_SUITE_URL: &'static str = "check_update_suite_url";

    /// Reads a decrypted message; [`CallbackError::InvalidEvent`] when it is not a JSON object
    /// with a string `EventType`.
    pub fn parse(message: &str) -> Result<Self, CallbackError> {
        let value = serde_json::from_str(message).map_err(|e| CallbackError::InvalidEvent {
            detail: format!("not JSON: {e}"),
        })?;
        CallbackEvent::from_value(value)
    }

    /// Reads a message already parsed as JSON; see [`CallbackEvent::parse`].
    pub fn from_value(raw: serde_json::Value) -> Result<Self, CallbackError> {
        let event_type = match raw.get("EventType") {
            Some(serde_json::Value::String(t)) => t.clone(),
            Some(_) => {
                return Err(CallbackError::InvalidEvent {
                    detail: "`EventType` is not a string".into(),
                });
            }
            None if raw.is_object() => {
                return Err(CallbackError::InvalidEvent {
                    detail: "no `EventType` field".into(),
                });
            }
            None => {
                return Err(CallbackError::InvalidEvent {
                    detail: "not a JSON object".into(),
                });
            }
        };
        let suite_check = || SuiteUrlCheck::deserialize(&raw).ok();
        let typed = match event_type.as_str() {
            Self::CHECK_URL => Some(CallbackEvent::CheckUrl),
            Self::CHECK_CREATE_SUITE_URL => suite_check().map(CallbackEvent::CheckCreateSuiteUrl),
            Self::CHECK_UPDATE_SUITE_URL => suite_check().map(CallbackEvent::CheckUpdateSuiteUrl),
            _ => None,
        };
        Ok(typed.unwrap_or(CallbackEvent::Other { event_type, raw }))
    }

    /// The `EventType`.
    pub fn event_type(&self) -> &str {
        match self {
            CallbackEvent::CheckUrl => Self::CHECK_URL,
            CallbackEvent::CheckCreateSuiteUrl(_) => Self::CHECK_CREATE_SUITE_URL,
            CallbackEvent::CheckUpdateSuiteUrl(_) => Self::CHECK_UPDATE_SUITE_URL,
            CallbackEvent::Other { event_type, .. } => event_type,
        }
    }

    /// The plaintext DingTalk expects back, encrypted: the `Random` value for the suite URL
    /// checks, `success` for everything else.
    pub fn reply_text(&self) -> &str {
        match self {
            CallbackEvent::CheckCreateSuiteUrl(check)
            | CallbackEvent::CheckUpdateSuiteUrl(check) => &check.random,
            _ => "success",
        }
    }
}
