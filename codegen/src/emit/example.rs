//! Doc examples: the documented example request written as a user would build it
//! (`new(required...)` plus setters), compiled by rustdoc as a `no_run` doctest.

use std::collections::BTreeSet;

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use serde_json::{Map, Value};

use super::ident;
use crate::ir::{Area, NamedKind, Object, Operation, Type, TypeDef};

/// The `# Example` code block of an operation's client method.
pub(crate) fn call(area: &Area, op: &Operation) -> String {
    let mut prims = BTreeSet::new();
    let empty = Map::new();
    let value = op.example_request.as_object().unwrap_or(&empty);
    let expr = object(&op.request, value, area, &mut prims);
    let accessor = ident(&area.name);
    let f = ident(&op.fn_name);
    let body = quote! {
        fn example() {
            let request = #expr;
            let response = client.#accessor().#f(request).await?;
        }
    };
    let code = match syn::parse2::<syn::File>(body) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => String::new(),
    };
    let inner: Vec<&str> = code.lines().skip(1).take_while(|l| *l != "}").collect();
    let mut out = String::from(
        "```no_run\n# async fn example(client: dingtalk_openapi::Client) -> Result<(), Box<dyn std::error::Error>> {\n",
    );
    out.push_str(&format!("use dingtalk_openapi::{}::*;\n", area.name));
    if !prims.is_empty() {
        let list: Vec<&str> = prims.iter().copied().collect();
        let names = if list.len() == 1 {
            list[0].to_owned()
        } else {
            format!("{{{}}}", list.join(", "))
        };
        out.push_str(&format!("use dingtalk_openapi::primitives::{names};\n"));
    }
    for line in inner {
        out.push_str(line.strip_prefix("    ").unwrap_or(line));
        out.push('\n');
    }
    out.push_str("println!(\"{response:?}\");\n# Ok(())\n# }\n```");
    out
}

fn object(
    o: &Object,
    value: &Map<String, Value>,
    area: &Area,
    prims: &mut BTreeSet<&'static str>,
) -> TokenStream {
    let name = ident(&o.name);
    let mut args = Vec::new();
    let mut setters = Vec::new();
    for f in &o.fields {
        let v = if f.flatten {
            Some(Value::Object(value.clone()))
        } else {
            value.get(&f.wire).cloned()
        };
        if f.required {
            let v = v.unwrap_or(Value::Null);
            args.push(expr(&f.ty, &v, area, prims, true));
        } else if let Some(v) = v {
            let s = ident(&f.rust);
            let e = expr(&f.ty, &v, area, prims, true);
            setters.push(quote!(.#s(#e)));
        }
    }
    quote!(#name::new(#(#args),*) #(#setters)*)
}

/// An expression of type `ty` for the example `v`; `top` when it is a direct argument (strings
/// go as `&str` through `impl Into<String>`).
fn expr(
    ty: &Type,
    v: &Value,
    area: &Area,
    prims: &mut BTreeSet<&'static str>,
    top: bool,
) -> TokenStream {
    match ty {
        Type::String => {
            let s = v.as_str().unwrap_or_default();
            if top {
                quote!(#s)
            } else {
                quote!(#s.to_owned())
            }
        }
        Type::Integer | Type::Int32 => int(v.as_i64().unwrap_or_default()),
        Type::Number => {
            let n = Literal::f64_unsuffixed(v.as_f64().unwrap_or_default().abs());
            if v.as_f64().unwrap_or_default() < 0.0 {
                quote!(-#n)
            } else {
                quote!(#n)
            }
        }
        Type::Boolean => {
            let b = v.as_bool().unwrap_or_default();
            quote!(#b)
        }
        Type::EpochMs => {
            prims.insert("EpochMillis");
            let n = int(v.as_i64().unwrap_or_default());
            quote!(EpochMillis(#n))
        }
        Type::DateTime => {
            prims.insert("DateTime");
            let s = v.as_str().unwrap_or("2020-01-01 00:00:00");
            quote!(DateTime::parse(#s)?)
        }
        Type::Json => {
            let text = v.to_string();
            quote!(serde_json::from_str(#text)?)
        }
        Type::Array(inner) => {
            let items = v
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|i| expr(inner, i, area, prims, top))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            if top {
                quote!([#(#items),*])
            } else {
                quote!(vec![#(#items),*])
            }
        }
        Type::Csv(inner) if top => {
            let items = csv_items(inner, v)
                .into_iter()
                .map(|item| expr(inner, &item, area, prims, true));
            quote!([#(#items),*])
        }
        Type::Csv(inner) => {
            prims.insert("CommaList");
            let items: Vec<TokenStream> = csv_items(inner, v)
                .iter()
                .map(|item| expr(inner, item, area, prims, false))
                .collect();
            quote!(CommaList::from(vec![#(#items),*]))
        }
        Type::Named(n) => named(&n.name, v, area, prims),
    }
}

/// The items of a comma-joined example, as wire values of the item type.
fn csv_items(inner: &Type, v: &Value) -> Vec<Value> {
    let text = v.as_str().unwrap_or_default();
    text.split(',')
        .filter(|p| !p.is_empty())
        .map(|p| match inner {
            Type::String => Value::String(p.to_owned()),
            Type::Named(n) if n.kind == NamedKind::StringEnum => Value::String(p.to_owned()),
            _ => p
                .trim()
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or(Value::Null),
        })
        .collect()
}

fn int(n: i64) -> TokenStream {
    let lit = Literal::i64_unsuffixed(n.unsigned_abs() as i64);
    if n < 0 { quote!(-#lit) } else { quote!(#lit) }
}

fn named(name: &str, v: &Value, area: &Area, prims: &mut BTreeSet<&'static str>) -> TokenStream {
    let ty = ident(name);
    let empty = Map::new();
    match area.type_def(name) {
        Some(TypeDef::Object(o)) => object(o, v.as_object().unwrap_or(&empty), area, prims),
        Some(TypeDef::Enum(e)) => {
            match e.values.iter().find(|x| &x.value == v).or(e.values.first()) {
                Some(known) => {
                    let variant = ident(&known.rust);
                    quote!(#ty::#variant)
                }
                None => quote!(#ty::Unknown(Default::default())),
            }
        }
        Some(TypeDef::Union(u)) => {
            let map = v.as_object().unwrap_or(&empty);
            let kind = map.get(&u.tag).and_then(Value::as_str);
            let variant = u
                .variants
                .iter()
                .find(|x| Some(x.value.as_str()) == kind)
                .or(u.variants.first());
            match variant {
                Some(var) => {
                    let content = map
                        .get(&var.value)
                        .cloned()
                        .unwrap_or(Value::Object(Map::new()));
                    let inner = named(&var.ty, &content, area, prims);
                    let vn = ident(&var.rust);
                    quote!(#ty::#vn(#inner))
                }
                None => quote!(unreachable!()),
            }
        }
        None => quote!(Default::default()),
    }
}
