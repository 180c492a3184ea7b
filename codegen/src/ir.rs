//! The resolved model of the API: what the emitters read.
//!
//! Everything here has been validated by `lower`: names are unique and legal, type references
//! resolve, limits fit their types, pagination and window paths point at real fields. Each item
//! keeps both its wire name and its Rust name. Nothing here knows about syn or quote.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::diag::Pos;

pub use dingtalk_openapi_model::{
    Auth, Effect, Encode, Envelope, Host, Location, Method, PaginationStyle, Returns, path_params,
};

/// The whole API.
#[derive(Debug, Clone)]
pub struct Api {
    /// Areas by name (sorted: output order is deterministic).
    pub areas: BTreeMap<String, Area>,
}

impl Api {
    /// Every operation, areas in name order, operations in spec order.
    pub fn operations(&self) -> impl Iterator<Item = (&Area, &Operation)> {
        self.areas
            .values()
            .flat_map(|a| a.operations.iter().map(move |o| (a, o)))
    }
}

/// One spec file: one Rust module, one cargo feature.
#[derive(Debug, Clone)]
pub struct Area {
    /// Where the spec declares it (its `area:` key): diagnostics about it point here.
    pub pos: Pos,
    /// The module and feature name.
    pub name: String,
    /// The spec file it came from, as `spec/<name relative to the spec folder>` (two joined by
    /// `and` when an imported file adds to a curated area).
    pub file: String,
    /// Whether a curated file declares it (else only an imported one does): curated areas are
    /// the crate's default features.
    pub curated: bool,
    /// The Chinese title.
    pub title: String,
    /// An optional longer description.
    pub description: Option<String>,
    /// The Rust name of the area's client, e.g. `BlackboardClient`.
    pub client_type: String,
    /// Operations in spec order.
    pub operations: Vec<Operation>,
    /// Named objects, enums and unions declared in this file, in spec order.
    pub types: Vec<TypeDef>,
}

impl Area {
    /// The declared type with this Rust name.
    pub fn type_def(&self, name: &str) -> Option<&TypeDef> {
        self.types.iter().find(|t| t.name() == name)
    }
}

/// One operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Where the spec declares it (its `id:`).
    pub pos: Pos,
    /// The id, e.g. `blackboard.create`.
    pub id: String,
    /// The Chinese title.
    pub title: String,
    /// An optional longer description.
    pub description: Option<String>,
    /// The documentation page.
    pub doc_url: String,
    /// The method.
    pub method: Method,
    /// The host.
    pub host: Host,
    /// The path.
    pub path: String,
    /// The credential style.
    pub auth: Auth,
    /// The envelope.
    pub envelope: Envelope,
    /// The effect.
    pub effect: Effect,
    /// The method name on the area client.
    pub fn_name: String,
    /// The request type: its fields are the parameters, each with a location.
    pub request: Object,
    /// The response type.
    pub response: Object,
    /// Pagination, if any.
    pub pagination: Option<Pagination>,
    /// Time-window limits.
    pub windows: Vec<Window>,
    /// Groups of top-level parameters of which at least one must be fully set.
    pub requires_one_of: Vec<Vec<String>>,
    /// The documented example request, assembled from the field examples.
    pub example_request: Value,
    /// The documented example response, assembled from the field examples.
    pub example_response: Value,
    /// DingTalk's name of an imported operation, `<api version>/<action>` (`contact_1.0/GetUser`).
    pub action: Option<String>,
    /// What a successful answer's body is; for [`Returns::Array`] the response object is one item.
    pub returns: Returns,
}

impl Operation {
    /// The Rust name of the answer's type: the response object, or for another [`Returns`] an
    /// alias of `Vec<item>`, `bool`, `serde_json::Value` or `()` by the same name.
    pub fn response_type(&self) -> String {
        match self.returns {
            Returns::Object => self.response.name.clone(),
            _ => crate::names::operation_type(&self.id, "Response"),
        }
    }

    /// The operation's full documented URL.
    pub fn url(&self) -> String {
        format!("{}{}", self.host.default_base_url(), self.path)
    }
}

/// A declared type.
#[derive(Debug, Clone)]
pub enum TypeDef {
    /// An object.
    Object(Object),
    /// An open enum.
    Enum(Enum),
    /// A tagged union.
    Union(Union),
}

impl TypeDef {
    /// The Rust name.
    pub fn name(&self) -> &str {
        match self {
            TypeDef::Object(o) => &o.name,
            TypeDef::Enum(e) => &e.name,
            TypeDef::Union(u) => &u.name,
        }
    }

    /// Where the spec declares it.
    pub fn pos(&self) -> &Pos {
        match self {
            TypeDef::Object(o) => &o.pos,
            TypeDef::Enum(e) => &e.pos,
            TypeDef::Union(u) => &u.pos,
        }
    }
}

/// Which way a type travels; decides derives, constructors and validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    /// Sent in a request.
    pub request: bool,
    /// Received in a response.
    pub response: bool,
}

/// An object type (request, response or named).
#[derive(Debug, Clone)]
pub struct Object {
    /// Where the spec declares it (its name; for a request or response, the operation's `id:`).
    pub pos: Pos,
    /// The Rust name.
    pub name: String,
    /// The type name the DingTalk table uses, if any.
    pub doc_name: Option<String>,
    /// The description.
    pub description: String,
    /// Fields in spec order.
    pub fields: Vec<Field>,
    /// Which way it travels.
    pub usage: Usage,
    /// Whether some field, here or nested, has a client-side check.
    pub has_checks: bool,
}

impl Object {
    /// Whether `new` takes the required fields by name, as a `{name}Required` struct: when two
    /// of them would be the same argument type, a positional constructor would let a caller swap
    /// them (title and content, page and size) without a compile error.
    pub fn named_required(&self) -> bool {
        let keys: Vec<String> = self
            .fields
            .iter()
            .filter(|f| f.required)
            .map(|f| argument_key(&f.ty, f.secret))
            .collect();
        keys.iter()
            .enumerate()
            .any(|(i, k)| keys[i + 1..].contains(k))
    }

    /// The name of the struct of required fields, when [`Object::named_required`].
    pub fn required_name(&self) -> String {
        format!("{}Required", self.name)
    }
}

/// What a constructor argument of this type accepts: lists (arrays and comma lists) take any
/// iterable of their items, so those are one kind.
fn argument_key(ty: &Type, secret: bool) -> String {
    match ty {
        Type::Array(item) | Type::Csv(item) => format!("list of {}", argument_key(item, false)),
        Type::Map(value) => format!("map of {}", argument_key(value, false)),
        Type::String if secret => "secret".into(),
        other => format!("{other:?}"),
    }
}

/// A field of an object (or a parameter of an operation).
#[derive(Debug, Clone)]
pub struct Field {
    /// Where the spec declares it (its `name:`).
    pub pos: Pos,
    /// The wire name.
    pub wire: String,
    /// The Rust field name (an identifier, never a keyword).
    pub rust: String,
    /// The type.
    pub ty: Type,
    /// Whether the field cannot be omitted (requests) or is guaranteed (responses).
    pub required: bool,
    /// The Chinese description.
    pub description: String,
    /// The documented example, in wire form.
    pub example: Option<Value>,
    /// The documented default, in wire form.
    pub default: Option<Value>,
    /// A credential: shown nowhere.
    pub secret: bool,
    /// A union whose keys sit at the top level of the enclosing object.
    pub flatten: bool,
    /// An envelope code read from a number or a numeric string (the robot's `errcode`).
    pub lenient: bool,
    /// Where a parameter goes (request top level only).
    pub location: Option<Location>,
    /// How a parameter's value is written there (request top level only).
    pub encode: Encode,
    /// Client-side limits.
    pub limits: Limits,
}

/// Client-side limits of one field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Limits {
    /// Most items in a list.
    pub max_items: Option<u64>,
    /// Fewest items in a list.
    pub min_items: Option<u64>,
    /// Smallest number.
    pub min: Option<Bound>,
    /// Largest number.
    pub max: Option<Bound>,
    /// Most characters in a string.
    pub max_len: Option<u64>,
    /// Fewest characters in a string.
    pub min_len: Option<u64>,
    /// Most bytes of a file.
    pub max_bytes: Option<u64>,
    /// Most bytes of a file, by another parameter's value.
    pub max_bytes_by: Option<MaxBytesBy>,
}

/// A file's size limit that depends on another (required, string or string-enum) parameter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MaxBytesBy {
    /// The deciding parameter's wire name.
    pub field: String,
    /// Its Rust name; filled in when the operation's parameters are known.
    pub rust: String,
    /// Whether it is an open enum (else a string).
    pub is_enum: bool,
    /// The limit for each wire value; other values fall back to `max_bytes`.
    pub values: Vec<(String, u64)>,
}

impl Limits {
    /// Whether any limit is set.
    pub fn any(&self) -> bool {
        *self != Limits::default()
    }
}

/// A `min` or `max`, exactly as the field's type holds it: an integer for `integer` and `int32`
/// fields (in their range), a float for `number` fields.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    /// A limit of an integer field.
    Int(i64),
    /// A limit of a `number` field.
    Float(f64),
}

impl Bound {
    /// Compares with a value of the field, exactly for integers.
    pub fn cmp_value(&self, v: &Value) -> Option<std::cmp::Ordering> {
        match (self, v.as_i64()) {
            (Bound::Int(b), Some(n)) => Some(b.cmp(&n)),
            _ => self.as_f64().partial_cmp(&v.as_f64()?),
        }
    }

    /// The limit as an `f64` (rounded for integers beyond 2^53).
    #[allow(clippy::cast_precision_loss)]
    pub fn as_f64(&self) -> f64 {
        match self {
            Bound::Int(i) => *i as f64,
            Bound::Float(f) => *f,
        }
    }
}

impl PartialOrd for Bound {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Bound::Int(a), Bound::Int(b)) => Some(a.cmp(b)),
            _ => self.as_f64().partial_cmp(&other.as_f64()),
        }
    }
}

impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Bound::Int(i) => write!(f, "{i}"),
            Bound::Float(x) => write!(f, "{x}"),
        }
    }
}

/// A field type.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    /// String.
    String,
    /// i64.
    Integer,
    /// i32.
    Int32,
    /// f64.
    Number,
    /// bool.
    Boolean,
    /// Unix milliseconds.
    EpochMs,
    /// `yyyy-MM-dd HH:mm:ss`.
    DateTime,
    /// Any JSON.
    Json,
    /// A JSON array.
    Array(Box<Type>),
    /// A JSON object with string keys and values of one type.
    Map(Box<Type>),
    /// A comma-joined list in one string.
    Csv(Box<Type>),
    /// A named type declared in the same area.
    Named(NamedRef),
    /// A file sent as a part of a `multipart/form-data` body (request parameters only).
    File,
}

/// A reference to a declared type.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedRef {
    /// The Rust name.
    pub name: String,
    /// What kind of type it is.
    pub kind: NamedKind,
    /// Whether the type has client-side checks, so its containers call its `validate_at`; set
    /// by lower once every type of the area is known.
    pub checked: bool,
}

/// The kind of a named type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedKind {
    /// An object.
    Object,
    /// An enum with integer values.
    IntEnum,
    /// An enum with string values.
    StringEnum,
    /// A tagged union.
    Union,
}

impl Type {
    /// Whether the type is a list (array or comma-joined).
    pub fn is_list(&self) -> bool {
        matches!(self, Type::Array(_) | Type::Csv(_))
    }

    /// Whether the type is a number.
    pub fn is_number(&self) -> bool {
        matches!(self, Type::Integer | Type::Int32 | Type::Number)
    }

    /// Whether the type is a single value (allowed in the query string or a header).
    pub fn is_scalar(&self) -> bool {
        match self {
            Type::String
            | Type::Integer
            | Type::Int32
            | Type::Number
            | Type::Boolean
            | Type::EpochMs => true,
            Type::DateTime | Type::Csv(_) => true,
            Type::Named(n) => matches!(n.kind, NamedKind::IntEnum | NamedKind::StringEnum),
            Type::Json | Type::Array(_) | Type::Map(_) | Type::File => false,
        }
    }
}

/// An open enum.
#[derive(Debug, Clone)]
pub struct Enum {
    /// Where the spec declares it (its name).
    pub pos: Pos,
    /// The Rust name.
    pub name: String,
    /// The description.
    pub description: String,
    /// Whether values are strings (else integers).
    pub string_values: bool,
    /// The known values.
    pub values: Vec<EnumValue>,
    /// Which way it travels.
    pub usage: Usage,
}

/// One known value of an enum.
#[derive(Debug, Clone)]
pub struct EnumValue {
    /// The wire value (an integer or a string).
    pub value: Value,
    /// The Rust variant name.
    pub rust: String,
    /// The description.
    pub description: String,
}

/// A DingTalk-style tagged union: `{"<tag>": "<value>", "<value>": {...}}`.
#[derive(Debug, Clone)]
pub struct Union {
    /// Where the spec declares it (its name).
    pub pos: Pos,
    /// The Rust name.
    pub name: String,
    /// The description.
    pub description: String,
    /// The tag key, e.g. `msgtype`.
    pub tag: String,
    /// The variants.
    pub variants: Vec<UnionVariant>,
    /// Which way it travels.
    pub usage: Usage,
    /// Whether some variant has a client-side check.
    pub has_checks: bool,
}

/// One variant of a union.
#[derive(Debug, Clone)]
pub struct UnionVariant {
    /// The tag value, also the key of the content.
    pub value: String,
    /// The Rust variant name.
    pub rust: String,
    /// The object type of the content.
    pub ty: String,
    /// Whether the content type has client-side checks (see [`NamedRef::checked`]).
    pub checked: bool,
    /// The description.
    pub description: String,
}

/// Pagination of an operation.
#[derive(Debug, Clone)]
pub struct Pagination {
    /// The style.
    pub style: PaginationStyle,
    /// The request path of the cursor.
    pub cursor: FieldPath,
    /// The request path of the page size.
    pub size: FieldPath,
    /// The response path of the next cursor (absent for page numbers).
    pub next: Option<FieldPath>,
    /// The response path of has_more.
    pub has_more: Option<FieldPath>,
    /// The response path of the item list.
    pub items: FieldPath,
    /// The item type.
    pub item_type: Type,
}

/// A resolved path through nested fields.
#[derive(Debug, Clone)]
pub struct FieldPath {
    /// Each step: the wire name, the Rust name and whether that field is required.
    pub steps: Vec<PathStep>,
    /// The type at the end.
    pub ty: Type,
}

/// One step of a [`FieldPath`].
#[derive(Debug, Clone)]
pub struct PathStep {
    /// Wire name.
    pub wire: String,
    /// Rust name.
    pub rust: String,
    /// Whether the field is required (not an `Option`).
    pub required: bool,
}

impl FieldPath {
    /// The path as wire names joined by `.`.
    pub fn wire(&self) -> String {
        self.steps
            .iter()
            .map(|s| s.wire.as_str())
            .collect::<Vec<_>>()
            .join(".")
    }
}

/// A time-window limit.
#[derive(Debug, Clone)]
pub struct Window {
    /// The start field.
    pub start: FieldPath,
    /// The end field (same parent object as the start).
    pub end: FieldPath,
    /// The largest span in days.
    pub max_days: u32,
    /// A tighter span when a list has more than one item.
    pub when_many: Option<(FieldPath, u32)>,
}
