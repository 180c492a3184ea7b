//! Open enums, found through openapi.json: where an example holds an enum-typed value (its schema
//! refers to a component with `x-enum-values`, directly or in a comma-joined list), and a value of
//! the enum's wire type that no enum lists, for check (e).

use serde_json::{Value, json};

use crate::variants::Seg;

/// Where an example holds an enum value, and how to write a value the enum does not list.
#[derive(Debug, Clone)]
pub(crate) struct EnumSite {
    pub(crate) path: Vec<Seg>,
    /// The enum component's name.
    pub(crate) name: String,
    /// The unlisted value to put there.
    pub(crate) unknown: Value,
}

pub(crate) fn resolve<'a>(doc: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..16 {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            match doc.pointer(r.strip_prefix('#').unwrap_or(r)) {
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

/// The enum component a schema refers to (through `anyOf` too), if any.
fn enum_name(doc: &Value, schema: &Value) -> Option<String> {
    let reference = schema
        .get("$ref")
        .or_else(|| {
            schema
                .get("anyOf")?
                .as_array()?
                .iter()
                .find_map(|b| b.get("$ref"))
        })?
        .as_str()?;
    let target = resolve(doc, schema);
    target.get("x-enum-values")?;
    Some(reference.rsplit('/').next().unwrap_or(reference).to_owned())
}

/// A value no enum of this spec lists, of the enum's wire type.
fn unlisted(doc: &Value, schema: &Value) -> Value {
    match resolve(doc, schema).get("type").and_then(Value::as_str) {
        Some("integer") => json!(7),
        _ => json!("unlisted-7"),
    }
}

pub(crate) fn enum_sites(
    doc: &Value,
    schema: &Value,
    value: &Value,
    path: &mut Vec<Seg>,
    out: &mut Vec<EnumSite>,
) {
    if let Some(name) = enum_name(doc, schema) {
        out.push(EnumSite {
            path: path.clone(),
            name,
            unknown: unlisted(doc, schema),
        });
        return;
    }
    if schema.get("x-dingtalk-type").and_then(Value::as_str) == Some("csv")
        && let Some(items) = schema.get("x-dingtalk-items")
        && let Some(name) = enum_name(doc, items)
        && let Value::String(s) = value
    {
        // A comma-joined list of enum values: add an unlisted one.
        let extra = match unlisted(doc, items) {
            Value::String(s) => s,
            other => other.to_string(),
        };
        let joined = if s.is_empty() {
            extra
        } else {
            format!("{s},{extra}")
        };
        out.push(EnumSite {
            path: path.clone(),
            name: format!("csv<{name}>"),
            unknown: Value::String(joined),
        });
        return;
    }
    let resolved = resolve(doc, schema);
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if let Some(property) = resolved.get("properties").and_then(|p| p.get(k)) {
                    path.push(Seg::Key(k.clone()));
                    enum_sites(doc, property, v, path, out);
                    path.pop();
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = resolved.get("items") {
                for (i, v) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    enum_sites(doc, item_schema, v, path, out);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}

/// The schemas of an operation's request (parameters and body properties, or the whole body
/// under its key, as one object) and response, from openapi.json.
pub(crate) fn operation_schemas(doc: &Value, id: &str) -> Option<(Value, Value)> {
    let op = doc["paths"]
        .as_object()?
        .values()
        .flat_map(|item| item.as_object().into_iter().flatten().map(|(_, op)| op))
        .find(|op| op["operationId"] == id)?;
    let mut properties = serde_json::Map::new();
    for param in op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        // A JSON-text parameter carries its schema under `content`.
        let schema = param
            .get("schema")
            .or_else(|| param.pointer("/content/application~1json/schema"));
        if let (Some(name), Some(schema)) = (param["name"].as_str(), schema) {
            properties.insert(name.to_owned(), schema.clone());
        }
    }
    let body = op.pointer("/requestBody/content/application~1json/schema");
    if let (Some(key), Some(body)) = (op["x-dingtalk-whole-body"].as_str(), body) {
        // The request holds the whole body (a bare array, say) under one key.
        properties.insert(key.to_owned(), body.clone());
    } else if let Some(body) = body {
        let body = resolve(doc, body);
        for (k, v) in body
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            properties.insert(k.clone(), v.clone());
        }
    }
    let response = op
        .pointer("/responses/200/content/application~1json/schema")
        .cloned()
        .unwrap_or(Value::Null);
    Some((json!({ "properties": properties }), response))
}
