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
