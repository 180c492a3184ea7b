//! OpenAPI schemas → the rows `describe` prints: one per field, nested fields one level deeper,
//! with `$ref`s resolved, nullable unions unwrapped and every documented limit spelled out.

use super::json::Json;

/// How deep nested objects are expanded.
const MAX_DEPTH: usize = 12;
/// Examples longer than this are cut.
const MAX_EXAMPLE: usize = 60;

/// One field of a request or response.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    /// Nesting level: 0 for a top-level parameter or response field.
    pub(crate) depth: usize,
    /// The wire name.
    pub(crate) name: String,
    /// Whether the request cannot omit it (always false for response fields).
    pub(crate) required: bool,
    /// `query`, `body` or `header`, for top-level parameters.
    pub(crate) location: Option<String>,
    /// The type, e.g. `string`, `array of object (BlackboardUser)`, `integer (epoch ms)`.
    pub(crate) ty: String,
    /// Limits, allowed values, default, secrecy.
    pub(crate) notes: Vec<String>,
    /// A documented example, compact JSON (strings quoted).
    pub(crate) example: Option<String>,
    /// The documented description.
    pub(crate) description: Option<String>,
}

/// A field to add: its name and schema, and what the parent knows about it.
pub(crate) struct Field<'a> {
    pub(crate) name: &'a str,
    pub(crate) schema: &'a Json,
    pub(crate) required: bool,
    pub(crate) location: Option<&'a str>,
    /// A parameter's own `example` (parameters carry it beside the schema).
    pub(crate) example: &'a Json,
    /// A parameter's own `description`.
    pub(crate) description: &'a Json,
}

/// Collects rows, resolving `$ref`s against the whole document.
pub(crate) struct Walker<'a> {
    doc: &'a Json,
    rows: Vec<Row>,
    /// Named schemas being expanded, to stop on recursion.
    stack: Vec<&'a str>,
}

impl<'a> Walker<'a> {
    pub(crate) fn new(doc: &'a Json) -> Walker<'a> {
        Walker {
            doc,
            rows: Vec::new(),
            stack: Vec::new(),
        }
    }

    pub(crate) fn finish(self) -> Vec<Row> {
        self.rows
    }

    /// Follows `$ref`s and unwraps `anyOf: [X, null]`; gives the last schema name met.
    pub(crate) fn resolve(&self, mut schema: &'a Json) -> (Option<&'a str>, &'a Json) {
        let mut name = None;
        for _ in 0..16 {
            if let Some(reference) = schema.get("$ref").as_str() {
                let Some(pointer) = reference.strip_prefix("#/") else {
                    break;
                };
                name = pointer.rsplit('/').next();
                schema = self.doc.at(pointer.split('/'));
                continue;
            }
            let members: Vec<&'a Json> = ["anyOf", "oneOf"]
                .iter()
                .flat_map(|k| schema.get(k).as_array())
                .filter(|m| m.get("type").as_str() != Some("null"))
                .collect();
            let has_null = ["anyOf", "oneOf"]
                .iter()
                .flat_map(|k| schema.get(k).as_array())
                .any(|m| m.get("type").as_str() == Some("null"));
            if members.len() == 1 && has_null {
                schema = members[0];
                continue;
            }
            break;
        }
        (name, schema)
    }

    /// The object whose properties a schema lists: itself, or its single `allOf` member.
    fn object_of(&self, schema: &'a Json) -> &'a Json {
        if schema.get("properties").is_null()
            && let [only] = schema.get("allOf").as_array()
        {
            return self.resolve(only).1;
        }
        schema
    }

    /// A row for each property of an object schema, at `depth`.
    pub(crate) fn properties(&mut self, schema: &'a Json, depth: usize) {
        let object = self.object_of(schema);
        let required: Vec<&str> = object.get("required").strings().collect();
        for (name, property) in object.get("properties").entries() {
            self.field(
                Field {
                    name,
                    schema: property,
                    required: required.contains(&name.as_str()),
                    location: None,
                    example: &Json::Null,
                    description: &Json::Null,
                },
                depth,
            );
        }
    }

    /// A row for one field, then rows for whatever it contains.
    pub(crate) fn field(&mut self, field: Field<'a>, depth: usize) {
        let outer = field.schema;
        let (name, schema) = self.resolve(outer);
        let items = match type_names(schema).as_slice() {
            ["array"] => Some(self.resolve(schema.get("items"))),
            _ => None,
        };
        let mut notes = limits(schema);
        if let Some((_, item)) = items {
            notes.extend(limits(item).into_iter().map(|n| format!("items {n}")));
        }
        if schema.get("x-dingtalk-type").as_str() == Some("csv") {
            let (_, item) = self.resolve(schema.get("x-dingtalk-items"));
            notes.extend(values(item).map(|v| format!("items {v}")));
        }
        if field.location.is_some() && secret(outer, schema) {
            notes.push("secret".to_owned());
        }
        let example = [
            field.example,
            outer.get("example"),
            first(outer.get("examples")),
            first(schema.get("examples")),
        ]
        .into_iter()
        .find(|e| !e.is_null())
        .filter(|e| !matches!(e, Json::Object(_)))
        .map(|e| cut(&e.compact()));
        let description = [
            field.description,
            outer.get("description"),
            schema.get("description"),
        ]
        .into_iter()
        .find_map(Json::as_str)
        .map(str::to_owned);
        self.rows.push(Row {
            depth,
            name: field.name.to_owned(),
            required: field.required,
            location: field.location.map(str::to_owned),
            ty: self.type_text(name, schema),
            notes,
            example,
            description,
        });
        // What it contains: an object's fields, or the fields of an array's objects.
        let (inner_name, inner) = match items {
            Some(item) => item,
            None => (name, schema),
        };
        if self.object_of(inner).get("properties").entries().is_empty() || depth >= MAX_DEPTH {
            return;
        }
        if let Some(n) = inner_name {
            if self.stack.contains(&n) {
                if let Some(row) = self.rows.last_mut() {
                    row.notes.push(format!("recursive: as {n} above"));
                }
                return;
            }
            self.stack.push(n);
        }
        self.properties(inner, depth + 1);
        if inner_name.is_some() {
            self.stack.pop();
        }
    }

    /// `string`, `integer (epoch ms)`, `object (BlackboardUser)`, `array of string`, ...
    fn type_text(&self, name: Option<&str>, schema: &'a Json) -> String {
        let base = match schema.get("x-dingtalk-type").as_str() {
            Some("epoch_ms") => "integer (epoch ms)".to_owned(),
            Some("datetime") => "string (yyyy-MM-dd HH:mm:ss)".to_owned(),
            Some("csv") => {
                let (item_name, item) = self.resolve(schema.get("x-dingtalk-items"));
                let item = self.type_text(item_name, item);
                return format!("string (comma-joined {item})");
            }
            _ => {
                let types = type_names(schema);
                match types.as_slice() {
                    ["array"] => {
                        let (item_name, item) = self.resolve(schema.get("items"));
                        return format!("array of {}", self.type_text(item_name, item));
                    }
                    [] if !self.object_of(schema).get("properties").is_null() => {
                        "object".to_owned()
                    }
                    [] if !schema.get("oneOf").is_null() => {
                        let titles: Vec<&str> = schema
                            .get("oneOf")
                            .as_array()
                            .iter()
                            .filter_map(|m| m.get("title").as_str())
                            .collect();
                        format!("one of {}", titles.join(" | "))
                    }
                    [] => "any JSON".to_owned(),
                    ["string"] if schema.get("format").as_str() == Some("password") => {
                        "string (secret)".to_owned()
                    }
                    types => types.join(" or "),
                }
            }
        };
        match name {
            Some(n) => format!("{base} ({n})"),
            None => base,
        }
    }
}

/// The non-null type names of a schema (`type` may be a string or a list).
fn type_names(schema: &Json) -> Vec<&str> {
    match schema.get("type") {
        Json::String(t) if t != "null" => vec![t.as_str()],
        Json::Array(ts) => ts
            .iter()
            .filter_map(Json::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether a field holds a credential.
fn secret(outer: &Json, schema: &Json) -> bool {
    [outer, schema]
        .iter()
        .any(|s| s.get("x-dingtalk-secret").as_bool() == Some(true))
}

/// The first element of an `examples` list.
fn first(examples: &Json) -> &Json {
    examples.as_array().first().unwrap_or(&Json::Null)
}

fn cut(text: &str) -> String {
    if text.chars().count() <= MAX_EXAMPLE {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(MAX_EXAMPLE).collect();
    out.push('…');
    out
}

/// Allowed values: `one of 0 (普通公告), 20 (保密公告)`, `one of text, link`, `= text`.
fn values(schema: &Json) -> Option<String> {
    if let Some(c) = Some(schema.get("const")).filter(|c| !c.is_null()) {
        return Some(format!("= {c}"));
    }
    let labels: Vec<&str> = schema.get("x-enum-descriptions").strings().collect();
    let listed = match schema.get("x-enum-values").as_array() {
        [] => schema.get("enum").as_array(),
        values => values,
    };
    if listed.is_empty() {
        return None;
    }
    let shown: Vec<String> = listed
        .iter()
        .enumerate()
        .map(|(i, v)| match labels.get(i) {
            Some(label) if !label.is_empty() => format!("{v} ({label})"),
            _ => v.to_string(),
        })
        .collect();
    Some(format!("one of {}", shown.join(", ")))
}

/// Every documented limit of a schema, as short phrases.
fn limits(schema: &Json) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(values(schema));
    let number = |k: &str| Some(schema.get(k)).filter(|v| matches!(v, Json::Number(_)));
    match (number("minimum"), number("maximum")) {
        (Some(lo), Some(hi)) => out.push(format!("{lo}..={hi}")),
        (Some(lo), None) => out.push(format!("≥ {lo}")),
        (None, Some(hi)) => out.push(format!("≤ {hi}")),
        (None, None) => {}
    }
    if let Some(v) = number("exclusiveMinimum") {
        out.push(format!("> {v}"));
    }
    if let Some(v) = number("exclusiveMaximum") {
        out.push(format!("< {v}"));
    }
    if let Some(v) = number("minItems") {
        out.push(format!("at least {v} items"));
    }
    if let Some(v) = number("maxItems") {
        out.push(format!("at most {v} items"));
    }
    match (number("minLength"), number("maxLength")) {
        (Some(lo), Some(hi)) if lo == hi => out.push(format!("exactly {lo} characters")),
        (Some(lo), Some(hi)) => out.push(format!("{lo}..={hi} characters")),
        (Some(lo), None) => out.push(format!("at least {lo} characters")),
        (None, Some(hi)) => out.push(format!("at most {hi} characters")),
        (None, None) => {}
    }
    if let Some(p) = schema.get("pattern").as_str()
        && schema.get("x-dingtalk-type").is_null()
    {
        out.push(format!("pattern {p}"));
    }
    let default = schema.get("default");
    if !default.is_null() {
        out.push(format!("default {}", cut(&default.compact())));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Json {
        serde_json::from_str(
            r##"{
              "components": {"schemas": {
                "Level": {"type": "integer", "x-enum-values": [0, 20], "x-enum-descriptions": ["普通", "保密"]},
                "User": {"type": "object", "properties": {
                    "name": {"type": "string", "examples": ["x"]},
                    "boss": {"anyOf": [{"$ref": "#/components/schemas/User"}, {"type": "null"}]}
                }, "required": ["name"]},
                "Req": {"type": "object", "properties": {
                    "level": {"$ref": "#/components/schemas/Level", "description": "保密等级"},
                    "users": {"type": "array", "items": {"$ref": "#/components/schemas/User"}, "maxItems": 20},
                    "size": {"type": "integer", "minimum": 1, "maximum": 30, "default": 10, "examples": [5]},
                    "at": {"type": "integer", "x-dingtalk-type": "epoch_ms"},
                    "ids": {"type": "string", "x-dingtalk-type": "csv", "x-dingtalk-items": {"$ref": "#/components/schemas/Level"}}
                }, "required": ["level"]}
              }}
            }"##,
        )
        .unwrap()
    }

    #[test]
    fn rows_nest_resolve_and_stop_on_recursion() {
        let doc = doc();
        let mut walker = Walker::new(&doc);
        let req = doc.at(["components", "schemas", "Req"]);
        walker.properties(req, 0);
        let rows = walker.finish();
        let shown: Vec<String> = rows
            .iter()
            .map(|r| {
                format!(
                    "{}{}{} | {} | {}",
                    "  ".repeat(r.depth),
                    r.name,
                    if r.required { "*" } else { "" },
                    r.ty,
                    r.notes.join("; ")
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                "level* | integer (Level) | one of 0 (普通), 20 (保密)",
                "users | array of object (User) | at most 20 items",
                "  name* | string | ",
                "  boss | object (User) | recursive: as User above",
                "size | integer | 1..=30; default 10",
                "at | integer (epoch ms) | ",
                "ids | string (comma-joined integer (Level)) | items one of 0 (普通), 20 (保密)",
            ]
        );
        assert_eq!(rows[0].description.as_deref(), Some("保密等级"));
        assert_eq!(rows[4].example.as_deref(), Some("5"));
        assert_eq!(rows[2].example.as_deref(), Some("\"x\""));
    }

    #[test]
    fn long_examples_are_cut() {
        assert_eq!(cut(&"x".repeat(61)).chars().count(), 61);
        assert_eq!(cut("short"), "short");
    }
}
