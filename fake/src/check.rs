//! The fake's view of one operation: its static facts and a check of "the request" against the
//! typed request type, exactly as the client would build it.
//!
//! A [`MockOperation`] holds an operation with its types erased (a
//! [`DynOperation`](dingtalk_openapi_runtime::dynamic::DynOperation)), so the server needs no
//! generic code per operation. The check deserializes the request
//! JSON into the typed request (unknown fields and wrong types are refused by serde, and the path
//! of the offending value is kept) and then runs the operation's `validate()` (documented limits).

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use dingtalk_openapi_runtime::dynamic::DynOperation;
use dingtalk_openapi_runtime::operation::{Operation, OperationInfo, OperationVisitor};
use dingtalk_openapi_runtime::validate::ValidationError;

/// Turns an operation's request type into a [`MockOperation`]; see
/// [`operations`](crate::operations), which visits every generated operation with it.
#[derive(Debug, Clone, Copy, Default)]
pub struct MockVisitor;

impl OperationVisitor for MockVisitor {
    type Output = MockOperation;

    fn visit<O: Operation + DeserializeOwned>(self) -> MockOperation {
        MockOperation::of::<O>()
    }
}

/// One operation as the fake serves it: where it lives and how its request is checked.
#[derive(Clone, Copy)]
pub struct MockOperation {
    info: &'static OperationInfo,
    check: Check,
}

/// How a [`MockOperation`] checks "the request".
#[derive(Clone, Copy)]
enum Check {
    /// Read as the typed request, then its limits.
    Typed(DynOperation),
    /// Anything goes (the fake's unit tests).
    #[cfg(test)]
    Any,
}

impl MockOperation {
    /// The fake's view of the operation whose request type is `O`.
    ///
    /// Generic: the checking code is compiled for `O` in the calling crate. For every generated
    /// operation, [`operations`](crate::operations) builds them from the generated crate's
    /// `dyn_operation`, compiled there once.
    pub fn of<O: Operation + DeserializeOwned>() -> MockOperation {
        MockOperation::erased(DynOperation::of::<O>())
    }

    /// The fake's view of an operation with its types erased (`dingtalk_openapi::dyn_operation`).
    pub fn erased(operation: DynOperation) -> MockOperation {
        MockOperation {
            info: operation.info(),
            check: Check::Typed(operation),
        }
    }

    /// An operation of these facts whose check accepts anything (for the fake's unit tests).
    #[cfg(test)]
    pub(crate) fn accepting(info: &'static OperationInfo) -> MockOperation {
        MockOperation {
            info,
            check: Check::Any,
        }
    }

    /// The operation's static facts.
    pub fn info(&self) -> &'static OperationInfo {
        self.info
    }

    /// Checks "the request" (every parameter by wire name, credential excluded) against the
    /// typed request: it must deserialize (no unknown fields, right types, required fields
    /// present) and pass the operation's documented limits.
    pub fn check(&self, request: &Value) -> Result<(), Rejection> {
        match &self.check {
            Check::Typed(operation) => operation
                .read(request)
                .map_err(from_serde)?
                .validate()
                .map_err(from_validation),
            #[cfg(test)]
            Check::Any => Ok(()),
        }
    }
}

impl fmt::Debug for MockOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockOperation")
            .field("id", &self.info.id)
            .field("method", &self.info.method)
            .field("path", &self.info.path)
            .finish_non_exhaustive()
    }
}

/// Why the fake refused a request's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RejectionKind {
    /// A required parameter is missing (oapi errcode 40035 "缺少参数", v1.0 `MissingParameter`).
    Missing,
    /// A parameter is unknown, of the wrong type or outside its documented limits (oapi errcode
    /// 40035 "不合法的参数", v1.0 `InvalidParameter`).
    Invalid,
}

/// A request the typed request type or its limits refused, naming the field by wire path.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rejection {
    /// Missing or invalid.
    pub kind: RejectionKind,
    /// The field path by wire names (`query_request.page_size`, `contents[0].content`); empty
    /// when the problem is with the request as a whole.
    pub field: String,
    /// What is wrong, in the words of serde or of the limit check.
    pub message: String,
}

impl Rejection {
    /// A missing required parameter.
    pub fn missing(field: impl Into<String>) -> Rejection {
        let field = field.into();
        Rejection {
            kind: RejectionKind::Missing,
            message: format!("missing field `{field}`"),
            field,
        }
    }

    /// An invalid parameter.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Rejection {
        Rejection {
            kind: RejectionKind::Invalid,
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kind, self.field.is_empty()) {
            (RejectionKind::Missing, _) => write!(f, "missing parameter `{}`", self.field),
            (RejectionKind::Invalid, true) => write!(f, "invalid request: {}", self.message),
            (RejectionKind::Invalid, false) => {
                write!(f, "invalid parameter `{}`: {}", self.field, self.message)
            }
        }
    }
}

impl std::error::Error for Rejection {}

/// "The request" read as the typed request `O` (what the handlers of the stateful areas and the
/// token endpoints work with, once [`check_coercing`] accepted it); serde's complaint otherwise,
/// naming the field by wire path.
pub(crate) fn read<O: DeserializeOwned>(request: &Value) -> Result<O, Rejection> {
    serde_path_to_error::deserialize(request).map_err(from_serde)
}

/// The documented example request of `O` as `operations` serve it: `None` when they do not serve
/// `O`'s id or the example does not read as `O`.
pub(crate) fn example_request<O: Operation + DeserializeOwned>(
    operations: &[MockOperation],
) -> Option<O> {
    let op = operations.iter().find(|op| op.info().id == O::INFO.id)?;
    serde_json::from_str(op.info().example_request).ok()
}

/// Reads serde's complaint: the path of the value it stopped at, and for missing or unknown
/// fields the field's name (which serde reports on the enclosing object).
fn from_serde(error: serde_path_to_error::Error<serde_json::Error>) -> Rejection {
    let path = error.path().to_string();
    let parent = if path == "." { String::new() } else { path };
    let message = error.into_inner().to_string();
    if let Some(name) = quoted_after(&message, "missing field `") {
        return Rejection {
            kind: RejectionKind::Missing,
            field: join(&parent, name),
            message,
        };
    }
    if let Some(name) = quoted_after(&message, "unknown field `") {
        return Rejection {
            kind: RejectionKind::Invalid,
            field: join(&parent, name),
            message,
        };
    }
    Rejection {
        kind: RejectionKind::Invalid,
        field: parent,
        message,
    }
}

/// A limit check's failure; "needs `a` and `b`, or …" (one-of groups) counts as missing.
fn from_validation(error: ValidationError) -> Rejection {
    let kind = if error.problem.starts_with("needs ") {
        RejectionKind::Missing
    } else {
        RejectionKind::Invalid
    };
    Rejection {
        kind,
        field: error.field,
        message: error.problem,
    }
}

/// The text between `prefix` and the next backquote.
fn quoted_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = message.strip_prefix(prefix)?;
    rest.split('`').next()
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

/// Checks a request whose `coercible` values came from the query string, the path or headers
/// as text (given by wire path: a top-level key `page`, or `ids[0]`, `items[1].count` in a
/// list rebuilt from numbered query keys): when the typed request refuses such a value for its
/// type, it is read as a number or boolean and the check runs again. Returns the request as the
/// typed check accepted it.
pub(crate) fn check_coercing(
    operation: &MockOperation,
    request: Map<String, Value>,
    coercible: &[String],
) -> Result<Value, Rejection> {
    let mut value = Value::Object(request);
    let mut coerced: Vec<&str> = Vec::new();
    loop {
        let rejection = match operation.check(&value) {
            Ok(()) => return Ok(value),
            Err(rejection) => rejection,
        };
        let key = rejection.field.as_str();
        let Some(name) = coercible.iter().find(|c| *c == key) else {
            return Err(rejection);
        };
        if rejection.kind != RejectionKind::Invalid || coerced.contains(&name.as_str()) {
            return Err(rejection);
        }
        let Some(slot) = at_path(&mut value, name) else {
            return Err(rejection);
        };
        let Some(replacement) = coerce(slot) else {
            return Err(rejection);
        };
        *slot = replacement;
        coerced.push(name);
    }
}

/// The value at a wire path as serde_path_to_error writes it (`key`, `list[0].key`) in a
/// request object; a top-level key is taken whole first (a wire name may hold `.` or `[`).
fn at_path<'a>(request: &'a mut Value, path: &str) -> Option<&'a mut Value> {
    let Value::Object(map) = request else {
        return None;
    };
    if map.contains_key(path) {
        return map.get_mut(path);
    }
    let end = path.find(['.', '[']).unwrap_or(path.len());
    let (first, mut rest) = path.split_at(end);
    let mut current = map.get_mut(first)?;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let (index, tail) = after.split_once(']')?;
            current = current.get_mut(index.parse::<usize>().ok()?)?;
            rest = tail;
        } else {
            let after = rest.strip_prefix('.')?;
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let (key, tail) = after.split_at(end);
            current = current.get_mut(key)?;
            rest = tail;
        }
    }
    Some(current)
}

/// A value that arrived as text (a query parameter, a form field, a header) read as the JSON it
/// spells: a boolean, an integer or a number, or an object or a list in JSON text (how forms carry
/// nested parameters such as `query_request`).
fn coerce(value: &Value) -> Option<Value> {
    let text = value.as_str()?.trim();
    if text.starts_with('{') || text.starts_with('[') {
        return serde_json::from_str(text).ok();
    }
    match text {
        "true" => return Some(Value::Bool(true)),
        "false" => return Some(Value::Bool(false)),
        _ => {}
    }
    if let Ok(n) = text.parse::<i64>() {
        return Some(Value::from(n));
    }
    text.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map(Value::Number)
}
