//! The YAML spec as written: serde structs mirroring `spec/README.md`, with source positions.
//!
//! No logic lives here. Unknown keys are rejected (`deny_unknown_fields`); values that later
//! checks may complain about are wrapped in [`S`] so the complaint can point at them.

use serde::Deserialize;
use serde_json::Value;

pub use dingtalk_openapi_model::{
    Auth, Effect, Encode, Envelope, Host, Location, Method, PaginationStyle, Returns,
};

/// A value with the position it was read from.
pub type S<T> = serde_saphyr::Spanned<T>;

/// One spec file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecFile {
    /// Module and feature name.
    pub area: S<String>,
    /// Chinese title, one line.
    pub title: S<String>,
    /// Longer description.
    #[serde(default)]
    pub description: Option<String>,
    /// Where an imported file came from; curated files have none.
    #[serde(default)]
    pub source: Option<S<Source>>,
    /// Operations.
    #[serde(default)]
    pub operations: Vec<S<Operation>>,
    /// Named objects.
    #[serde(default)]
    pub types: Vec<S<ObjectDef>>,
    /// Open enums.
    #[serde(default)]
    pub enums: Vec<S<EnumDef>>,
    /// Tagged unions.
    #[serde(default)]
    pub unions: Vec<S<UnionDef>>,
}

/// The provenance of a file written by `cargo xtask import` (spec/IMPORT.md).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The package read (`alibabacloud-dingtalk`).
    pub package: String,
    /// Its version.
    pub version: String,
    /// The area folder of the package (`contact_1_0`).
    pub module: String,
    /// The API version string its operations state (`contact_1.0`).
    pub api: S<String>,
}

/// An operation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    /// The id.
    pub id: S<String>,
    /// DingTalk's action name (imported files only).
    #[serde(default)]
    pub action: Option<S<String>>,
    /// Chinese title, one line.
    pub title: S<String>,
    /// Longer description.
    #[serde(default)]
    pub description: Option<String>,
    /// Documentation page (optional in imported files only).
    #[serde(default)]
    pub doc: Option<S<String>>,
    /// HTTP method.
    pub method: S<Method>,
    /// Host.
    pub host: S<Host>,
    /// Path.
    pub path: S<String>,
    /// Credential style.
    pub auth: S<Auth>,
    /// Envelope.
    pub envelope: S<Envelope>,
    /// Effect on server state.
    #[serde(default)]
    pub effect: Option<Effect>,
    /// Method name override.
    #[serde(default)]
    pub fn_name: Option<S<String>>,
    /// Parameters.
    #[serde(default)]
    pub params: Vec<S<Field>>,
    /// Response fields (of one item when `returns: array`).
    #[serde(default)]
    pub response: Vec<S<Field>>,
    /// What a successful answer's body is; an object of the response fields by default.
    #[serde(default)]
    pub returns: Option<S<Returns>>,
    /// Pagination.
    #[serde(default)]
    pub pagination: Option<S<Pagination>>,
    /// Time windows.
    #[serde(default)]
    pub windows: Vec<S<Window>>,
    /// Parameter groups of which one must be set.
    #[serde(default)]
    pub requires_one_of: Vec<Vec<S<String>>>,
}

/// A field.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Wire name.
    pub name: S<String>,
    /// Parameter location.
    #[serde(rename = "in", default)]
    pub location: Option<S<Location>>,
    /// Type expression.
    #[serde(rename = "type")]
    pub ty: S<String>,
    /// Required.
    #[serde(default)]
    pub required: Option<S<bool>>,
    /// Chinese description (optional in imported files only).
    #[serde(default)]
    pub description: Option<S<String>>,
    /// How a parameter's value is written (`json`, `repeat`).
    #[serde(default)]
    pub encode: Option<S<Encode>>,
    /// Example in wire form.
    #[serde(default)]
    pub example: Option<S<Value>>,
    /// Documented default.
    #[serde(default)]
    pub default: Option<S<Value>>,
    /// A credential.
    #[serde(default)]
    pub secret: bool,
    /// Union keys at the top level.
    #[serde(default)]
    pub flatten: Option<S<bool>>,
    /// Rust name override.
    #[serde(default)]
    pub rust_name: Option<S<String>>,
    /// Limits.
    #[serde(default)]
    pub limits: Option<S<Limits>>,
}

/// Limits.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Most items.
    #[serde(default)]
    pub max_items: Option<u64>,
    /// Fewest items.
    #[serde(default)]
    pub min_items: Option<u64>,
    /// Smallest number, as written: an integer of up to 64 bits is read exactly.
    #[serde(default)]
    pub min: Option<S<serde_json::Number>>,
    /// Largest number, as written.
    #[serde(default)]
    pub max: Option<S<serde_json::Number>>,
    /// Most characters.
    #[serde(default)]
    pub max_len: Option<u64>,
    /// Fewest characters.
    #[serde(default)]
    pub min_len: Option<u64>,
    /// Most bytes of a file.
    #[serde(default)]
    pub max_bytes: Option<u64>,
    /// Most bytes of a file, by the value of another parameter (`media.upload`'s `type`).
    #[serde(default)]
    pub max_bytes_by: Option<S<MaxBytesBy>>,
}

/// A file's size limit that depends on another parameter's value.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaxBytesBy {
    /// The wire name of the parameter whose value decides.
    pub field: S<String>,
    /// The limit for each value; a value not listed falls back to `max_bytes`.
    pub values: Vec<S<BytesForValue>>,
}

/// One value's file size limit.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BytesForValue {
    /// The parameter's wire value.
    pub value: S<String>,
    /// Most bytes.
    pub max_bytes: u64,
}

/// A named object.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectDef {
    /// Rust name.
    pub name: S<String>,
    /// The table's type name.
    #[serde(default)]
    pub doc_name: Option<String>,
    /// Description (optional in imported files only).
    #[serde(default)]
    pub description: Option<S<String>>,
    /// Fields.
    pub fields: Vec<S<Field>>,
}

/// An open enum.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumDef {
    /// Rust name.
    pub name: S<String>,
    /// `integer` or `string`.
    #[serde(rename = "type")]
    pub ty: S<String>,
    /// Description.
    pub description: String,
    /// Known values.
    pub values: Vec<S<EnumValue>>,
}

/// A known enum value.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    /// Wire value.
    pub value: S<Value>,
    /// Variant name (snake_case in the spec).
    pub name: S<String>,
    /// Description.
    pub description: String,
}

/// A tagged union.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnionDef {
    /// Rust name.
    pub name: S<String>,
    /// Tag key.
    pub tag: S<String>,
    /// Description.
    pub description: String,
    /// Variants.
    pub variants: Vec<S<UnionVariant>>,
}

/// A union variant.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnionVariant {
    /// Tag value and content key.
    pub value: S<String>,
    /// Content object type.
    #[serde(rename = "type")]
    pub ty: S<String>,
    /// Description.
    pub description: String,
}

/// Pagination.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pagination {
    /// Style.
    pub style: S<PaginationStyle>,
    /// Request path of the cursor.
    pub cursor: S<String>,
    /// Request path of the page size.
    pub size: S<String>,
    /// Response path of the next cursor.
    #[serde(default)]
    pub next: Option<S<String>>,
    /// Response path of has_more.
    #[serde(default)]
    pub has_more: Option<S<String>>,
    /// Response path of the items.
    pub items: S<String>,
}

/// A time window.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// Start path.
    pub start: S<String>,
    /// End path.
    pub end: S<String>,
    /// Largest span in days.
    pub max_days: S<u32>,
    /// Tighter span for several items.
    #[serde(default)]
    pub when_many: Option<S<WhenMany>>,
}

/// A tighter window when a list has more than one item.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhenMany {
    /// The list's request path.
    pub list: S<String>,
    /// Largest span in days.
    pub max_days: S<u32>,
}
