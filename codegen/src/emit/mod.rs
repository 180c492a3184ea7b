//! IR → files of the generated crate. One emitter per kind of output; this module assembles them.

mod area;
mod docs;
mod example;
mod lib_rs;
mod manifest;
pub(crate) mod openapi;
mod ops;
mod types;

use std::collections::BTreeSet;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{Api, Type};
use crate::render;
use crate::{Input, Output};

/// Every file of the generated crate.
pub(crate) fn crate_files(api: &Api, input: &Input) -> Result<Output, String> {
    let mut out = Output::new();
    let spec_names: Vec<String> = api.areas.values().map(|a| a.file.clone()).collect();
    let source = format!("spec/ ({})", spec_names.join(", "));
    let has_module = |name: &str| {
        input
            .runtime
            .iter()
            .any(|f| f.path == format!("{name}.rs") || f.path == format!("{name}/mod.rs"))
    };
    // The parts of every area module, the crate root and the OpenAPI document are independent:
    // build and format them on all cores. Token streams cannot cross threads, so each job
    // returns text (and the runtime names its part imports).
    let checked: Vec<BTreeSet<String>> = api.areas.values().map(area::checked).collect();
    enum Job<'a> {
        Part(usize, &'a crate::ir::Area, area::Part),
        Lib,
        OpenApi,
    }
    let mut jobs: Vec<Job<'_>> = vec![Job::OpenApi, Job::Lib];
    for (i, a) in api.areas.values().enumerate() {
        jobs.extend(area::parts(a).into_iter().map(|p| Job::Part(i, a, p)));
    }
    let rendered = crate::par::all(&jobs, |job| -> Result<(String, Imports), String> {
        let mut imports = Imports::default();
        let text = match job {
            Job::Part(i, a, part) => {
                render::fragment(area::part(a, part, &checked[*i], &mut imports), &a.file)?
            }
            Job::Lib => render::file(lib_rs::lib_rs(api, has_module("mock")), &source)?,
            Job::OpenApi => openapi::openapi(api),
        };
        Ok((text, imports))
    });
    let mut areas: Vec<(String, Imports)> = api
        .areas
        .values()
        .map(|_| (String::new(), Imports::default()))
        .collect();
    for (job, result) in jobs.iter().zip(rendered) {
        let (text, imports) = result?;
        match job {
            Job::Part(i, ..) => {
                let (body, used) = &mut areas[*i];
                body.push_str(&text);
                used.merge(imports);
            }
            Job::Lib => {
                out.insert("src/lib.rs".to_owned(), text.into_bytes());
            }
            Job::OpenApi => {
                out.insert("openapi.json".to_owned(), text.into_bytes());
            }
        }
    }
    for (a, (body, imports)) in api.areas.values().zip(areas) {
        let head = area::head(a, has_module(&a.name), &imports);
        let mut text = render::file(head, &a.file)?;
        text.push_str(&body);
        out.insert(format!("src/{}.rs", a.name), text.into_bytes());
    }
    for f in &input.runtime {
        let target = match f.path.as_str() {
            "lib.rs" => "mod.rs".to_owned(),
            p => p.to_owned(),
        };
        let from = format!("codegen/runtime/src/{}", f.path);
        out.insert(
            format!("src/runtime/{target}"),
            render::copied(&f.text, &from),
        );
    }
    let has_cli = has_module("cli");
    if has_cli {
        out.insert(
            "src/bin/dingtalk.rs".into(),
            render::file(lib_rs::bin_rs(), "codegen/src/emit/lib_rs.rs")?.into_bytes(),
        );
    }
    out.insert(
        "Cargo.toml".into(),
        manifest::cargo_toml(api, &input.runtime_manifest, has_cli)?.into_bytes(),
    );
    out.insert("README.md".into(), manifest::readme(api).into_bytes());
    out.insert(
        "LICENSE-MIT".into(),
        manifest::LICENSE_MIT.as_bytes().to_vec(),
    );
    out.insert(
        "LICENSE-APACHE".into(),
        manifest::LICENSE_APACHE.as_bytes().to_vec(),
    );
    Ok(out)
}

/// Names used from the runtime by one generated module, so it imports exactly those.
#[derive(Default)]
pub(crate) struct Imports {
    used: BTreeSet<&'static str>,
}

impl Imports {
    /// Uses a runtime item (path relative to `crate::runtime`) and gives its last segment.
    pub(crate) fn item(&mut self, path: &'static str) -> Ident {
        self.used.insert(path);
        let last = path.rsplit("::").next().unwrap_or(path);
        format_ident!("{}", last)
    }

    /// Adds the names another part of the same module used.
    pub(crate) fn merge(&mut self, other: Imports) {
        self.used.extend(other.used);
    }

    /// The `use` items, one per module, its names sorted.
    pub(crate) fn tokens(&self) -> TokenStream {
        let mut groups: std::collections::BTreeMap<&str, Vec<&str>> =
            std::collections::BTreeMap::new();
        for path in &self.used {
            // A bare lowercase path is a module used by name: `use ...::validate::{self}`.
            let (module, name) = match path.rsplit_once("::") {
                Some((m, n)) => (m, n),
                None if path.starts_with(|c: char| c.is_ascii_lowercase()) => (*path, "self"),
                None => ("", *path),
            };
            groups.entry(module).or_default().push(name);
        }
        let mut out = TokenStream::new();
        for (module, mut names) in groups {
            names.sort_by_key(|n| (*n != "self", *n));
            let prefix = if module.starts_with("serde") {
                module
                    .split("::")
                    .map(|s| Ident::new(s, Span::call_site()))
                    .collect::<Vec<_>>()
            } else {
                let mut p = vec![
                    Ident::new("crate", Span::call_site()),
                    Ident::new("runtime", Span::call_site()),
                ];
                p.extend(
                    module
                        .split("::")
                        .filter(|s| !s.is_empty())
                        .map(|s| Ident::new(s, Span::call_site())),
                );
                p
            };
            let names: Vec<TokenStream> = names
                .iter()
                .map(|n| {
                    if *n == "self" {
                        quote!(self)
                    } else {
                        let i = Ident::new(n, Span::call_site());
                        quote!(#i)
                    }
                })
                .collect();
            out.extend(quote!(use #(#prefix)::*::{#(#names),*};));
        }
        out
    }
}

/// The Rust type of a field type (without the `Option` of optional fields).
pub(crate) fn rust_type(ty: &Type, secret: bool, imports: &mut Imports) -> TokenStream {
    match ty {
        Type::String if secret => {
            let s = imports.item("primitives::Secret");
            quote!(#s)
        }
        Type::String => quote!(String),
        Type::Integer => quote!(i64),
        Type::Int32 => quote!(i32),
        Type::Number => quote!(f64),
        Type::Boolean => quote!(bool),
        Type::EpochMs => {
            let t = imports.item("primitives::EpochMillis");
            quote!(#t)
        }
        Type::DateTime => {
            let t = imports.item("primitives::DateTime");
            quote!(#t)
        }
        Type::Json => quote!(serde_json::Value),
        Type::Array(inner) => {
            let inner = rust_type(inner, false, imports);
            quote!(Vec<#inner>)
        }
        Type::Csv(inner) => {
            let c = imports.item("primitives::CommaList");
            let inner = rust_type(inner, false, imports);
            quote!(#c<#inner>)
        }
        Type::Named(n) => {
            let id = format_ident!("{}", n.name);
            quote!(#id)
        }
    }
}

/// An identifier from a name the IR already checked.
pub(crate) fn ident(name: &str) -> Ident {
    format_ident!("{}", name)
}
