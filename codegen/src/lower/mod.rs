//! Spec → IR: resolve names and types, check everything, gather every problem.
//!
//! Each check records a located diagnostic and goes on, so a broken spec reports all of its
//! problems at once. The IR is only used when no problem was recorded.

mod examples;
mod ops;
mod paths;
mod types;
mod wire;

use std::collections::BTreeMap;

use crate::diag::{Diagnostics, Pos};
use crate::ir::{self, Api, Area, NamedKind, TypeDef, Usage};
use crate::load::Parsed;
use crate::names;
use crate::spec::{self, SpecFile};

use types::Registry;

/// Names no area may take: cargo features, files, modules or re-exports of the generated crate
/// (`src/lib.rs`, `src/main.rs`, `pub use ...::{error, hooks, time, ...}`), and the crates its
/// code names by path (`std`, `serde`, ...), which a module of the same name would shadow.
const RESERVED_AREAS: &[&str] = &[
    // Cargo features and modules of the generated crate.
    "runtime",
    "callback",
    "mock",
    "cli",
    "default",
    "operation",
    "primitives",
    "validate",
    "error",
    "client",
    "token",
    "paginate",
    "hooks",
    "time",
    // Files cargo gives a meaning to.
    "lib",
    "main",
    "build",
    // Crates.
    "std",
    "core",
    "alloc",
    "proc_macro",
    "test",
    "serde",
    "serde_json",
    "dingtalk_openapi",
    "dingtalk_openapi_runtime",
];

/// Lowering state for one spec file.
pub(crate) struct Ctx<'a> {
    file: &'a str,
    registry: &'a Registry,
    diags: &'a mut Diagnostics,
    /// The API version string of an imported file (`contact_1.0`); `None` for a curated file,
    /// which must document every operation, field and type.
    api: Option<&'a str>,
}

impl Ctx<'_> {
    fn pos(&self, loc: &serde_saphyr::Location) -> Pos {
        Pos::new(self.file, loc.line(), loc.column())
    }

    /// A description, trimmed: required in curated files (`owner` names what lacks it), empty
    /// when an imported file gives none.
    fn description(
        &mut self,
        text: Option<&spec::S<String>>,
        at: &serde_saphyr::Location,
        owner: &str,
    ) -> String {
        match text {
            Some(t) => t.value.trim().to_owned(),
            None => {
                if self.api.is_none() {
                    let p = self.pos(at);
                    self.diags
                        .error(&p, format!("{owner} needs a `description`"));
                }
                String::new()
            }
        }
    }

    /// A title, trimmed; it must be one line (it fills a cell of the generated tables).
    fn title(&mut self, title: &spec::S<String>, owner: &str) -> String {
        let text = title.value.trim();
        if text.contains(['\n', '\r']) {
            let p = self.pos(&title.referenced);
            self.diags
                .error(&p, format!("the title of {owner} must be one line"));
        }
        text.to_owned()
    }
}

/// Lowers parsed spec files (path, content) into the IR, recording every problem.
pub(crate) fn lower(files: &[Parsed], diags: &mut Diagnostics) -> Api {
    let mut areas: BTreeMap<String, Area> = BTreeMap::new();
    // Area names in file order: "first declared" means first in the files.
    let mut order: Vec<String> = Vec::new();
    // Areas declared by an imported file, which one curated file of the same name may join.
    let mut imported_areas: Vec<String> = Vec::new();
    // Areas already made of two files.
    let mut joined: Vec<String> = Vec::new();
    for Parsed {
        path: file,
        name: file_name,
        spec,
    } in files
    {
        let pos = Pos::new(
            file,
            spec.area.referenced.line(),
            spec.area.referenced.column(),
        );
        let name = spec.area.value.clone();
        if !names::is_snake_ident(&name) || names::is_keyword(&name) || name == "_" {
            diags.error(
                &pos,
                format!("area `{name}` must be a snake_case name that is not a Rust keyword"),
            );
        } else if RESERVED_AREAS.contains(&name.as_str()) {
            diags.error(
                &pos,
                format!(
                    "area `{name}` is reserved: the generated crate already uses it for a file, module, feature or crate"
                ),
            );
        }
        let imported = spec.source.is_some();
        // One curated file and one imported file may share an area; nothing else may.
        let joinable = imported ^ imported_areas.contains(&name) && !joined.contains(&name);
        if let Some(first) = areas.get(&name)
            && !joinable
        {
            diags.error(
                &pos,
                format!(
                    "area `{name}` is already declared at {} (an imported file may add to a curated area of its name, nothing else may share one)",
                    first.pos
                ),
            );
            continue;
        }
        let registry = declare_types(file, spec, diags);
        let mut ctx = Ctx {
            file,
            registry: &registry,
            diags,
            api: spec.source.as_ref().map(|s| s.value.api.value.as_str()),
        };
        let mut area = ctx.lower_area(spec);
        area.file = format!("spec/{file_name}");
        area.curated = !imported;
        if imported {
            imported_areas.push(name.clone());
        }
        match areas.remove(&name) {
            Some(other) => {
                joined.push(name.clone());
                let merged = merge(other, area, imported, diags);
                areas.insert(name, merged);
            }
            None => {
                order.push(name.clone());
                areas.insert(name, area);
            }
        }
    }
    let in_order: Vec<&Area> = order.iter().filter_map(|n| areas.get(n)).collect();
    check_unique(&in_order, diags);
    Api { areas }
}

/// One area of a curated file and an imported file of the same name: the curated file's title,
/// description and position, its operations and types first, then the imported ones; method
/// names must stay unique across both.
fn merge(first: Area, second: Area, second_imported: bool, diags: &mut Diagnostics) -> Area {
    let (mut curated, imported) = if second_imported {
        (first, second)
    } else {
        (second, first)
    };
    let mut taken: BTreeMap<String, String> = BTreeMap::new();
    for op in &curated.operations {
        for name in names::method_names(op) {
            taken.insert(name, op.id.clone());
        }
    }
    for op in &imported.operations {
        for name in names::method_names(op) {
            if let Some(other) = taken.get(&name) {
                diags.error(
                    &op.pos,
                    format!(
                        "operations `{other}` and `{}` both make the method `{name}` of area `{}`; set `fn_name`",
                        op.id, curated.name
                    ),
                );
            }
        }
    }
    curated.file = format!("{} and {}", curated.file, imported.file);
    curated.curated = true;
    curated.operations.extend(imported.operations);
    curated.types.extend(imported.types);
    curated
}

/// Checks, across every area, what must be unique in the whole crate: operation ids, declared
/// type names, and the names the generator makes (request, response and client types).
fn check_unique(areas: &[&Area], diags: &mut Diagnostics) {
    let mut ids: BTreeMap<&str, &Pos> = BTreeMap::new();
    let mut declared: BTreeMap<&str, &Pos> = BTreeMap::new();
    for area in areas {
        for op in &area.operations {
            if let Some(first) = ids.insert(&op.id, &op.pos) {
                diags.error(
                    &op.pos,
                    format!("duplicate operation id `{}` (first at {first})", op.id),
                );
                ids.insert(&op.id, first);
            }
        }
        for t in &area.types {
            if let Some(first) = declared.insert(t.name(), t.pos()) {
                diags.error(
                    t.pos(),
                    format!("type `{}` is already declared at {first}", t.name()),
                );
                declared.insert(t.name(), first);
            }
        }
    }
    // Generated names must not collide with declared ones, nor with each other.
    let mut generated: BTreeMap<&str, &str> = BTreeMap::new();
    for area in areas {
        for op in &area.operations {
            // A duplicate id is reported once, as such.
            if ids
                .get(op.id.as_str())
                .is_some_and(|first| **first != op.pos)
            {
                continue;
            }
            for name in [&op.request.name, &op.response.name] {
                if let Some(other) = generated.insert(name, &op.id) {
                    diags.error(
                        &op.pos,
                        format!(
                            "operations `{other}` and `{}` both make the type `{name}`",
                            op.id
                        ),
                    );
                }
                if let Some(p) = declared.get(name.as_str()) {
                    diags.error(
                        p,
                        format!(
                            "type name `{name}` is taken by the generated type of operation `{}`",
                            op.id
                        ),
                    );
                }
            }
        }
        // The structs of named required fields (`XRequired`) take names too.
        let named = area
            .operations
            .iter()
            .map(|op| (&op.request, &op.pos))
            .chain(area.types.iter().filter_map(|t| match t {
                TypeDef::Object(o) if o.usage.request => Some((o, &o.pos)),
                _ => None,
            }))
            .filter(|(o, _)| o.named_required());
        for (object, pos) in named {
            let name = object.required_name();
            if let Some(p) = declared.get(name.as_str()) {
                diags.error(
                    p,
                    format!(
                        "type name `{name}` is taken by the required fields of `{}`",
                        object.name
                    ),
                );
            } else if generated.contains_key(name.as_str()) {
                diags.error(
                    pos,
                    format!(
                        "the required fields of `{}` would be named `{name}`, which is taken",
                        object.name
                    ),
                );
            }
        }
        if let Some(p) = declared.get(area.client_type.as_str()) {
            diags.error(
                p,
                format!(
                    "type name `{}` is taken by the client of area `{}`",
                    area.client_type, area.name
                ),
            );
        }
    }
}

/// Records the names one file declares and checks their form; a name declared twice in the
/// file counts once (the whole-crate check of [`check_unique`] reports it).
fn declare_types(file: &str, spec: &SpecFile, diags: &mut Diagnostics) -> Registry {
    let mut reg = Registry::new();
    let mut declare = |name: &spec::S<String>, kind: NamedKind, diags: &mut Diagnostics| {
        let pos = Pos::new(file, name.referenced.line(), name.referenced.column());
        if !names::is_upper_camel(&name.value) {
            diags.error(
                &pos,
                format!("type name `{}` must be UpperCamelCase", name.value),
            );
        }
        reg.entry(name.value.clone()).or_insert(kind);
    };
    for t in &spec.types {
        declare(&t.value.name, NamedKind::Object, diags);
    }
    for e in &spec.enums {
        let kind = if e.value.ty.value == "string" {
            NamedKind::StringEnum
        } else {
            NamedKind::IntEnum
        };
        declare(&e.value.name, kind, diags);
    }
    for u in &spec.unions {
        declare(&u.value.name, NamedKind::Union, diags);
    }
    reg
}

impl Ctx<'_> {
    fn lower_area(&mut self, spec: &SpecFile) -> Area {
        let errors_before = self.diags.len();
        let area_name = spec.area.value.clone();
        let mut types = Vec::new();
        for t in &spec.types {
            let owner = format!("type `{}`", t.value.name.value);
            let fields = self.lower_fields(&t.value.fields, types::Role::Member, &owner);
            types.push(TypeDef::Object(ir::Object {
                pos: self.pos(&t.value.name.referenced),
                name: t.value.name.value.clone(),
                doc_name: t.value.doc_name.clone(),
                description: self.description(
                    t.value.description.as_ref(),
                    &t.value.name.referenced,
                    &owner,
                ),
                fields,
                usage: Usage::default(),
                has_checks: false,
            }));
        }
        for e in &spec.enums {
            types.push(TypeDef::Enum(self.lower_enum(&e.value)));
        }
        for u in &spec.unions {
            if let Some(u) = self.lower_union(&u.value) {
                types.push(TypeDef::Union(u));
            }
        }
        let mut operations = Vec::new();
        let mut fn_names: BTreeMap<String, String> = BTreeMap::new();
        for op in &spec.operations {
            let Some(lowered) = self.lower_operation(&op.value, &area_name, &types) else {
                continue;
            };
            let pos = lowered.pos.clone();
            for name in names::method_names(&lowered) {
                if let Some(other) = fn_names.insert(name.clone(), lowered.id.clone()) {
                    self.diags.error(
                        &pos,
                        format!("operations `{other}` and `{}` both make the method `{name}`; set `fn_name`", lowered.id),
                    );
                }
            }
            operations.push(lowered);
        }
        let mut area = Area {
            pos: self.pos(&spec.area.referenced),
            name: area_name.clone(),
            file: self.file.to_owned(),
            title: self.title(&spec.title, &format!("area `{area_name}`")),
            description: spec.description.as_ref().map(|d| d.trim().to_owned()),
            curated: true,
            client_type: names::client_type(&area_name),
            operations,
            types,
        };
        let had_errors = self.diags.len() > errors_before;
        self.finish_area(&mut area, had_errors);
        area
    }

    fn lower_enum(&mut self, e: &spec::EnumDef) -> ir::Enum {
        let string_values = match e.ty.value.as_str() {
            "string" => true,
            "integer" => false,
            other => {
                let p = self.pos(&e.ty.referenced);
                self.diags.error(
                    &p,
                    format!(
                        "enum `{}` has type `{other}`; expected `integer` or `string`",
                        e.name.value
                    ),
                );
                false
            }
        };
        let mut values = Vec::new();
        let mut seen_values = Vec::new();
        let mut seen_names = BTreeMap::new();
        for v in &e.values {
            let pos = self.pos(&v.value.value.referenced);
            let value = v.value.value.value.clone();
            let fits = if string_values {
                value.is_string()
            } else {
                value.is_i64()
            };
            if !fits {
                self.diags.error(
                    &pos,
                    format!(
                        "value `{value}` of enum `{}` is not {}",
                        e.name.value, e.ty.value
                    ),
                );
            }
            if seen_values.contains(&value) {
                self.diags.error(
                    &pos,
                    format!("duplicate value `{value}` in enum `{}`", e.name.value),
                );
            }
            seen_values.push(value.clone());
            let name_pos = self.pos(&v.value.name.referenced);
            let Some(rust) = names::variant_name(&v.value.name.value) else {
                self.diags.error(
                    &name_pos,
                    format!(
                        "enum value name `{}` makes no Rust name",
                        v.value.name.value
                    ),
                );
                continue;
            };
            if rust == "Unknown" {
                self.diags.error(
                    &name_pos,
                    "the variant name `Unknown` is reserved for values the spec does not list",
                );
            }
            if let Some(other) = seen_names.insert(rust.clone(), v.value.name.value.clone()) {
                self.diags.error(
                    &name_pos,
                    format!(
                        "enum values `{other}` and `{}` both become `{rust}`",
                        v.value.name.value
                    ),
                );
            }
            values.push(ir::EnumValue {
                value,
                rust,
                description: v.value.description.trim().to_owned(),
            });
        }
        ir::Enum {
            pos: self.pos(&e.name.referenced),
            name: e.name.value.clone(),
            description: e.description.trim().to_owned(),
            string_values,
            values,
            usage: Usage::default(),
        }
    }

    fn lower_union(&mut self, u: &spec::UnionDef) -> Option<ir::Union> {
        let mut variants = Vec::new();
        let mut seen = BTreeMap::new();
        for v in &u.variants {
            let pos = self.pos(&v.value.ty.referenced);
            if self.registry.get(&v.value.ty.value) != Some(&NamedKind::Object) {
                self.diags.error(
                    &pos,
                    format!("variant `{}` of union `{}` needs an object type declared in this file, not `{}`", v.value.value.value, u.name.value, v.value.ty.value),
                );
                continue;
            }
            let vpos = self.pos(&v.value.value.referenced);
            let Some(rust) = names::variant_name(&v.value.value.value) else {
                self.diags.error(
                    &vpos,
                    format!("union value `{}` makes no Rust name", v.value.value.value),
                );
                continue;
            };
            if let Some(other) = seen.insert(rust.clone(), v.value.value.value.clone()) {
                self.diags.error(
                    &vpos,
                    format!(
                        "union values `{other}` and `{}` both become `{rust}`",
                        v.value.value.value
                    ),
                );
                continue;
            }
            if v.value.value.value == u.tag.value {
                self.diags.error(
                    &vpos,
                    format!("union value `{}` equals the tag key", u.tag.value),
                );
            }
            variants.push(ir::UnionVariant {
                value: v.value.value.value.clone(),
                rust,
                ty: v.value.ty.value.clone(),
                checked: false,
                description: v.value.description.trim().to_owned(),
            });
        }
        if variants.is_empty() {
            let p = self.pos(&u.name.referenced);
            self.diags
                .error(&p, format!("union `{}` has no variants", u.name.value));
            return None;
        }
        Some(ir::Union {
            pos: self.pos(&u.name.referenced),
            name: u.name.value.clone(),
            description: u.description.trim().to_owned(),
            tag: u.tag.value.clone(),
            variants,
            usage: Usage::default(),
            has_checks: false,
        })
    }
}
