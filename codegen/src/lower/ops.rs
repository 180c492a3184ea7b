//! Lowering of operations, and the whole-area checks: usage, unused and cyclic types, which
//! types need client-side checks.

use std::collections::{BTreeMap, BTreeSet};

use super::Ctx;
use super::examples;
use super::types::Role;
use crate::ir::{
    self, Auth, Effect, Envelope, Host, Location, Method, NamedKind, Object, Returns, Type,
    TypeDef, Usage,
};
use crate::names;
use crate::spec;

/// The query parameters the client fills in for `auth: app_signature`.
const APP_SIGNATURE_QUERY: [&str; 3] = ["accessKey", "timestamp", "signature"];

/// The operation id a path gives (GUIDE §1.2).
pub(crate) fn id_from_path(path: &str) -> String {
    let rest = path
        .strip_prefix("/topapi/")
        .or_else(|| path.strip_prefix("/v1.0/"))
        .unwrap_or_else(|| path.trim_start_matches('/'));
    rest.trim_end_matches('/').replace('/', ".")
}

impl Ctx<'_> {
    /// A form or a file makes the body `multipart/form-data`: no JSON body beside it, a method
    /// with a body, and each file's `max_bytes_by` pointing at a required string parameter.
    fn check_multipart(
        &mut self,
        id: &str,
        method: Method,
        params: &mut [ir::Field],
        types: &[TypeDef],
    ) {
        let multipart = params
            .iter()
            .find(|f| f.location.is_some_and(Location::is_multipart));
        let Some(first) = multipart else { return };
        let first = first.wire.clone();
        for f in params.iter() {
            if f.location == Some(Location::Body) {
                self.diags.error(
                    &f.pos,
                    format!(
                        "`{id}` sends a multipart form (`{first}` is `in: form`), so parameter `{}` cannot be `in: body`",
                        f.wire
                    ),
                );
            }
            if f.location == Some(Location::Form) && !matches!(method, Method::Post | Method::Put) {
                self.diags.error(
                    &f.pos,
                    format!(
                        "`{id}` is a {} and sends no form, but `{}` is `in: form`",
                        method.as_str(),
                        f.wire
                    ),
                );
            }
        }
        let selectors: Vec<(String, String, Option<ir::Type>, bool)> = params
            .iter()
            .map(|f| {
                (
                    f.wire.clone(),
                    f.rust.clone(),
                    Some(f.ty.clone()),
                    f.required,
                )
            })
            .collect();
        let enums: BTreeMap<&str, Vec<String>> = types
            .iter()
            .filter_map(|t| match t {
                TypeDef::Enum(e) => Some((
                    e.name.as_str(),
                    e.values
                        .iter()
                        .filter_map(|v| v.value.as_str().map(str::to_owned))
                        .collect(),
                )),
                _ => None,
            })
            .collect();
        for f in params.iter_mut() {
            let Some(by) = f.limits.max_bytes_by.as_mut() else {
                continue;
            };
            let found = selectors.iter().find(|(wire, ..)| *wire == by.field);
            let Some((_, rust, ty, required)) = found else {
                self.diags.error(
                    &f.pos,
                    format!(
                        "`max_bytes_by` of `{}` names `{}`, which is not a parameter of `{id}`",
                        f.wire, by.field
                    ),
                );
                continue;
            };
            let known = match ty {
                Some(ir::Type::String) => None,
                Some(ir::Type::Named(n)) if n.kind == NamedKind::StringEnum => {
                    Some(enums.get(n.name.as_str()).cloned().unwrap_or_default())
                }
                _ => {
                    self.diags.error(
                        &f.pos,
                        format!(
                            "`max_bytes_by` of `{}` needs `{}` to be a string or a string enum",
                            f.wire, by.field
                        ),
                    );
                    continue;
                }
            };
            if !required {
                self.diags.error(
                    &f.pos,
                    format!(
                        "`max_bytes_by` of `{}` needs `{}` to be required",
                        f.wire, by.field
                    ),
                );
            }
            if let Some(known) = &known {
                for (value, _) in &by.values {
                    if !known.contains(value) {
                        self.diags.error(
                            &f.pos,
                            format!("`max_bytes_by` of `{}` lists `{value}`, which is not a value of `{}`", f.wire, by.field),
                        );
                    }
                }
            }
            by.rust = rust.clone();
            by.is_enum = known.is_some();
        }
    }

    pub(crate) fn lower_operation(
        &mut self,
        op: &spec::Operation,
        area: &str,
        types: &[TypeDef],
    ) -> Option<ir::Operation> {
        let id = op.id.value.clone();
        let id_pos = self.pos(&op.id.referenced);
        let path_pos = self.pos(&op.path.referenced);
        let path = op.path.value.clone();
        let title = self.title(&op.title, &format!("operation `{id}`"));
        let action = self.check_id(op, &id, &id_pos, area);
        let templates = crate::ir::path_params(&path)
            .map(|names| names.into_iter().map(str::to_owned).collect::<Vec<_>>());
        if !path.starts_with('/')
            || path.contains(['?', '#', '`'])
            || path.contains(|c: char| c.is_whitespace() || c.is_control())
            || templates.is_err()
        {
            self.diags.error(
                &path_pos,
                format!(
                    "path `{path}` must start with `/` and hold no query, fragment, space or backtick; at most one `{{name}}` template per segment"
                ),
            );
        } else if action.is_none() && id_from_path(&path) != id {
            self.diags.error(
                &id_pos,
                format!(
                    "operation id `{id}` does not match its path `{path}`: the id must be `{}`",
                    id_from_path(&path)
                ),
            );
        }
        let doc_url = match &op.doc {
            Some(doc) => {
                if !doc.value.starts_with("https://")
                    || doc
                        .value
                        .contains(|c: char| c.is_whitespace() || c.is_control())
                {
                    let p = self.pos(&doc.referenced);
                    self.diags.error(
                        &p,
                        format!("`doc` of `{id}` must be an https:// link (no spaces)"),
                    );
                }
                doc.value.clone()
            }
            None => {
                if self.api.is_none() {
                    self.diags.error(
                        &id_pos,
                        format!("operation `{id}` needs `doc`, its documentation page"),
                    );
                }
                String::new()
            }
        };
        let (method, host, auth, envelope) = (
            op.method.value,
            op.host.value,
            op.auth.value,
            op.envelope.value,
        );
        let auth_pos = self.pos(&op.auth.referenced);
        match (auth, host) {
            (Auth::HeaderToken, h) if h != Host::Api => {
                self.diags.error(
                    &auth_pos,
                    format!("`{id}`: `header_token` is the v1.0 credential and needs `host: api`"),
                );
            }
            (Auth::QueryToken, h) if h != Host::Oapi => {
                self.diags.error(&auth_pos, format!("`{id}`: `query_token` is the oapi credential and needs `host: oapi` (v1.0 rejects a token in the query)"));
            }
            (Auth::AppSignature, h) if h != Host::Oapi => self.diags.error(
                &auth_pos,
                format!(
                    "`{id}`: `app_signature` signs the query of an oapi call and needs `host: oapi`"
                ),
            ),
            (Auth::Robot, h) if h != Host::Robot => self.diags.error(
                &auth_pos,
                format!("`{id}`: `auth: robot` needs `host: robot`"),
            ),
            (a, Host::Robot) if a != Auth::Robot => self.diags.error(
                &auth_pos,
                format!("`{id}`: `host: robot` needs `auth: robot`"),
            ),
            _ => {}
        }
        let owner = format!("operation `{id}`");
        let mut params = self.lower_fields(&op.params, Role::Param, &owner);
        self.check_multipart(&id, method, &mut params, types);
        for f in &params {
            let p = &f.pos;
            let credential = match (auth, f.location) {
                (Auth::QueryToken | Auth::Robot, Some(Location::Query)) => f.wire == "access_token",
                (Auth::AppSignature, Some(Location::Query)) => {
                    APP_SIGNATURE_QUERY.contains(&f.wire.as_str())
                }
                (Auth::HeaderToken, Some(Location::Header)) => {
                    f.wire.eq_ignore_ascii_case("x-acs-dingtalk-access-token")
                }
                _ => false,
            };
            if credential {
                self.diags.error(p, format!("`{}` is the credential of `{id}`; the client adds it, so leave it out of `params`", f.wire));
            }
        }
        let path_names = templates.unwrap_or_default();
        self.check_wire(&id, &id_pos, method, &path_names, &params);
        self.check_flattened_keys(&params, types);
        let mut response = self.lower_fields(
            &op.response,
            Role::Response,
            &format!("the response of `{id}`"),
        );
        let returns = self.returns(op, &id, &response);
        if envelope == Envelope::Errcode {
            for f in &mut response {
                f.lenient = f.wire == "errcode" && f.ty == Type::Integer && !f.required;
            }
        }
        for f in &op.response {
            if f.value.flatten.is_some() {
                let p = self.pos(&f.value.name.referenced);
                self.diags
                    .error(&p, "`flatten` is only for request parameters");
            }
        }
        let fn_name = match &op.fn_name {
            Some(f) => {
                if !names::is_snake_ident(&f.value) || names::is_keyword(&f.value) {
                    let p = self.pos(&f.referenced);
                    self.diags.error(
                        &p,
                        format!("`fn_name` `{}` is not a snake_case identifier", f.value),
                    );
                }
                f.value.clone()
            }
            None => names::operation_fn(&id, area).unwrap_or_else(|| "call".to_owned()),
        };
        let request = Object {
            pos: id_pos.clone(),
            name: names::operation_type(&id, "Request"),
            doc_name: None,
            description: format!("{title}: the request of `{id}`."),
            fields: params,
            usage: Usage {
                request: true,
                response: false,
            },
            has_checks: false,
        };
        let response = Object {
            pos: id_pos.clone(),
            name: names::operation_type(
                &id,
                if returns == Returns::Array {
                    "ResponseItem"
                } else {
                    "Response"
                },
            ),
            doc_name: None,
            description: if returns == Returns::Array {
                format!("{title}: one item of the response of `{id}`, a JSON array.")
            } else {
                format!("{title}: the response of `{id}`.")
            },
            fields: response,
            usage: Usage {
                request: false,
                response: true,
            },
            has_checks: false,
        };
        let pagination = op
            .pagination
            .as_ref()
            .and_then(|p| self.lower_pagination(p, &request, &response, types));
        let windows = op
            .windows
            .iter()
            .filter_map(|w| self.lower_window(w, &request, types))
            .collect();
        let mut requires_one_of = Vec::new();
        for group in &op.requires_one_of {
            let mut names = Vec::new();
            for n in group {
                let p = self.pos(&n.referenced);
                match request.fields.iter().find(|f| f.wire == n.value) {
                    Some(f) if f.required => self.diags.error(
                        &p,
                        format!(
                            "`{}` is required anyway; `requires_one_of` lists optional parameters",
                            n.value
                        ),
                    ),
                    Some(_) => {}
                    None => self.diags.error(
                        &p,
                        format!(
                            "`requires_one_of` names `{}`, which is not a parameter of `{id}`",
                            n.value
                        ),
                    ),
                }
                names.push(n.value.clone());
            }
            requires_one_of.push(names);
        }
        let (example_request, example_response) = if self.api.is_some() {
            let request = examples::synthesized(&request, types);
            let response = match returns {
                Returns::Object => examples::synthesized(&response, types),
                Returns::Array => {
                    serde_json::Value::Array(vec![examples::synthesized(&response, types)])
                }
                Returns::Boolean => serde_json::Value::Bool(true),
                Returns::Json => serde_json::json!({"key": "value"}),
                Returns::Empty => serde_json::Value::Null,
            };
            (request, response)
        } else {
            (
                examples::object(&request, types),
                examples::object(&response, types),
            )
        };
        Some(ir::Operation {
            pos: id_pos,
            id,
            title,
            description: op.description.as_ref().map(|d| d.trim().to_owned()),
            doc_url,
            method,
            host,
            path,
            auth,
            envelope,
            effect: op.effect.unwrap_or(Effect::Read),
            fn_name,
            request,
            response,
            pagination,
            windows,
            requires_one_of,
            example_request,
            example_response,
            action,
            returns,
        })
    }

    /// The keys a flattened union puts at the top level must not be sibling parameters.
    fn check_flattened_keys(&mut self, params: &[ir::Field], types: &[TypeDef]) {
        for f in params.iter().filter(|f| f.flatten) {
            let Type::Named(n) = &f.ty else { continue };
            let Some(TypeDef::Union(u)) = types.iter().find(|t| t.name() == n.name) else {
                continue;
            };
            let keys: Vec<&str> = std::iter::once(u.tag.as_str())
                .chain(u.variants.iter().map(|v| v.value.as_str()))
                .collect();
            for other in params {
                if !other.flatten && keys.contains(&other.wire.as_str()) {
                    self.diags.error(
                        &other.pos,
                        format!(
                            "parameter `{}` is also a key of the flattened union `{}`",
                            other.wire, u.name
                        ),
                    );
                }
            }
        }
    }

    /// Whole-area checks once everything is lowered.
    pub(crate) fn finish_area(&mut self, area: &mut ir::Area, had_errors: bool) {
        // Which way each type travels.
        let mut usage: BTreeMap<String, Usage> = BTreeMap::new();
        for op in &area.operations {
            for (obj, dir) in [(&op.request, true), (&op.response, false)] {
                for f in &obj.fields {
                    mark(&f.ty, dir, &area.types, &mut usage);
                }
            }
        }
        for t in &mut area.types {
            let u = usage.get(t.name()).copied().unwrap_or_default();
            // After a type error the intended user of a type may be the field that failed;
            // "never used" would only mislead.
            if u == Usage::default() && !had_errors {
                self.diags.error(
                    t.pos(),
                    format!("type `{}` is never used by an operation", t.name()),
                );
            }
            match t {
                TypeDef::Object(o) => o.usage = u,
                TypeDef::Enum(e) => e.usage = u,
                TypeDef::Union(x) => x.usage = u,
            }
        }
        // Objects that contain themselves (not through a list or a map) cannot be laid out.
        for t in &area.types {
            if let TypeDef::Object(o) = t
                && reaches(&o.name, &o.name, &area.types, &mut BTreeSet::new())
            {
                self.diags
                    .error(&o.pos, format!("type `{}` contains itself", o.name));
            }
        }
        // Which request-side types need a `validate_at`.
        loop {
            let snapshot = checks_of(&area.types);
            let mut changed = false;
            for t in &mut area.types {
                match t {
                    TypeDef::Object(o) => {
                        let c =
                            o.usage.request && o.fields.iter().any(|f| field_checks(f, &snapshot));
                        changed |= c != o.has_checks;
                        o.has_checks = c;
                    }
                    TypeDef::Union(u) => {
                        let c =
                            u.usage.request && u.variants.iter().any(|v| snapshot.contains(&v.ty));
                        changed |= c != u.has_checks;
                        u.has_checks = c;
                    }
                    TypeDef::Enum(_) => {}
                }
            }
            if !changed {
                break;
            }
        }
        let snapshot = checks_of(&area.types);
        for op in &mut area.operations {
            op.request.has_checks = op.request.fields.iter().any(|f| field_checks(f, &snapshot))
                || !op.windows.is_empty()
                || !op.requires_one_of.is_empty();
            for f in op.request.fields.iter_mut().chain(&mut op.response.fields) {
                mark_checked(&mut f.ty, &snapshot);
            }
        }
        // Every reference says whether the type it names has checks: emit needs no lookups.
        for t in &mut area.types {
            match t {
                TypeDef::Object(o) => {
                    for f in &mut o.fields {
                        mark_checked(&mut f.ty, &snapshot);
                    }
                }
                TypeDef::Union(u) => {
                    for v in &mut u.variants {
                        v.checked = snapshot.contains(&v.ty);
                    }
                }
                TypeDef::Enum(_) => {}
            }
        }
    }
}

/// Sets [`ir::NamedRef::checked`] on the named types in `ty`.
fn mark_checked(ty: &mut Type, with_checks: &BTreeSet<String>) {
    match ty {
        Type::Array(t) | Type::Csv(t) | Type::Map(t) => mark_checked(t, with_checks),
        Type::Named(n) => n.checked = with_checks.contains(&n.name),
        _ => {}
    }
}

fn checks_of(types: &[TypeDef]) -> BTreeSet<String> {
    types
        .iter()
        .filter_map(|t| match t {
            TypeDef::Object(o) if o.has_checks => Some(o.name.clone()),
            TypeDef::Union(u) if u.has_checks => Some(u.name.clone()),
            _ => None,
        })
        .collect()
}

/// Whether a request field needs a client-side check (its limits, a time format, or a nested one).
pub(crate) fn field_checks(f: &ir::Field, with_checks: &BTreeSet<String>) -> bool {
    f.limits.any() || type_checks(&f.ty, with_checks)
}

fn type_checks(ty: &Type, with_checks: &BTreeSet<String>) -> bool {
    match ty {
        Type::DateTime => true,
        Type::Array(t) | Type::Csv(t) | Type::Map(t) => type_checks(t, with_checks),
        Type::Named(n) => with_checks.contains(&n.name),
        _ => false,
    }
}

fn mark(ty: &Type, request: bool, types: &[TypeDef], usage: &mut BTreeMap<String, Usage>) {
    match ty {
        Type::Array(t) | Type::Csv(t) | Type::Map(t) => mark(t, request, types, usage),
        Type::Named(n) => {
            let u = usage.entry(n.name.clone()).or_default();
            let seen = if request { u.request } else { u.response };
            if seen {
                return;
            }
            if request {
                u.request = true
            } else {
                u.response = true
            }
            match types.iter().find(|t| t.name() == n.name) {
                Some(TypeDef::Object(o)) => {
                    for f in &o.fields {
                        mark(&f.ty, request, types, usage);
                    }
                }
                Some(TypeDef::Union(u)) => {
                    for v in &u.variants {
                        let vt = Type::Named(ir::NamedRef {
                            name: v.ty.clone(),
                            kind: NamedKind::Object,
                            checked: false,
                        });
                        mark(&vt, request, types, usage);
                    }
                }
                _ => {}
            }
        }
        _ => {}
    }
}

/// Whether `from` contains `target` directly, through fields that are not lists or maps: such a
/// struct would hold itself. Through a list or a map (a tree's `children: Self[]`) it is a
/// heap allocation away, so that is fine.
fn reaches(from: &str, target: &str, types: &[TypeDef], seen: &mut BTreeSet<String>) -> bool {
    if !seen.insert(from.to_owned()) {
        return false;
    }
    let Some(TypeDef::Object(o)) = types.iter().find(|t| t.name() == from) else {
        return false;
    };
    o.fields.iter().any(|f| match &f.ty {
        Type::Named(n) if n.kind == NamedKind::Object => {
            n.name == target || reaches(&n.name, target, types, seen)
        }
        _ => false,
    })
}
