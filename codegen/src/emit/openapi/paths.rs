//! `paths`: one operation object per operation, with its parameters, request body, responses,
//! security and `x-dingtalk-*` extensions.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::*;
use crate::ir::{Auth, Encode, Envelope, Location, Method, Operation, Pagination, Returns, Window};

/// `paths`: one path item per path, one operation per method.
pub(super) fn paths(ctx: &Ctx<'_>, api: &Api) -> Map<String, Value> {
    let mut paths = Map::new();
    for (area, op) in api.operations() {
        // Method and path name one operation (curated ids derive from the path, the importer
        // checks its own and skips curated ones), so no method is ever set twice.
        let item = paths
            .entry(op.path.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(item) = item {
            item.insert(
                op.method.as_str().to_ascii_lowercase(),
                operation(ctx, area, op),
            );
        }
    }
    paths
}

/// One operation object.
pub(super) fn operation(ctx: &Ctx<'_>, area: &Area, op: &Operation) -> Value {
    let mut o = Map::new();
    o.insert("operationId".into(), json!(op.id));
    o.insert("tags".into(), json!([area.name]));
    o.insert("summary".into(), json!(op.title));
    if !op.doc_url.is_empty() {
        let doc_line = format!("接口详见: <{}>", op.doc_url);
        o.insert(
            "description".into(),
            json!(join_text(
                op.description.as_deref().unwrap_or(""),
                Some(&doc_line)
            )),
        );
        o.insert(
            "externalDocs".into(),
            json!({ "description": "DingTalk documentation", "url": op.doc_url }),
        );
    }
    o.insert("servers".into(), json!([server(op.host)]));
    let params = parameters(op);
    if !params.is_empty() {
        o.insert("parameters".into(), Value::Array(params));
    }
    if let Some(body) = request_body(ctx, op) {
        o.insert("requestBody".into(), body);
    }
    o.insert("responses".into(), responses(ctx, op));
    o.insert("security".into(), security(op.auth));
    o.insert("x-dingtalk-envelope".into(), json!(op.envelope.as_str()));
    o.insert("x-dingtalk-effect".into(), json!(op.effect.as_str()));
    if let Some(action) = &op.action {
        o.insert("x-dingtalk-action".into(), json!(action));
    }
    if op.returns != Returns::Object {
        o.insert("x-dingtalk-returns".into(), json!(op.returns.as_str()));
    }
    let encoded: Map<String, Value> = op
        .request
        .fields
        .iter()
        .filter(|f| f.encode != Encode::Plain)
        .map(|f| (f.wire.clone(), json!(f.encode.as_str())))
        .collect();
    if !encoded.is_empty() {
        o.insert("x-dingtalk-encode".into(), Value::Object(encoded));
    }
    if let Some(whole) = whole_body(op) {
        o.insert("x-dingtalk-whole-body".into(), json!(whole.wire));
    }
    if let Some(p) = &op.pagination {
        o.insert("x-dingtalk-pagination".into(), pagination(p));
    }
    if !op.windows.is_empty() {
        o.insert(
            "x-dingtalk-windows".into(),
            op.windows.iter().map(window).collect(),
        );
    }
    if !op.requires_one_of.is_empty() {
        o.insert(
            "x-dingtalk-requires-one-of".into(),
            json!(op.requires_one_of),
        );
    }
    Value::Object(o)
}

/// The security requirement of a credential style; `[]` when the operation takes none.
pub(super) fn security(auth: Auth) -> Value {
    match auth {
        Auth::None => json!([]),
        Auth::QueryToken => json!([{ ACCESS_TOKEN_QUERY: [] }]),
        Auth::HeaderToken => json!([{ ACCESS_TOKEN_HEADER: [] }]),
        Auth::Robot => json!([{ ROBOT_TOKEN: [] }]),
        Auth::AppSignature => json!([{ APP_SIGNATURE: [] }]),
    }
}

/// `x-dingtalk-pagination`: the style and the dotted wire paths.
pub(super) fn pagination(p: &Pagination) -> Value {
    let mut o = Map::new();
    o.insert("style".into(), json!(p.style.as_str()));
    o.insert("cursor".into(), json!(p.cursor.wire()));
    o.insert("size".into(), json!(p.size.wire()));
    if let Some(next) = &p.next {
        o.insert("next".into(), json!(next.wire()));
    }
    if let Some(has_more) = &p.has_more {
        o.insert("has_more".into(), json!(has_more.wire()));
    }
    o.insert("items".into(), json!(p.items.wire()));
    Value::Object(o)
}

/// One entry of `x-dingtalk-windows`.
pub(super) fn window(w: &Window) -> Value {
    let mut o = Map::new();
    o.insert("start".into(), json!(w.start.wire()));
    o.insert("end".into(), json!(w.end.wire()));
    o.insert("max_days".into(), json!(w.max_days));
    if let Some((list, max_days)) = &w.when_many {
        o.insert(
            "when_many".into(),
            json!({ "list": list.wire(), "max_days": max_days }),
        );
    }
    Value::Object(o)
}

/// Where a request field goes; top-level fields always have a location, body is the fallback.
pub(super) fn location(field: &Field) -> Location {
    field.location.unwrap_or(Location::Body)
}

/// The query and header parameters, in spec order.
pub(super) fn parameters(op: &Operation) -> Vec<Value> {
    op.request
        .fields
        .iter()
        .filter_map(|f| {
            let place = match location(f) {
                Location::Query => "query",
                Location::Header => "header",
                Location::Path => "path",
                Location::Body | Location::Form | Location::File | Location::WholeBody => {
                    return None;
                }
            };
            // The parameter carries the description and the example; the schema the type and limits.
            let mut schema = type_schema_with_note(&f.ty);
            finish_schema(&mut schema, f);
            let mut p = Map::new();
            p.insert("name".into(), json!(f.wire));
            p.insert("in".into(), json!(place));
            if !f.description.is_empty() {
                p.insert("description".into(), json!(f.description));
            }
            p.insert("required".into(), json!(f.required));
            if f.encode == Encode::Json {
                // OpenAPI's way to say the value is one JSON text.
                p.insert(
                    "content".into(),
                    json!({ "application/json": { "schema": schema } }),
                );
            } else {
                p.insert("schema".into(), Value::Object(schema));
            }
            // An imported operation's examples are made up from its types: not documentation.
            let example = f.example.as_ref().or_else(|| {
                op.action
                    .is_none()
                    .then(|| op.example_request.get(&f.wire))
                    .flatten()
            });
            if let Some(example) = example {
                p.insert("example".into(), example.clone());
            }
            Some(Value::Object(p))
        })
        .collect()
}

/// The parameter that is the whole body, if one is.
fn whole_body(op: &Operation) -> Option<&Field> {
    op.request
        .fields
        .iter()
        .find(|f| location(f) == Location::WholeBody)
}

/// The JSON request body: the body fields as one closed object, the one whole-body value, or
/// the `multipart/form-data` form of an upload. A curated GET has none (an imported one may).
pub(super) fn request_body(ctx: &Ctx<'_>, op: &Operation) -> Option<Value> {
    if op.method == Method::Get && op.action.is_none() {
        return None;
    }
    if let Some(whole) = whole_body(op) {
        let mut schema = type_schema_with_note(&whole.ty);
        finish_schema(&mut schema, whole);
        return Some(json!({
            "required": whole.required,
            "content": { "application/json": { "schema": schema } },
        }));
    }
    let form: Vec<&Field> = op
        .request
        .fields
        .iter()
        .filter(|f| location(f).is_multipart())
        .collect();
    if !form.is_empty() {
        let mut schema = Map::new();
        schema.insert("type".into(), json!("object"));
        object_members(ctx, &mut schema, &form, Side::Request);
        // Each file part goes with its own content type.
        let encoding: Map<String, Value> = form
            .iter()
            .filter(|f| location(f) == Location::File)
            .map(|f| {
                (
                    f.wire.clone(),
                    json!({ "contentType": "application/octet-stream" }),
                )
            })
            .collect();
        return Some(json!({
            "required": form.iter().any(|f| f.required),
            "content": { "multipart/form-data": { "schema": schema, "encoding": encoding } },
        }));
    }
    let fields: Vec<&Field> = op
        .request
        .fields
        .iter()
        .filter(|f| location(f) == Location::Body)
        .collect();
    if fields.is_empty() {
        return None;
    }
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    object_members(ctx, &mut schema, &fields, Side::Request);
    if let Some(any_of) = requires_one_of(ctx, op, &fields) {
        schema.insert("anyOf".into(), any_of);
    }
    let mut media = Map::new();
    media.insert("schema".into(), Value::Object(schema));
    if let Some(example) = body_example(ctx, op, &fields).filter(|_| op.action.is_none()) {
        media.insert("example".into(), example);
    }
    Some(json!({
        "required": fields.iter().any(|f| f.required),
        "content": { "application/json": media },
    }))
}

/// `requires_one_of` as `anyOf` of `required` lists, when every named parameter is a body key.
pub(super) fn requires_one_of(ctx: &Ctx<'_>, op: &Operation, fields: &[&Field]) -> Option<Value> {
    if op.requires_one_of.is_empty() {
        return None;
    }
    let keys: BTreeSet<&str> = fields
        .iter()
        .filter(|f| ctx.flattened_union(f).is_none())
        .map(|f| f.wire.as_str())
        .collect();
    let all_in_body = op
        .requires_one_of
        .iter()
        .flatten()
        .all(|name| keys.contains(name.as_str()));
    all_in_body.then(|| {
        op.requires_one_of
            .iter()
            .map(|group| json!({ "required": group }))
            .collect()
    })
}

/// The body part of the example request: its keys that go in the body, in their order.
pub(super) fn body_example(ctx: &Ctx<'_>, op: &Operation, fields: &[&Field]) -> Option<Value> {
    let Value::Object(all) = &op.example_request else {
        return None;
    };
    let mut plain = BTreeSet::new();
    let mut flattened = BTreeSet::new();
    for f in fields {
        match ctx.flattened_union(f) {
            Some(u) => {
                flattened.insert(f.wire.as_str());
                plain.insert(u.tag.as_str());
                plain.extend(u.variants.iter().map(|v| v.value.as_str()));
            }
            None => {
                plain.insert(f.wire.as_str());
            }
        }
    }
    let mut body = Map::new();
    for (key, value) in all {
        match value {
            // A flattened union given under its field name: its keys are top-level on the wire.
            Value::Object(inner)
                if flattened.contains(key.as_str()) && !plain.contains(key.as_str()) =>
            {
                body.extend(inner.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            _ if plain.contains(key.as_str()) => {
                body.insert(key.clone(), value.clone());
            }
            _ => {}
        }
    }
    (!body.is_empty()).then_some(Value::Object(body))
}

/// `responses`: `200` with the response object, and the v1.0 error for bare envelopes.
pub(super) fn responses(ctx: &Ctx<'_>, op: &Operation) -> Value {
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    let fields: Vec<&Field> = op.response.fields.iter().collect();
    object_members(ctx, &mut schema, &fields, Side::Response);
    // The client reads every envelope code leniently, but the description keeps the documented
    // type, widened only where DingTalk documents a numeric string (the group robot).
    for f in op
        .response
        .fields
        .iter()
        .filter(|f| f.lenient && op.host == Host::Robot)
    {
        if let Some(Value::Object(prop)) = schema
            .get_mut("properties")
            .and_then(|p| p.get_mut(&f.wire))
        {
            allow_numeric_string(prop);
        }
    }
    let schema = match op.returns {
        Returns::Object => Some(Value::Object(schema)),
        Returns::Array => Some(json!({ "type": "array", "items": schema })),
        Returns::Boolean => Some(json!({ "type": "boolean" })),
        Returns::Json => Some(json!({})),
        Returns::Empty => None,
    };
    let mut media = Map::new();
    if let Some(schema) = schema {
        media.insert("schema".into(), schema);
    }
    if !is_empty_example(&op.example_response) && op.action.is_none() {
        media.insert("example".into(), op.example_response.clone());
    }
    let description = match op.envelope {
        Envelope::Errcode => {
            "HTTP 200 for success and failure alike: a non-zero `errcode` (with `errmsg`) reports a failure."
        }
        Envelope::Bare => "Success.",
    };
    let mut out = Map::new();
    out.insert(
        "200".into(),
        if op.returns == Returns::Empty {
            json!({ "description": "Success; the body is not read." })
        } else {
            json!({ "description": description, "content": { "application/json": media } })
        },
    );
    if op.envelope == Envelope::Bare {
        out.insert(
            "default".into(),
            json!({ "$ref": format!("#/components/responses/{V1_ERROR}") }),
        );
    }
    Value::Object(out)
}

/// Whether an assembled example says nothing (no field had an example).
pub(super) fn is_empty_example(example: &Value) -> bool {
    match example {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

/// Widens an integer schema to also accept the integer written as a string.
pub(super) fn allow_numeric_string(schema: &mut Map<String, Value>) {
    let widened = match schema.get("type") {
        Some(Value::String(t)) if t == "integer" => json!(["integer", "string"]),
        Some(Value::Array(types)) if types.iter().any(|t| t == "integer") => {
            let mut types = types.clone();
            types.insert(1, json!("string"));
            Value::Array(types)
        }
        _ => return,
    };
    schema.insert("type".into(), widened);
    schema.insert("pattern".into(), json!(NUMERIC_STRING_PATTERN));
}
