//! An answer checked against the operation's envelope (`errcode` for oapi, the HTTP status for
//! v1.0), and a successful one decoded as the typed response.

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer};

use super::Answer;
use crate::error::{ErrcodeAnswer, Error, excerpt};
#[cfg(feature = "robot")]
use crate::operation::Host;
use crate::operation::{Envelope, OperationInfo, Returns};

/// Checks an answer against the operation's envelope: `Ok` when it carries a success.
pub(crate) fn check(info: &'static OperationInfo, answer: &Answer) -> Result<(), Error> {
    let success = (200..300).contains(&answer.status);
    match info.envelope {
        Envelope::Errcode => {
            let envelope: ErrcodeEnvelope = match serde_json::from_slice(&answer.body) {
                Ok(envelope) => envelope,
                Err(_) if !success => return Err(http_error_from_text(info, answer)),
                Err(source) => {
                    return Err(Error::Decode {
                        operation: info.id,
                        status: answer.status,
                        excerpt: excerpt(&answer.body),
                        source,
                    });
                }
            };
            let errcode = envelope.errcode.unwrap_or(0);
            if errcode != 0 {
                let fields = ErrcodeAnswer {
                    errcode,
                    errmsg: envelope.errmsg.unwrap_or_default(),
                    sub_code: envelope.sub_code,
                    sub_msg: envelope.sub_msg,
                    request_id: envelope.request_id.or_else(|| answer.header_request_id()),
                };
                #[cfg(feature = "robot")]
                if info.host == Host::Robot {
                    return Err(Error::from_robot_errcode(info.id, fields));
                }
                return Err(Error::from_errcode(info.id, fields));
            }
            if !success {
                return Err(Error::from_http(
                    info.id,
                    answer.status,
                    envelope.code.unwrap_or_default(),
                    envelope.errmsg.or(envelope.message).unwrap_or_default(),
                    envelope.request_id.or_else(|| answer.header_request_id()),
                ));
            }
            Ok(())
        }
        Envelope::Bare if success => Ok(()),
        Envelope::Bare => match serde_json::from_slice::<BareError>(&answer.body) {
            Ok(e) => Err(Error::from_http(
                info.id,
                answer.status,
                e.code.unwrap_or_default(),
                e.message.unwrap_or_default(),
                e.request_id.or_else(|| answer.header_request_id()),
            )),
            Err(_) => Err(http_error_from_text(info, answer)),
        },
    }
}

/// An HTTP error whose body is not JSON (a proxy's or load balancer's page): keep an excerpt.
fn http_error_from_text(info: &'static OperationInfo, answer: &Answer) -> Error {
    Error::from_http(
        info.id,
        answer.status,
        String::new(),
        excerpt(&answer.body),
        answer.header_request_id(),
    )
}

/// Reads a successful answer as the operation's response type: a JSON object, a bare array, a
/// bare boolean or any JSON as the type reads it; the body of an operation that returns nothing
/// ([`Returns::Empty`]) is not read at all.
pub(crate) fn decode<R: DeserializeOwned>(
    info: &'static OperationInfo,
    answer: &Answer,
) -> Result<R, Error> {
    let body = &answer.body;
    let result = if info.returns == Returns::Empty {
        // Nothing to read (the response type is `()`): whatever the body holds is ignored.
        serde_json::from_slice(b"null")
    } else if body.iter().all(u8::is_ascii_whitespace) {
        // An empty success (some v1.0 updates): read it as `null`, or failing that as `{}`.
        serde_json::from_slice(b"null").or_else(|_| serde_json::from_slice(b"{}"))
    } else {
        serde_json::from_slice(body)
    };
    result.map_err(|source| Error::Decode {
        operation: info.id,
        status: answer.status,
        excerpt: excerpt(body),
        source,
    })
}

/// The error fields of an oapi answer; everything else is skipped.
#[derive(Deserialize)]
struct ErrcodeEnvelope {
    #[serde(default, deserialize_with = "int_or_numeric_string")]
    errcode: Option<i64>,
    #[serde(default)]
    errmsg: Option<String>,
    #[serde(default, deserialize_with = "string_or_number")]
    sub_code: Option<String>,
    #[serde(default)]
    sub_msg: Option<String>,
    #[serde(default, deserialize_with = "string_or_number")]
    request_id: Option<String>,
    /// Some gateways answer oapi calls in the v1.0 style.
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// A v1.0 error body.
#[derive(Deserialize)]
struct BareError {
    #[serde(default, deserialize_with = "string_or_number")]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(
        default,
        alias = "requestId",
        alias = "request_id",
        rename = "requestid"
    )]
    request_id: Option<String>,
}

/// A JSON scalar that may be a string or a number.
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Int(i64),
    Float(f64),
    Text(String),
    Bool(bool),
}

/// `errcode` arrives as a number or a numeric string (the robot); null counts as absent.
fn int_or_numeric_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<Scalar>::deserialize(d)? {
        None => Ok(None),
        Some(Scalar::Int(n)) => Ok(Some(n)),
        Some(Scalar::Text(s)) if s.trim().is_empty() => Ok(None),
        Some(Scalar::Text(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| de::Error::custom(format!("errcode `{s}` is not a number"))),
        Some(Scalar::Float(_) | Scalar::Bool(_)) => {
            Err(de::Error::custom("errcode is not an integer"))
        }
    }
}

/// A code that is a string in one answer and a number in another.
fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Scalar>::deserialize(d)? {
        None => None,
        Some(Scalar::Int(n)) => Some(n.to_string()),
        Some(Scalar::Float(n)) => Some(n.to_string()),
        Some(Scalar::Text(s)) => Some(s),
        Some(Scalar::Bool(b)) => Some(b.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderMap;

    use super::*;
    use crate::operation::{Auth, Host, Method};

    const BARE: OperationInfo = OperationInfo::new("x.bare", Method::Post, Host::Api, "/v1.0/x")
        .with_auth(Auth::HeaderToken)
        .with_envelope(Envelope::Bare);

    const ERRCODE: OperationInfo = BARE.with_envelope(Envelope::Errcode);

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn errcode_forms() {
        assert!(check(&ERRCODE, &answer(200, r#"{"errcode":0,"errmsg":"ok"}"#)).is_ok());
        assert!(check(&ERRCODE, &answer(200, r#"{"result":1}"#)).is_ok());
        assert!(check(&ERRCODE, &answer(200, r#"{"errcode":"0"}"#)).is_ok());
        assert!(
            check(
                &ERRCODE,
                &answer(200, r#"{"errcode":null,"x":{"errcode":5}}"#)
            )
            .is_ok()
        );
        let e = check(
            &ERRCODE,
            &answer(200, r#"{"errcode":"310000","errmsg":"sign not match"}"#),
        )
        .unwrap_err();
        assert_eq!(e.errcode(), Some(310000));
        let e = check(
            &ERRCODE,
            &answer(200, r#"{"result":{"errcode":0},"errcode":40014}"#),
        )
        .unwrap_err();
        assert_eq!(e.errcode(), Some(40014));
        let e = check(
            &ERRCODE,
            &answer(200, r#"{"errcode":88,"sub_code":40014,"request_id":"r"}"#),
        )
        .unwrap_err();
        assert!(e.is_token_error());
        assert_eq!(e.request_id(), Some("r"));
        let e = check(&ERRCODE, &answer(200, "<html>banned</html>")).unwrap_err();
        assert!(
            matches!(e, Error::Decode { status: 200, ref excerpt, .. } if excerpt == "<html>banned</html>")
        );
        let e = check(&ERRCODE, &answer(502, "<html>bad gateway</html>")).unwrap_err();
        assert!(matches!(e, Error::Http { status: 502, .. }) && e.is_retryable());
    }

    #[test]
    fn bare_errors() {
        assert!(check(&BARE, &answer(200, "anything")).is_ok());
        let e = check(
            &BARE,
            &answer(
                400,
                r#"{"code":"InvalidAuthentication","message":"m","requestid":"r"}"#,
            ),
        )
        .unwrap_err();
        assert!(e.is_token_error());
        assert_eq!(e.request_id(), Some("r"));
    }

    #[test]
    fn empty_success_bodies_decode() {
        let unit: () = decode(&BARE, &answer(200, "")).unwrap();
        let () = unit;
        #[derive(Deserialize)]
        struct Loose {
            #[allow(dead_code)]
            a: Option<i32>,
        }
        assert!(decode::<Loose>(&BARE, &answer(204, " ")).is_ok());
    }

    #[test]
    fn each_answer_shape_decodes() {
        const NONE: OperationInfo = BARE.with_returns(Returns::Empty);
        for body in ["", "{\"a\":1}", "not json", "[1]"] {
            let () = decode(&NONE, &answer(200, body)).unwrap();
        }
        // Without `Returns::Empty` the body is read as usual.
        assert!(decode::<()>(&BARE, &answer(200, "{\"a\":1}")).is_err());
        const FLAG: OperationInfo = BARE.with_returns(Returns::Boolean);
        assert!(decode::<bool>(&FLAG, &answer(200, "true")).unwrap());
        const ARRAY: OperationInfo = BARE.with_returns(Returns::Array);
        let items: Vec<serde_json::Value> = decode(&ARRAY, &answer(200, "[{\"id\":1}]")).unwrap();
        assert_eq!(items, [serde_json::json!({"id": 1})]);
        const JSON: OperationInfo = BARE.with_returns(Returns::Json);
        let any: serde_json::Value = decode(&JSON, &answer(200, "\"x\"")).unwrap();
        assert_eq!(any, "x");
    }
}
