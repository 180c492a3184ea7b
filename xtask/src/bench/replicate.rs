//! The ≈1,000-operation spec of `cargo xtask bench`: real spec files replicated, each copy with
//! its own area, ids, paths and type names, so that every copy is valid and unique.
//!
//! The renaming works on the YAML text, line by line, and is deterministic. For copy `07` of a
//! file whose area is `blackboard`:
//!
//! - `area: blackboard` becomes `area: blackboard07`, and the file `blackboard07.yaml`;
//! - under `operations:`, `id: blackboard.create` becomes `id: blackboard07.create` and
//!   `path: /topapi/blackboard/create` becomes `path: /topapi/blackboard07/create` (the first
//!   path segment equal to the area: an id is its path's segments, GUIDE §1.2);
//! - every name declared under `types:`, `enums:` and `unions:` gets the copy's number as a
//!   suffix (`BlackboardCreateVo` → `BlackboardCreateVo07`, still UpperCamelCase), in its
//!   declaration and wherever a `type:` names it (`type: X`, `X[]`, `csv<X>`, a union variant's
//!   `{value: ..., type: X}`).
//!
//! `fn_name` is kept: it names a method of the area's own client, so it is already unique in
//! each copy (the ids, from which progenitor makes its method names, are renamed). Titles,
//! descriptions, doc links, wire names, pagination and window paths are left as they are.

use std::collections::BTreeSet;

/// The real spec files the replicated spec is made of (17 operations together).
pub const FILES: [&str; 3] = ["blackboard.yaml", "report.yaml", "checkin.yaml"];

/// How many times [`FILES`] are copied: 59 × 17 = 1,003 operations.
pub const COPIES: usize = 59;

/// `copies` copies of every file (`(file name, YAML text)`), numbered from `01`: the files of the
/// replicated spec, in copy order.
pub fn replicate(
    files: &[(String, String)],
    copies: usize,
) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::with_capacity(files.len() * copies);
    for copy in 1..=copies {
        let suffix = format!("{copy:02}");
        for (name, text) in files {
            let (area, renamed) = rename(text, &suffix).map_err(|e| format!("{name}: {e}"))?;
            out.push((format!("{area}.yaml"), renamed));
        }
    }
    Ok(out)
}

/// One spec file with `suffix` added to its area, operation ids and paths and declared type
/// names: (the new area, the new text).
pub fn rename(text: &str, suffix: &str) -> Result<(String, String), String> {
    let area = text
        .lines()
        .find_map(|l| l.strip_prefix("area:"))
        .map(|v| unquote(v.trim()).to_owned())
        .filter(|a| !a.is_empty())
        .ok_or("no `area:` line")?;
    let new_area = format!("{area}{suffix}");
    let declared = declared_names(text);
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut section = String::new();
    let mut item_indent = None;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        let content = line.trim();
        if content.is_empty() || content.starts_with('#') {
            out.push_str(line);
            continue;
        }
        if indent == 0 && !content.starts_with('-') {
            section = content.split(':').next().unwrap_or_default().to_owned();
            item_indent = None;
            if section == "area" {
                let eol = &line[line.trim_end().len()..];
                out.push_str(&format!("area: {new_area}{eol}"));
                continue;
            }
        }
        if content.starts_with("- ") && item_indent.is_none() {
            item_indent = Some(indent);
        }
        let key_line = content.strip_prefix("- ").unwrap_or(content);
        let (key, value) = key_line.split_once(':').unwrap_or((key_line, ""));
        let renamed = match (section.as_str(), key.trim()) {
            ("operations", "id") => {
                let id = unquote(value.trim());
                let rest = id
                    .strip_prefix(area.as_str())
                    .filter(|r| r.is_empty() || r.starts_with('.'))
                    .ok_or_else(|| {
                        format!("operation id `{id}` does not start with the area `{area}`")
                    })?;
                Some(replace_value(line, value, &format!("{new_area}{rest}")))
            }
            ("operations", "path") => {
                let path = unquote(value.trim());
                let new_path = rename_segment(path, &area, &new_area)
                    .ok_or_else(|| format!("path `{path}` has no segment `{area}`"))?;
                Some(replace_value(line, value, &new_path))
            }
            _ => None,
        };
        if let Some(renamed) = renamed {
            out.push_str(&renamed);
        } else if is_declaration(&section, indent, item_indent, content)
            || contains_type_key(content)
        {
            out.push_str(&rename_tokens(line, &declared, suffix));
        } else {
            out.push_str(line);
        }
    }
    Ok((new_area, out))
}

/// The names declared under `types:`, `enums:` and `unions:`: each item's `name:`.
pub fn declared_names(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut section = "";
    let mut item_indent = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let content = line.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if indent == 0 && !content.starts_with('-') {
            section = content.split(':').next().unwrap_or_default();
            item_indent = None;
        }
        if content.starts_with("- ") && item_indent.is_none() {
            item_indent = Some(indent);
        }
        if is_declaration(section, indent, item_indent, content) {
            let value = content.trim_start_matches("- ").trim_start_matches("name:");
            names.insert(unquote(value.trim()).to_owned());
        }
    }
    names
}

/// Whether a line is the `name:` of an item of `types:`, `enums:` or `unions:` (not of a field).
fn is_declaration(section: &str, indent: usize, item_indent: Option<usize>, content: &str) -> bool {
    let Some(item) = item_indent else {
        return false;
    };
    matches!(section, "types" | "enums" | "unions")
        && ((indent == item && content.starts_with("- name:"))
            || (indent == item + 2 && content.starts_with("name:")))
}

/// Whether a line holds a `type:` key, as a block key or inside a flow mapping.
fn contains_type_key(content: &str) -> bool {
    let key_line = content.strip_prefix("- ").unwrap_or(content);
    key_line.starts_with("type:") || content.contains("{") && content.contains(" type:")
}

/// `line` (`key: value`, maybe a list item) with the scalar `value` (what follows the key's
/// colon, the line's first) replaced by `new`, keeping quotes and the line end.
fn replace_value(line: &str, value: &str, new: &str) -> String {
    let old = value.trim();
    let quoted = old.len() >= 2 && (old.starts_with('"') || old.starts_with('\''));
    let shown = if quoted {
        let q = &old[..1];
        format!("{q}{new}{q}")
    } else {
        new.to_owned()
    };
    let key_end = line.find(':').map_or(0, |i| i + 1);
    let eol = &line[line.trim_end().len()..];
    let lead = &value[..value.len() - value.trim_start().len()];
    format!("{}{lead}{shown}{eol}", &line[..key_end])
}

/// `path` with its first segment equal to `from` replaced by `to`.
fn rename_segment(path: &str, from: &str, to: &str) -> Option<String> {
    let mut segments: Vec<&str> = path.split('/').collect();
    let at = segments.iter().position(|s| *s == from)?;
    segments[at] = to;
    Some(segments.join("/"))
}

/// `line` with every identifier (a run of ASCII letters, digits and `_`) that is one of `names`
/// followed by `suffix`.
fn rename_tokens(line: &str, names: &BTreeSet<String>, suffix: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(word);
        if names.contains(word.as_str()) {
            out.push_str(suffix);
        }
        word.clear();
    };
    for c in line.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// A YAML scalar without its surrounding quotes.
fn unquote(v: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    const MINI: &str = "area: demo
title: 示例
operations:
  - id: demo.item.get
    title: 取
    doc: https://open.dingtalk.com/document/demo
    method: POST
    host: oapi
    path: \"/topapi/demo/item/get\"
    auth: query_token
    envelope: errcode
    fn_name: item_get
    params:
      - name: query
        in: body
        type: DemoQuery
        required: true
        description: 请求对象 DemoQuery。
    response:
      - name: result
        type: DemoItem[]
        description: 结果。
      - name: errcode
        type: integer
        description: 返回码。

types:
  # DemoQuery in a comment stays
  - name: DemoQuery
    description: 请求。
    fields:
      - name: kinds
        type: csv<DemoKind>
        description: 类型。
  - name: DemoItem
    fields:
      - name: name
        type: string
        description: 名字。

enums:
  - name: DemoKind
    type: integer
    description: 类型
    values:
      - {value: 1, name: one, description: 一}
";

    #[test]
    fn one_copy_renames_area_ids_paths_and_types() {
        let (area, text) = rename(MINI, "07").unwrap();
        assert_eq!(area, "demo07");
        assert!(text.starts_with("area: demo07\ntitle: 示例\n"), "{text}");
        assert!(text.contains("  - id: demo07.item.get\n"));
        assert!(text.contains("    path: \"/topapi/demo07/item/get\"\n"));
        assert!(text.contains("    fn_name: item_get\n"));
        assert!(text.contains("        type: DemoQuery07\n"));
        assert!(text.contains("        type: DemoItem07[]\n"));
        assert!(text.contains("        type: csv<DemoKind07>\n"));
        assert!(text.contains("  - name: DemoQuery07\n  "));
        assert!(text.contains("  - name: DemoKind07\n"));
        assert!(text.contains("      - name: name\n"));
        assert!(text.contains("        description: 请求对象 DemoQuery。\n"));
        assert!(text.contains("  # DemoQuery in a comment stays\n"));
        assert!(text.contains("        type: integer\n"));
        assert_eq!(text.lines().count(), MINI.lines().count());
        assert_eq!(
            declared_names(MINI),
            BTreeSet::from(["DemoItem".into(), "DemoKind".into(), "DemoQuery".into()])
        );
    }

    #[test]
    fn flow_mapping_types_and_errors() {
        let names = BTreeSet::from(["RobotText".to_owned()]);
        assert_eq!(
            rename_tokens(
                "  - {value: text, type: RobotText, description: 文本}\n",
                &names,
                "03"
            ),
            "  - {value: text, type: RobotText03, description: 文本}\n"
        );
        assert!(contains_type_key("- {value: text, type: RobotText}"));
        assert!(!contains_type_key("description: the type: of it"));
        assert!(rename("title: x\n", "01").is_err());
        let bad = MINI.replace("id: demo.item.get", "id: other.item.get");
        assert!(rename(&bad, "01").unwrap_err().contains("other.item.get"));
    }

    /// The bench's replicated spec: every copy valid, 59 × 17 operations, every id unique.
    #[test]
    fn the_replicated_spec_checks_with_unique_ids() {
        let spec = xtask::workspace_root().join("spec");
        let files: Vec<(String, String)> = FILES
            .iter()
            .map(|f| {
                (
                    (*f).to_owned(),
                    std::fs::read_to_string(spec.join(f)).unwrap(),
                )
            })
            .collect();
        let base = codegen::check(
            &files
                .iter()
                .map(|(name, text)| codegen::SpecSource {
                    path: name.clone(),
                    name: name.clone(),
                    text: text.clone(),
                })
                .collect::<Vec<_>>(),
        )
        .unwrap_or_else(|d| panic!("the real files do not check: {d:?}"));
        let per_copy: usize = base.areas.values().map(|a| a.operations.len()).sum();
        let replicated = replicate(&files, COPIES).unwrap();
        assert_eq!(replicated.len(), FILES.len() * COPIES);
        let sources: Vec<codegen::SpecSource> = replicated
            .iter()
            .map(|(name, text)| codegen::SpecSource {
                path: name.clone(),
                name: name.clone(),
                text: text.clone(),
            })
            .collect();
        let api = codegen::check(&sources).unwrap_or_else(|d| {
            let shown: Vec<String> = d.iter().take(5).map(ToString::to_string).collect();
            panic!("{} problem(s):\n{}", d.len(), shown.join("\n"))
        });
        assert_eq!(api.areas.len(), FILES.len() * COPIES);
        let ids: Vec<&str> = api
            .areas
            .values()
            .flat_map(|a| a.operations.iter().map(|o| o.id.as_str()))
            .collect();
        assert_eq!(ids.len(), per_copy * COPIES);
        assert!(
            (900..=1100).contains(&ids.len()),
            "{} operations",
            ids.len()
        );
        assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), ids.len());
        assert!(ids.contains(&"blackboard07.create"));
        assert!(ids.contains(&"checkin59.record.get"));
    }
}
