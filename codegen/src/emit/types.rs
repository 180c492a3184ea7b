//! Objects, open enums and tagged unions: the data types of an area.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use super::{Imports, docs, ident, rust_type};
use crate::ir::{Enum, Field, NamedKind, Object, Type, TypeDef, Union};

/// One declared type.
pub(crate) fn type_def(
    t: &TypeDef,
    checked: &BTreeSet<String>,
    imports: &mut Imports,
) -> TokenStream {
    match t {
        TypeDef::Object(o) => object(o, checked, imports),
        TypeDef::Enum(e) => open_enum(e, imports),
        TypeDef::Union(u) => union(u, checked, imports),
    }
}

/// A struct with serde attributes; constructor and setters when it is sent; checks when it has any.
pub(crate) fn object(o: &Object, checked: &BTreeSet<String>, imports: &mut Imports) -> TokenStream {
    let name = ident(&o.name);
    let mut text = o.description.clone();
    if let Some(d) = &o.doc_name {
        text.push_str(&format!("\n\nDingTalk type: `{d}`."));
    }
    let doc = docs::doc(&text);
    let flatten = o.fields.iter().any(|f| f.flatten);
    let fields = o
        .fields
        .iter()
        .map(|f| {
            let fdoc = docs::doc(&docs::field(f));
            let fname = ident(&f.rust);
            let ty = field_type(f, imports);
            let serde = flatten.then(|| derive_attrs(f)).flatten();
            quote! { #fdoc #serde pub #fname: #ty, }
        })
        .collect::<Vec<_>>();
    let builder = o.usage.request.then(|| constructor(o, imports));
    let checks = o
        .has_checks
        .then(|| super::ops::validate_impl(&name, &o.fields, None, checked, imports));
    let default = o
        .fields
        .iter()
        .all(|f| !f.required)
        .then(|| quote!(Default,));
    // A type only ever received needs no `Serialize` (it costs build time per type); users who
    // store answers turn it on with the `serialize-responses` feature.
    let ser_gate = (!o.usage.request).then(|| quote!(#[cfg(feature = "serialize-responses")]));
    let (derives, serde_impls) = if flatten {
        // `flatten` (the robot's message union) is the one shape left to serde_derive.
        let ser = imports.item("serde::Serialize");
        let de = imports.item("serde::Deserialize");
        let ser_attr =
            ser_gate.map(|_| quote!(#[cfg_attr(feature = "serialize-responses", derive(#ser))]));
        let ser = o.usage.request.then(|| quote!(#ser,));
        (
            quote!(#[derive(Debug, Clone, PartialEq, #ser #de)] #ser_attr),
            None,
        )
    } else {
        (
            quote!(#[derive(Debug, Clone, #default PartialEq)]),
            Some(record_impls(o, ser_gate, imports)),
        )
    };
    quote! {
        #doc
        #derives
        #[non_exhaustive]
        pub struct #name { #(#fields)* }
        #serde_impls
        #builder
        #checks
    }
}

/// A field's Rust type: `Option` around it when the field is optional.
fn field_type(f: &Field, imports: &mut Imports) -> TokenStream {
    let ty = rust_type(&f.ty, f.secret, imports);
    if f.required { ty } else { quote!(Option<#ty>) }
}

/// serde_derive attributes of a field, for the objects still derived.
fn derive_attrs(f: &Field) -> Option<TokenStream> {
    let mut attrs = Vec::new();
    if f.flatten {
        attrs.push(quote!(flatten));
    } else if f.wire != f.rust {
        let w = &f.wire;
        attrs.push(quote!(rename = #w));
    }
    if f.lenient {
        attrs.push(quote!(
            deserialize_with = "dingtalk_openapi_runtime::__private::deserialize_lenient_i64"
        ));
    }
    if !f.required {
        attrs.push(quote!(default, skip_serializing_if = "Option::is_none"));
    }
    (!attrs.is_empty()).then(|| quote!(#[serde(#(#attrs),*)]))
}

/// `Serialize` and `Deserialize` through the runtime's `record` module (see its docs for why
/// not serde_derive): a chained writer, and a read into a tuple of field slots that becomes the
/// struct. Objects past 16 fields chain tuples of 16. The shape is a promoted `&Shape` and the
/// result is matched rather than `?`-ed: both cost rustc less per type than a `const` item and
/// the `Try` desugaring.
fn record_impls(o: &Object, ser_gate: Option<TokenStream>, imports: &mut Imports) -> TokenStream {
    let name = ident(&o.name);
    let type_name = &o.name;
    let record = imports.item("__private::record");
    let ser = imports.item("serde::Serialize");
    let de = imports.item("serde::Deserialize");
    let wire: Vec<&str> = o.fields.iter().map(|f| f.wire.as_str()).collect();
    let count = proc_macro2::Literal::usize_unsuffixed(o.fields.len());
    let writes = o.fields.iter().map(|f| {
        let fname = ident(&f.rust);
        let w = &f.wire;
        if f.required {
            quote!(.field(#w, &self.#fname))
        } else {
            quote!(.optional(#w, &self.#fname))
        }
    });
    let slots: Vec<TokenStream> = o
        .fields
        .iter()
        .map(|f| {
            if f.lenient {
                return quote!(#record::Lenient);
            }
            let ty = rust_type(&f.ty, f.secret, imports);
            if f.required {
                quote!(#record::Required<#ty>)
            } else {
                quote!(#record::Optional<#ty>)
            }
        })
        .collect();
    let names: Vec<TokenStream> = o
        .fields
        .iter()
        .map(|f| {
            let fname = ident(&f.rust);
            quote!(#fname)
        })
        .collect();
    let slots_ty = chunked(&slots, |group| quote!(#record::Chain<#group>));
    let pattern = chunked(&names, |group| quote!((#group)));
    let deny = o.usage.request && !o.usage.response;
    quote! {
        #ser_gate
        impl #ser for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #record::writer(serializer, #type_name, #count) #(#writes)* .end()
            }
        }
        impl<'de> #de<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let shape = &#record::Shape {
                    name: #type_name,
                    wire: &[#(#wire),*],
                    deny_unknown: #deny,
                };
                match #record::read::<#slots_ty, D>(deserializer, shape) {
                    Ok(#pattern) => Ok(Self { #(#names),* }),
                    Err(error) => Err(error),
                }
            }
        }
    }
}

/// `(a, b, …)` for up to 16 items; past that `chain((16 items), rest)` with the rest chunked the
/// same way, matching the runtime's `Chain` of slot tuples.
fn chunked(
    items: &[TokenStream],
    chain: impl Fn(TokenStream) -> TokenStream + Copy,
) -> TokenStream {
    const GROUP: usize = 16;
    if items.len() <= GROUP {
        return quote!((#(#items,)*));
    }
    let (head, tail) = items.split_at(GROUP);
    let tail = chunked(tail, chain);
    chain(quote!((#(#head,)*), #tail))
}

/// `new(required...)` and one `#[must_use]` setter per optional field.
fn constructor(o: &Object, imports: &mut Imports) -> TokenStream {
    let name = ident(&o.name);
    let mut args = Vec::new();
    let mut inits = Vec::new();
    let mut arg_docs =
        String::from("Creates the value from its required fields; optional fields start unset.");
    let mut setters = Vec::new();
    for f in &o.fields {
        let fname = ident(&f.rust);
        let (arg_ty, value) = argument(f, imports);
        let plain = value.to_string() == f.rust;
        if f.required {
            args.push(quote!(#fname: #arg_ty));
            inits.push(if plain {
                quote!(#fname)
            } else {
                quote!(#fname: #value)
            });
            if arg_docs.ends_with("unset.") {
                arg_docs.push('\n');
            }
            arg_docs.push_str(&format!("\n- `{}`: {}", f.rust, first_line(&f.description)));
        } else {
            inits.push(quote!(#fname: None));
            let sdoc = docs::doc(&format!("Sets `{}`: {}", f.rust, docs::field(f)));
            setters.push(quote! {
                #sdoc
                #[must_use]
                pub fn #fname(mut self, #fname: #arg_ty) -> Self {
                    self.#fname = Some(#value);
                    self
                }
            });
        }
    }
    let allow = (args.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let ndoc = docs::doc(&arg_docs);
    quote! {
        impl #name {
            #ndoc
            #allow
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits),* }
            }
            #(#setters)*
        }
    }
}

/// How a constructor or setter takes a field, and the expression that stores it: strings and
/// unions through `Into`, lists from any iterable (of `impl Into<String>` for strings), the rest
/// as they are.
fn argument(f: &Field, imports: &mut Imports) -> (TokenStream, TokenStream) {
    let fname = ident(&f.rust);
    let ty = rust_type(&f.ty, f.secret, imports);
    match &f.ty {
        Type::String => (quote!(impl Into<#ty>), quote!(#fname.into())),
        Type::Named(n) if n.kind == NamedKind::Union => {
            (quote!(impl Into<#ty>), quote!(#fname.into()))
        }
        Type::Array(inner) | Type::Csv(inner) => {
            let item = rust_type(inner, false, imports);
            if **inner == Type::String {
                (
                    quote!(impl IntoIterator<Item = impl Into<String>>),
                    quote!(#fname.into_iter().map(Into::into).collect()),
                )
            } else {
                (
                    quote!(impl IntoIterator<Item = #item>),
                    quote!(#fname.into_iter().collect()),
                )
            }
        }
        _ => (ty, quote!(#fname)),
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_owned()
}

/// An open enum: the known values, `Unknown` for the rest, serde through its wire value.
fn open_enum(e: &Enum, imports: &mut Imports) -> TokenStream {
    let name = ident(&e.name);
    let open = imports.item("primitives::OpenEnum");
    let ser_fn = imports.item("__private::serialize_open_enum");
    let de_fn = imports.item("__private::deserialize_open_enum");
    let ser = imports.item("serde::Serialize");
    let de = imports.item("serde::Deserialize");
    let list = e
        .values
        .iter()
        .map(|v| format!("`{}` {}", show(&v.value), v.description))
        .collect::<Vec<_>>()
        .join("; ");
    let doc = docs::doc(&format!(
        "{}\n\nValues: {list}. Open: a value not listed here is kept as `Unknown`.",
        e.description
    ));
    let variants = e.values.iter().map(|v| {
        let vname = ident(&v.rust);
        let vdoc = docs::doc(&format!("{} (`{}`)", v.description, show(&v.value)));
        quote!(#vdoc #vname,)
    });
    let (repr, copy) = if e.string_values {
        (quote!(String), quote!())
    } else {
        (quote!(i64), quote!(Copy,))
    };
    let lits: Vec<TokenStream> = e.values.iter().map(|v| literal(&v.value)).collect();
    let vnames: Vec<_> = e.values.iter().map(|v| ident(&v.rust)).collect();
    let from_arms = lits
        .iter()
        .zip(&vnames)
        .map(|(l, v)| quote!(#l => Self::#v,));
    let to_arms = lits.iter().zip(&vnames).map(|(l, v)| {
        if e.string_values {
            quote!(Self::#v => #l.to_owned(),)
        } else {
            quote!(Self::#v => #l,)
        }
    });
    let (from_match, unknown_to) = if e.string_values {
        (
            quote!(match value.as_str()),
            quote!(Self::Unknown(v) => v.clone(),),
        )
    } else {
        (quote!(match value), quote!(Self::Unknown(v) => *v,))
    };
    let fallback = if e.string_values {
        quote!(_ => Self::Unknown(value),)
    } else {
        quote!(other => Self::Unknown(other),)
    };
    quote! {
        #doc
        #[derive(Debug, Clone, #copy)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version of the crate does not know, kept as received.
            Unknown(#repr),
        }
        impl #open for #name {
            type Repr = #repr;
            fn from_repr(value: #repr) -> Self {
                #from_match { #(#from_arms)* #fallback }
            }
            fn to_repr(&self) -> #repr {
                match self { #(#to_arms)* #unknown_to }
            }
        }
        /// Equal when the wire values are: `Unknown` of a listed value equals that variant.
        impl PartialEq for #name {
            fn eq(&self, other: &Self) -> bool {
                self.to_repr() == other.to_repr()
            }
        }
        impl Eq for #name {}
        impl std::hash::Hash for #name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.to_repr().hash(state);
            }
        }
        impl From<#repr> for #name {
            fn from(value: #repr) -> Self {
                Self::from_repr(value)
            }
        }
        impl #ser for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #ser_fn(self, serializer)
            }
        }
        impl<'de> #de<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #de_fn(deserializer)
            }
        }
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn literal(v: &Value) -> TokenStream {
    match v {
        Value::String(s) => quote!(#s),
        Value::Number(n) => match n.as_i64() {
            Some(i) => {
                let lit = proc_macro2::Literal::i64_unsuffixed(i.abs());
                if i < 0 { quote!(-#lit) } else { quote!(#lit) }
            }
            None => quote!(0),
        },
        _ => quote!(()),
    }
}

/// A DingTalk tagged union: `{"<tag>": "<value>", "<value>": {...}}`.
fn union(u: &Union, checked: &BTreeSet<String>, imports: &mut Imports) -> TokenStream {
    let name = ident(&u.name);
    let tag = &u.tag;
    let list = u
        .variants
        .iter()
        .map(|v| format!("`{}` ({})", v.value, v.description))
        .collect::<Vec<_>>()
        .join(", ");
    let doc = docs::doc(&format!(
        "{}\n\nOn the wire: `{{\"{tag}\": \"<kind>\", \"<kind>\": {{...}}}}` with kind {list}.",
        u.description
    ));
    let ser = imports.item("serde::Serialize");
    let de = imports.item("serde::Deserialize");
    let variants = u.variants.iter().map(|v| {
        let vn = ident(&v.rust);
        let ty = ident(&v.ty);
        let vdoc = docs::doc(&format!("{} (`{}`)", v.description, v.value));
        quote!(#vdoc #vn(#ty),)
    });
    let ser_arms = u.variants.iter().map(|v| {
        let vn = ident(&v.rust);
        let value = &v.value;
        quote!(Self::#vn(content) => {
            map.serialize_entry(#tag, #value)?;
            map.serialize_entry(#value, content)?;
        })
    });
    let de_arms = u.variants.iter().map(|v| {
        let vn = ident(&v.rust);
        let value = &v.value;
        quote!(#value => |content| serde_json::from_value(content).map(Self::#vn),)
    });
    let froms = u.variants.iter().map(|v| {
        let vn = ident(&v.rust);
        let ty = ident(&v.ty);
        quote! {
            impl From<#ty> for #name {
                fn from(content: #ty) -> Self { Self::#vn(content) }
            }
        }
    });
    let values: Vec<&str> = u.variants.iter().map(|v| v.value.as_str()).collect();
    // A union only ever sent refuses keys it does not know (they would be lost); one that is
    // received tolerates them like every response type.
    let strict = (u.usage.request && !u.usage.response).then(|| {
        quote! {
            if let Some(key) = map.keys().next() {
                return Err(D::Error::unknown_field(key, &[#tag, #(#values),*]));
            }
        }
    });
    let checks = u.has_checks.then(|| {
        let validate = imports.item("validate::Validate");
        let fp = imports.item("validate::FieldPath");
        let ve = imports.item("validate::ValidationError");
        let arms = u.variants.iter().map(|v| {
            let vn = ident(&v.rust);
            let value = &v.value;
            if checked.contains(&v.ty) {
                quote!(Self::#vn(content) => content.validate_at(&path.field(#value)),)
            } else {
                quote!(Self::#vn(_) => Ok(()),)
            }
        });
        quote! {
            impl #validate for #name {
                fn validate_at(&self, path: &#fp<'_>) -> Result<(), #ve> {
                    match self { #(#arms)* }
                }
            }
        }
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #name { #(#variants)* }
        #(#froms)*
        impl #ser for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(Some(2))?;
                match self { #(#ser_arms)* }
                map.end()
            }
        }
        impl<'de> #de<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                use serde::de::Error as _;
                let mut map = serde_json::Map::<String, serde_json::Value>::deserialize(deserializer)?;
                let kind = match map.remove(#tag) {
                    Some(serde_json::Value::String(kind)) => kind,
                    _ => return Err(D::Error::missing_field(#tag)),
                };
                let parse: fn(serde_json::Value) -> Result<Self, serde_json::Error> = match kind.as_str() {
                    #(#de_arms)*
                    other => return Err(D::Error::unknown_variant(other, &[#(#values),*])),
                };
                let content = map.remove(&kind).unwrap_or(serde_json::Value::Null);
                #strict
                parse(content).map_err(|e| D::Error::custom(format_args!("`{kind}`: {e}")))
            }
        }
        #checks
    }
}
