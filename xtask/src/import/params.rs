//! What one operation sends and what it answers: its query, body and header parameters from the
//! request and headers models and the statements of `client.py`, and its response from the
//! response class and `body_type`.

use std::collections::BTreeSet;

use codegen::Diagnostic;

use super::client::{BodyKw, Place, RawOp};
use super::convert::{Ctx, Module, TOKEN};
use super::models::Model;
use super::overrides::Response;
use super::pattern::Problems;
use super::pytype::PyType;
use super::types::{Side, Types, tree_has};
use super::yaml::Field;

/// The query, body and header parameters; the auth style.
#[allow(clippy::too_many_arguments)]
pub(crate) fn request_params(
    m: &Module,
    raw: &RawOp,
    params: &mut Vec<Field>,
    types: &mut Types<'_>,
    ctx: &mut Ctx<'_>,
    cp: &mut Problems,
    mp: &mut Problems,
) -> Option<&'static str> {
    let model = |class: &Option<String>, cp: &mut Problems| -> Option<Option<&Model>> {
        match class {
            None => Some(None),
            Some(c) => match m.models.get(c) {
                Some(model) => Some(Some(model)),
                None => {
                    cp.at(raw.line, format!("class `{c}` is not defined in models.py"));
                    None
                }
            },
        }
    };
    let request = model(&raw.request, cp)?;
    let headers = model(&raw.headers, cp)?;
    let mut sent_fields = BTreeSet::new();
    let mut token = false;
    let (mut json_query, mut repeat, mut extra) = (0, 0, 0);
    for s in &raw.sent {
        if s.place == Place::Header {
            sent_fields.insert(("h", s.field.clone()));
            if s.wire == TOKEN {
                token = true;
                continue;
            }
            let Some(f) = headers.and_then(|h| h.field(&s.field)) else {
                cp.at(
                    s.line,
                    format!("header field `{}` is not in the headers model", s.field),
                );
                continue;
            };
            extra += 1;
            let ty = types.spell(&f.ty, Side::Request, f.line, mp);
            params.push(Field {
                name: s.wire.clone(),
                location: Some("header"),
                ty,
                ..Field::default()
            });
            continue;
        }
        let shrink = raw.shrinks.iter().find(|sh| sh.target == s.field);
        let py = shrink.map_or(s.field.as_str(), |sh| sh.field.as_str());
        let Some(f) = request.and_then(|r| r.field(py)) else {
            cp.at(
                s.line,
                format!("request field `{py}` is not in the request model"),
            );
            continue;
        };
        sent_fields.insert(("r", py.to_owned()));
        if f.wire != s.wire {
            cp.at(
                s.line,
                format!(
                    "sent as `{}` but the model writes `{py}` as `{}`",
                    s.wire, f.wire
                ),
            );
        }
        let mut ty = types.spell(&f.ty, Side::Request, f.line, mp);
        let location = if s.place == Place::Query {
            "query"
        } else {
            "body"
        };
        let encode = match (shrink.map(|sh| sh.style.as_str()), s.place, &f.ty) {
            (Some("json"), Place::Query, _) => {
                json_query += 1;
                Some("json")
            }
            (Some("json"), _, _) => {
                ctx.stats.json_text_body_fields += 1;
                Some("json")
            }
            (Some("simple"), _, PyType::List(item))
                if item.model().is_none()
                    && !matches!(**item, PyType::List(_) | PyType::Map(_)) =>
            {
                ty = format!("csv<{}>", types.spell(item, Side::Request, f.line, mp));
                ctx.stats.csv_fields += 1;
                None
            }
            (Some(style), ..) => {
                cp.at(
                    s.line,
                    format!("unknown shrink style `{style}` for a {} field", f.ty),
                );
                None
            }
            (None, Place::Query, PyType::List(_)) => {
                repeat += 1;
                Some("repeat")
            }
            (None, Place::Query, PyType::Map(_) | PyType::Model(_) | PyType::Json) => {
                cp.at(
                    s.line,
                    format!(
                        "query field `{}` is an object ({}) sent without JSON text: not supported",
                        s.wire, f.ty
                    ),
                );
                None
            }
            _ => None,
        };
        params.push(Field {
            name: s.wire.clone(),
            location: Some(location),
            ty,
            encode,
            required: f.required,
            example: None,
        });
    }
    for sh in &raw.shrinks {
        if !raw.sent.iter().any(|s| s.field == sh.target) {
            cp.at(
                sh.line,
                format!("`{}` is prepared but never sent", sh.target),
            );
        }
    }
    if let BodyKw::Whole(py) = &raw.body {
        match request.and_then(|r| r.field(py)) {
            Some(f) => {
                sent_fields.insert(("r", py.clone()));
                let ty = types.spell(&f.ty, Side::Request, f.line, mp);
                params.push(Field {
                    name: f.wire.clone(),
                    location: Some("whole_body"),
                    ty,
                    required: f.required,
                    ..Field::default()
                });
                ctx.stats.whole_body += 1;
            }
            None => cp.at(
                raw.line,
                format!("the whole body is `request.{py}`, which the request model lacks"),
            ),
        }
    }
    for (tag, model) in [("r", request), ("h", headers)] {
        for f in model.map(|m| m.fields.as_slice()).unwrap_or_default() {
            if f.py != "common_headers" && !sent_fields.contains(&(tag, f.py.clone())) {
                cp.at(
                    raw.line,
                    format!(
                        "field `{}` of `{}` is never sent",
                        f.py,
                        if tag == "r" { "request" } else { "headers" }
                    ),
                );
            }
        }
    }
    let auth = match (
        raw.param("auth_type"),
        token,
        raw.headers.is_some(),
        raw.real_headers,
    ) {
        ("AK", true, true, true) => "header_token",
        ("Anonymous", false, false, false) => {
            ctx.stats.no_token += 1;
            "none"
        }
        (a, ..) => {
            cp.at(
                raw.param_line("auth_type"),
                format!("auth_type `{a}` does not match the headers (token sent: {token})"),
            );
            "none"
        }
    };
    let stats = &mut *ctx.stats;
    stats.json_text_query_fields += json_query;
    stats.json_text_query_ops += usize::from(json_query > 0);
    stats.repeat_fields += repeat;
    stats.repeat_ops += usize::from(repeat > 0);
    stats.extra_header_fields += extra;
    stats.extra_header_ops += usize::from(extra > 0);
    let method = raw.param("method");
    stats.get_delete_with_body += usize::from(
        matches!(method, "GET" | "DELETE") && params.iter().any(|p| p.location == Some("body")),
    );
    if let Some(r) = request {
        stats.no_required_top_level +=
            usize::from(!r.fields.is_empty() && !r.fields.iter().any(|f| f.required));
    }
    Some(auth)
}

pub(crate) type Returned = (Vec<Field>, Option<&'static str>);

/// The response fields and the `returns` form.
#[allow(clippy::too_many_arguments)]
pub(crate) fn response(
    m: &Module,
    raw: &RawOp,
    id: &str,
    types: &mut Types<'_>,
    ctx: &mut Ctx<'_>,
    cp: &mut Problems,
    mp: &mut Problems,
) -> Option<Returned> {
    let Some(wrapper) = m.models.get(&raw.response) else {
        cp.at(
            raw.line,
            format!("class `{}` is not defined in models.py", raw.response),
        );
        return None;
    };
    let names: Vec<&str> = wrapper.fields.iter().map(|f| f.py.as_str()).collect();
    if names != ["headers", "status_code", "body"] && names != ["headers", "status_code"] {
        mp.at(
            wrapper.line,
            format!("a response class holds headers, status_code and body; found {names:?}"),
        );
        return None;
    }
    let body = wrapper.field("body");
    let listed = ctx.overrides.responses.get(id).cloned();
    if let (Some((_, p)), Some(_)) = (&listed, body) {
        ctx.overrides.used.insert(p.clone());
        ctx.override_problems.push(Diagnostic {
            pos: p.clone(),
            message: format!("{id} has a response model in the package: remove this entry"),
        });
    }
    let fields_of = |class: &str, types: &mut Types<'_>, mp: &mut Problems| -> Vec<Field> {
        let model = &m.models[class];
        model
            .fields
            .iter()
            .map(|f| Field {
                name: f.wire.clone(),
                ty: types.spell(&f.ty, Side::Response, f.line, mp),
                ..Field::default()
            })
            .collect()
    };
    let body_type = raw.param("body_type");
    let out = match (body_type, body.map(|b| &b.ty)) {
        ("none", None) => (Vec::new(), Some("none")),
        ("json", None) => {
            ctx.stats.json_without_model += 1;
            match listed {
                Some((r, p)) => {
                    ctx.overrides.used.insert(p);
                    ctx.stats.overrides_applied += 1;
                    match r {
                        Response::Returns(r) => (Vec::new(), Some(r)),
                        Response::Fields(fs) => (
                            fs.into_iter()
                                .map(|(name, ty)| Field {
                                    name,
                                    ty,
                                    ..Field::default()
                                })
                                .collect(),
                            None,
                        ),
                    }
                }
                None => {
                    ctx.stats.json_without_model_unlisted.push(id.to_owned());
                    (Vec::new(), Some("json"))
                }
            }
        }
        ("json", Some(PyType::Model(c))) if m.models.contains_key(c) => {
            (fields_of(c, types, mp), None)
        }
        ("json" | "any", Some(PyType::Json)) => (Vec::new(), Some("json")),
        ("boolean", Some(PyType::Bool)) => (Vec::new(), Some("boolean")),
        ("array", Some(PyType::List(item))) if matches!(&**item, PyType::Model(c) if m.models.contains_key(c)) =>
        {
            let class = item.model().unwrap_or_default();
            (fields_of(class, types, mp), Some("array"))
        }
        (bt, ty) => {
            let shown = ty.map_or("nothing".to_owned(), |t| format!("`{t}`"));
            cp.at(
                raw.param_line("body_type"),
                format!("body_type `{bt}` with a response body of {shown}"),
            );
            return None;
        }
    };
    let body_roots: Vec<&PyType> = body.map(|b| &b.ty).into_iter().collect();
    let req_roots: Vec<&PyType> = raw
        .request
        .as_ref()
        .and_then(|c| m.models.get(c))
        .map(|r| r.fields.iter().map(|f| &f.ty).collect())
        .unwrap_or_default();
    let all: Vec<&PyType> = body_roots.iter().chain(&req_roots).copied().collect();
    // The response wrapper's own `headers` map is not a field of the operation.
    ctx.stats.untyped_ops += usize::from(tree_has(&m.models, &all, &PyType::is_untyped));
    ctx.stats.map_ops += usize::from(tree_has(&m.models, &all, &PyType::is_map));
    ctx.stats.binary_ops += usize::from(tree_has(&m.models, &all, &PyType::is_binary));
    Some(out)
}
