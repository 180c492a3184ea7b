//! Our OpenAPI 3.1 export turned into the OpenAPI 3.0 that progenitor reads (through the
//! `openapiv3` crate), changing as little as possible.
//!
//! Found by trying progenitor 0.15.1 on `generated/openapi.json`: besides the version string,
//! two 3.1 constructs stop it.
//!
//! - `type: ["string", "null"]`: openapiv3 fails to parse the document ("invalid type: sequence,
//!   expected a string"). Rewritten as `type: "string", nullable: true`; a list with several
//!   non-null types (the group robot's `errcode`: integer or string) becomes an `anyOf` of one
//!   schema per type.
//! - `anyOf: [{$ref: ...}, {type: "null"}]` (a nullable named object): progenitor panics
//!   ("not yet implemented: invalid type: null"). The null member is dropped and the schema gets
//!   `nullable: true`.
//!
//! Other 3.1 constructs parse but lose their meaning in 3.0, so they get their 3.0 equivalent
//! too, for progenitor to see what our generator sees:
//!
//! - `const: v` (the tag of a union variant) becomes `enum: [v]`: without it progenitor makes an
//!   untagged enum whose tags are any JSON value;
//! - a `$ref` with siblings (a property's description) becomes `allOf: [{$ref}]` beside them:
//!   3.0 ignores the siblings of a `$ref`;
//! - schema `examples: [a, ...]` becomes `example: a`;
//! - numeric `exclusiveMinimum`/`exclusiveMaximum` become `minimum`/`maximum` with the boolean;
//! - what 3.0 has no words for is dropped: `propertyNames` (unions that are only sent forbid the
//!   other variants' keys with it), `$comment`, `info.license.identifier`, `info.summary`,
//!   `jsonSchemaDialect`, `webhooks`.

use serde_json::{Map, Value, json};

/// The OpenAPI version written into the converted document.
pub const VERSION: &str = "3.0.3";

/// Schema keywords 3.0 does not have and that have no 3.0 equivalent: dropped.
const DROPPED_KEYWORDS: &[&str] = &["propertyNames", "$comment"];

/// HTTP methods of a path item.
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// What the conversion changed, counted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Changes {
    /// `type` lists rewritten (`nullable`, or an `anyOf` of types).
    pub type_lists: usize,
    /// `{type: "null"}` members dropped from an `anyOf` or `oneOf`.
    pub null_members: usize,
    /// `const` rewritten as a one-value `enum`.
    pub consts: usize,
    /// `$ref`s with siblings wrapped in `allOf`.
    pub ref_siblings: usize,
    /// Schema `examples` rewritten as `example`.
    pub examples: usize,
    /// Numeric `exclusiveMinimum`/`exclusiveMaximum` rewritten.
    pub exclusive_bounds: usize,
    /// Keywords and fields dropped.
    pub dropped: usize,
}

impl Changes {
    /// One line for the report.
    pub fn describe(&self) -> String {
        format!(
            "{} type lists -> nullable/anyOf, {} null members of anyOf/oneOf dropped (nullable), {} const -> enum, \
             {} $ref with siblings -> allOf, {} examples -> example, {} numeric exclusive bounds, {} keywords dropped",
            self.type_lists,
            self.null_members,
            self.consts,
            self.ref_siblings,
            self.examples,
            self.exclusive_bounds,
            self.dropped
        )
    }
}

/// Converts an OpenAPI 3.1 document to 3.0 in place; what changed.
pub fn convert(doc: &mut Value) -> Result<Changes, String> {
    let root = doc
        .as_object_mut()
        .ok_or("the document is not a JSON object")?;
    let version = root.get("openapi").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with("3.") {
        return Err(format!("not an OpenAPI 3 document (openapi: {version:?})"));
    }
    let mut c = Changes::default();
    root.insert("openapi".into(), json!(VERSION));
    for key in ["jsonSchemaDialect", "webhooks"] {
        c.dropped += usize::from(root.remove(key).is_some());
    }
    if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
        c.dropped += usize::from(info.remove("summary").is_some());
        if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut) {
            c.dropped += usize::from(license.remove("identifier").is_some());
        }
    }
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for (key, value) in item.iter_mut() {
                if key == "parameters" {
                    each(value, |p| parameter(p, &mut c));
                } else if METHODS.contains(&key.as_str()) {
                    operation(value, &mut c);
                }
            }
        }
    }
    if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut) {
        for (kind, items) in components.iter_mut() {
            let Some(items) = items.as_object_mut() else {
                continue;
            };
            for item in items.values_mut() {
                match kind.as_str() {
                    "schemas" => schema(item, &mut c),
                    "parameters" | "headers" => parameter(item, &mut c),
                    "requestBodies" => content(item, &mut c),
                    "responses" => response(item, &mut c),
                    _ => {}
                }
            }
        }
    }
    Ok(c)
}

/// Calls `f` on every element of an array.
fn each(v: &mut Value, mut f: impl FnMut(&mut Value)) {
    if let Some(items) = v.as_array_mut() {
        items.iter_mut().for_each(&mut f);
    }
}

/// Calls `f` on every value of an object.
fn each_value(v: &mut Value, mut f: impl FnMut(&mut Value)) {
    if let Some(map) = v.as_object_mut() {
        map.values_mut().for_each(&mut f);
    }
}

fn operation(op: &mut Value, c: &mut Changes) {
    if let Some(params) = op.get_mut("parameters") {
        each(params, |p| parameter(p, c));
    }
    if let Some(body) = op.get_mut("requestBody") {
        content(body, c);
    }
    if let Some(responses) = op.get_mut("responses") {
        each_value(responses, |r| response(r, c));
    }
}

fn response(r: &mut Value, c: &mut Changes) {
    content(r, c);
    if let Some(headers) = r.get_mut("headers") {
        each_value(headers, |h| parameter(h, c));
    }
}

/// A parameter or header: its `schema`, or the schemas of its `content`.
fn parameter(p: &mut Value, c: &mut Changes) {
    if let Some(s) = p.get_mut("schema") {
        schema(s, c);
    }
    content(p, c);
}

/// The schemas of an object's `content` media types.
fn content(v: &mut Value, c: &mut Changes) {
    if let Some(media) = v.get_mut("content") {
        each_value(media, |m| {
            if let Some(s) = m.get_mut("schema") {
                schema(s, c);
            }
        });
    }
}

/// One schema and, first, every schema inside it.
fn schema(v: &mut Value, c: &mut Changes) {
    let Some(s) = v.as_object_mut() else {
        return;
    };
    for key in ["properties", "patternProperties", "$defs"] {
        if let Some(map) = s.get_mut(key) {
            each_value(map, |x| schema(x, c));
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(x) = s.get_mut(key) {
            if x.is_array() {
                each(x, |y| schema(y, c));
            } else {
                schema(x, c);
            }
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(list) = s.get_mut(key) {
            each(list, |x| schema(x, c));
        }
    }
    rewrite(s, c);
}

/// The rewrites of one schema object, its children already done.
fn rewrite(s: &mut Map<String, Value>, c: &mut Changes) {
    if let Some(Value::Array(types)) = s.get("type") {
        let (nulls, rest): (Vec<&Value>, Vec<&Value>) =
            types.iter().partition(|t| t.as_str() == Some("null"));
        let nullable = !nulls.is_empty();
        let replacement = match rest.as_slice() {
            [one] => Some((*one).clone()),
            _ => None,
        };
        let any_of: Vec<Value> = rest.iter().map(|t| json!({ "type": t })).collect();
        c.type_lists += 1;
        match replacement {
            Some(t) => {
                s.insert("type".into(), t);
            }
            None => {
                s.remove("type");
                s.insert("anyOf".into(), Value::Array(any_of));
            }
        }
        if nullable {
            s.insert("nullable".into(), json!(true));
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(list)) = s.get_mut(key) {
            let before = list.len();
            list.retain(|m| *m != json!({ "type": "null" }));
            if list.len() < before {
                c.null_members += before - list.len();
                s.insert("nullable".into(), json!(true));
            }
        }
    }
    if let Some(value) = s.remove("const") {
        s.insert("enum".into(), json!([value]));
        c.consts += 1;
    }
    if let Some(Value::Array(examples)) = s.get("examples") {
        let first = examples.first().cloned();
        s.remove("examples");
        if let Some(first) = first
            && !s.contains_key("example")
        {
            s.insert("example".into(), first);
        }
        c.examples += 1;
    }
    for (key, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(n) = s.get(key).filter(|v| v.is_number()).cloned() {
            s.insert(bound.into(), n);
            s.insert(key.into(), json!(true));
            c.exclusive_bounds += 1;
        }
    }
    for key in DROPPED_KEYWORDS {
        c.dropped += usize::from(s.remove(*key).is_some());
    }
    if s.len() > 1
        && let Some(target) = s.remove("$ref")
    {
        s.insert("allOf".into(), json!([{ "$ref": target }]));
        c.ref_siblings += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rewrite() {
        let mut doc = json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1", "license": {"name": "MIT", "identifier": "MIT"}},
            "paths": {"/a": {"post": {
                "parameters": [{"name": "q", "in": "query", "schema": {"type": ["integer", "null"], "examples": [1]}}],
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/U"}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {
                        "r": {"anyOf": [{"$ref": "#/components/schemas/U"}, {"type": "null"}], "description": "d"},
                        "e": {"type": ["integer", "string", "null"], "pattern": "^-?[0-9]+$"},
                        "k": {"$ref": "#/components/schemas/K", "description": "kind", "examples": [0]},
                        "const": {"type": "string"}
                    }
                }}}}}
            }}},
            "components": {"schemas": {
                "U": {"oneOf": [{"type": "object", "properties": {"msgtype": {"const": "text"}}, "propertyNames": {"enum": ["msgtype"]}}]},
                "K": {"type": "integer", "exclusiveMinimum": 0}
            }}
        });
        let c = convert(&mut doc).unwrap();
        assert_eq!(
            c,
            Changes {
                type_lists: 2,
                null_members: 1,
                consts: 1,
                ref_siblings: 1,
                examples: 2,
                exclusive_bounds: 1,
                dropped: 2,
            }
        );
        assert_eq!(doc["openapi"], "3.0.3");
        assert_eq!(doc["info"]["license"], json!({"name": "MIT"}));
        let q = &doc["paths"]["/a"]["post"]["parameters"][0]["schema"];
        assert_eq!(
            q,
            &json!({"type": "integer", "nullable": true, "example": 1})
        );
        let props = &doc["paths"]["/a"]["post"]["responses"]["200"]["content"]["application/json"]
            ["schema"]["properties"];
        assert_eq!(
            props["r"],
            json!({"anyOf": [{"$ref": "#/components/schemas/U"}], "description": "d", "nullable": true})
        );
        assert_eq!(
            props["e"],
            json!({"pattern": "^-?[0-9]+$", "anyOf": [{"type": "integer"}, {"type": "string"}], "nullable": true})
        );
        assert_eq!(
            props["k"],
            json!({"description": "kind", "example": 0, "allOf": [{"$ref": "#/components/schemas/K"}]})
        );
        // A property named like a keyword is a property, not a keyword.
        assert_eq!(props["const"], json!({"type": "string"}));
        let u = &doc["components"]["schemas"]["U"]["oneOf"][0];
        assert_eq!(u["properties"]["msgtype"], json!({"enum": ["text"]}));
        assert!(u.get("propertyNames").is_none());
        assert_eq!(
            doc["components"]["schemas"]["K"],
            json!({"type": "integer", "exclusiveMinimum": true, "minimum": 0})
        );
        assert!(convert(&mut json!({"swagger": "2.0"})).is_err());
    }

    /// No 3.1 construct is left in the conversion of our real export.
    #[test]
    fn the_real_export_converts_to_plain_3_0() {
        let root = xtask::workspace_root();
        let output = xtask::generate(&root.join("spec"), &root.join("generated"))
            .unwrap_or_else(|e| panic!("the spec does not generate: {e:?}"));
        let mut doc: Value = serde_json::from_slice(&output["openapi.json"]).unwrap();
        let c = convert(&mut doc).unwrap();
        assert!(c.type_lists > 0 && c.null_members > 0, "{c:?}");
        /// `names`: `v` maps names (properties, components) to schemas, not keywords to values.
        fn walk(v: &Value, path: &str, names: bool) {
            match v {
                Value::Object(m) => {
                    if !names {
                        if let Some(t) = m.get("type") {
                            assert!(!t.is_array() && t != "null", "{path}: type {t}");
                        }
                        if m.contains_key("$ref") {
                            assert_eq!(m.len(), 1, "{path}: $ref with siblings");
                        }
                        for k in ["const", "propertyNames"] {
                            assert!(!m.contains_key(k), "{path}: {k}");
                        }
                        assert!(!m.get("examples").is_some_and(Value::is_array), "{path}");
                    }
                    for (k, x) in m {
                        let maps =
                            !names && matches!(k.as_str(), "properties" | "schemas" | "paths");
                        walk(x, &format!("{path}/{k}"), maps);
                    }
                }
                Value::Array(items) => items.iter().for_each(|x| walk(x, path, false)),
                _ => {}
            }
        }
        walk(&doc, "", false);
        assert_eq!(doc["openapi"], VERSION);
    }
}
