//! "The request" laid out for the wire: each top-level parameter goes to the query string, a
//! header, the JSON body or a `multipart/form-data` part, as the operation's facts say; query
//! values are form-encoded once.

use std::fmt;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde_json::Value;

use crate::error::Error;
#[cfg(feature = "robot")]
use crate::operation::Host;
use crate::operation::{Location, Method, OperationInfo};
use crate::upload::FilePart;
use crate::validate::FieldPath;

/// A request laid out for the wire, ready to be sent any number of times (but see
/// [`Prepared::is_replayable`]).
pub(crate) struct Prepared {
    pub(super) method: reqwest::Method,
    pub(super) query: Vec<(String, String)>,
    pub(super) headers: HeaderMap,
    pub(super) body: Option<Body>,
}

/// What a request carries after its headers.
pub(crate) enum Body {
    /// A JSON document.
    Json(Vec<u8>),
    /// A `multipart/form-data` form: text fields, then files, in parameter order.
    Multipart {
        fields: Vec<(String, String)>,
        files: Vec<(&'static str, FilePart)>,
    },
}

impl Body {
    fn len(&self) -> u64 {
        match self {
            Body::Json(bytes) => bytes.len() as u64,
            Body::Multipart { fields, files } => {
                let text: usize = fields.iter().map(|(_, v)| v.len()).sum();
                text as u64 + files.iter().map(|(_, f)| f.len()).sum::<u64>()
            }
        }
    }

    /// The form reqwest sends, built anew for each attempt (a form is consumed by sending).
    pub(super) async fn form(
        fields: &[(String, String)],
        files: &[(&'static str, FilePart)],
        operation: &'static str,
    ) -> Result<reqwest::multipart::Form, Error> {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in fields {
            form = form.text(name.clone(), value.clone());
        }
        for (name, file) in files {
            let part = file.to_part().await.map_err(|source| Error::File {
                operation,
                part: name,
                source,
            })?;
            form = form.part(*name, part);
        }
        Ok(form)
    }
}

impl Prepared {
    /// Whether the request can be sent again after a failed attempt: not when it streams a
    /// caller's file part, which the first attempt consumed.
    pub(crate) fn is_replayable(&self) -> bool {
        match &self.body {
            Some(Body::Multipart { files, .. }) => files.iter().all(|(_, f)| f.is_replayable()),
            _ => true,
        }
    }
}

impl fmt::Debug for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Parameters may be secrets (gettoken's appsecret): show only their names.
        let query: Vec<&str> = self.query.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Prepared")
            .field("method", &self.method)
            .field("query", &query)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.body.as_ref().map(Body::len))
            .finish()
    }
}

/// Lays a request out as its operation says: each top-level key goes to the query string, a
/// header, the JSON body or a form field; `files` are the file parts of a multipart operation.
pub(crate) fn prepare<T: Serialize>(
    info: &'static OperationInfo,
    request: &T,
    files: Vec<(&'static str, FilePart)>,
) -> Result<Prepared, Error> {
    let method = http_method(info.method);
    let root = FieldPath::root(info.id);
    let encode_error = |e: serde_json::Error| -> Error {
        Error::Validation(root.error(format!("cannot be written as JSON: {e}")))
    };
    // The common case: every parameter is in the body, so serialize straight to bytes.
    if info.all_body() && info.method != Method::Get {
        let body = serde_json::to_vec(request).map_err(encode_error)?;
        let prepared = Prepared {
            method,
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: Some(Body::Json(body)),
        };
        return check_robot_body(info, prepared);
    }
    let value = serde_json::to_value(request).map_err(encode_error)?;
    let Value::Object(object) = value else {
        return Err(Error::Validation(root.error("is not a JSON object")));
    };
    let mut query = Vec::new();
    let mut headers = HeaderMap::new();
    let mut body = serde_json::Map::new();
    let mut fields = Vec::new();
    for (key, value) in object {
        let location = info
            .params
            .iter()
            .find(|p| p.name == key)
            .map_or(Location::Body, |p| p.location);
        // GET has no body: every parameter goes to the query string.
        let location = if info.method == Method::Get && location == Location::Body {
            Location::Query
        } else {
            location
        };
        match location {
            Location::Body | Location::Path | Location::WholeBody => {
                body.insert(key, value);
            }
            Location::Query => {
                if let Some(text) = as_text(&value) {
                    query.push((key, text));
                }
            }
            Location::Form => {
                if let Some(text) = as_text(&value) {
                    fields.push((key, text));
                }
            }
            // The description of a file; its bytes come from `files`.
            Location::File => {}
            Location::Header => {
                let Some(text) = as_text(&value) else {
                    continue;
                };
                let field = root.field(&key);
                let name = HeaderName::from_bytes(key.as_bytes()).map_err(|_| {
                    Error::Validation(field.error("is not a valid HTTP header name"))
                })?;
                let mut value = HeaderValue::from_str(&text).map_err(|_| {
                    Error::Validation(field.error("is not a valid HTTP header value"))
                })?;
                let secret = info.params.iter().any(|p| p.name == key && p.secret);
                value.set_sensitive(secret);
                headers.insert(name, value);
            }
        }
    }
    let body = if info.is_multipart() {
        Some(Body::Multipart { fields, files })
    } else {
        match info.method {
            Method::Get => None,
            Method::Delete if body.is_empty() => None,
            _ => Some(Body::Json(serde_json::to_vec(&body).map_err(encode_error)?)),
        }
    };
    check_robot_body(
        info,
        Prepared {
            method,
            query,
            headers,
            body,
        },
    )
}

/// The robot rejects bodies over 20,000 bytes (errcode 460101): [`robot::check_body_size`]
/// says so before anything is sent, as [`Error::RobotGuard`].
///
/// [`robot::check_body_size`]: crate::robot::check_body_size
#[cfg(feature = "robot")]
fn check_robot_body(info: &'static OperationInfo, prepared: Prepared) -> Result<Prepared, Error> {
    if info.host == Host::Robot
        && let Some(Body::Json(body)) = &prepared.body
    {
        crate::robot::check_body_size(body).map_err(|source| Error::RobotGuard {
            operation: info.id,
            source,
        })?;
    }
    Ok(prepared)
}

/// Without the `robot` feature the client sends no robot operation at all.
#[cfg(not(feature = "robot"))]
fn check_robot_body(_info: &'static OperationInfo, prepared: Prepared) -> Result<Prepared, Error> {
    Ok(prepared)
}

/// A query or header value as text: strings as they are, numbers and booleans written out,
/// arrays and objects as JSON; `None` for null (an unset optional parameter).
fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(_) | Value::Object(_) => Some(value.to_string()),
    }
}

/// Appends `name=value` to a query string, `application/x-www-form-urlencoded` as browsers and
/// DingTalk's own SDKs write it: alphanumerics and `*-._` as they are, space as `+`, every other
/// byte as `%XX`.
pub(super) fn push_pair(query: &mut String, name: &str, value: &str) {
    if !query.is_empty() {
        query.push('&');
    }
    push_form_encoded(query, name);
    query.push('=');
    push_form_encoded(query, value);
}

fn push_form_encoded(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_');
    if text.bytes().all(plain) {
        out.push_str(text);
        return;
    }
    for &b in text.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0x0f)]));
            }
        }
    }
}

pub(super) fn http_method(method: Method) -> reqwest::Method {
    match method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Delete => reqwest::Method::DELETE,
        Method::Patch => reqwest::Method::PATCH,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::{Auth, Envelope, Host, Param};

    const QUERY_AND_BODY: OperationInfo =
        OperationInfo::new("x.query_and_body", Method::Post, Host::Api, "/v1.0/x")
            .with_auth(Auth::HeaderToken)
            .with_envelope(Envelope::Bare)
            .with_params(&[
                Param::new("unionId", Location::Query, true, false),
                Param::new("x-trace", Location::Header, false, false),
                Param::new("body", Location::Body, false, false),
            ]);

    #[test]
    fn parameters_go_where_the_table_says() {
        let request =
            serde_json::json!({"unionId": "u 1", "x-trace": 7, "body": {"a": [1]}, "unset": null});
        let p = prepare(&QUERY_AND_BODY, &request, Vec::new()).unwrap();
        assert_eq!(p.query, vec![("unionId".to_owned(), "u 1".to_owned())]);
        assert_eq!(p.headers.get("x-trace").unwrap(), "7");
        let Some(Body::Json(body)) = &p.body else {
            panic!("not JSON")
        };
        assert_eq!(body, br#"{"body":{"a":[1]},"unset":null}"#);
    }

    #[test]
    fn query_values_are_form_encoded_once() {
        let mut q = String::new();
        push_pair(&mut q, "sign", "Ouzz+x/Y=");
        push_pair(&mut q, "name", "周 a&b");
        assert_eq!(q, "sign=Ouzz%2Bx%2FY%3D&name=%E5%91%A8+a%26b");
        let mut url = reqwest::Url::parse("https://oapi.dingtalk.com/robot/send").unwrap();
        url.set_query(Some(&q));
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(
            pairs,
            [
                ("sign".into(), "Ouzz+x/Y=".into()),
                ("name".into(), "周 a&b".into())
            ]
        );
    }
}
