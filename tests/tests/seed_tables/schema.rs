//! Reading `generated/openapi.json`: resolving `$ref`s, the types a schema admits, object
//! properties, operations and their servers.

use std::fmt::Write as _;

use serde_json::Value;

use crate::seed::Ty;

/// Follows `$ref`s and picks the non-null branch of `anyOf: [X, {type: null}]`.
pub(crate) fn resolve<'a>(doc: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..16 {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let pointer = r.strip_prefix('#').unwrap_or(r);
            match doc.pointer(pointer) {
                Some(target) => schema = target,
                None => return &Value::Null,
            }
        } else if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
            let non_null: Vec<&Value> = branches
                .iter()
                .filter(|b| b.get("type").and_then(Value::as_str) != Some("null"))
                .collect();
            match non_null.as_slice() {
                [one] => schema = one,
                _ => return schema,
            }
        } else {
            return schema;
        }
    }
    schema
}

/// The JSON types a schema allows, `null` left out.
pub(crate) fn types(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether a property schema admits `null` (responses do; requests must not).
pub(crate) fn admits_null(schema: &Value) -> bool {
    let in_type = match schema.get("type") {
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "null"),
        Some(t) => t == "null",
        None => false,
    };
    let in_any_of = schema
        .get("anyOf")
        .and_then(Value::as_array)
        .is_some_and(|bs| {
            bs.iter()
                .any(|b| b.get("type").and_then(Value::as_str) == Some("null"))
        });
    in_type || in_any_of
}

/// A property's `x-dingtalk-type` (on the property itself or on what it refers to).
pub(crate) fn dingtalk_type<'a>(doc: &'a Value, schema: &'a Value) -> Option<&'a str> {
    schema
        .get("x-dingtalk-type")
        .or_else(|| resolve(doc, schema).get("x-dingtalk-type"))
        .and_then(Value::as_str)
}

/// A short account of a schema for failure messages.
pub(crate) fn describe(doc: &Value, schema: &Value) -> String {
    let resolved = resolve(doc, schema);
    let mut out = types(resolved).join("|");
    if out.is_empty() {
        out.push_str("untyped");
    }
    if let Some(format) = resolved.get("format").and_then(Value::as_str) {
        let _ = write!(out, " (format {format})");
    }
    if let Some(t) = dingtalk_type(doc, schema) {
        let _ = write!(out, " (x-dingtalk-type {t})");
    }
    if let Some(name) = resolved.get("x-dingtalk-doc-name").and_then(Value::as_str) {
        let _ = write!(out, " (doc name {name})");
    }
    if types(resolved) == ["array"] {
        let _ = write!(
            out,
            " of {}",
            describe(doc, resolved.get("items").unwrap_or(&Value::Null))
        );
    }
    out
}

/// Checks a property schema against a table type.
pub(crate) fn type_matches(doc: &Value, schema: &Value, ty: &Ty) -> bool {
    let resolved = resolve(doc, schema);
    let ts = types(resolved);
    let format = resolved.get("format").and_then(Value::as_str);
    let dt = dingtalk_type(doc, schema);
    let doc_name = resolved.get("x-dingtalk-doc-name").and_then(Value::as_str);
    match ty {
        Ty::Str => ts == ["string"] && dt.is_none(),
        Ty::Csv => ts == ["string"] && dt == Some("csv"),
        Ty::Date => ts == ["string"] && dt == Some("datetime"),
        Ty::Number => {
            (ts == ["integer"] || ts == ["number"]) && matches!(dt, None | Some("epoch_ms"))
        }
        Ty::Long => {
            ts == ["integer"] && format == Some("int64") && matches!(dt, None | Some("epoch_ms"))
        }
        Ty::Integer => ts == ["integer"] && format == Some("int32") && dt.is_none(),
        Ty::Bool => ts == ["boolean"],
        Ty::Object => ts == ["object"],
        Ty::Named(name) => ts == ["object"] && doc_name == Some(name.as_str()),
        Ty::Array(inner) => {
            ts == ["array"]
                && resolved
                    .get("items")
                    .is_some_and(|items| type_matches(doc, items, inner))
        }
    }
}

/// The object a container row opens: the schema itself or its array items, resolved.
pub(crate) fn object_of<'a>(doc: &'a Value, schema: &'a Value) -> Option<&'a Value> {
    let resolved = resolve(doc, schema);
    if resolved.get("properties").is_some() {
        return Some(resolved);
    }
    if types(resolved) == ["array"] {
        return resolved
            .get("items")
            .and_then(|items| object_of(doc, items));
    }
    None
}

/// A property of an object schema and whether the object requires it.
pub(crate) fn property<'a>(object: &'a Value, name: &str) -> Option<(&'a Value, bool)> {
    let schema = object.get("properties")?.get(name)?;
    let required = object
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|n| n == name));
    Some((schema, required))
}

/// The id the id table gives a path: its segments after `/topapi/` or `/v1.0/` (or `/`), joined by `.`.
pub(crate) fn id_of(path: &str) -> String {
    let rest = path
        .strip_prefix("/topapi/")
        .or_else(|| path.strip_prefix("/v1.0/"))
        .unwrap_or_else(|| path.trim_start_matches('/'));
    rest.replace('/', ".")
}

/// `https://host/path?query` as (host, path).
pub(crate) fn split_url(url: &str) -> Option<(&str, &str)> {
    let rest = url.strip_prefix("https://")?;
    let slash = rest.find('/')?;
    let (host, path) = rest.split_at(slash);
    Some((host, path.split('?').next().unwrap_or(path)))
}

/// Every operation of the document as (operationId, method, path, operation).
pub(crate) fn operations(doc: &Value) -> Vec<(String, String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                out.push((id.to_owned(), method.to_uppercase(), path.clone(), op));
            }
        }
    }
    out
}

/// The URL of the server an operation names, or of the document's first server.
pub(crate) fn server_url<'a>(doc: &'a Value, op: &'a Value) -> Option<&'a str> {
    op.pointer("/servers/0/url")
        .or_else(|| doc.pointer("/servers/0/url"))
        .and_then(Value::as_str)
}
