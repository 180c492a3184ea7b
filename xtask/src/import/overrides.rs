//! `spec/import-overrides.yaml`: what the package gets wrong or does not say, as data.
//!
//! Sections (all optional): `skip` (operations a curated spec file already holds, by method and
//! path), `responses` (the body of operations that declare a JSON response without a model),
//! `dropped_path_args` (path arguments the SDK declares and never sends), `titles` (area
//! titles), `required` (required flags the package lacks), `examples` (a value the made-up
//! example must not invent, where the server takes only certain values) and `pagination` (the
//! items of a `nextToken` list whose answer has several lists, or a list kept unpaged). Every
//! entry is checked: an
//! unknown key, an operation, field or area the package does not have, a duplicate, or an
//! entry that contradicts the package or another entry is a located problem
//! `FILE:LINE:COLUMN: error: ...`, and so is an entry the import never used.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use codegen::Diagnostic;
use codegen::diag::Pos;
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};

type S<T> = serde_saphyr::Spanned<T>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    skip: Option<Vec<S<SkipEntry>>>,
    #[serde(default)]
    responses: Option<Vec<S<ResponseEntry>>>,
    #[serde(default)]
    dropped_path_args: Option<Vec<S<DroppedEntry>>>,
    #[serde(default)]
    titles: Option<Titles>,
    #[serde(default)]
    required: Option<Vec<S<RequiredEntry>>>,
    #[serde(default)]
    examples: Option<Vec<S<ExampleEntry>>>,
    #[serde(default)]
    pagination: Option<Vec<S<PagingEntry>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExampleEntry {
    #[serde(default)]
    op: Option<S<String>>,
    #[serde(default)]
    param: Option<S<String>>,
    #[serde(default, rename = "type")]
    ty: Option<S<String>>,
    #[serde(default)]
    field: Option<S<String>>,
    example: serde_json::Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PagingEntry {
    op: S<String>,
    #[serde(default)]
    items: Option<S<String>>,
    #[serde(default)]
    paged: Option<S<bool>>,
}

/// What an overrides' `pagination` entry says of an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Paging {
    /// `items: NAME`: the answer's list that holds the items, among several.
    Items(String),
    /// `paged: false`: the operation stays unpaged although the rule would page it.
    Off,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SkipEntry {
    method: S<String>,
    path: S<String>,
    reason: S<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponseEntry {
    op: S<String>,
    #[serde(default)]
    returns: Option<S<String>>,
    #[serde(default)]
    response: Option<Vec<S<ResponseField>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponseField {
    name: S<String>,
    #[serde(rename = "type")]
    ty: S<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DroppedEntry {
    op: S<String>,
    arg: S<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequiredEntry {
    #[serde(default)]
    op: Option<S<String>>,
    #[serde(default)]
    param: Option<S<String>>,
    #[serde(default, rename = "type")]
    ty: Option<S<String>>,
    #[serde(default)]
    field: Option<S<String>>,
}

/// A YAML mapping read in order, keys with their positions.
struct Titles(Vec<(S<String>, S<String>)>);

impl<'de> Deserialize<'de> for Titles {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Titles;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping of area to title")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Titles, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    out.push(entry);
                }
                Ok(Titles(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// The response an override gives an operation.
#[derive(Debug, Clone)]
pub(crate) enum Response {
    /// `returns: json | none`.
    Returns(&'static str),
    /// `response: [{name, type}]`: an object of these fields.
    Fields(Vec<(String, String)>),
}

/// The overrides, checked for shape; [`Overrides::unused`] reports the entries no operation
/// matched.
#[derive(Debug, Default)]
pub(crate) struct Overrides {
    /// `(method, path)` → (reason, position).
    pub skip: BTreeMap<(String, String), (String, Pos)>,
    pub responses: BTreeMap<String, (Response, Pos)>,
    /// `(op id, argument)`.
    pub dropped: BTreeMap<(String, String), Pos>,
    /// Base area (the area without its version suffix) → title.
    pub titles: BTreeMap<String, (String, Pos)>,
    /// `(op id, parameter wire name)`.
    pub required_params: BTreeMap<(String, String), Pos>,
    /// `(type name, field wire name)`.
    pub required_fields: BTreeMap<(String, String), Pos>,
    /// `(op id, parameter wire name)` → the example value.
    pub example_params: BTreeMap<(String, String), (serde_json::Value, Pos)>,
    /// `(type name, field wire name)` → the example value.
    pub example_fields: BTreeMap<(String, String), (serde_json::Value, Pos)>,
    /// Op id → what its `pagination` entry says.
    pub paging: BTreeMap<String, (Paging, Pos)>,
    /// The positions of the entries the import used.
    pub used: BTreeSet<Pos>,
}

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "DELETE", "PATCH"];

fn pos<T>(file: &str, s: &S<T>) -> Pos {
    Pos::new(file, s.referenced.line(), s.referenced.column())
}

/// Whether `id` looks like `<area>.<Action>`.
fn is_op_id(id: &str) -> bool {
    id.split_once('.').is_some_and(|(a, b)| {
        !a.is_empty()
            && !b.is_empty()
            && !b.contains('.')
            && a.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    })
}

/// Reports `s` unless it looks like an operation id.
fn check_op(file: &str, s: &S<String>, problem: &mut dyn FnMut(Pos, String)) {
    if !is_op_id(&s.value) {
        problem(
            pos(file, s),
            format!("`{}` is not an operation id `<area>.<Action>`", s.value),
        );
    }
}

/// What a `required` or `examples` entry names: an operation's parameter or a type's field.
enum Target {
    /// `{op, param}`.
    Param,
    /// `{type, field}`.
    Field,
}

/// Reads the `{op, param}` or `{type, field}` half of an entry: which kind, the key and where
/// it stands. Any other mix is a problem worded by `shape`, located at the entry's first key.
fn target(
    file: &str,
    op: Option<S<String>>,
    param: Option<S<String>>,
    ty: Option<S<String>>,
    field: Option<S<String>>,
    shape: &str,
    problem: &mut dyn FnMut(Pos, String),
) -> Option<(Target, (String, String), Pos)> {
    match (op, param, ty, field) {
        (Some(op), Some(param), None, None) => {
            check_op(file, &op, problem);
            Some((
                Target::Param,
                (op.value.clone(), param.value),
                pos(file, &op),
            ))
        }
        (None, None, Some(ty), Some(field)) => {
            let p = pos(file, &ty);
            Some((Target::Field, (ty.value, field.value), p))
        }
        (op, _, ty, _) => {
            let at = op
                .as_ref()
                .or(ty.as_ref())
                .map_or(Pos::new(file, 1, 1), |s| pos(file, s));
            problem(at, shape.to_owned());
            None
        }
    }
}

/// The `(op, param)` and `(type, field)` maps of one section.
type TargetMaps<'a, V> = (
    &'a mut BTreeMap<(String, String), V>,
    &'a mut BTreeMap<(String, String), V>,
);

/// Files `value` under `key` in the map its target names; a second entry for a key is a problem
/// at `p`.
fn file_once<V>(
    (params, fields): TargetMaps<'_, V>,
    target: Target,
    key: (String, String),
    value: V,
    p: Pos,
    problem: &mut dyn FnMut(Pos, String),
) {
    let into = match target {
        Target::Param => params,
        Target::Field => fields,
    };
    let twice = format!("`{}` `{}` is listed twice", key.0, key.1);
    if into.insert(key, value).is_some() {
        problem(p, twice);
    }
}

/// Reads the overrides from `text`, shown as `file` in problems.
pub(crate) fn parse(file: &str, text: &str) -> Result<Overrides, Vec<Diagnostic>> {
    let raw: File = serde_saphyr::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        let message = e.without_snippet().to_string();
        let message = message.lines().next().unwrap_or("invalid YAML");
        let message = message.find(" at line ").map_or(message, |i| &message[..i]);
        vec![Diagnostic {
            pos: Pos::new(file, line, column),
            message: message.to_owned(),
        }]
    })?;
    let mut out = Overrides::default();
    let mut problems = Vec::new();
    let mut problem = |p: Pos, m: String| problems.push(Diagnostic { pos: p, message: m });
    for e in raw.skip.unwrap_or_default() {
        let e = e.value;
        if !METHODS.contains(&e.method.value.as_str()) {
            problem(
                pos(file, &e.method),
                format!("unknown method `{}`", e.method.value),
            );
        }
        let key = (e.method.value.clone(), e.path.value.clone());
        if let Some((_, first)) = out.skip.insert(key, (e.reason.value, pos(file, &e.method))) {
            problem(
                pos(file, &e.method),
                format!(
                    "a second skip of {} {} (first at line {})",
                    e.method.value, e.path.value, first.line
                ),
            );
        }
    }
    for e in raw.responses.unwrap_or_default() {
        let e = e.value;
        check_op(file, &e.op, &mut problem);
        let p = pos(file, &e.op);
        let response = match (e.returns, e.response) {
            (Some(r), None) => match r.value.as_str() {
                "json" => Response::Returns("json"),
                "none" => Response::Returns("none"),
                other => {
                    problem(
                        pos(file, &r),
                        format!("`returns: {other}`: expected `json` or `none`"),
                    );
                    continue;
                }
            },
            (None, Some(fields)) => Response::Fields(
                fields
                    .into_iter()
                    .map(|f| (f.value.name.value, f.value.ty.value))
                    .collect(),
            ),
            (Some(r), Some(_)) => {
                problem(
                    pos(file, &r),
                    "an entry gives both `returns` and `response`; keep one".to_owned(),
                );
                continue;
            }
            (None, None) => {
                problem(p, "an entry needs `returns` or `response`".to_owned());
                continue;
            }
        };
        if out
            .responses
            .insert(e.op.value.clone(), (response, p.clone()))
            .is_some()
        {
            problem(p, format!("`{}` is listed twice", e.op.value));
        }
    }
    for e in raw.dropped_path_args.unwrap_or_default() {
        let e = e.value;
        check_op(file, &e.op, &mut problem);
        let p = pos(file, &e.op);
        if out
            .dropped
            .insert((e.op.value.clone(), e.arg.value.clone()), p.clone())
            .is_some()
        {
            problem(
                p,
                format!("`{}` `{}` is listed twice", e.op.value, e.arg.value),
            );
        }
    }
    for (area, title) in raw.titles.map(|t| t.0).unwrap_or_default() {
        let p = pos(file, &area);
        if title.value.trim().is_empty() || title.value.contains('\n') {
            problem(
                pos(file, &title),
                "a title is one non-empty line".to_owned(),
            );
        }
        if out
            .titles
            .insert(area.value.clone(), (title.value, p.clone()))
            .is_some()
        {
            problem(p, format!("area `{}` has two titles", area.value));
        }
    }
    for e in raw.required.unwrap_or_default() {
        let e = e.value;
        let shape = "a required entry is either `{op, param}` or `{type, field}`";
        let Some((target, key, p)) =
            target(file, e.op, e.param, e.ty, e.field, shape, &mut problem)
        else {
            continue;
        };
        let maps = (&mut out.required_params, &mut out.required_fields);
        file_once(maps, target, key, p.clone(), p, &mut problem);
    }
    for e in raw.examples.unwrap_or_default() {
        let e = e.value;
        let shape = "an example entry is either `{op, param, example}` or `{type, field, example}`";
        let Some((target, key, p)) =
            target(file, e.op, e.param, e.ty, e.field, shape, &mut problem)
        else {
            continue;
        };
        let maps = (&mut out.example_params, &mut out.example_fields);
        file_once(maps, target, key, (e.example, p.clone()), p, &mut problem);
    }
    for e in raw.pagination.unwrap_or_default() {
        let e = e.value;
        check_op(file, &e.op, &mut problem);
        let p = pos(file, &e.op);
        let paging = match (e.items, e.paged) {
            (Some(items), None) => Paging::Items(items.value),
            (None, Some(paged)) if !paged.value => Paging::Off,
            (None, Some(paged)) => {
                problem(
                    pos(file, &paged),
                    "`paged: true` says nothing: the rule pages what it can; remove it or name `items`"
                        .to_owned(),
                );
                continue;
            }
            _ => {
                problem(
                    p,
                    "a pagination entry is either `{op, items}` or `{op, paged: false}`".to_owned(),
                );
                continue;
            }
        };
        if out
            .paging
            .insert(e.op.value.clone(), (paging, p.clone()))
            .is_some()
        {
            problem(p, format!("`{}` is listed twice", e.op.value));
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

impl Overrides {
    /// Problems for every entry no operation, area or type matched.
    pub(crate) fn unused(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let mut report = |p: &Pos, message: String| {
            if !self.used.contains(p) {
                out.push(Diagnostic {
                    pos: p.clone(),
                    message,
                });
            }
        };
        for ((m, path), (_, p)) in &self.skip {
            report(
                p,
                format!("no imported operation is {m} {path}: remove this skip"),
            );
        }
        for (op, (_, p)) in &self.responses {
            report(
                p,
                format!("`{op}` is not an imported operation (or was skipped)"),
            );
        }
        for ((op, arg), p) in &self.dropped {
            report(
                p,
                format!(
                    "`{op}` is not an imported operation with a path argument `{arg}` (or was skipped)"
                ),
            );
        }
        for (area, (_, p)) in &self.titles {
            report(p, format!("the package has no area `{area}`"));
        }
        let params = self.example_params.iter().map(|(k, (_, p))| (k, p));
        for ((op, param), p) in self.required_params.iter().chain(params) {
            report(
                p,
                format!("`{op}` is not an imported operation with a parameter `{param}`"),
            );
        }
        let fields = self.example_fields.iter().map(|(k, (_, p))| (k, p));
        for ((ty, field), p) in self.required_fields.iter().chain(fields) {
            report(p, format!("no imported type `{ty}` has a field `{field}`"));
        }
        for (op, (_, p)) in &self.paging {
            report(
                p,
                format!("`{op}` is not an imported operation (or was skipped)"),
            );
        }
        out.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        match parse("o.yaml", text) {
            Ok(_) => Vec::new(),
            Err(d) => d.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn duplicates_and_contradictions_are_located() {
        let text = "\
skip:
  - {method: GET, path: /v1.0/a, reason: x}
  - {method: GET, path: /v1.0/a, reason: y}
  - {method: FETCH, path: /v1.0/b, reason: z}
responses:
  - {op: a.B, returns: json, response: []}
  - {op: not-an-id}
titles:
  a: ''
required:
  - {op: a.B, field: x}
examples:
  - {op: a.B, field: x, example: 1}
pagination:
  - {op: a.C, paged: true}
  - {op: a.D}
  - {op: a.E, items: x}
  - {op: a.E, paged: false}
";
        assert_eq!(
            problems(text),
            [
                "o.yaml:3:14: error: a second skip of GET /v1.0/a (first at line 2)",
                "o.yaml:4:14: error: unknown method `FETCH`",
                "o.yaml:6:24: error: an entry gives both `returns` and `response`; keep one",
                "o.yaml:7:10: error: `not-an-id` is not an operation id `<area>.<Action>`",
                "o.yaml:7:10: error: an entry needs `returns` or `response`",
                "o.yaml:9:6: error: a title is one non-empty line",
                "o.yaml:11:10: error: a required entry is either `{op, param}` or `{type, field}`",
                "o.yaml:13:10: error: an example entry is either `{op, param, example}` or `{type, field, example}`",
                "o.yaml:15:22: error: `paged: true` says nothing: the rule pages what it can; remove it or name `items`",
                "o.yaml:16:10: error: a pagination entry is either `{op, items}` or `{op, paged: false}`",
                "o.yaml:18:10: error: `a.E` is listed twice",
            ]
        );
        let twice = problems("titles:\n  a: 甲\n  a: 乙\n");
        assert_eq!(twice.len(), 1);
        assert!(
            twice[0].starts_with("o.yaml:3:3: error: duplicate mapping key: a"),
            "{twice:?}"
        );
        assert!(problems("skip:\nresponses: []\n").is_empty());
    }
}
