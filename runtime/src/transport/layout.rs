//! "The request" laid out for the wire: each top-level parameter goes to the path, the query
//! string, a header, the JSON body (a key of it, or the whole of it) or a `multipart/form-data`
//! part, written as itself, as one JSON text or as numbered keys, as the operation's facts say;
//! query values are form-encoded once, path values percent-encoded once.

use std::borrow::Cow;
use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde_json::Value;

use crate::error::Error;
#[cfg(feature = "robot")]
use crate::operation::Host;
use crate::operation::{
    Encode, Location, Method, OperationInfo, Param, PathSegment, path_segments,
};
use crate::upload::FilePart;
use crate::validate::FieldPath;

/// A request laid out for the wire, ready to be sent any number of times (but see
/// [`Prepared::is_replayable`]).
pub(crate) struct Prepared {
    pub(super) method: reqwest::Method,
    /// The path: the operation's own when it has no `{name}` in it (no allocation), else its
    /// template filled with the request's path parameters.
    pub(crate) path: Cow<'static, str>,
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
        // Path parameters are ids, not secrets.
        f.debug_struct("Prepared")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &query)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.body.as_ref().map(Body::len))
            .finish()
    }
}

/// Lays a request out as its operation says: each top-level key fills its `{name}` in the path,
/// or goes to the query string, a header, the JSON body (or is the whole of it) or a form field;
/// `files` are the file parts of a multipart operation.
///
/// A key the operation does not declare goes to the JSON body, or to the query string of a GET.
/// A declared body parameter of a GET or DELETE goes to a JSON body, as DingTalk's own SDK sends
/// it. [`Encode::Json`] writes a value as one JSON text (a string holding it, in the body);
/// [`Encode::Repeat`] writes a query or form value as numbered keys (`name.1=a&name.2=b`), and a
/// value elsewhere as itself.
pub(crate) fn prepare<T: Serialize>(
    info: &'static OperationInfo,
    request: &T,
    files: Vec<(&'static str, FilePart)>,
) -> Result<Prepared, Error> {
    // Only the serialization is generic; the layout is compiled once for every operation.
    let serialized = if straight_to_body(info) {
        serde_json::to_vec(request).map(Serialized::Body)
    } else {
        serde_json::to_value(request).map(Serialized::Value)
    };
    lay_out(info, serialized, files)
}

/// The common case: every parameter is in the body, so the request is serialized straight to
/// the body's bytes.
fn straight_to_body(info: &OperationInfo) -> bool {
    info.all_body() && !info.path.contains('{') && info.method != Method::Get
}

/// A request serialized for [`lay_out`].
enum Serialized {
    /// The body's bytes, when [`straight_to_body`].
    Body(Vec<u8>),
    /// "The request", to be laid out by parameter.
    Value(Value),
}

/// The request laid out for the wire: path, query, headers and body, by parameter.
fn lay_out(
    info: &'static OperationInfo,
    serialized: serde_json::Result<Serialized>,
    files: Vec<(&'static str, FilePart)>,
) -> Result<Prepared, Error> {
    let method = http_method(info.method);
    let root = FieldPath::root(info.id);
    let encode_error = |e: serde_json::Error| -> Error {
        Error::Validation(root.error(format!("cannot be written as JSON: {e}")))
    };
    let serialized = serialized.map_err(encode_error)?;
    let templated = info.path.contains('{');
    let value = match serialized {
        Serialized::Body(body) => {
            let prepared = Prepared {
                method,
                path: Cow::Borrowed(info.path),
                query: Vec::new(),
                headers: HeaderMap::new(),
                body: Some(Body::Json(body)),
            };
            return check_robot_body(info, prepared);
        }
        Serialized::Value(value) => value,
    };
    let Value::Object(mut object) = value else {
        return Err(Error::Validation(root.error("is not a JSON object")));
    };
    let path = if templated || info.params.iter().any(|p| p.location == Location::Path) {
        Cow::Owned(fill_path(info, &root, &mut object)?)
    } else {
        Cow::Borrowed(info.path)
    };
    let whole_param = info
        .params
        .iter()
        .find(|p| p.location == Location::WholeBody);
    let mut whole = None;
    let mut query = Vec::new();
    let mut headers = HeaderMap::new();
    let mut body = serde_json::Map::new();
    let mut fields = Vec::new();
    for (key, value) in object {
        let param = info.params.iter().find(|p| p.name == key);
        let encode = param.map_or(Encode::Plain, |p| p.encode);
        let location = match param {
            Some(p) => p.location,
            // A key the table does not name: the body, but GET's go to the query string as they
            // always did.
            None if info.method == Method::Get => Location::Query,
            None => Location::Body,
        };
        match location {
            Location::Body => {
                body.insert(key, encoded_json(value, encode));
            }
            Location::WholeBody => {
                if !value.is_null() {
                    whole = Some(encoded_json(value, encode));
                }
            }
            Location::Query => push_text(&mut query, key, value, encode),
            Location::Form => push_text(&mut fields, key, value, encode),
            // The description of a file; its bytes come from `files`.
            Location::File => {}
            // `fill_path` took every path parameter out of the object.
            Location::Path => {}
            Location::Header => {
                let text = match encode {
                    Encode::Json if !value.is_null() => value.to_string(),
                    _ => match as_text(&value) {
                        Some(text) => text,
                        None => continue,
                    },
                };
                let field = root.field(&key);
                let name = HeaderName::from_bytes(key.as_bytes()).map_err(|_| {
                    Error::Validation(field.error("is not a valid HTTP header name"))
                })?;
                let mut value = HeaderValue::from_str(&text).map_err(|_| {
                    Error::Validation(field.error("is not a valid HTTP header value"))
                })?;
                value.set_sensitive(param.is_some_and(|p| p.secret));
                headers.insert(name, value);
            }
        }
    }
    let body = if let Some(whole_param) = whole_param {
        // The generator gives such an operation no other body key; one here would be lost.
        if let Some((key, _)) = body.iter().find(|(_, v)| !v.is_null()) {
            return Err(Error::Validation(root.field(key).error(format!(
                "cannot be sent: `{}` is the whole body",
                whole_param.name
            ))));
        }
        if info.is_multipart() {
            return Err(Error::Validation(
                root.field(whole_param.name)
                    .error("cannot be the whole body of a multipart form"),
            ));
        }
        // Unset: no body at all.
        match whole {
            Some(value) => Some(Body::Json(
                serde_json::to_vec(&value).map_err(encode_error)?,
            )),
            None => None,
        }
    } else if info.is_multipart() {
        Some(Body::Multipart { fields, files })
    } else {
        match info.method {
            // Only the declared body parameters of these (a few DingTalk operations), when set.
            Method::Get | Method::Delete if body.is_empty() => None,
            _ => Some(Body::Json(serde_json::to_vec(&body).map_err(encode_error)?)),
        }
    };
    check_robot_body(
        info,
        Prepared {
            method,
            path,
            query,
            headers,
            body,
        },
    )
}

/// The bytes a path segment keeps as they are: RFC 3986's unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The operation's path with every `{name}` replaced by the value of the path parameter of that
/// wire name, percent-encoded as one segment; the path parameters are taken out of `object`.
fn fill_path(
    info: &'static OperationInfo,
    root: &FieldPath<'_>,
    object: &mut serde_json::Map<String, Value>,
) -> Result<String, Error> {
    let template = info.path;
    let mut path = String::with_capacity(template.len() + 32);
    let mut used: Vec<&str> = Vec::new();
    for (i, segment) in path_segments(template).enumerate() {
        if i > 0 || template.starts_with('/') {
            path.push('/');
        }
        let segment =
            segment.map_err(|e| Error::Validation(root.error(format!("cannot be sent: {e}"))))?;
        let (prefix, name, suffix) = match segment {
            PathSegment::Literal(text) => {
                path.push_str(text);
                continue;
            }
            PathSegment::Template {
                prefix,
                name,
                suffix,
            } => (prefix, name, suffix),
        };
        let field = root.field(name);
        let param = info
            .params
            .iter()
            .find(|p| p.name == name && p.location == Location::Path)
            .ok_or_else(|| {
                Error::Validation(field.error(format!(
                    "is in the path `{template}` but is not a path parameter of the operation"
                )))
            })?;
        let text = segment_text(param, object.get(name))
            .map_err(|problem| Error::Validation(field.error(problem)))?;
        path.push_str(prefix);
        path.extend(utf8_percent_encode(&text, SEGMENT));
        path.push_str(suffix);
        used.push(name);
    }
    for param in info.params.iter().filter(|p| p.location == Location::Path) {
        if !used.contains(&param.name) {
            return Err(Error::Validation(root.field(param.name).error(format!(
                "is a path parameter, but the path `{template}` has no `{{{}}}`",
                param.name
            ))));
        }
        // `shift_remove`: the other keys keep their order (the query string's).
        object.shift_remove(param.name);
    }
    Ok(path)
}

/// The text of a path parameter's value: a string as it is, a number or boolean written out
/// (any value as its JSON text under [`Encode::Json`]); `Err` says what is wrong with it.
fn segment_text<'v>(param: &Param, value: Option<&'v Value>) -> Result<Cow<'v, str>, String> {
    let name = param.name;
    let text = match value {
        None | Some(Value::Null) => {
            return Err(format!(
                "is not set; its value fills `{{{name}}}` in the path"
            ));
        }
        Some(value) if param.encode == Encode::Json => Cow::Owned(value.to_string()),
        Some(Value::String(s)) => Cow::Borrowed(s.as_str()),
        Some(Value::Number(n)) => Cow::Owned(n.to_string()),
        Some(Value::Bool(b)) => Cow::Owned(b.to_string()),
        Some(Value::Array(_) | Value::Object(_)) => {
            return Err(format!(
                "is a list or an object; `{{{name}}}` in the path takes a string, a number or a \
                 boolean"
            ));
        }
    };
    match &*text {
        "" => Err(format!(
            "is empty; its value fills `{{{name}}}` in the path"
        )),
        // A URL parser would resolve these (even percent-encoded) into another path.
        "." | ".." => Err(format!(
            "is `{text}`, which cannot fill `{{{name}}}` in the path"
        )),
        _ => Ok(text),
    }
}

/// A body value as its parameter writes it: one JSON text (a string holding it) under
/// [`Encode::Json`], else as it is; null (unset) stays null.
fn encoded_json(value: Value, encode: Encode) -> Value {
    match encode {
        Encode::Json if !value.is_null() => Value::String(value.to_string()),
        _ => value,
    }
}

/// Appends a query or form value as its parameter writes it: a scalar's text (a list or object
/// as JSON) by default, one JSON text under [`Encode::Json`], numbered keys under
/// [`Encode::Repeat`]; nothing for null (an unset optional parameter).
fn push_text(out: &mut Vec<(String, String)>, key: String, value: Value, encode: Encode) {
    match encode {
        _ if value.is_null() => {}
        Encode::Plain => out.extend(as_text(&value).map(|text| (key, text))),
        Encode::Json => out.push((key, value.to_string())),
        Encode::Repeat => push_repeated(out, key, value),
    }
}

/// Alibaba Cloud's flattening of a query value (the TEA SDKs' `query`): a list's items as
/// `name.1`, `name.2`, …, an object's fields as `name.key`, nested the same way, scalars as
/// their text; null and empty lists and objects write nothing.
fn push_repeated(out: &mut Vec<(String, String)>, key: String, value: Value) {
    match value {
        Value::Null => {}
        Value::Array(items) => {
            for (i, item) in items.into_iter().enumerate() {
                push_repeated(out, format!("{key}.{}", i + 1), item);
            }
        }
        Value::Object(fields) => {
            for (name, item) in fields {
                push_repeated(out, format!("{key}.{name}"), item);
            }
        }
        scalar => out.extend(as_text(&scalar).map(|text| (key, text))),
    }
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

    #[test]
    fn a_path_without_parameters_is_borrowed_and_a_template_is_filled() {
        let p = prepare(
            &QUERY_AND_BODY,
            &serde_json::json!({"unionId": "u"}),
            Vec::new(),
        )
        .unwrap();
        assert!(matches!(p.path, Cow::Borrowed("/v1.0/x")));
        const FILLED: OperationInfo =
            OperationInfo::new("x.filled", Method::Delete, Host::Api, "/v1.0/{a}/x/{b}")
                .with_params(&[
                    Param::new("b", Location::Path, true, false),
                    Param::new("a", Location::Path, true, false),
                ]);
        let request = serde_json::json!({"a": "1/2", "b": "é~"});
        let p = prepare(&FILLED, &request, Vec::new()).unwrap();
        assert_eq!(p.path, "/v1.0/1%2F2/x/%C3%A9~");
        assert!(p.body.is_none(), "nothing left for a DELETE body");
    }

    #[test]
    fn a_broken_template_or_an_unused_path_parameter_is_refused() {
        const UNCLOSED: OperationInfo =
            OperationInfo::new("x.unclosed", Method::Get, Host::Api, "/v1.0/{a")
                .with_params(&[Param::new("a", Location::Path, true, false)]);
        let Err(Error::Validation(v)) = prepare(&UNCLOSED, &serde_json::json!({"a": 1}), vec![])
        else {
            panic!("an unclosed brace was sent")
        };
        assert!(v.problem.contains("path segment `{a`"), "{v}");
        const UNUSED: OperationInfo = OperationInfo::new("x.unused", Method::Get, Host::Api, "/x")
            .with_params(&[Param::new("a", Location::Path, true, false)]);
        let Err(Error::Validation(v)) = prepare(&UNUSED, &serde_json::json!({"a": 1}), vec![])
        else {
            panic!("a path parameter went nowhere")
        };
        assert_eq!(v.field, "a");
    }

    #[test]
    fn repeated_values_flatten_like_the_tea_sdks() {
        let mut out = Vec::new();
        let value = serde_json::json!([[1, 2], {"a": {"b": [null, "x"]}, "c": {}}, [], null, 3.5]);
        push_text(&mut out, "k".into(), value, Encode::Repeat);
        let pairs: Vec<(&str, &str)> = out.iter().map(|(k, v)| (&k[..], &v[..])).collect();
        assert_eq!(
            pairs,
            [
                ("k.1.1", "1"),
                ("k.1.2", "2"),
                ("k.2.a.b.2", "x"),
                ("k.5", "3.5")
            ]
        );
        let mut out = Vec::new();
        push_text(&mut out, "s".into(), serde_json::json!("x"), Encode::Repeat);
        push_text(&mut out, "j".into(), serde_json::json!("x"), Encode::Json);
        push_text(&mut out, "n".into(), Value::Null, Encode::Json);
        assert_eq!(
            out,
            [("s".into(), "x".into()), ("j".into(), "\"x\"".into())]
        );
    }
}
