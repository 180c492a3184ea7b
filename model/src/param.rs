//! One top-level parameter of an operation: its wire name, where it goes and how its value is
//! written there.

/// Where a top-level parameter goes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum Location {
    /// The query string.
    Query,
    /// A key of the JSON body.
    Body,
    /// An HTTP header.
    Header,
    /// A text field of a `multipart/form-data` body.
    Form,
    /// A file part of a `multipart/form-data` body (the spec writes `in: form` with `type: file`).
    File,
    /// A segment of the path: the value replaces `{name}` in the path template, percent-encoded.
    Path,
    /// The whole JSON body (a bare array or any other value that is not an object of keys).
    WholeBody,
}

impl Location {
    /// The value as the spec and the OpenAPI export spell it (`query`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Location::Query => "query",
            Location::Body => "body",
            Location::Header => "header",
            Location::Form => "form",
            Location::File => "file",
            Location::Path => "path",
            Location::WholeBody => "whole_body",
        }
    }

    /// Whether the parameter travels in a `multipart/form-data` body.
    pub const fn is_multipart(self) -> bool {
        matches!(self, Location::Form | Location::File)
    }
}

/// How a parameter's value is written where it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum Encode {
    /// As itself: a JSON value in the body; a scalar's text (a list's items repeated under the
    /// same name) in the query or a header.
    #[default]
    Plain,
    /// As one JSON text: `?filter={"a":1}` in the query, a string holding JSON in the body.
    Json,
    /// A list in the query as numbered keys: `name.1=a&name.2=b`; an object item's fields as
    /// `name.1.key=v`.
    Repeat,
}

impl Encode {
    /// The value as the spec and the OpenAPI export spell it (`json`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Encode::Plain => "plain",
            Encode::Json => "json",
            Encode::Repeat => "repeat",
        }
    }
}

/// One top-level parameter of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Param {
    /// The wire name.
    pub name: &'static str,
    /// Where it goes.
    pub location: Location,
    /// Whether the request cannot omit it.
    pub required: bool,
    /// Whether it is a credential (never logged).
    pub secret: bool,
    /// How its value is written.
    pub encode: Encode,
}

impl Param {
    /// A parameter description, written as itself; used by generated code.
    pub const fn new(name: &'static str, location: Location, required: bool, secret: bool) -> Self {
        Param {
            name,
            location,
            required,
            secret,
            encode: Encode::Plain,
        }
    }

    /// Sets how the value is written.
    pub const fn with_encode(mut self, encode: Encode) -> Self {
        self.encode = encode;
        self
    }
}
