//! `components`: the schemas of named objects, enums and unions, the shared v1.0 error response
//! and the security schemes; and the schema of every field type with its limits.

use serde_json::{Map, Number, Value, json};

use super::*;
use crate::ir::{Bound, Enum, Limits, NamedKind, Object};

/// `components`: named schemas sorted by name, the v1.0 error response, the security schemes.
pub(super) fn components(ctx: &Ctx<'_>, api: &Api) -> Value {
    let schemas: BTreeMap<&str, Value> = api
        .areas
        .values()
        .flat_map(|a| a.types.iter())
        .map(|t| {
            let schema = match t {
                TypeDef::Object(o) => named_object(ctx, o),
                TypeDef::Enum(e) => enum_schema(e),
                TypeDef::Union(u) => union_schema(u),
            };
            (t.name(), schema)
        })
        .collect();
    let schemas: Map<String, Value> = schemas
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    json!({
        "schemas": schemas,
        "responses": { V1_ERROR: v1_error() },
        "securitySchemes": {
            ACCESS_TOKEN_QUERY: {
                "type": "apiKey",
                "in": "query",
                "name": "access_token",
                "description": "The app's access token (from `gettoken`), in the query string.",
            },
            ACCESS_TOKEN_HEADER: {
                "type": "apiKey",
                "in": "header",
                "name": "x-acs-dingtalk-access-token",
                "description": "The app's access token (from `oauth2.accessToken`), in a header.",
            },
            ROBOT_TOKEN: {
                "type": "apiKey",
                "in": "query",
                "name": "access_token",
                "description": "The group robot's webhook token. A robot secured by signing also needs the \
                    query parameters `timestamp` (Unix time in milliseconds) and `sign`: the Base64 of the \
                    HmacSHA256 of `timestamp + \"\\n\" + secret` keyed with the robot secret, URL-encoded.",
            },
            APP_SIGNATURE: {
                "type": "apiKey",
                "in": "query",
                "name": "signature",
                "description": "The app's signed query of the SNS and login-free calls, computed for every \
                    request (a retry included) and never stored: `accessKey` (the AppKey), `timestamp` (Unix \
                    time in milliseconds; DingTalk refuses one more than a minute off, errcode 853002) and \
                    `signature`: the Base64 of the HmacSHA256 of the timestamp text keyed with the AppSecret, \
                    URL-encoded once. The signature is a credential.",
            },
        },
    })
}

/// The v1.0 failure: an HTTP error status with `{code, message, requestid}`.
pub(super) fn v1_error() -> Value {
    json!({
        "description": "Failure: an HTTP error status with the v1.0 error body.",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "code": { "type": "string", "description": "The error code, e.g. `InvalidAuthentication`." },
                        "message": { "type": "string", "description": "The error message." },
                        "requestid": { "type": "string", "description": "The request id." },
                    },
                },
                "example": {
                    "code": "InvalidAuthentication",
                    "message": "不合法的access_token",
                    "requestid": "7A6F2B4C-1D2E-4F3A-9B8C-0D1E2F3A4B5C",
                },
            },
        },
    })
}

/// The component of a named object.
pub(super) fn named_object(ctx: &Ctx<'_>, o: &Object) -> Value {
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    if !o.description.is_empty() {
        schema.insert("description".into(), json!(o.description));
    }
    if let Some(doc_name) = &o.doc_name {
        schema.insert("x-dingtalk-doc-name".into(), json!(doc_name));
    }
    let fields: Vec<&Field> = o.fields.iter().collect();
    object_members(ctx, &mut schema, &fields, Side::of(o.usage));
    Value::Object(schema)
}

/// Adds `properties`, `required`, the `allOf` of flattened unions and, for requests, the closing
/// `additionalProperties: false` to an object schema.
pub(super) fn object_members(
    ctx: &Ctx<'_>,
    schema: &mut Map<String, Value>,
    fields: &[&Field],
    side: Side,
) {
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut all_of = Vec::new();
    for f in fields {
        match ctx.flattened_union(f) {
            Some(u) => {
                flatten_union(&mut properties, f, u, side);
                if f.required {
                    required.push(json!(u.tag));
                    all_of.push(schema_ref(&u.name));
                } else {
                    // Either no tag at all, or a whole variant.
                    all_of.push(json!({ "anyOf": [schema_ref(&u.name), { "not": { "required": [u.tag] } }] }));
                }
            }
            None => {
                properties.insert(f.wire.clone(), field_schema(f, side));
                if f.required {
                    required.push(json!(f.wire));
                }
            }
        }
    }
    schema.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
    if !all_of.is_empty() {
        schema.insert("allOf".into(), Value::Array(all_of));
    }
    if side == Side::Request {
        schema.insert("additionalProperties".into(), json!(false));
    }
}

/// Lists the tag and every content key of a flattened union as properties of the enclosing object.
pub(super) fn flatten_union(
    properties: &mut Map<String, Value>,
    field: &Field,
    u: &Union,
    side: Side,
) {
    let values: Vec<&str> = u.variants.iter().map(|v| v.value.as_str()).collect();
    let mut tag = Map::new();
    tag.insert("type".into(), json!("string"));
    if !field.description.is_empty() {
        tag.insert("description".into(), json!(field.description));
    }
    if side == Side::Request {
        // The client only sends the variants it knows.
        tag.insert("enum".into(), json!(values));
    } else {
        tag.insert("x-enum-values".into(), json!(values));
    }
    properties.insert(u.tag.clone(), Value::Object(tag));
    for v in &u.variants {
        let mut content = Map::new();
        content.insert("$ref".into(), json!(component_path(&v.ty)));
        if !v.description.is_empty() {
            content.insert("description".into(), json!(v.description));
        }
        properties.insert(v.value.clone(), Value::Object(content));
    }
}

/// The component of an open enum: the wire type, with the known values as annotations.
pub(super) fn enum_schema(e: &Enum) -> Value {
    let values: Vec<&Value> = e.values.iter().map(|v| &v.value).collect();
    let meanings: Vec<String> = e
        .values
        .iter()
        .map(|v| {
            let value = v
                .value
                .as_str()
                .map_or_else(|| v.value.to_string(), str::to_owned);
            if v.description.is_empty() {
                value
            } else {
                format!("{value}: {}", v.description)
            }
        })
        .collect();
    let mut schema = Map::new();
    schema.insert(
        "type".into(),
        json!(if e.string_values { "string" } else { "integer" }),
    );
    schema.insert(
        "description".into(),
        json!(join_text(&e.description, Some(&meanings.join("; ")))),
    );
    schema.insert("examples".into(), json!(values));
    schema.insert("x-enum-values".into(), json!(values));
    schema.insert(
        "x-enum-varnames".into(),
        e.values.iter().map(|v| json!(v.rust)).collect(),
    );
    schema.insert(
        "x-enum-descriptions".into(),
        e.values.iter().map(|v| json!(v.description)).collect(),
    );
    Value::Object(schema)
}

/// The component of a tagged union: `oneOf` one object per variant. A union received in responses
/// also accepts a tag it does not list.
pub(super) fn union_schema(u: &Union) -> Value {
    let mut variants: Vec<Value> = u
        .variants
        .iter()
        .map(|v| {
            let mut o = Map::new();
            o.insert("type".into(), json!("object"));
            o.insert("title".into(), json!(v.value));
            if !v.description.is_empty() {
                o.insert("description".into(), json!(v.description));
            }
            let mut properties = Map::new();
            properties.insert(u.tag.clone(), json!({ "const": v.value }));
            properties.insert(v.value.clone(), schema_ref(&v.ty));
            o.insert("properties".into(), Value::Object(properties));
            o.insert("required".into(), json!([u.tag, v.value]));
            let others: Vec<&str> = u
                .variants
                .iter()
                .map(|w| w.value.as_str())
                .filter(|w| *w != v.value)
                .collect();
            if Side::of(u.usage) == Side::Request && !others.is_empty() {
                // The client sends exactly one content key; received unions are read leniently.
                o.insert("propertyNames".into(), json!({ "not": { "enum": others } }));
            }
            Value::Object(o)
        })
        .collect();
    if Side::of(u.usage) == Side::Response {
        let known: Vec<&str> = u.variants.iter().map(|v| v.value.as_str()).collect();
        variants.push(json!({
            "type": "object",
            "title": "other",
            "description": "A variant this document does not list: kept, not rejected.",
            "properties": { u.tag.as_str(): { "type": "string", "not": { "enum": known } } },
            "required": [u.tag],
        }));
    }
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    if !u.description.is_empty() {
        schema.insert("description".into(), json!(u.description));
    }
    schema.insert("x-dingtalk-tag".into(), json!(u.tag));
    schema.insert("oneOf".into(), Value::Array(variants));
    Value::Object(schema)
}

/// The schema of one property: its type, the Chinese description, limits, default, example and
/// secrecy; nullable when it is an optional field of a received object.
pub(super) fn field_schema(f: &Field, side: Side) -> Value {
    let (mut schema, note) = type_schema(&f.ty);
    let description = match note {
        Some(note) => join_text(&f.description, Some(&note)),
        None => f.description.clone(),
    };
    if !description.is_empty() {
        schema.insert("description".into(), json!(description));
    }
    finish_schema(&mut schema, f);
    if let Some(example) = &f.example {
        schema.insert("examples".into(), json!([example]));
    }
    if side == Side::Response && !f.required {
        schema = nullable(schema);
    }
    Value::Object(schema)
}

/// Adds a field's limits, default and secrecy to its type schema.
pub(super) fn finish_schema(schema: &mut Map<String, Value>, f: &Field) {
    apply_limits(schema, &f.ty, &f.limits);
    if let Some(default) = &f.default {
        schema.insert("default".into(), default.clone());
    }
    if f.secret {
        if schema.get("type") == Some(&json!("string")) && !schema.contains_key("format") {
            schema.insert("format".into(), json!("password"));
        }
        schema.insert("x-dingtalk-secret".into(), json!(true));
    }
}

/// Makes a schema also accept `null`.
pub(super) fn nullable(schema: Map<String, Value>) -> Map<String, Value> {
    match schema.get("type") {
        Some(Value::String(t)) => {
            let t = t.clone();
            let mut schema = schema;
            schema.insert("type".into(), json!([t, "null"]));
            schema
        }
        Some(Value::Array(types)) => {
            let mut types = types.clone();
            if !types.contains(&json!("null")) {
                types.push(json!("null"));
            }
            let mut schema = schema;
            schema.insert("type".into(), Value::Array(types));
            schema
        }
        // A reference cannot take a `type`: offer `null` beside it; the annotations stay outside.
        _ if schema.contains_key("$ref") => {
            let mut out = Map::new();
            let mut rest = Map::new();
            let mut target = Value::Null;
            for (k, v) in schema {
                if k == "$ref" {
                    target = v;
                } else {
                    rest.insert(k, v);
                }
            }
            out.insert(
                "anyOf".into(),
                json!([{ "$ref": target }, { "type": "null" }]),
            );
            out.extend(rest);
            out
        }
        // `json`: anything, `null` included.
        _ => schema,
    }
}

/// The schema of a type with its English note (for `epoch_ms` and `csv`) as the description.
pub(super) fn type_schema_with_note(ty: &Type) -> Map<String, Value> {
    let (mut schema, note) = type_schema(ty);
    if let Some(note) = note {
        schema.insert("description".into(), json!(note));
    }
    schema
}

/// The schema of a type, and the note that explains its wire form where the type alone does not.
pub(super) fn type_schema(ty: &Type) -> (Map<String, Value>, Option<String>) {
    let mut s = Map::new();
    let mut note = None;
    match ty {
        Type::String => {
            s.insert("type".into(), json!("string"));
        }
        Type::Integer => {
            s.insert("type".into(), json!("integer"));
            s.insert("format".into(), json!("int64"));
        }
        Type::Int32 => {
            s.insert("type".into(), json!("integer"));
            s.insert("format".into(), json!("int32"));
        }
        Type::Number => {
            s.insert("type".into(), json!("number"));
            s.insert("format".into(), json!("double"));
        }
        Type::Boolean => {
            s.insert("type".into(), json!("boolean"));
        }
        Type::EpochMs => {
            s.insert("type".into(), json!("integer"));
            s.insert("format".into(), json!("int64"));
            s.insert("x-dingtalk-type".into(), json!("epoch_ms"));
            note = Some(EPOCH_MS_NOTE.to_owned());
        }
        Type::DateTime => {
            s.insert("type".into(), json!("string"));
            s.insert("pattern".into(), json!(DATETIME_PATTERN));
            s.insert("x-dingtalk-type".into(), json!("datetime"));
        }
        Type::Json => {}
        Type::Array(item) => {
            s.insert("type".into(), json!("array"));
            s.insert("items".into(), Value::Object(type_schema_with_note(item)));
        }
        Type::Map(value) => {
            s.insert("type".into(), json!("object"));
            s.insert(
                "additionalProperties".into(),
                Value::Object(type_schema_with_note(value)),
            );
        }
        Type::Csv(item) => {
            s.insert("type".into(), json!("string"));
            if integer_like(item) {
                s.insert("pattern".into(), json!(INTEGER_CSV_PATTERN));
            }
            s.insert("x-dingtalk-type".into(), json!("csv"));
            s.insert(
                "x-dingtalk-items".into(),
                Value::Object(type_schema_with_note(item)),
            );
            note = Some(format!(
                "A comma-joined list of {}, in one string.",
                csv_items(item)
            ));
        }
        Type::Named(n) => {
            s.insert("$ref".into(), json!(component_path(&n.name)));
        }
        // OpenAPI 3.1's spelling of a binary form part.
        Type::File => {
            s.insert("type".into(), json!("string"));
            s.insert("contentMediaType".into(), json!("application/octet-stream"));
        }
    }
    (s, note)
}

/// Whether values of a type are written as JSON integers.
pub(super) fn integer_like(ty: &Type) -> bool {
    match ty {
        Type::Integer | Type::Int32 | Type::EpochMs => true,
        Type::Named(n) => n.kind == NamedKind::IntEnum,
        _ => false,
    }
}

/// What a comma-joined list holds, for its note.
pub(super) fn csv_items(item: &Type) -> String {
    match item {
        Type::String => "strings".into(),
        Type::Integer | Type::Int32 => "integers".into(),
        Type::Number => "numbers".into(),
        Type::Boolean => "booleans".into(),
        Type::EpochMs => "Unix times in milliseconds".into(),
        Type::DateTime => "date-times".into(),
        Type::Named(n) => format!("{} values", n.name),
        Type::Json | Type::Array(_) | Type::Map(_) | Type::Csv(_) => "values".into(),
        Type::File => "files".into(),
    }
}

/// Adds limits where they apply: list lengths to the list, value limits to the value (the items of
/// a list). A comma-joined list is a string, so its lengths are extensions.
pub(super) fn apply_limits(schema: &mut Map<String, Value>, ty: &Type, limits: &Limits) {
    let value_limits = Limits {
        max_items: None,
        min_items: None,
        ..limits.clone()
    };
    match ty {
        Type::Array(item) => {
            insert_count(schema, "minItems", limits.min_items);
            insert_count(schema, "maxItems", limits.max_items);
            if let Some(Value::Object(items)) = schema.get_mut("items") {
                apply_limits(items, item, &value_limits);
            }
        }
        Type::Csv(item) => {
            insert_count(schema, "x-min-items", limits.min_items);
            insert_count(schema, "x-max-items", limits.max_items);
            if let Some(Value::Object(items)) = schema.get_mut("x-dingtalk-items") {
                apply_limits(items, item, &value_limits);
            }
        }
        _ => {
            if let Some(min) = limits.min.and_then(limit_number) {
                schema.insert("minimum".into(), min);
            }
            if let Some(max) = limits.max.and_then(limit_number) {
                schema.insert("maximum".into(), max);
            }
            insert_count(schema, "minLength", limits.min_len);
            insert_count(schema, "maxLength", limits.max_len);
            insert_count(schema, "x-dingtalk-max-bytes", limits.max_bytes);
            if let Some(by) = &limits.max_bytes_by {
                let values: Map<String, Value> = by
                    .values
                    .iter()
                    .map(|(value, max)| (value.clone(), json!(max)))
                    .collect();
                schema.insert(
                    "x-dingtalk-max-bytes-by".into(),
                    json!({ "field": by.field, "values": values }),
                );
            }
        }
    }
}

/// Inserts a count limit when it is set.
pub(super) fn insert_count(schema: &mut Map<String, Value>, key: &str, count: Option<u64>) {
    if let Some(count) = count {
        schema.insert(key.into(), json!(count));
    }
}

/// A limit as a JSON number, exactly: an integer for integer fields (`1`, not `1.0`), else a
/// float (`None` for a non-finite one, which the spec check refuses).
pub(super) fn limit_number(v: Bound) -> Option<Value> {
    match v {
        Bound::Int(i) => Some(json!(i)),
        Bound::Float(f) => Number::from_f64(f).map(Value::Number),
    }
}

/// `{"$ref": "#/components/schemas/<name>"}`.
pub(super) fn schema_ref(name: &str) -> Value {
    json!({ "$ref": component_path(name) })
}

/// The JSON pointer of a named schema.
pub(super) fn component_path(name: &str) -> String {
    format!("#/components/schemas/{name}")
}

/// Two texts as paragraphs; either may be empty.
pub(super) fn join_text(first: &str, second: Option<&str>) -> String {
    match second.filter(|s| !s.is_empty()) {
        Some(second) if !first.is_empty() => format!("{first}\n\n{second}"),
        Some(second) => second.to_owned(),
        None => first.to_owned(),
    }
}
