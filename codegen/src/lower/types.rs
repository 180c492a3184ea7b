//! Lowering of type expressions, fields, limits and examples, with their checks.

use std::collections::BTreeMap;

use serde_json::Value;

use super::Ctx;
use crate::diag::Pos;
use crate::ir::{Field, Limits, Location, NamedKind, NamedRef, Type};
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
        name => match reg.get(name) {
            Some(kind) => Type::Named(NamedRef {
                name: name.to_owned(),
                kind: *kind,
                checked: false,
            }),
            None => {
                return Err(format!(
                    "unknown type `{name}`: expected string, integer, int32, number, boolean, epoch_ms, datetime, json, \
                     T[], csv<T> or a type declared in this file"
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
        Type::Csv(t) => format!("csv<{}>", type_label(t)),
        Type::Named(n) => n.name.clone(),
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
        let location = match (&f.location, role) {
            (Some(l), Role::Param) => Some(l.value),
            (None, Role::Param) => {
                self.diags.error(
                    &name_pos,
                    format!("parameter `{wire}` of {owner} needs `in: query | body | header`"),
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
        if role == Role::Param
            && matches!(location, Some(Location::Query | Location::Header))
            && !ty.is_scalar()
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
            } else if let Some(n) = d.value.as_f64()
                && (limits.min.is_some_and(|m| n < m) || limits.max.is_some_and(|m| n > m))
            {
                self.diags.error(
                    &p,
                    format!(
                        "contradictory limit: the default {n} of `{wire}` is outside its min/max"
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
            description: f.description.trim().to_owned(),
            example,
            default,
            secret: f.secret,
            flatten,
            lenient: false,
            location,
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
        if s.max_len.is_some() && *ty != Type::String {
            self.diags.error(
                &pos,
                format!("`max_len` applies to strings, but `{wire}` is `{label}`"),
            );
        }
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
        if let (Some(lo), Some(hi)) = (s.min, s.max)
            && lo > hi
        {
            self.diags.error(
                &pos,
                format!("contradictory limit on `{wire}`: min {lo} is greater than max {hi}"),
            );
        }
        for (name, v) in [("min", s.min), ("max", s.max)] {
            if let Some(v) = v {
                if matches!(ty, Type::Integer | Type::Int32) && v.fract() != 0.0 {
                    self.diags.error(
                        &pos,
                        format!("`{name}` of integer `{wire}` must be a whole number, not {v}"),
                    );
                }
                if *ty == Type::Int32 && (v < f64::from(i32::MIN) || v > f64::from(i32::MAX)) {
                    self.diags.error(
                        &pos,
                        format!("`{name}` {v} of int32 `{wire}` is out of the int32 range"),
                    );
                }
            }
        }
        if s.max_items == Some(0) || s.max_len == Some(0) {
            self.diags.error(
                &pos,
                format!("contradictory limit on `{wire}`: a maximum of 0 allows nothing"),
            );
        }
        Limits {
            max_items: s.max_items,
            min_items: s.min_items,
            min: s.min,
            max: s.max,
            max_len: s.max_len,
        }
    }
}

fn loc_name(l: Option<Location>) -> &'static str {
    match l {
        Some(Location::Query) => "query string",
        Some(Location::Header) => "headers",
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
