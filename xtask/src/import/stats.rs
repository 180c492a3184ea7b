//! What an import found and did, counted: the one-line summary and, with `--stats`, the count
//! of every odd shape of the package (to compare with an independent survey of it).

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

/// The counts of one import.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub package_version: String,
    pub modules: usize,
    pub ops_read: usize,
    pub ops_written: usize,
    /// One line per skipped operation.
    pub skipped: Vec<String>,
    pub files: usize,
    pub types: usize,
    pub methods: BTreeMap<String, usize>,
    pub path_params: usize,
    pub ops_with_path_params: usize,
    /// One line per path with stray whitespace trimmed.
    pub paths_trimmed: Vec<String>,
    pub dropped_path_args: usize,
    pub titles_missing: usize,
    /// Files whose area title fell back to the area's name.
    pub area_titles_missing: usize,
    pub no_token: usize,
    /// `returns:` value → operations (`object` for the default).
    pub returns: BTreeMap<&'static str, usize>,
    pub json_without_model: usize,
    /// Operations declaring a JSON response without a model that the overrides do not list.
    pub json_without_model_unlisted: Vec<String>,
    pub whole_body: usize,
    pub json_text_query_fields: usize,
    pub json_text_query_ops: usize,
    pub json_text_body_fields: usize,
    pub csv_fields: usize,
    pub repeat_fields: usize,
    pub repeat_ops: usize,
    pub get_delete_with_body: usize,
    pub extra_header_ops: usize,
    pub extra_header_fields: usize,
    pub binary_ops: usize,
    pub untyped_ops: usize,
    pub map_ops: usize,
    pub no_required_top_level: usize,
    pub required_params: usize,
    pub required_type_fields: usize,
    /// Types reached from both a request and a response whose `required` marks were dropped.
    pub both_side_types: usize,
    pub overrides_applied: usize,
    /// Operations given `pagination: {style: next_token, ...}`, and of those the text tokens.
    pub paged: usize,
    pub paged_text: usize,
    /// Operations taking a `nextToken` left unpaged, by reason.
    pub unpaged: BTreeMap<&'static str, usize>,
    /// Imported areas named like a curated one.
    pub area_clashes: Vec<String>,
}

impl Stats {
    /// The one-line summary.
    pub fn summary(&self, out: &str, written: usize, unchanged: usize, removed: usize) -> String {
        format!(
            "imported alibabacloud-dingtalk {} into {out}: {} files ({written} written, {unchanged} unchanged, \
             {removed} removed), {} operations ({} skipped as curated or listed), {} types, {} path(s) trimmed",
            self.package_version,
            self.files,
            self.ops_written,
            self.skipped.len(),
            self.types,
            self.paths_trimmed.len()
        )
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        let mut row = |k: &str, v: String| {
            let _ = writeln!(s, "  {k:<46} {v}");
        };
        row("modules (area folders)", self.modules.to_string());
        row("operations read", self.ops_read.to_string());
        row("operations written", self.ops_written.to_string());
        row("operations skipped", self.skipped.len().to_string());
        row("files", self.files.to_string());
        row("types", self.types.to_string());
        row("methods", format!("{:?}", self.methods));
        row(
            "operations with path parameters",
            self.ops_with_path_params.to_string(),
        );
        row("path parameters", self.path_params.to_string());
        row("paths trimmed", self.paths_trimmed.len().to_string());
        row("dropped path arguments", self.dropped_path_args.to_string());
        row(
            "titles missing (action used)",
            self.titles_missing.to_string(),
        );
        row(
            "area titles missing (area name used)",
            self.area_titles_missing.to_string(),
        );
        row("no token (auth: none)", self.no_token.to_string());
        row("returns", format!("{:?}", self.returns));
        row(
            "JSON response without a model",
            self.json_without_model.to_string(),
        );
        row(
            "  of which not in the overrides",
            self.json_without_model_unlisted.len().to_string(),
        );
        row(
            "whole-body parameter (bare array body)",
            self.whole_body.to_string(),
        );
        row(
            "JSON-text query fields / operations",
            format!(
                "{} / {}",
                self.json_text_query_fields, self.json_text_query_ops
            ),
        );
        row(
            "JSON-text body fields",
            self.json_text_body_fields.to_string(),
        );
        row("csv query fields", self.csv_fields.to_string());
        row(
            "repeated query fields / operations",
            format!("{} / {}", self.repeat_fields, self.repeat_ops),
        );
        row(
            "GET/DELETE with a body",
            self.get_delete_with_body.to_string(),
        );
        row(
            "extra header operations / fields",
            format!("{} / {}", self.extra_header_ops, self.extra_header_fields),
        );
        row(
            "operations with binary-typed text",
            self.binary_ops.to_string(),
        );
        row(
            "operations with untyped JSON (fields or body)",
            self.untyped_ops.to_string(),
        );
        row(
            "operations with a map-typed field",
            self.map_ops.to_string(),
        );
        row(
            "no required top-level request field",
            self.no_required_top_level.to_string(),
        );
        row("required parameters", self.required_params.to_string());
        row(
            "required type fields",
            self.required_type_fields.to_string(),
        );
        row(
            "types reached from both sides (no required)",
            self.both_side_types.to_string(),
        );
        row(
            "override entries applied",
            self.overrides_applied.to_string(),
        );
        row(
            "paged (next_token) / of which string tokens",
            format!("{} / {}", self.paged, self.paged_text),
        );
        row(
            "taking nextToken, not paged (by reason)",
            format!("{:?}", self.unpaged),
        );
        row(
            "areas named like a curated area",
            format!("{:?}", self.area_clashes),
        );
        f.write_str(&s)?;
        for line in &self.paths_trimmed {
            writeln!(f, "  {line}")?;
        }
        Ok(())
    }
}
