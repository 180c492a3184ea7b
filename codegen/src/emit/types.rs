//! Objects, open enums and tagged unions: the data types of an area.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use super::{Imports, docs, ident, rust_type};
use crate::ir::{Enum, Field, NamedKind, Object, Type, TypeDef, Union};

/// One declared type.
pub(crate) fn type_def(t: &TypeDef, imports: &mut Imports) -> TokenStream {
    match t {
        TypeDef::Object(o) => object(o, None, true, imports),
        TypeDef::Enum(e) => open_enum(e, imports),
        TypeDef::Union(u) => union(u, imports),
    }
}

/// A struct with serde attributes; constructor and setters when it is sent; its checks when it
/// has any and `own_checks` (a request's checks are its operation's, emitted with it).
/// `extra_doc` is a sentence added to the description.
pub(crate) fn object(
    o: &Object,
    extra_doc: Option<&str>,
    own_checks: bool,
    imports: &mut Imports,
) -> TokenStream {
    let name = ident(&o.name);
    let mut text = if o.description.is_empty() {
        let side = match (o.usage.request, o.usage.response) {
            (true, true) => "requests and answers",
            (true, false) => "requests",
            _ => "answers",
        };
        format!("An object of {side}.")
    } else {
        o.description.clone()
    };
    if let Some(extra) = extra_doc {
        text.push(' ');
        text.push_str(extra);
    }
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
            let attrs = if flatten {
                derive_attrs(f)
            } else {
                wire_attrs(f)
            };
            quote! { #fdoc #attrs pub #fname: #ty, }
        })
        .collect::<Vec<_>>();
    let builder = o.usage.request.then(|| constructor(o, imports));
    let checks = (own_checks && o.has_checks)
        .then(|| super::checks::validate_impl(&name, &o.fields, None, imports));
    let default = o
        .fields
        .iter()
        .all(|f| !f.required)
        .then(|| quote!(Default,));
    let derives = if flatten {
        // `flatten` (the robot's message union) is the one shape left to serde_derive. A type
        // only ever received needs no `Serialize` (it costs build time per type): users who
        // store answers turn it on with the `serialize-responses` feature.
        // A type only sent reads only with `deserialize-requests`, as the `Wire` types do.
        let ser_attr = (!o.usage.request).then(
            || quote!(#[cfg_attr(feature = "serialize-responses", derive(serde::Serialize))]),
        );
        let request_only = o.usage.request && !o.usage.response;
        // Named in full where a feature gates it: an import would be unused without it.
        let de_attr = request_only.then(
            || quote!(#[cfg_attr(feature = "deserialize-requests", derive(serde::Deserialize))]),
        );
        let ser = o.usage.request.then(|| {
            let ser = imports.item("serde::Serialize");
            quote!(#ser,)
        });
        let de = (!request_only).then(|| {
            let de = imports.item("serde::Deserialize");
            quote!(#de)
        });
        quote!(#[derive(Debug, Clone, PartialEq, #ser #de)] #ser_attr #de_attr)
    } else {
        let wire = imports.item("__private::Wire");
        let container = wire_container(o);
        quote!(#[derive(Debug, Clone, #default PartialEq, #wire)] #container)
    };
    quote! {
        #doc
        #derives
        #[non_exhaustive]
        pub struct #name { #(#fields)* }
        #builder
        #checks
    }
}

/// The `#[wire(...)]` of a struct: a type only sent refuses unknown keys and reads only with
/// `deserialize-requests` (the command line and the fake read requests); a type only received
/// writes only with `serialize-responses`.
fn wire_container(o: &Object) -> Option<TokenStream> {
    let mut attrs = Vec::new();
    if o.usage.request && !o.usage.response {
        attrs.push(quote!(deny_unknown_fields));
        attrs.push(quote!(deserialize = "deserialize-requests"));
    }
    if !o.usage.request {
        attrs.push(quote!(serialize = "serialize-responses"));
    }
    (!attrs.is_empty()).then(|| quote!(#[wire(#(#attrs),*)]))
}

/// The `#[wire(...)]` of a field: its wire name when the Rust name differs, and `lenient` for
/// an integer that may arrive as a numeric string.
fn wire_attrs(f: &Field) -> Option<TokenStream> {
    let mut attrs = Vec::new();
    if f.wire != f.rust {
        let w = &f.wire;
        attrs.push(quote!(rename = #w));
    }
    if f.lenient {
        attrs.push(quote!(lenient));
    }
    (!attrs.is_empty()).then(|| quote!(#[wire(#(#attrs),*)]))
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

/// `new(required...)` and one `#[must_use]` setter per optional field.
fn constructor(o: &Object, imports: &mut Imports) -> TokenStream {
    let name = ident(&o.name);
    let mut args = Vec::new();
    let mut inits = Vec::new();
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
        } else {
            inits.push(quote!(#fname: None));
            let sdoc = docs::doc(&format!("Sets [`{0}`](Self::{0}).", f.rust));
            setters.push(quote! {
                #sdoc
                #[must_use]
                #[inline]
                pub fn #fname(mut self, #fname: #arg_ty) -> Self {
                    self.#fname = Some(#value);
                    self
                }
            });
        }
    }
    if o.named_required() {
        return named_constructor(o, &inits, &setters, imports);
    }
    let allow = (args.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let ndoc = docs::doc(
        "Creates the value from its required fields, in field order; optional fields start unset.",
    );
    quote! {
        impl #name {
            #ndoc
            #allow
            #[inline]
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits),* }
            }
            #(#setters)*
        }
    }
}

/// `new(XRequired { .. })`: the required fields by name, for an object where two of them have
/// the same type. The struct literal names every field, so none can be left out or swapped.
fn named_constructor(
    o: &Object,
    inits: &[TokenStream],
    setters: &[TokenStream],
    imports: &mut Imports,
) -> TokenStream {
    let name = ident(&o.name);
    let required = ident(&o.required_name());
    let fields: Vec<&Field> = o.fields.iter().filter(|f| f.required).collect();
    let members = fields.iter().map(|f| {
        let fname = ident(&f.rust);
        let ty = rust_type(&f.ty, f.secret, imports);
        let doc = docs::doc(&docs::field(f));
        quote! { #doc pub #fname: #ty }
    });
    let names = fields.iter().map(|f| ident(&f.rust));
    // The stored values are the struct's own: no conversion left to do.
    let inits = o.fields.iter().zip(inits).map(|(f, init)| {
        if f.required {
            let fname = ident(&f.rust);
            quote!(#fname)
        } else {
            init.clone()
        }
    });
    let sdoc = docs::doc(&format!(
        "The required fields of [`{0}`], by name: two of them have the same type, so [`{0}::new`] takes them as a struct literal rather than in an order that could be swapped.",
        o.name
    ));
    let ndoc = docs::doc(
        "Creates the value from its required fields, given by name; optional fields start unset.",
    );
    quote! {
        #sdoc
        #[derive(Debug, Clone)]
        pub struct #required {
            #(#members),*
        }
        impl #name {
            #ndoc
            #[inline]
            pub fn new(required: #required) -> Self {
                let #required { #(#names),* } = required;
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

/// An open enum: the known values, `Unknown` for the rest, by the runtime's `OpenEnum` derive.
fn open_enum(e: &Enum, imports: &mut Imports) -> TokenStream {
    let name = ident(&e.name);
    let open = imports.item("primitives::OpenEnum");
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
        let vdoc = docs::doc(&v.description);
        let value = literal(&v.value);
        quote!(#vdoc #[open_enum(#value)] #vname,)
    });
    let (repr, copy) = if e.string_values {
        (quote!(String), quote!())
    } else {
        (quote!(i64), quote!(Copy,))
    };
    quote! {
        #doc
        #[derive(Debug, Clone, #copy #open)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version of the crate does not know, kept as received.
            Unknown(#repr),
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
fn union(u: &Union, imports: &mut Imports) -> TokenStream {
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
    let request_only = u.usage.request && !u.usage.response;
    // Named in full when a feature gates it: an import would be unused without it.
    let de = if request_only {
        quote!(serde::Deserialize)
    } else {
        let de = imports.item("serde::Deserialize");
        quote!(#de)
    };
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
                #[inline]
                fn from(content: #ty) -> Self { Self::#vn(content) }
            }
        }
    });
    let values: Vec<&str> = u.variants.iter().map(|v| v.value.as_str()).collect();
    // A union only ever sent refuses keys it does not know (they would be lost); one that is
    // received tolerates them like every response type.
    // Like every type only sent, it reads only with `deserialize-requests`.
    let de_gate = request_only.then(|| quote!(#[cfg(feature = "deserialize-requests")]));
    let strict = request_only.then(|| {
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
            if v.checked {
                quote!(Self::#vn(content) => content.validate_at(&path.field(#value)),)
            } else {
                quote!(Self::#vn(_) => Ok(()),)
            }
        });
        quote! {
            impl #validate for #name {
                #[inline]
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
        #de_gate
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
