//! The signatures of JSAPI mode and of the login-free and SNS calls, computed on the server so
//! that no page and no caller ever handles the secret or the ticket itself.
//!
//! - **JSAPI mode.** A micro-app's H5 page calls `dd.config({agentId, corpId, timeStamp,
//!   nonceStr, signature, jsApiList})` before it may use DingTalk's JSAPI. The server signs it
//!   with the app's `jsapi_ticket` (operation `get_jsapi_ticket`): the lowercase hex SHA-1 of
//!   `jsapi_ticket=…&noncestr=…&timestamp=…&url=…`, where the URL is the page's, without its
//!   `#fragment` and percent-decoded. [`JsapiConfig`] is the object the page needs.
//! - **Signed queries.** The SNS and login-free calls (`sns/getuserinfo_bycode`, …) take
//!   `?accessKey=<appKey>&timestamp=<ms>&signature=<s>` instead of an access token, with `s` the
//!   base64 HMAC-SHA256 of the timestamp keyed by the app secret ([`sns_signature`],
//!   [`signed_query`]). The client signs the operations of that kind (`Auth::AppSignature`)
//!   itself, for every attempt, with its own clock and app credentials; these functions are for
//!   calls made some other way.
//!
//! Both are checked against known answers from DingTalk's samples (see the tests).
//! [`JsapiTickets`] keeps the app's `jsapi_ticket` the way the client keeps its access token and
//! signs page configs with it.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Serialize;

use crate::primitives::Secret;

mod ticket;

pub use ticket::{JsapiConfigError, JsapiTickets};

/// Why a JSAPI config cannot be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsapiError {
    /// A part of the signed text is empty (the ticket, the nonce, the timestamp or the URL).
    #[error("the JSAPI signature needs a non-empty {0}")]
    Empty(&'static str),
    /// The nonce holds a character that would change the signed text (`&`, `=`, whitespace).
    #[error("the JSAPI nonceStr may hold only letters and digits")]
    BadNonce,
    /// The page URL's percent-encoding is not UTF-8 once decoded.
    #[error("the page URL is not valid UTF-8 once percent-decoded")]
    BadUrl,
}

/// The object a page passes to `dd.config` (with its own `jsApiList`): serialize it as JSON
/// into the page. The ticket it was signed with is not in it.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct JsapiConfig {
    /// The micro-app's `agentId`.
    pub agent_id: String,
    /// The organization's `corpId`.
    pub corp_id: String,
    /// The timestamp that was signed, in seconds, as text.
    pub time_stamp: String,
    /// The nonce that was signed.
    pub nonce_str: String,
    /// The lowercase hex SHA-1 signature.
    pub signature: String,
}

impl fmt::Debug for JsapiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsapiConfig")
            .field("agent_id", &self.agent_id)
            .field("corp_id", &self.corp_id)
            .field("time_stamp", &self.time_stamp)
            .field("nonce_str", &self.nonce_str)
            .field("signature", &self.signature)
            .finish()
    }
}

impl JsapiConfig {
    /// Signs the config of the page at `page_url` with `ticket`, for `timestamp` (seconds since
    /// the epoch) and `nonce_str` (letters and digits; a fresh random one per page view).
    ///
    /// ```
    /// use dingtalk_openapi_runtime::login::JsapiConfig;
    /// use dingtalk_openapi_runtime::primitives::Secret;
    ///
    /// let ticket = Secret::new("gUsHOoPPzLVZKVkClnESg88m7qMV4c0Ys9VGsMigqzZU7gA8PeoNzHODmYPZ85TYuoZryXuqEUFlXLN1OPEixm");
    /// let config = JsapiConfig::sign(
    ///     "123456789", "dingcorp", &ticket,
    ///     "http://test4.weixin.wtoip.com:80/wtoip/dingding/dzmp#/home",
    ///     "abcde12345", 1463125744,
    /// ).unwrap();
    /// assert_eq!(config.signature, "d14dfc1d0d98cad2438e664723e8a9d8633b443f");
    /// ```
    pub fn sign(
        agent_id: impl Into<String>,
        corp_id: impl Into<String>,
        ticket: &Secret,
        page_url: &str,
        nonce_str: &str,
        timestamp: i64,
    ) -> Result<JsapiConfig, JsapiError> {
        let time_stamp = timestamp.to_string();
        let signature = jsapi_signature(ticket.expose(), nonce_str, &time_stamp, page_url)?;
        Ok(JsapiConfig {
            agent_id: agent_id.into(),
            corp_id: corp_id.into(),
            time_stamp,
            nonce_str: nonce_str.to_owned(),
            signature,
        })
    }
}

/// The `dd.config` signature: lowercase hex SHA-1 of
/// `jsapi_ticket={ticket}&noncestr={nonce}&timestamp={timestamp}&url={url}`, the URL without its
/// `#fragment` and percent-decoded.
pub fn jsapi_signature(
    ticket: &str,
    nonce_str: &str,
    timestamp: &str,
    page_url: &str,
) -> Result<String, JsapiError> {
    for (name, value) in [
        ("jsapi_ticket", ticket),
        ("nonceStr", nonce_str),
        ("timeStamp", timestamp),
        ("url", page_url),
    ] {
        if value.trim().is_empty() {
            return Err(JsapiError::Empty(name));
        }
    }
    if !nonce_str.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(JsapiError::BadNonce);
    }
    let without_fragment = page_url.split('#').next().unwrap_or(page_url);
    let url = percent_encoding::percent_decode_str(without_fragment)
        .decode_utf8()
        .map_err(|_| JsapiError::BadUrl)?;
    let text =
        format!("jsapi_ticket={ticket}&noncestr={nonce_str}&timestamp={timestamp}&url={url}");
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, text.as_bytes());
    Ok(digest.as_ref().iter().map(|b| format!("{b:02x}")).collect())
}

/// The `signature` of a signed query: base64 of HMAC-SHA256 over the timestamp (milliseconds,
/// as text), keyed by the app secret. Not percent-encoded: `+`, `/` and `=` must be encoded once
/// when put in the URL (a query builder does it).
///
/// For the secret `testappSecret` and the timestamp `1546084445901` it is
/// `HCbG3xNE3vzhO+u7qCUL1jS5hsu2n5r2cFhnTrtyDAE=` (DingTalk's sample).
#[must_use]
pub fn sns_signature(app_secret: &Secret, timestamp_ms: i64) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, app_secret.expose().as_bytes());
    BASE64.encode(ring::hmac::sign(&key, timestamp_ms.to_string().as_bytes()))
}

/// The query of a signed call, `accessKey`, `timestamp` and `signature`, values not yet
/// percent-encoded (hand them to a query builder).
#[must_use]
pub fn signed_query(
    app_key: &str,
    app_secret: &Secret,
    timestamp_ms: i64,
) -> [(&'static str, String); 3] {
    [
        ("accessKey", app_key.to_owned()),
        ("timestamp", timestamp_ms.to_string()),
        ("signature", sns_signature(app_secret, timestamp_ms)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    const TICKET: &str =
        "gUsHOoPPzLVZKVkClnESg88m7qMV4c0Ys9VGsMigqzZU7gA8PeoNzHODmYPZ85TYuoZryXuqEUFlXLN1OPEixm";
    const PAGE: &str = "http://test4.weixin.wtoip.com:80/wtoip/dingding/dzmp";

    #[test]
    fn jsapi_signature_matches_dingtalks_demo() {
        let known = "d14dfc1d0d98cad2438e664723e8a9d8633b443f";
        assert_eq!(
            jsapi_signature(TICKET, "abcde12345", "1463125744", PAGE).unwrap(),
            known
        );
        // The fragment is not signed, and the URL is signed decoded.
        let dressed = format!("{}#/route?x=1", PAGE.replace("dingding", "ding%64ing"));
        assert_eq!(
            jsapi_signature(TICKET, "abcde12345", "1463125744", &dressed).unwrap(),
            known
        );
        // Any other input changes it.
        assert_ne!(
            jsapi_signature(TICKET, "abcde12346", "1463125744", PAGE).unwrap(),
            known
        );
    }

    #[test]
    fn jsapi_refuses_what_would_sign_the_wrong_text() {
        assert_eq!(
            jsapi_signature("", "n", "1", PAGE),
            Err(JsapiError::Empty("jsapi_ticket"))
        );
        assert_eq!(
            jsapi_signature(TICKET, "a&b", "1", PAGE),
            Err(JsapiError::BadNonce)
        );
        assert_eq!(
            jsapi_signature(TICKET, "n", "1", "http://x/%ff"),
            Err(JsapiError::BadUrl)
        );
    }

    #[test]
    fn the_config_carries_what_the_page_needs_and_no_ticket() {
        let ticket = Secret::new(TICKET);
        let config =
            JsapiConfig::sign("123", "dingcorp", &ticket, PAGE, "abcde12345", 1463125744).unwrap();
        let json = serde_json::to_value(&config).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "agentId": "123", "corpId": "dingcorp", "timeStamp": "1463125744",
                "nonceStr": "abcde12345", "signature": "d14dfc1d0d98cad2438e664723e8a9d8633b443f"
            })
        );
        assert!(!format!("{config:?}").contains(TICKET));
    }

    #[test]
    fn sns_signature_matches_dingtalks_samples() {
        let sign = |secret: &str, ts| sns_signature(&Secret::new(secret), ts);
        assert_eq!(
            sign("testappSecret", 1546084445901),
            "HCbG3xNE3vzhO+u7qCUL1jS5hsu2n5r2cFhnTrtyDAE="
        );
        assert_eq!(
            sign("secret", 1700000000000),
            "T+LOEv1r7F4GSLI7+/8Vi6X8GLOiFLTCBzFGcUSKleE="
        );
        let query = signed_query("dingkey", &Secret::new("testappSecret"), 1546084445901);
        assert_eq!(query[0], ("accessKey", "dingkey".to_owned()));
        assert_eq!(query[1], ("timestamp", "1546084445901".to_owned()));
        assert_eq!(query[2].1, "HCbG3xNE3vzhO+u7qCUL1jS5hsu2n5r2cFhnTrtyDAE=");
    }
}
