//! Variants of an example: paths into a JSON value, the records in it, and the altered responses
//! check (d) must still read (an unknown field everywhere, `{}`, objects emptied or nulled).

use serde_json::{Value, json};

/// A field name no DingTalk object has.
pub(crate) const UNKNOWN_FIELD: &str = "x_unknown_field_for_tests";

/// A step into a JSON value.
#[derive(Debug, Clone)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

pub(crate) fn show(path: &[Seg]) -> String {
    let mut out = String::from("$");
    for seg in path {
        match seg {
            Seg::Key(k) => out.push_str(&format!(".{k}")),
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

pub(crate) fn at_mut<'v>(value: &'v mut Value, path: &[Seg]) -> &'v mut Value {
    path.iter().fold(value, |v, seg| match seg {
        Seg::Key(k) => &mut v[k.as_str()],
        Seg::Index(i) => &mut v[*i],
    })
}

/// The example with an unknown field added to every record (see [`records`]).
fn with_unknown_fields(value: &Value, records: &[Vec<Seg>]) -> Value {
    let mut out = value.clone();
    for path in records {
        if let Value::Object(map) = at_mut(&mut out, path) {
            map.insert(UNKNOWN_FIELD.into(), json!({"nested": [1, "two"]}));
        }
    }
    out
}

/// The response variants that must still deserialize, each with what it is; `records` are the
/// paths of the example's objects that are records of fields (not maps nor untyped JSON).
pub(crate) fn tolerated_variants(example: &Value, records: &[Vec<Seg>]) -> Vec<(String, Value)> {
    let empty = if example.is_array() {
        ("`[]`".to_owned(), json!([]))
    } else {
        ("`{}`".to_owned(), json!({}))
    };
    let mut out = vec![
        empty,
        (
            "an unknown field in every object".to_owned(),
            with_unknown_fields(example, records),
        ),
    ];
    for path in records {
        if !path.is_empty() {
            let mut emptied = example.clone();
            *at_mut(&mut emptied, path) = json!({});
            out.push((format!("{} emptied", show(path)), emptied));
        }
        let mut nulled = example.clone();
        if let Value::Object(map) = at_mut(&mut nulled, path) {
            map.values_mut().for_each(|v| *v = Value::Null);
        }
        out.push((format!("every field of {} null", show(path)), nulled));
    }
    out
}

/// The paths of the objects of `value` that are records of fields, as `schema` (from
/// openapi.json, resolved in `doc`) describes them: not a map (`additionalProperties`, whose
/// values may be records) nor untyped JSON (`{}`, nothing under it is). Where the schema says
/// nothing, every object counts.
pub(crate) fn records(doc: &Value, schema: &Value, value: &Value) -> Vec<Vec<Seg>> {
    let mut out = Vec::new();
    record_paths(doc, schema, value, &mut Vec::new(), &mut out);
    out
}

fn record_paths(
    doc: &Value,
    schema: &Value,
    value: &Value,
    path: &mut Vec<Seg>,
    out: &mut Vec<Vec<Seg>>,
) {
    let schema = crate::enums::resolve(doc, schema);
    let untyped = schema.as_object().is_some_and(|s| {
        [
            "type",
            "$ref",
            "properties",
            "additionalProperties",
            "items",
            "anyOf",
        ]
        .iter()
        .all(|k| !s.contains_key(*k))
    });
    if untyped {
        return;
    }
    match value {
        Value::Object(map) => {
            // `additionalProperties: false` closes a record; a schema there makes a map.
            let values = schema.get("additionalProperties").filter(|v| v.is_object());
            if values.is_none() {
                out.push(path.clone());
            }
            for (k, v) in map {
                let inner = match values {
                    Some(values) => values,
                    None => schema
                        .get("properties")
                        .and_then(|p| p.get(k))
                        .unwrap_or(&Value::Null),
                };
                path.push(Seg::Key(k.clone()));
                record_paths(doc, inner, v, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            let inner = schema.get("items").unwrap_or(&Value::Null);
            for (i, v) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                record_paths(doc, inner, v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}
