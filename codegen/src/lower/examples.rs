//! Documented examples of whole requests and responses, assembled from the field examples.
//!
//! The tables give one example per row; nested objects have none of their own (several tables
//! even print invalid JSON there). The example of an object is built from its fields, the
//! example of a list of objects is a one-item list, and a union shows its first variant.

use serde_json::{Map, Value};

use crate::ir::{NamedKind, Object, Type, TypeDef};

/// The example of an object: every field that has (or contains) an example, in field order.
pub(crate) fn object(obj: &Object, types: &[TypeDef]) -> Value {
    let mut map = Map::new();
    fill(obj, types, &mut map, 0);
    Value::Object(map)
}

fn fill(obj: &Object, types: &[TypeDef], map: &mut Map<String, Value>, depth: usize) {
    for f in &obj.fields {
        if f.flatten {
            if let Some(Value::Object(inner)) = of_type(&f.ty, types, depth) {
                map.extend(inner);
            }
            continue;
        }
        let v = f.example.clone().or_else(|| of_type(&f.ty, types, depth));
        if let Some(v) = v {
            map.insert(f.wire.clone(), v);
        }
    }
}

fn of_type(ty: &Type, types: &[TypeDef], depth: usize) -> Option<Value> {
    if depth > 16 {
        return None;
    }
    match ty {
        Type::Array(inner) => of_type(inner, types, depth + 1).map(|v| Value::Array(vec![v])),
        Type::Named(n) if n.kind == NamedKind::Object => {
            match types.iter().find(|t| t.name() == n.name) {
                Some(TypeDef::Object(o)) => {
                    let mut map = Map::new();
                    fill(o, types, &mut map, depth + 1);
                    (!map.is_empty()).then_some(Value::Object(map))
                }
                _ => None,
            }
        }
        Type::Named(n) if n.kind == NamedKind::Union => {
            match types.iter().find(|t| t.name() == n.name) {
                Some(TypeDef::Union(u)) => {
                    let first = u.variants.first()?;
                    let content = types.iter().find_map(|t| match t {
                        TypeDef::Object(o) if o.name == first.ty => Some(o),
                        _ => None,
                    })?;
                    let mut inner = Map::new();
                    fill(content, types, &mut inner, depth + 1);
                    let mut map = Map::new();
                    map.insert(u.tag.clone(), Value::String(first.value.clone()));
                    map.insert(first.value.clone(), Value::Object(inner));
                    Some(Value::Object(map))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// A made-up example of an object of an imported file, which documents no examples: every field
/// with a value of its type (a list of one item, a map of one key), nested objects alike; a field
/// whose type is already being filled (a tree's `children`) is left out, so the value is finite.
pub(crate) fn synthesized(obj: &Object, types: &[TypeDef]) -> Value {
    let mut open = Vec::new();
    synthesize_object(obj, types, &mut open)
}

fn synthesize_object<'a>(obj: &'a Object, types: &'a [TypeDef], open: &mut Vec<&'a str>) -> Value {
    open.push(&obj.name);
    let mut map = Map::new();
    for f in &obj.fields {
        if let Some(v) = f
            .example
            .clone()
            .or_else(|| synthesize(&f.ty, &f.wire, types, open))
        {
            map.insert(f.wire.clone(), v);
        }
    }
    open.pop();
    Value::Object(map)
}

fn synthesize<'a>(
    ty: &Type,
    wire: &str,
    types: &'a [TypeDef],
    open: &mut Vec<&'a str>,
) -> Option<Value> {
    Some(match ty {
        Type::String => Value::String(format!("{wire}-1")),
        Type::Integer | Type::Int32 => Value::from(1),
        Type::Number => Value::from(1.5),
        Type::Boolean => Value::Bool(true),
        Type::EpochMs => Value::from(1_700_000_000_000_i64),
        Type::DateTime => Value::String("2024-01-02 03:04:05".into()),
        Type::Json => serde_json::json!({"key": "value"}),
        Type::Array(inner) => Value::Array(vec![synthesize(inner, wire, types, open)?]),
        Type::Map(inner) => {
            let mut map = Map::new();
            map.insert("key".into(), synthesize(inner, wire, types, open)?);
            Value::Object(map)
        }
        Type::Csv(inner) => match synthesize(inner, wire, types, open)? {
            Value::String(s) => Value::String(s),
            other => Value::String(other.to_string()),
        },
        Type::Named(n) => {
            if open.contains(&n.name.as_str()) {
                return None;
            }
            match types.iter().find(|t| t.name() == n.name)? {
                TypeDef::Object(o) => synthesize_object(o, types, open),
                TypeDef::Enum(e) => e.values.first()?.value.clone(),
                TypeDef::Union(_) => of_type(ty, types, 0)?,
            }
        }
        Type::File => return None,
    })
}
