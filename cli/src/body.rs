//! The request of `dingtalk call`: `--body` read from its text, a file or standard input,
//! checked as one JSON object, the `--file NAME=@PATH` parts added, and deserialized into the
//! operation's request type with errors that name the field (and the nearest known name).

use std::fmt;
use std::io::Read;

use serde::de::IgnoredAny;
use serde_json::Value;

use crate::{CallError, suggest};
use dingtalk_openapi::operation::{Location, OperationInfo};
use dingtalk_openapi::runtime::dynamic::{DynOperation, DynRequest};

/// Where the body came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The `--body` text itself.
    Flag,
    /// `--body @FILE`.
    File(String),
    /// `--body -`.
    Stdin,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag => f.write_str("--body"),
            Origin::File(path) => write!(f, "`{path}`"),
            Origin::Stdin => f.write_str("standard input"),
        }
    }
}

/// The request body as text, and where it came from.
#[derive(Debug, Clone)]
pub(crate) struct Body {
    text: String,
    pub(crate) origin: Origin,
}

impl Body {
    /// Reads `--body`: JSON text, `@FILE`, or `-` for standard input.
    pub(crate) fn read(arg: &str) -> Result<Body, CallError> {
        let (text, origin) = if arg == "-" {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).map_err(|e| {
                CallError::usage(format!("cannot read the body from standard input: {e}"))
            })?;
            (text, Origin::Stdin)
        } else if let Some(path) = arg.strip_prefix('@') {
            let text = std::fs::read_to_string(path).map_err(|e| {
                CallError::usage(format!("cannot read the body file `{path}`: {e}"))
            })?;
            (text, Origin::File(path.to_owned()))
        } else {
            (arg.to_owned(), Origin::Flag)
        };
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_owned(),
            None => text,
        };
        Ok(Body { text, origin })
    }

    /// A body given as text (tests).
    #[cfg(test)]
    pub(crate) fn text(text: &str) -> Body {
        Body {
            text: text.to_owned(),
            origin: Origin::Flag,
        }
    }

    /// Checks that the body is one JSON object, naming the line and column of a syntax error.
    pub(crate) fn check_syntax(&self, id: &str) -> Result<(), CallError> {
        if let Err(e) = serde_json::from_str::<IgnoredAny>(&self.text) {
            return Err(CallError::usage(format!(
                "{id}: {} is not valid JSON: {e}",
                self.origin
            )));
        }
        if !self.text.trim_start().starts_with('{') {
            return Err(CallError::usage(format!(
                "{id}: {} must be a JSON object of the operation's parameters by wire name",
                self.origin
            )));
        }
        Ok(())
    }

    /// Adds the `--file NAME=@PATH` flags to the body as `{"NAME": {"path": PATH}}`, which the
    /// request type reads as a file part; names a file part the body and flags both leave out.
    pub(crate) fn with_files(
        self,
        info: &OperationInfo,
        flags: &[String],
    ) -> Result<Body, CallError> {
        let id = info.id;
        let parts: Vec<&str> = info
            .params
            .iter()
            .filter(|p| p.location == Location::File)
            .map(|p| p.name)
            .collect();
        let mut object: serde_json::Map<String, Value> =
            serde_json::from_str(&self.text).map_err(|e| {
                CallError::usage(format!("{id}: {} is not a JSON object: {e}", self.origin))
            })?;
        for flag in flags {
            let Some((name, path)) = flag.split_once("=@") else {
                return Err(CallError::usage(format!(
                    "{id}: --file `{flag}` is not of the form NAME=@PATH (e.g. --file media=@logo.png)"
                )));
            };
            if !parts.contains(&name) {
                let expected = if parts.is_empty() {
                    format!("{id} sends no file")
                } else {
                    format!("its file parts: {}", backticked(&parts))
                };
                return Err(CallError::usage(format!(
                    "{id}: --file names `{name}`, which is not a file part ({expected})"
                )));
            }
            if object.contains_key(name) {
                return Err(CallError::usage(format!(
                    "{id}: the file part `{name}` is given twice (in {} and by --file)",
                    self.origin
                )));
            }
            object.insert(name.to_owned(), serde_json::json!({ "path": path }));
        }
        for param in info.params.iter().filter(|p| p.location == Location::File) {
            if param.required && !object.contains_key(param.name) {
                return Err(CallError::usage(format!(
                    "{id}: the file part `{0}` is missing; pass it with --file {0}=@PATH",
                    param.name
                )));
            }
        }
        Ok(Body {
            text: Value::Object(object).to_string(),
            origin: self.origin,
        })
    }

    /// Reads the body as the request of `operation`; errors name the field's path.
    pub(crate) fn parse(
        &self,
        id: &str,
        operation: &DynOperation,
    ) -> Result<Box<dyn DynRequest>, CallError> {
        self.check_syntax(id)?;
        let value: Value = serde_json::from_str(&self.text)
            .map_err(|e| CallError::usage(format!("{id}: the body is not JSON: {e}")))?;
        operation
            .read(&value)
            .map_err(|e| CallError::usage(field_error(id, &e)))
    }
}

/// `blackboard.create: unknown field `create_request.titel`; did you mean `title`?` and the like.
fn field_error(id: &str, error: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let inner = error.inner();
    let full = inner.to_string();
    let position = format!(" at line {} column {}", inner.line(), inner.column());
    let message = full.strip_suffix(&position).unwrap_or(&full);
    let path = error.path().to_string();
    let path = if path == "." { String::new() } else { path };
    let join = |name: &str| {
        if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    if message.starts_with("unknown field `")
        && let Some((name, expected)) = quoted.split_first()
    {
        // serde_path_to_error's path already ends with the unknown key.
        let field = if path.rsplit('.').next() == Some(*name) {
            path.clone()
        } else {
            join(name)
        };
        return match suggest::field(name, expected.iter().copied()) {
            Some(near) => format!("{id}: unknown field `{field}`; did you mean `{near}`?"),
            None if expected.is_empty() => {
                format!("{id}: unknown field `{field}`; this object takes no fields")
            }
            None => format!(
                "{id}: unknown field `{field}`; expected one of {}",
                backticked(expected)
            ),
        };
    }
    if message.starts_with("missing field `")
        && let Some(name) = quoted.first()
    {
        return format!("{id}: missing field `{}`", join(name));
    }
    if path.is_empty() {
        format!("{id}: {full}")
    } else {
        format!("{id}: `{path}`: {full}")
    }
}

fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
