//! The strict reader of one `models.py`: every class, its fields in `__init__` order with their
//! annotation, wire name and required mark.
//!
//! A class is `class X(TeaModel):` with exactly `__init__`, `validate`, `to_map` and `from_map`,
//! in that order. Every line of each is matched against the statements the SDK generator
//! writes; any other line is a located problem. The wire name of a field is the key `to_map`
//! writes it under, and `from_map` must read it from the same key. A field is required when the
//! block of comment lines right above its `self.x = x` holds `# This parameter is required.`.

use std::collections::BTreeMap;

use super::pattern::{Line, Problems, capture, check_blocks, is, one, two};
use super::pytype::PyType;

/// The comment that marks a required field.
const REQUIRED: &str = "# This parameter is required.";

/// One model class.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub line: usize,
    pub fields: Vec<Field>,
}

/// One field of a model.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    /// The Python name (`user_id`).
    pub py: String,
    pub ty: PyType,
    /// The JSON key (`userId`).
    pub wire: String,
    pub required: bool,
    pub line: usize,
}

impl Model {
    /// The field of Python name `py`.
    pub(crate) fn field(&self, py: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.py == py)
    }
}

/// Reads `models.py`; the classes by name, and every problem.
pub(crate) fn read(lines: &[Line<'_>], problems: &mut Problems) -> BTreeMap<String, Model> {
    let mut models = BTreeMap::new();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        i += 1;
        if line.text.is_empty() {
            continue;
        }
        if line.indent != 0 {
            problems.unknown(line, "models.py (outside a class)");
            continue;
        }
        let Some(name) = one(line.text, "class $i(TeaModel):") else {
            let known = is(line.text, "# -*- coding: utf-8 -*-")
                || is(
                    line.text,
                    "# This file is auto-generated, don't edit it. Thanks.",
                )
                || is(line.text, "from Tea.model import TeaModel")
                || is(line.text, "from typing import $t");
            if !known {
                problems.unknown(line, "models.py (module level)");
            }
            continue;
        };
        let start = i;
        while i < lines.len() && (lines[i].indent > 0 || lines[i].text.is_empty()) {
            i += 1;
        }
        if models.contains_key(name) {
            problems.at(line.no, format!("class `{name}` is defined twice"));
        }
        if let Some(model) = read_class(line.no, &lines[start..i], problems) {
            models.insert(name.to_owned(), model);
        }
    }
    models
}

/// The four methods of a class: each its def line and body lines.
fn methods<'l, 'a>(
    body: &'l [Line<'a>],
    problems: &mut Problems,
) -> Vec<(Line<'a>, &'l [Line<'a>])> {
    let mut out: Vec<(Line<'a>, &'l [Line<'a>])> = Vec::new();
    let mut i = 0;
    while i < body.len() {
        let line = body[i];
        i += 1;
        if line.text.is_empty() {
            continue;
        }
        if line.indent != 4 || !line.text.starts_with("def ") {
            problems.unknown(&line, "a model class (outside a method)");
            continue;
        }
        let start = i;
        while i < body.len()
            && (body[i].indent > 4 || body[i].text.is_empty() || body[i].text == "):")
        {
            i += 1;
        }
        out.push((line, &body[start..i]));
    }
    out
}

fn read_class(no: usize, body: &[Line<'_>], problems: &mut Problems) -> Option<Model> {
    let methods = methods(body, problems);
    let names: Vec<&str> = methods.iter().map(|(l, _)| l.text).collect();
    let expected_init = matches!(
        names.first(),
        Some(&"def __init__(" | &"def __init__(self):")
    );
    if names.len() != 4
        || !expected_init
        || names[1] != "def validate(self):"
        || names[2] != "def to_map(self):"
        || names[3] != "def from_map(self, m: dict = None):"
    {
        problems.at(
            no,
            format!(
                "a model class must define exactly __init__, validate, to_map and from_map, \
                 in that order; found {names:?}"
            ),
        );
        return None;
    }
    let before = problems.items.len();
    let (params, assigned) = read_init(&methods[0].0, methods[0].1, problems);
    read_validate(methods[1].1, problems);
    let wires = read_to_map(methods[2].1, problems);
    let read_back = read_from_map(methods[3].1, problems);
    if problems.items.len() != before {
        // The lines are reported; what the methods state together would only repeat them.
        return None;
    }
    let mut fields = Vec::new();
    for (py, ty_text, line) in params {
        let Some(ty) = PyType::parse(&ty_text) else {
            problems.at(
                line,
                format!("unknown type annotation `{ty_text}` of field `{py}`"),
            );
            continue;
        };
        let Some(wire) = wires.get(&py) else {
            problems.at(line, format!("field `{py}` is never written by to_map"));
            continue;
        };
        if read_back.get(&py) != Some(wire) {
            problems.at(
                line,
                format!(
                    "field `{py}`: to_map writes key `{wire}` but from_map reads {:?}",
                    read_back.get(&py)
                ),
            );
        }
        let required = assigned.get(&py).copied().unwrap_or(false);
        fields.push(Field {
            py,
            ty,
            wire: wire.clone(),
            required,
            line,
        });
    }
    if wires.len() != fields.len() && problems.items.len() == before {
        problems.at(no, "to_map writes a field that __init__ does not declare");
    }
    (problems.items.len() == before).then_some(Model { line: no, fields })
}

type Params = Vec<(String, String, usize)>;

/// `__init__`: the declared fields (name, annotation, line) and, per assigned field, whether it
/// is marked required.
fn read_init(
    def: &Line<'_>,
    body: &[Line<'_>],
    problems: &mut Problems,
) -> (Params, BTreeMap<String, bool>) {
    let mut params = Vec::new();
    let mut assigned = BTreeMap::new();
    let mut order = Vec::new();
    if def.text == "def __init__(self):" {
        let stmts: Vec<&Line<'_>> = body.iter().filter(|l| !l.text.is_empty()).collect();
        if stmts.len() != 1 || stmts[0].text != "pass" || stmts[0].indent != 8 {
            for l in stmts.iter().filter(|l| l.text != "pass") {
                problems.unknown(l, "an __init__ without fields");
            }
        }
        return (params, assigned);
    }
    let mut i = 0;
    let mut header = true;
    let mut comments: Vec<&str> = Vec::new();
    while i < body.len() {
        let line = &body[i];
        i += 1;
        if header {
            if line.indent == 8 && line.text == "self," && params.is_empty() {
                continue;
            }
            if line.indent == 4 && line.text == "):" {
                header = false;
                continue;
            }
            match two(line.text, "$i: $t = None,") {
                Some((name, ty)) if line.indent == 8 => {
                    params.push((name.to_owned(), ty.to_owned(), line.no));
                }
                _ => problems.unknown(line, "the parameters of __init__"),
            }
            continue;
        }
        if line.text.is_empty() {
            continue;
        }
        if line.indent != 8 {
            problems.unknown(line, "__init__");
        } else if line.text.starts_with('#') {
            comments.push(line.text);
        } else if let Some((a, b)) = two(line.text, "self.$i = $i") {
            if a != b {
                problems.unknown(line, "__init__ (assigns another name)");
            }
            assigned.insert(a.to_owned(), comments.contains(&REQUIRED));
            order.push(a.to_owned());
            comments.clear();
        } else {
            problems.unknown(line, "__init__");
        }
    }
    if header {
        problems.at(def.no, "__init__'s parameter list is not closed by `):`");
    }
    let declared: Vec<&str> = params.iter().map(|(n, ..)| n.as_str()).collect();
    if declared != order.iter().map(String::as_str).collect::<Vec<_>>() {
        problems.at(
            def.no,
            "__init__ does not assign its parameters one by one, in order",
        );
    }
    (params, assigned)
}

fn read_validate(body: &[Line<'_>], problems: &mut Problems) {
    check_blocks(body, 8, problems);
    for line in body.iter().filter(|l| !l.text.is_empty()) {
        let t = line.text;
        let known = t == "pass"
            || is(t, "if self.$i:")
            || is(t, "self.$i.validate()")
            || is(t, "for k in self.$i:")
            || is(t, "for v in self.$i.values():")
            || is(t, "for $i in $i:")
            || is(t, "if $i:")
            || is(t, "$i.validate()");
        if !known {
            problems.unknown(line, "validate");
        }
    }
}

/// Records that the block of field `field` writes key `wire`.
fn bind(
    map: &mut BTreeMap<String, String>,
    field: &str,
    wire: &str,
    line: &Line<'_>,
    problems: &mut Problems,
) {
    match map.get(field) {
        Some(w) if w != wire => problems.at(
            line.no,
            format!("field `{field}` is written under two keys, `{w}` and `{wire}`"),
        ),
        _ => {
            map.insert(field.to_owned(), wire.to_owned());
        }
    }
}

/// `to_map`: the key each field is written under.
fn read_to_map(body: &[Line<'_>], problems: &mut Problems) -> BTreeMap<String, String> {
    let mut wires = BTreeMap::new();
    let stmts: Vec<&Line<'_>> = body.iter().filter(|l| !l.text.is_empty()).collect();
    let head = [
        "_map = super().to_map()",
        "if _map is not None:",
        "return _map",
        "result = dict()",
    ];
    let fixed_head = stmts.len() >= 5 && stmts.iter().zip(head).all(|(l, h)| l.text == h);
    if !fixed_head
        || stmts
            .last()
            .is_none_or(|l| l.text != "return result" || l.indent != 8)
    {
        problems.at(
            stmts.first().map_or(0, |l| l.no),
            "to_map does not begin with the `_map = super().to_map()` guard and `result = dict()`, \
             or does not end with `return result`",
        );
        return wires;
    }
    check_blocks(body, 8, problems);
    let mut current: Option<&str> = None;
    let mut pending: Option<&str> = None;
    for line in &stmts[4..stmts.len() - 1] {
        let t = line.text;
        if line.indent == 8 {
            if let Some(w) = one(t, "result['$s'] = []").or_else(|| one(t, "result['$s'] = {}")) {
                pending = Some(w);
                current = None;
            } else if let Some(f) = one(t, "if self.$i is not None:") {
                current = Some(f);
                if let Some(w) = pending.take() {
                    bind(&mut wires, f, w, line, problems);
                }
            } else {
                problems.unknown(line, "to_map");
            }
            continue;
        }
        let Some(field) = current else {
            problems.unknown(line, "to_map (outside a field's block)");
            continue;
        };
        let direct = capture(t, "result['$s'] = self.$i")
            .or_else(|| capture(t, "result['$s'] = self.$i.to_map()"));
        if let Some(c) = direct {
            if c[1] != field {
                problems.unknown(line, "to_map (writes another field)");
            }
            bind(&mut wires, field, c[0], line, problems);
            continue;
        }
        let wire = one(t, "result['$s'].append(k.to_map() if k else None)")
            .or_else(|| one(t, "result['$s'].append(l1)"))
            .or_else(|| one(t, "result['$s'][k] = v.to_map()"))
            .or_else(|| one(t, "result['$s'][k] = l1"));
        if let Some(w) = wire {
            bind(&mut wires, field, w, line, problems);
            continue;
        }
        let loop_over =
            one(t, "for k in self.$i:").or_else(|| one(t, "for k, v in self.$i.items():"));
        let known = match loop_over {
            Some(f) => f == field,
            None => {
                t == "l1 = []"
                    || is(t, "for $i in $i:")
                    || is(t, "l1.append($i.to_map() if $i else None)")
            }
        };
        if !known {
            problems.unknown(line, "to_map");
        }
    }
    if let Some(w) = pending {
        problems.at(
            stmts[stmts.len() - 1].no,
            format!("key `{w}` is prepared but no field is written under it"),
        );
    }
    wires
}

/// `from_map`: the key each field is read from.
fn read_from_map(body: &[Line<'_>], problems: &mut Problems) -> BTreeMap<String, String> {
    let mut wires = BTreeMap::new();
    let stmts: Vec<&Line<'_>> = body.iter().filter(|l| !l.text.is_empty()).collect();
    if stmts.len() < 2
        || stmts[0].text != "m = m or dict()"
        || stmts[stmts.len() - 1].text != "return self"
    {
        problems.at(
            stmts.first().map_or(0, |l| l.no),
            "from_map does not begin with `m = m or dict()` or does not end with `return self`",
        );
        return wires;
    }
    check_blocks(body, 8, problems);
    let mut current: Option<&str> = None;
    for line in &stmts[1..stmts.len() - 1] {
        let t = line.text;
        if line.indent == 8 {
            if let Some(w) = one(t, "if m.get('$s') is not None:") {
                current = Some(w);
            } else if !(is(t, "self.$i = []") || is(t, "self.$i = {}")) {
                problems.unknown(line, "from_map");
            }
            continue;
        }
        let Some(wire) = current else {
            problems.unknown(line, "from_map (outside a key's block)");
            continue;
        };
        let direct = capture(t, "self.$i = m.get('$s')")
            .or_else(|| capture(t, "self.$i = temp_model.from_map(m['$s'])"));
        if let Some(c) = direct {
            if c[1] != wire {
                problems.unknown(line, "from_map (reads another key)");
            }
            bind(&mut wires, c[0], wire, line, problems);
            continue;
        }
        let field = one(t, "self.$i.append(temp_model.from_map(k))")
            .or_else(|| one(t, "self.$i[k] = temp_model.from_map(v)"))
            .or_else(|| one(t, "self.$i.append(l1)"))
            .or_else(|| one(t, "self.$i['k'] = l1"))
            .or_else(|| one(t, "self.$i[k] = l1"));
        if let Some(f) = field {
            bind(&mut wires, f, wire, line, problems);
            continue;
        }
        let loop_over =
            one(t, "for k in m.get('$s'):").or_else(|| one(t, "for k, v in m.get('$s').items():"));
        let known = match loop_over {
            Some(w) => w == wire,
            None => {
                t == "l1 = []"
                    || is(t, "temp_model = $i()")
                    || is(t, "for $i in $i:")
                    || is(t, "l1.append(temp_model.from_map($i))")
            }
        };
        if !known {
            problems.unknown(line, "from_map");
        }
    }
    wires
}

#[cfg(test)]
mod tests {
    use super::super::pattern::lines;
    use super::*;

    const TWO: &str = "\
# -*- coding: utf-8 -*-
from Tea.model import TeaModel
from typing import Dict, List


class AItem(TeaModel):
    def __init__(
        self,
        x_id: int = None,
    ):
        # This parameter is required.
        # Use the UTC time format: yyyy-MM-ddTHH:mmZ
        self.x_id = x_id

    def validate(self):
        pass

    def to_map(self):
        _map = super().to_map()
        if _map is not None:
            return _map

        result = dict()
        if self.x_id is not None:
            result['xId'] = self.x_id
        return result

    def from_map(self, m: dict = None):
        m = m or dict()
        if m.get('xId') is not None:
            self.x_id = m.get('xId')
        return self


class A(TeaModel):
    def __init__(
        self,
        items: List[AItem] = None,
    ):
        self.items = items

    def validate(self):
        if self.items:
            for k in self.items:
                if k:
                    k.validate()

    def to_map(self):
        _map = super().to_map()
        if _map is not None:
            return _map

        result = dict()
        result['itemList'] = []
        if self.items is not None:
            for k in self.items:
                result['itemList'].append(k.to_map() if k else None)
        return result

    def from_map(self, m: dict = None):
        m = m or dict()
        self.items = []
        if m.get('itemList') is not None:
            for k in m.get('itemList'):
                temp_model = AItem()
                self.items.append(temp_model.from_map(k))
        return self
";

    #[test]
    fn fields_wires_and_required_marks() {
        let mut p = Problems::new("models.py");
        let models = read(&lines(TWO), &mut p);
        assert!(p.items.is_empty(), "{:?}", p.items);
        let item = &models["AItem"].fields[0];
        assert_eq!(
            (item.wire.as_str(), item.required, &item.ty),
            ("xId", true, &PyType::Int)
        );
        let a = &models["A"].fields[0];
        assert_eq!(a.wire, "itemList");
        assert_eq!(a.ty, PyType::List(Box::new(PyType::Model("AItem".into()))));
        assert!(!a.required);
    }

    #[test]
    fn an_unknown_line_is_located() {
        let text = TWO.replace(
            "            self.x_id = m.get('xId')",
            "            self.x_id = int(m.get('xId'))",
        );
        let mut p = Problems::new("models.py");
        let _ = read(&lines(&text), &mut p);
        assert_eq!(p.items.len(), 1, "{:?}", p.items);
        assert_eq!(p.items[0].line, 31);
        assert!(
            p.items[0].message.contains("from_map"),
            "{}",
            p.items[0].message
        );
    }
}
