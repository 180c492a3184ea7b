//! Lowering of type expressions, fields, limits and examples, with their checks.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde_json::{Number, Value};

use super::Ctx;
use crate::diag::Pos;
use crate::ir::{self, Bound, Encode, Field, Limits, Location, NamedKind, NamedRef, Type};
use crate::names;
use crate::spec::{self, S};

/// The names declared in one area, with their kinds.
pub(crate) type Registry = BTreeMap<String, NamedKind>;

/// Where a field sits, which decides what it may say.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// A top-level request parameter.
    Param,
    /// A top-level response field.
    Response,
    /// A field of a named object.
    Member,
}

/// Parses a type expression (`string`, `integer[]`, `csv<Status>`, `BlackboardVo`).
pub(crate) fn parse_type(expr: &str, reg: &Registry) -> Result<Type, String> {
    let expr = expr.trim();
    if let Some(inner) = expr.strip_suffix("[]") {
        return Ok(Type::Array(Box::new(parse_type(inner, reg)?)));
    }
    if let Some(inner) = expr.strip_prefix("map<").and_then(|r| r.strip_suffix('>')) {
        return Ok(Type::Map(Box::new(parse_type(inner, reg)?)));
    }
    if let Some(inner) = expr.strip_prefix("csv<").and_then(|r| r.strip_suffix('>')) {
        let item = parse_type(inner, reg)?;
        let ok = match &item {
            Type::String | Type::Integer | Type::Int32 => true,
            Type::Named(n) => matches!(n.kind, NamedKind::IntEnum | NamedKind::StringEnum),
            _ => false,
        };
        if !ok {
            return Err(format!(
                "`csv<...>` holds strings, integers or enums, not `{inner}`"
            ));
        }
        return Ok(Type::Csv(Box::new(item)));
    }
    Ok(match expr {
        "string" => Type::String,
        "integer" => Type::Integer,
        "int32" => Type::Int32,
        "number" => Type::Number,
        "boolean" => Type::Boolean,
        "epoch_ms" => Type::EpochMs,
        "datetime" => Type::DateTime,
        "json" => Type::Json,
        "file" => Type::File,
        name => match reg.get(name) {
            Some(kind) => Type::Named(NamedRef {
                name: name.to_owned(),
                kind: *kind,
                checked: false,
            }),
            None => {
                return Err(format!(
                    "unknown type `{name}`: expected string, integer, int32, number, boolean, epoch_ms, datetime, json, \
                     file, T[], csv<T>, map<T> or a type declared in this file"
                ));
            }
        },
    })
}

/// A short spelling of a type for messages.
pub(crate) fn type_label(ty: &Type) -> String {
    match ty {
        Type::String => "string".into(),
        Type::Integer => "integer".into(),
        Type::Int32 => "int32".into(),
        Type::Number => "number".into(),
        Type::Boolean => "boolean".into(),
        Type::EpochMs => "epoch_ms".into(),
        Type::DateTime => "datetime".into(),
        Type::Json => "json".into(),
        Type::Array(t) => format!("{}[]", type_label(t)),
        Type::Map(t) => format!("map<{}>", type_label(t)),
        Type::Csv(t) => format!("csv<{}>", type_label(t)),
        Type::Named(n) => n.name.clone(),
        Type::File => "file".into(),
    }
}

impl Ctx<'_> {
    /// Lowers the fields of one object, checking wire and Rust names for duplicates.
    pub(crate) fn lower_fields(
        &mut self,
        fields: &[S<spec::Field>],
        role: Role,
        owner: &str,
    ) -> Vec<Field> {
        let mut out: Vec<Field> = Vec::new();
        let mut wires: BTreeMap<String, Pos> = BTreeMap::new();
        let mut rusts: BTreeMap<String, String> = BTreeMap::new();
        for f in fields {
            let pos = self.pos(&f.value.name.referenced);
            let wire = f.value.name.value.clone();
            if let Some(first) = wires.get(&wire) {
                self.diags.error(
                    &pos,
                    format!("duplicate field `{wire}` in {owner} (first at {first})"),
                );
                continue;
            }
            wires.insert(wire.clone(), pos.clone());
            let Some(field) = self.lower_field(&f.value, role, owner) else {
                continue;
            };
            if let Some(other) = rusts.get(&field.rust) {
                self.diags.error(
                    &pos,
                    format!(
                        "fields `{other}` and `{wire}` of {owner} both become the Rust name `{}`; set `rust_name` on one",
                        field.rust
                    ),
                );
                continue;
            }
            rusts.insert(field.rust.clone(), wire);
            out.push(field);
        }
        out
    }

    fn lower_field(&mut self, f: &spec::Field, role: Role, owner: &str) -> Option<Field> {
        let wire = &f.name.value;
        let name_pos = self.pos(&f.name.referenced);
        let ty_pos = self.pos(&f.ty.referenced);
        let ty = match parse_type(&f.ty.value, self.registry) {
            Ok(t) => Some(t),
            Err(msg) => {
                self.diags
                    .error(&ty_pos, format!("field `{wire}` of {owner}: {msg}"));
                None
            }
        };
        let rust = match &f.rust_name {
            Some(r) => {
                let ok = names::is_snake_ident(&r.value) && !names::is_keyword(&r.value);
                if !ok {
                    let p = self.pos(&r.referenced);
                    self.diags.error(
                        &p,
                        format!("`rust_name` `{}` is not a snake_case identifier", r.value),
                    );
                }
                Some(r.value.clone())
            }
            None => names::field_name(wire),
        };
        if rust.as_deref() == Some("new") {
            self.diags.error(&name_pos, format!("field `{wire}` of {owner} would be named `new`, which is the constructor; set `rust_name`"));
            return None;
        }
        let Some(rust) = rust else {
            self.diags.error(
                &name_pos,
                format!("field `{wire}` of {owner} has no ASCII letters to make a Rust name from; set `rust_name`"),
            );
            return None;
        };
        let description = self.description(
            f.description.as_ref(),
            &f.name.referenced,
            &format!("field `{wire}` of {owner}"),
        );
        let location = match (&f.location, role) {
            (Some(l), Role::Param) if l.value == Location::File => {
                let p = self.pos(&l.referenced);
                self.diags.error(
                    &p,
                    format!("parameter `{wire}` of {owner}: a file is written `in: form` with `type: file`"),
                );
                None
            }
            (Some(l), Role::Param) => Some(l.value),
            (None, Role::Param) => {
                self.diags.error(
                    &name_pos,
                    format!(
                        "parameter `{wire}` of {owner} needs `in: query | body | header | form | path | whole_body`"
                    ),
                );
                None
            }
            (Some(l), _) => {
                let p = self.pos(&l.referenced);
                self.diags.error(
                    &p,
                    format!("`in` is only for parameters, but `{wire}` is a field of {owner}"),
                );
                None
            }
            (None, _) => None,
        };
        let flatten = f.flatten.as_ref().is_some_and(|f| f.value);
        if let (true, Some(fl)) = (flatten, &f.flatten) {
            let is_union = matches!(&ty, Some(Type::Named(n)) if n.kind == NamedKind::Union);
            if role != Role::Param || location != Some(Location::Body) || !is_union {
                let p = self.pos(&fl.referenced);
                self.diags.error(
                    &p,
                    format!("`flatten` is only for body parameters of a union type (`{wire}`)"),
                );
            }
        }
        let ty = ty?;
        let file_inside = |t: &Type| match t {
            Type::Array(inner) | Type::Csv(inner) | Type::Map(inner) => **inner == Type::File,
            _ => false,
        };
        // A file is a top-level form part: its location becomes `File`.
        let location = if ty == Type::File {
            if role != Role::Param || location != Some(Location::Form) {
                self.diags.error(
                    &ty_pos,
                    format!(
                        "`{wire}` of {owner}: type `file` is only for request parameters `in: form`"
                    ),
                );
                return None;
            }
            Some(Location::File)
        } else {
            location
        };
        if file_inside(&ty) {
            self.diags.error(
                &ty_pos,
                format!("`{wire}` of {owner}: a list of files is not supported; declare one `file` parameter per part"),
            );
            return None;
        }
        let encode = match (&f.encode, role) {
            (Some(e), Role::Param) => e.value,
            (Some(e), _) => {
                let p = self.pos(&e.referenced);
                self.diags.error(
                    &p,
                    format!("`encode` is only for parameters, but `{wire}` is a field of {owner}"),
                );
                Encode::Plain
            }
            (None, _) => Encode::Plain,
        };
        if role == Role::Param
            && matches!(
                location,
                Some(Location::Query | Location::Header | Location::Form | Location::Path)
            )
            && encode == Encode::Plain
            && !ty.is_scalar()
            && ty != Type::File
        {
            self.diags.error(
                &ty_pos,
                format!(
                    "parameter `{wire}` goes in the {} but its type `{}` is not a single value",
                    loc_name(location),
                    type_label(&ty)
                ),
            );
        }
        let limits = match &f.limits {
            Some(l) => self.lower_limits(l, &ty, wire),
            None => Limits::default(),
        };
        let example = f.example.as_ref().map(|e| {
            if let Err(msg) = check_value(&e.value, &ty) {
                let p = self.pos(&e.referenced);
                self.diags.error(
                    &p,
                    format!(
                        "example of `{wire}` does not fit its type `{}`: {msg}",
                        type_label(&ty)
                    ),
                );
            }
            e.value.clone()
        });
        let default = f.default.as_ref().map(|d| {
            let p = self.pos(&d.referenced);
            if let Err(msg) = check_value(&d.value, &ty) {
                self.diags.error(
                    &p,
                    format!(
                        "default of `{wire}` does not fit its type `{}`: {msg}",
                        type_label(&ty)
                    ),
                );
            } else if d.value.is_number()
                && (limits
                    .min
                    .is_some_and(|m| m.cmp_value(&d.value) == Some(Ordering::Greater))
                    || limits
                        .max
                        .is_some_and(|m| m.cmp_value(&d.value) == Some(Ordering::Less)))
            {
                self.diags.error(
                    &p,
                    format!(
                        "contradictory limit: the default {} of `{wire}` is outside its min/max",
                        d.value
                    ),
                );
            }
            d.value.clone()
        });
        Some(Field {
            pos: name_pos,
            wire: wire.clone(),
            rust,
            ty,
            required: f.required.as_ref().is_some_and(|r| r.value),
            description,
            example,
            default,
            secret: f.secret,
            flatten,
            lenient: false,
            location,
            encode,
            limits,
        })
    }

    fn lower_limits(&mut self, l: &S<spec::Limits>, ty: &Type, wire: &str) -> Limits {
        let pos = self.pos(&l.referenced);
        let s = &l.value;
        let label = type_label(ty);
        if (s.max_items.is_some() || s.min_items.is_some()) && !ty.is_list() {
            self.diags.error(
                &pos,
                format!("`max_items`/`min_items` apply to lists, but `{wire}` is `{label}`"),
            );
        }
        if (s.min.is_some() || s.max.is_some()) && !ty.is_number() {
            self.diags.error(
                &pos,
                format!("`min`/`max` apply to numbers, but `{wire}` is `{label}`"),
            );
        }
        if (s.max_len.is_some() || s.min_len.is_some()) && *ty != Type::String {
            self.diags.error(
                &pos,
                format!("`max_len`/`min_len` apply to strings, but `{wire}` is `{label}`"),
            );
        }
        if let (Some(lo), Some(hi)) = (s.min_len, s.max_len)
            && lo > hi
        {
            self.diags.error(
                &pos,
                format!(
                    "contradictory limit on `{wire}`: min_len {lo} is greater than max_len {hi}"
                ),
            );
        }
        if (s.max_bytes.is_some() || s.max_bytes_by.is_some()) && *ty != Type::File {
            self.diags.error(
                &pos,
                format!("`max_bytes`/`max_bytes_by` apply to files, but `{wire}` is `{label}`"),
            );
        }
        let max_bytes_by = s.max_bytes_by.as_ref().map(|by| {
            let mut values: Vec<(String, u64)> = Vec::new();
            for v in &by.value.values {
                let p = self.pos(&v.value.value.referenced);
                let value = v.value.value.value.clone();
                if values.iter().any(|(seen, _)| *seen == value) {
                    self.diags.error(
                        &p,
                        format!("`max_bytes_by` of `{wire}` lists the value `{value}` twice"),
                    );
                }
                if v.value.max_bytes == 0 {
                    self.diags.error(
                        &p,
                        format!("contradictory limit on `{wire}`: a maximum of 0 allows nothing"),
                    );
                }
                values.push((value, v.value.max_bytes));
            }
            ir::MaxBytesBy {
                field: by.value.field.value.clone(),
                rust: String::new(),
                is_enum: false,
                values,
            }
        });
        if let (Some(lo), Some(hi)) = (s.min_items, s.max_items)
            && lo > hi
        {
            self.diags.error(
                &pos,
                format!(
                    "contradictory limit on `{wire}`: min_items {lo} is greater than max_items {hi}"
                ),
            );
        }
        let min = s.min.as_ref().and_then(|n| self.bound(n, "min", ty, wire));
        let max = s.max.as_ref().and_then(|n| self.bound(n, "max", ty, wire));
        if let (Some(lo), Some(hi)) = (min, max)
            && lo > hi
        {
            self.diags.error(
                &pos,
                format!("contradictory limit on `{wire}`: min {lo} is greater than max {hi}"),
            );
        }
        if s.max_items == Some(0) || s.max_len == Some(0) || s.max_bytes == Some(0) {
            self.diags.error(
                &pos,
                format!("contradictory limit on `{wire}`: a maximum of 0 allows nothing"),
            );
        }
        Limits {
            max_items: s.max_items,
            min_items: s.min_items,
            min,
            max,
            max_len: s.max_len,
            max_bytes: s.max_bytes,
            max_bytes_by,
            min_len: s.min_len,
        }
    }

    /// A `min` or `max` as the field's type holds it: integer fields take whole numbers in
    /// their range (read exactly, never through a float), `number` fields any finite number
    /// an `f64` holds exactly. `None`, and a located error, for a value that does not fit.
    fn bound(&mut self, n: &S<Number>, name: &str, ty: &Type, wire: &str) -> Option<Bound> {
        let pos = self.pos(&n.referenced);
        let v = &n.value;
        let (range, lo, hi) = match ty {
            Type::Integer => ("i64", i64::MIN, i64::MAX),
            Type::Int32 => ("int32", i64::from(i32::MIN), i64::from(i32::MAX)),
            Type::Number => {
                let exact = match (v.as_i64(), v.as_u64()) {
                    (Some(i), _) => i64_as_f64_exactly(i),
                    (None, Some(u)) => u64_as_f64_exactly(u),
                    (None, None) => v.as_f64(),
                };
                return match exact {
                    Some(f) if f.is_finite() => Some(Bound::Float(f)),
                    _ => {
                        self.diags.error(
                            &pos,
                            format!("`{name}` {v} of number `{wire}` is not exactly an f64 value"),
                        );
                        None
                    }
                };
            }
            // Not a number field (reported once, for the whole `limits`): the value as written,
            // so a min above its max is still reported.
            _ => {
                return exact_integer(v)
                    .and_then(|i| i64::try_from(i).ok())
                    .map(Bound::Int)
                    .or_else(|| v.as_f64().map(Bound::Float));
            }
        };
        if v.is_f64() {
            let f = v.as_f64().unwrap_or(f64::NAN);
            if f.fract() != 0.0 || !f.is_finite() {
                self.diags.error(
                    &pos,
                    format!("`{name}` of integer `{wire}` must be a whole number, not {v}"),
                );
                return None;
            }
        }
        match exact_integer(v).filter(|i| (i128::from(lo)..=i128::from(hi)).contains(i)) {
            Some(i) => i64::try_from(i).ok().map(Bound::Int),
            None => {
                self.diags.error(
                    &pos,
                    format!(
                        "`{name}` {v} of {} `{wire}` is out of the {range} range ({lo} to {hi})",
                        type_label(ty)
                    ),
                );
                None
            }
        }
    }
}

/// A whole number read from the spec, exactly: integers as they are, whole floats only below
/// 2^53 (beyond, the float is already rounded and its spelling is lost).
fn exact_integer(v: &Number) -> Option<i128> {
    if let Some(i) = v.as_i64() {
        return Some(i128::from(i));
    }
    if let Some(u) = v.as_u64() {
        return Some(i128::from(u));
    }
    let f = v.as_f64()?;
    #[allow(clippy::cast_possible_truncation)]
    (f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0).then_some(f as i128)
}

/// `i` as an `f64` when the conversion loses nothing (compared in 128 bits, where no cast
/// saturates).
#[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
fn i64_as_f64_exactly(i: i64) -> Option<f64> {
    let f = i as f64;
    (f as i128 == i128::from(i)).then_some(f)
}

/// `u` as an `f64` when the conversion loses nothing.
#[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
fn u64_as_f64_exactly(u: u64) -> Option<f64> {
    let f = u as f64;
    (f as u128 == u128::from(u)).then_some(f)
}

fn loc_name(l: Option<Location>) -> &'static str {
    match l {
        Some(Location::Query) => "query string",
        Some(Location::Header) => "headers",
        Some(Location::Form | Location::File) => "form",
        Some(Location::Path) => "path",
        _ => "body",
    }
}

/// Checks that a wire value fits a type; the error says what is wrong.
pub(crate) fn check_value(v: &Value, ty: &Type) -> Result<(), String> {
    let fits = match ty {
        Type::String => v.is_string(),
        Type::Integer | Type::EpochMs => v.is_i64(),
        Type::Int32 => v.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
        Type::Number => v.is_number(),
        Type::Boolean => v.is_boolean(),
        Type::Json => true,
        Type::DateTime => {
            let s = v.as_str().ok_or("expected a string")?;
            if !is_datetime(s) {
                return Err(format!("`{s}` is not of the form yyyy-MM-dd HH:mm:ss"));
            }
            true
        }
        Type::Array(inner) => {
            let items = v.as_array().ok_or("expected an array")?;
            for (i, item) in items.iter().enumerate() {
                check_value(item, inner).map_err(|m| format!("item {i}: {m}"))?;
            }
            true
        }
        Type::Map(inner) => {
            let entries = v.as_object().ok_or("expected an object")?;
            for (key, item) in entries {
                check_value(item, inner).map_err(|m| format!("key `{key}`: {m}"))?;
            }
            true
        }
        Type::Csv(inner) => {
            let s = v.as_str().ok_or("expected one comma-joined string")?;
            for part in s.split(',').filter(|p| !p.is_empty()) {
                let item = match inner.as_ref() {
                    Type::String => Value::String(part.to_owned()),
                    Type::Named(n) if n.kind == NamedKind::StringEnum => {
                        Value::String(part.to_owned())
                    }
                    _ => part
                        .trim()
                        .parse::<i64>()
                        .map(Value::from)
                        .map_err(|_| format!("`{part}` is not an integer"))?,
                };
                check_value(&item, inner)?;
            }
            true
        }
        Type::Named(n) => match n.kind {
            NamedKind::Object | NamedKind::Union => v.is_object(),
            NamedKind::IntEnum => v.is_i64(),
            NamedKind::StringEnum => v.is_string(),
        },
        // An example file is given inline: its name and its (text) content.
        Type::File => {
            let o = v
                .as_object()
                .ok_or("expected {\"filename\": …, \"content\": …}")?;
            let ok = o.len() == 2
                && o.get("filename").is_some_and(Value::is_string)
                && o.get("content").is_some_and(Value::is_string);
            if !ok {
                return Err("a file example is {\"filename\": \"…\", \"content\": \"…\"}".into());
            }
            true
        }
    };
    if fits {
        Ok(())
    } else if *ty == Type::Int32 && v.is_i64() {
        Err(format!("`{v}` is out of the int32 range"))
    } else {
        Err(format!("expected {}, found `{v}`", type_label(ty)))
    }
}

/// Whether a string has the form `yyyy-MM-dd HH:mm:ss` (digits and separators only).
pub(crate) fn is_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b' ',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
}
