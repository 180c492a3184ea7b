//! The type annotations of the SDK's model fields (`str`, `List[int]`, `Dict[str, Any]`,
//! `'ConversationCategoryModel'`, ...) and their spelling in the spec language.

use std::fmt;

/// A field's annotation, as far as the spec cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PyType {
    Str,
    Int,
    Bool,
    Float,
    /// `Any` or a bare `dict`: any JSON.
    Json,
    /// `BinaryIO` or `bytes`: in this SDK always a text field (imported as `string`).
    Binary,
    List(Box<PyType>),
    /// `Dict[str, T]`: a JSON object with string keys.
    Map(Box<PyType>),
    /// A model class of the same module.
    Model(String),
}

impl PyType {
    /// Reads an annotation; `None` for anything this reader does not know.
    pub(crate) fn parse(text: &str) -> Option<PyType> {
        let text = text.trim();
        Some(match text {
            "str" => PyType::Str,
            "int" => PyType::Int,
            "bool" => PyType::Bool,
            "float" => PyType::Float,
            "Any" | "dict" => PyType::Json,
            "BinaryIO" | "bytes" => PyType::Binary,
            _ => {
                if let Some(inner) = text.strip_prefix("List[").and_then(|t| t.strip_suffix(']')) {
                    PyType::List(Box::new(PyType::parse(inner)?))
                } else if let Some(inner) =
                    text.strip_prefix("Dict[").and_then(|t| t.strip_suffix(']'))
                {
                    let value = inner.strip_prefix("str,")?;
                    PyType::Map(Box::new(PyType::parse(value)?))
                } else {
                    let name = text
                        .strip_prefix('\'')
                        .and_then(|t| t.strip_suffix('\''))
                        .unwrap_or(text);
                    let mut chars = name.chars();
                    let first_upper = chars.next().is_some_and(|c| c.is_ascii_uppercase());
                    if !first_upper || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
                        return None;
                    }
                    PyType::Model(name.to_owned())
                }
            }
        })
    }

    /// The model class the type refers to (a type holds at most one), if any.
    pub(crate) fn model(&self) -> Option<&str> {
        match self {
            PyType::List(t) | PyType::Map(t) => t.model(),
            PyType::Model(name) => Some(name),
            _ => None,
        }
    }

    /// Whether the type holds a binary-typed leaf.
    pub(crate) fn is_binary(&self) -> bool {
        match self {
            PyType::List(t) | PyType::Map(t) => t.is_binary(),
            PyType::Binary => true,
            _ => false,
        }
    }

    /// Whether the type holds untyped JSON (`Any`, `dict`).
    pub(crate) fn is_untyped(&self) -> bool {
        match self {
            PyType::List(t) | PyType::Map(t) => t.is_untyped(),
            PyType::Json => true,
            _ => false,
        }
    }

    /// Whether the type is a map (a list of maps is not).
    pub(crate) fn is_map(&self) -> bool {
        matches!(self, PyType::Map(_))
    }

    /// The spec spelling, naming each model class with `name_of`.
    pub(crate) fn spec(&self, name_of: &dyn Fn(&str) -> String) -> String {
        match self {
            PyType::Str | PyType::Binary => "string".to_owned(),
            PyType::Int => "integer".to_owned(),
            PyType::Bool => "boolean".to_owned(),
            PyType::Float => "number".to_owned(),
            PyType::Json => "json".to_owned(),
            PyType::List(t) => format!("{}[]", t.spec(name_of)),
            PyType::Map(t) => format!("map<{}>", t.spec(name_of)),
            PyType::Model(name) => name_of(name),
        }
    }
}

impl fmt::Display for PyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.spec(&|n| n.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_read_as_spec_types() {
        let spec = |t: &str| PyType::parse(t).map(|t| t.spec(&|n| format!("X{n}")));
        assert_eq!(spec("str").as_deref(), Some("string"));
        assert_eq!(spec("List[List[str]]").as_deref(), Some("string[][]"));
        assert_eq!(spec("Dict[str, Any]").as_deref(), Some("map<json>"));
        assert_eq!(spec("List[Dict[str, Any]]").as_deref(), Some("map<json>[]"));
        assert_eq!(
            spec("Dict[str, List[ValueA]]").as_deref(),
            Some("map<XValueA[]>")
        );
        assert_eq!(spec("List['Node']").as_deref(), Some("XNode[]"));
        assert_eq!(spec("BinaryIO").as_deref(), Some("string"));
        assert_eq!(spec("Dict[str, dict]").as_deref(), Some("map<json>"));
        assert_eq!(spec("Dict[int, str]"), None);
        assert_eq!(spec("Optional[str]"), None);
        assert_eq!(spec("tuple"), None);
    }
}
