//! One module's operations and models → one imported file: ids, paths, parameters, responses,
//! titles, with the overrides applied and the curated duplicates skipped.

use std::collections::{BTreeMap, BTreeSet};

use codegen::Diagnostic;
use heck::{ToLowerCamelCase, ToSnakeCase};

use super::client::{Client, RawOp};
use super::curated::Curated;
use super::models::Model;
use super::overrides::{Overrides, Paging};
use super::paging::{Verdict, lists, verdict};
use super::params::{request_params, response};
use super::pattern::Problems;
use super::stats::Stats;
use super::types::Types;
use super::yaml::{AreaFile, Field, Op};

/// The header that carries the access token.
pub(crate) const TOKEN: &str = "x-acs-dingtalk-access-token";

/// One area folder of the package, read.
pub(crate) struct Module {
    /// `doc_2_0`.
    pub folder: String,
    /// `doc`.
    pub base: String,
    pub major: u32,
    pub minor: u32,
    /// The area as written in the file: `doc_v2`.
    pub area: String,
    pub client: Client,
    pub models: BTreeMap<String, Model>,
}

/// The version numbers of folder `folder` (`doc_2_0` → 2, 0) and its name without them.
pub(crate) fn folder_version(folder: &str) -> Option<(String, u32, u32)> {
    let mut parts = folder.rsplitn(3, '_');
    let minor: u32 = parts.next()?.parse().ok()?;
    let major: u32 = parts.next()?.parse().ok()?;
    let rest = parts.next().filter(|b| !b.is_empty())?.to_owned();
    Some((rest, major, minor))
}

/// The base area of a module: the snake_case of its version string's area (`aiGlobalEC_1.0`
/// gives `ai_global_ec`, which the folder spells `ai_global_e_c`), the folder's name when the
/// module has no operation. Every operation of a module must state the same version.
pub(crate) fn base_area(
    client: &Client,
    folder_base: &str,
    major: u32,
    minor: u32,
) -> Result<String, (usize, String)> {
    let suffix = format!("_{major}.{minor}");
    let mut base: Option<(String, usize)> = None;
    for op in &client.ops {
        let version = op.param("version");
        let Some(area) = version.strip_suffix(&suffix) else {
            return Err((
                op.param_line("version"),
                format!("version `{version}` does not end in `{suffix}` as the folder says"),
            ));
        };
        let area = area.to_snake_case();
        match &base {
            Some((b, line)) if *b != area => {
                return Err((
                    op.param_line("version"),
                    format!("version area `{area}` differs from `{b}` (line {line})"),
                ));
            }
            Some(_) => {}
            None => base = Some((area, op.param_line("version"))),
        }
    }
    Ok(base.map_or_else(|| folder_base.to_owned(), |(b, _)| b))
}

/// The area as written in the file: 1.0 keeps the base name, `x.0` adds `_vx`, any other
/// version `_vx_y`.
pub(crate) fn area_name(base: &str, major: u32, minor: u32) -> String {
    match (major, minor) {
        (1, 0) => base.to_owned(),
        (m, 0) => format!("{base}_v{m}"),
        (m, n) => format!("{base}_v{m}_{n}"),
    }
}

/// What converting needs besides the module.
pub(crate) struct Ctx<'a> {
    pub overrides: &'a mut Overrides,
    pub curated: &'a Curated,
    pub stats: &'a mut Stats,
    pub version: &'a str,
    pub override_problems: &'a mut Vec<Diagnostic>,
}

/// `{user_id}` → `{userId}` in `path`; the arguments used, in order of appearance.
fn template(path: &str, args: &[String]) -> Result<(String, Vec<String>), String> {
    let mut out = String::with_capacity(path.len());
    let mut used = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find(['{', '}']) {
        out.push_str(&rest[..open]);
        if rest[open..].starts_with('}') {
            return Err(format!("unbalanced `}}` in path `{path}`"));
        }
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("unclosed `{{` in path `{path}`"))?
            + open;
        let name = &rest[open + 1..close];
        if !args.iter().any(|a| a == name) {
            return Err(format!(
                "path placeholder `{{{name}}}` is not an argument of the function"
            ));
        }
        out.push('{');
        out.push_str(&name.to_lower_camel_case());
        out.push('}');
        used.push(name.to_owned());
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    if out.contains(char::is_whitespace) {
        return Err(format!("whitespace inside path `{path}`"));
    }
    Ok((out, used))
}

fn effect(method: &str) -> Option<&'static str> {
    match method {
        "GET" => None,
        "PUT" | "PATCH" => Some("update"),
        "DELETE" => Some("delete"),
        _ => Some("create"),
    }
}

/// Converts one module into its file.
pub(crate) fn convert(
    m: &Module,
    ctx: &mut Ctx<'_>,
    cp: &mut Problems,
    mp: &mut Problems,
) -> AreaFile {
    let mut types = Types::new(&m.area, &m.models);
    let mut raws: Vec<&RawOp> = m.client.ops.iter().collect();
    raws.sort_by(|a, b| a.param("action").cmp(b.param("action")));
    let mut ops = Vec::new();
    for raw in raws {
        ctx.stats.ops_read += 1;
        if let Some(op) = operation(m, raw, &mut types, ctx, cp, mp) {
            ops.push(op);
        }
    }
    let (mut defs, both) = types.defs();
    ctx.stats.both_side_types += both;
    for def in &mut defs {
        for f in &mut def.fields {
            let key = (def.name.clone(), f.name.clone());
            if let Some((example, p)) = ctx.overrides.example_fields.get(&key) {
                ctx.overrides.used.insert(p.clone());
                f.example = Some(example.clone());
                ctx.stats.overrides_applied += 1;
            }
            if let Some(p) = ctx.overrides.required_fields.get(&key) {
                ctx.overrides.used.insert(p.clone());
                if f.required {
                    ctx.override_problems.push(Diagnostic {
                        pos: p.clone(),
                        message: format!(
                            "`{}` `{}` is already required in the package: remove this entry",
                            key.0, key.1
                        ),
                    });
                }
                f.required = true;
                ctx.stats.overrides_applied += 1;
            }
            ctx.stats.required_type_fields += usize::from(f.required);
        }
    }
    let title = match ctx.overrides.titles.get(&m.base) {
        Some((t, p)) => {
            ctx.overrides.used.insert(p.clone());
            t.clone()
        }
        None => {
            ctx.stats.area_titles_missing += 1;
            m.base.clone()
        }
    };
    if let Some(file) = ctx.curated.areas.get(&m.area) {
        ctx.stats.area_clashes.push(format!("{} ({file})", m.area));
    }
    ctx.stats.types += defs.len();
    AreaFile {
        area: m.area.clone(),
        title,
        package: "alibabacloud-dingtalk".to_owned(),
        version: ctx.version.to_owned(),
        module: m.folder.clone(),
        api: m
            .client
            .ops
            .first()
            .map(|op| op.param("version").to_owned())
            .unwrap_or_default(),
        ops,
        types: defs,
    }
}

/// Skips the operation when a curated file holds its method and path, or the overrides list it.
fn skipped(id: &str, method: &str, path: &str, ctx: &mut Ctx<'_>) -> bool {
    let key = (method.to_owned(), path.to_owned());
    let listed = ctx.overrides.skip.get(&key).cloned();
    if let Some((_, p)) = &listed {
        ctx.overrides.used.insert(p.clone());
    }
    let why = match (ctx.curated.api_ops.get(&key), &listed) {
        (Some((cid, file)), Some(_)) => format!("curated as {cid} in {file}"),
        (Some((cid, file)), None) => {
            format!("curated as {cid} in {file} (not listed in the overrides' skip)")
        }
        (None, Some((reason, _))) => format!("listed in the overrides' skip: {reason}"),
        (None, None) => return false,
    };
    ctx.stats
        .skipped
        .push(format!("skipped {id} ({method} {path}): {why}"));
    // An entry about a skipped operation contradicts the skip.
    let about: Vec<_> = ctx
        .overrides
        .responses
        .iter()
        .filter(|(o, _)| *o == id)
        .map(|(_, (_, p))| p.clone())
        .chain(
            ctx.overrides
                .dropped
                .iter()
                .filter(|((o, _), _)| o == id)
                .map(|(_, p)| p.clone()),
        )
        .chain(
            ctx.overrides
                .required_params
                .iter()
                .filter(|((o, _), _)| o == id)
                .map(|(_, p)| p.clone()),
        )
        .collect();
    for p in about {
        ctx.overrides.used.insert(p.clone());
        ctx.override_problems.push(Diagnostic {
            pos: p,
            message: format!("`{id}` is skipped ({why}); this entry contradicts the skip"),
        });
    }
    true
}

fn operation(
    m: &Module,
    raw: &RawOp,
    types: &mut Types<'_>,
    ctx: &mut Ctx<'_>,
    cp: &mut Problems,
    mp: &mut Problems,
) -> Option<Op> {
    let action = raw.param("action");
    let id = format!("{}.{action}", m.area);
    let before = cp.items.len() + mp.items.len();
    if raw.param("protocol") != "HTTP" || raw.param("style") != "ROA" {
        cp.at(
            raw.param_line("style"),
            "only protocol HTTP and style ROA are known",
        );
    }
    if !matches!(raw.param("req_body_type"), "none" | "json" | "formData") {
        cp.at(
            raw.param_line("req_body_type"),
            format!("unknown req_body_type `{}`", raw.param("req_body_type")),
        );
    }
    let raw_path = raw.param("pathname");
    let trimmed = raw_path.trim();
    let (path, used) = match template(trimmed, &raw.path_args) {
        Ok(t) => t,
        Err(e) => {
            cp.at(raw.param_line("pathname"), e);
            return None;
        }
    };
    if !path.starts_with(&format!("/v{}.{}/", m.major, m.minor)) {
        cp.at(
            raw.param_line("pathname"),
            format!("path `{path}` is not under /v{}.{}/", m.major, m.minor),
        );
    }
    let method = raw.param("method");
    if !matches!(method, "GET" | "POST" | "PUT" | "DELETE" | "PATCH") {
        cp.at(
            raw.param_line("method"),
            format!("unknown method `{method}`"),
        );
        return None;
    }
    if skipped(&id, method, &path, ctx) {
        return None;
    }
    if trimmed != raw_path {
        ctx.stats
            .paths_trimmed
            .push(format!("trimmed the path of {id}: {raw_path:?}"));
    }
    for arg in &raw.path_args {
        let key = (id.clone(), arg.clone());
        match (used.contains(arg), ctx.overrides.dropped.get(&key)) {
            (false, Some(p)) => {
                ctx.overrides.used.insert(p.clone());
                ctx.stats.dropped_path_args += 1;
                ctx.stats.overrides_applied += 1;
            }
            (false, None) => cp.at(raw.line, format!(
                "path argument `{arg}` of {id} is declared but never put in the path; if the SDK indeed never sends it, \
                 list it under `dropped_path_args` in the overrides"
            )),
            (true, Some(p)) => {
                ctx.overrides.used.insert(p.clone());
                ctx.override_problems.push(Diagnostic { pos: p.clone(), message: format!("`{arg}` is in the path of {id}: it is not dropped") });
            }
            (true, None) => {}
        }
    }
    let mut params: Vec<Field> = raw
        .path_args
        .iter()
        .filter(|a| used.contains(a))
        .map(|a| Field {
            name: a.to_lower_camel_case(),
            location: Some("path"),
            ty: "string".to_owned(),
            required: true,
            ..Field::default()
        })
        .collect();
    ctx.stats.path_params += params.len();
    ctx.stats.ops_with_path_params += usize::from(!params.is_empty());
    let auth = request_params(m, raw, &mut params, types, ctx, cp, mp)?;
    let mut wires = BTreeSet::new();
    for p in &params {
        if !wires.insert(p.name.as_str()) {
            cp.at(
                raw.line,
                format!("{id} has two parameters named `{}`", p.name),
            );
        }
    }
    for p in &mut params {
        if let Some((example, pos)) = ctx
            .overrides
            .example_params
            .get(&(id.clone(), p.name.clone()))
        {
            ctx.overrides.used.insert(pos.clone());
            p.example = Some(example.clone());
            ctx.stats.overrides_applied += 1;
        }
        if let Some(pos) = ctx
            .overrides
            .required_params
            .get(&(id.clone(), p.name.clone()))
        {
            ctx.overrides.used.insert(pos.clone());
            if p.required {
                ctx.override_problems.push(Diagnostic {
                    pos: pos.clone(),
                    message: format!(
                        "`{}` of {id} is already required: remove this entry",
                        p.name
                    ),
                });
            }
            p.required = true;
            ctx.stats.overrides_applied += 1;
        }
        ctx.stats.required_params += usize::from(p.required && p.location != Some("path"));
    }
    let (response, returns) = response(m, raw, &id, types, ctx, cp, mp)?;
    if cp.items.len() + mp.items.len() != before {
        return None;
    }
    let paged_items = paging(&id, &params, &response, returns, ctx);
    let title = raw.title.clone().unwrap_or_else(|| {
        ctx.stats.titles_missing += 1;
        action.to_owned()
    });
    *ctx.stats.methods.entry(method.to_owned()).or_default() += 1;
    *ctx.stats
        .returns
        .entry(returns.unwrap_or("object"))
        .or_default() += 1;
    ctx.stats.ops_written += 1;
    Some(Op {
        id,
        action: action.to_owned(),
        title,
        method: method.to_owned(),
        path,
        auth,
        effect: effect(method),
        params,
        response,
        returns,
        paged_items,
    })
}

/// Whether the operation pages by `nextToken` (see `paging`), with the overrides' entry about
/// it checked and applied: the answer's item list if it does.
fn paging(
    id: &str,
    params: &[Field],
    response: &[Field],
    returns: Option<&str>,
    ctx: &mut Ctx<'_>,
) -> Option<String> {
    let entry = ctx.overrides.paging.get(id).cloned();
    if let Some((_, p)) = &entry {
        ctx.overrides.used.insert(p.clone());
    }
    let named = match &entry {
        Some((Paging::Items(items), _)) => Some(items.as_str()),
        _ => None,
    };
    let by_rule = verdict(params, response, returns, None);
    let v = verdict(params, response, returns, named);
    let mut problem = |message: String| {
        if let Some((_, p)) = &entry {
            ctx.override_problems.push(Diagnostic {
                pos: p.clone(),
                message,
            });
        }
    };
    match (&entry, &by_rule, &v) {
        (Some((Paging::Items(_), _)), Verdict::Paged { .. }, _) => {
            problem(format!(
                "the answer of `{id}` has one list: the rule pages it by that; remove this entry"
            ));
        }
        (Some((Paging::Items(items), _)), _, Verdict::Unpaged("several lists in the answer")) => {
            problem(format!(
                "the answer of `{id}` has no list `{items}` (its lists: {})",
                lists(response).join(", ")
            ));
        }
        (Some((Paging::Items(_), _)), Verdict::Unpaged(why), _)
            if *why != "several lists in the answer" =>
        {
            problem(format!(
                "`{id}` does not page by the rule ({why}): there is no list to choose"
            ));
        }
        (Some((Paging::Items(_), _)), Verdict::NoToken, _) => {
            problem(format!(
                "`{id}` takes no `nextToken`: there is no list to choose"
            ));
        }
        (Some((Paging::Off, _)), Verdict::Paged { .. }, _) => {
            ctx.stats.overrides_applied += 1;
            *ctx.stats
                .unpaged
                .entry("kept unpaged by the overrides")
                .or_default() += 1;
            return None;
        }
        (Some((Paging::Off, _)), _, _) => {
            problem(format!(
                "`{id}` does not page by the rule anyway: remove this entry"
            ));
        }
        _ => {}
    }
    match v {
        Verdict::Paged { items, text } => {
            ctx.stats.overrides_applied += usize::from(named.is_some());
            ctx.stats.paged += 1;
            ctx.stats.paged_text += usize::from(text);
            Some(items)
        }
        Verdict::Unpaged(why) => {
            *ctx.stats.unpaged.entry(why).or_default() += 1;
            None
        }
        Verdict::NoToken => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_templates_take_lower_camel_names() {
        let args = [
            "user_id".to_owned(),
            "sheet_id_or_name".to_owned(),
            "unused".to_owned(),
        ];
        assert_eq!(
            template("/v1.0/a/{user_id}/b/{sheet_id_or_name}", &args),
            Ok((
                "/v1.0/a/{userId}/b/{sheetIdOrName}".to_owned(),
                vec!["user_id".to_owned(), "sheet_id_or_name".to_owned()]
            ))
        );
        assert!(template("/v1.0/a/{other}", &args).is_err_and(|e| e.contains("not an argument")));
        assert!(template("/v1.0/a b", &args).is_err_and(|e| e.contains("whitespace")));
        assert!(template("/v1.0/a/{user_id", &args).is_err_and(|e| e.contains("unclosed")));
        assert!(template("/v1.0/a/}", &args).is_err_and(|e| e.contains("unbalanced")));
    }

    #[test]
    fn folders_give_areas_by_version() {
        assert_eq!(
            folder_version("ai_global_e_c_1_0"),
            Some(("ai_global_e_c".to_owned(), 1, 0))
        );
        assert_eq!(folder_version("activity"), None);
        assert_eq!(area_name("doc", 1, 0), "doc");
        assert_eq!(area_name("doc", 2, 0), "doc_v2");
        assert_eq!(area_name("doc", 2, 1), "doc_v2_1");
        assert_eq!(effect("GET"), None);
        assert_eq!(effect("PATCH"), Some("update"));
        assert_eq!(effect("POST"), Some("create"));
    }
}
