//! `#[derive(Wire)]`: a struct's `Serialize` as a chained writer, and its `Deserialize` as a read
//! into a tuple of field slots that becomes the struct (the runtime's `record` module).
//!
//! The bodies are as small as the runtime's generic functions allow: the shape is a promoted
//! `&Shape` and the result is matched rather than `?`-ed (both cost rustc less per type than a
//! `const` item and the `Try` desugaring), and structs past 16 fields chain tuples of 16.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use syn::{Data, DeriveInput, Fields, GenericArgument, Ident, LitStr, PathArguments, Type};

use crate::attrs;

/// One field, as the expansion needs it.
struct Field<'a> {
    ident: &'a Ident,
    wire: LitStr,
    /// The type inside `Option`, for an optional field.
    optional: Option<&'a Type>,
    ty: &'a Type,
    lenient: bool,
}

pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let name = &input.ident;
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "`Wire` does not support generic structs",
        ));
    }
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            name,
            "`Wire` derives for structs with named fields",
        ));
    };
    let Fields::Named(named) = &data.fields else {
        return Err(syn::Error::new_spanned(
            name,
            "`Wire` derives for structs with named fields",
        ));
    };
    let container = attrs::container(&input.attrs)?;
    let fields = named
        .named
        .iter()
        .map(|f| {
            let ident = f.ident.as_ref().expect("named fields have names");
            let a = attrs::field(&f.attrs)?;
            let optional = option_inner(&f.ty);
            if a.lenient && optional.is_none() {
                return Err(syn::Error::new_spanned(
                    &f.ty,
                    "a `lenient` field must be an `Option<i64>`",
                ));
            }
            let wire = a.rename.unwrap_or_else(|| {
                let text = ident.to_string();
                LitStr::new(text.strip_prefix("r#").unwrap_or(&text), ident.span())
            });
            Ok(Field {
                ident,
                wire,
                optional,
                ty: &f.ty,
                lenient: a.lenient,
            })
        })
        .collect::<syn::Result<Vec<_>>>()?;
    let serialize = serialize(name, &fields, container.serialize.as_ref());
    let deserialize = deserialize(
        name,
        &fields,
        container.deny_unknown_fields,
        container.deserialize.as_ref(),
    );
    Ok(quote! { #serialize #deserialize })
}

/// `T` when `ty` is `Option<T>`.
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first() {
        Some(GenericArgument::Type(inner)) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

fn gate(feature: Option<&LitStr>) -> Option<TokenStream> {
    feature.map(|f| quote!(#[cfg(feature = #f)]))
}

fn serialize(name: &Ident, fields: &[Field<'_>], feature: Option<&LitStr>) -> TokenStream {
    let gate = gate(feature);
    let type_name = name.to_string();
    let count = Literal::usize_unsuffixed(fields.len());
    let writes = fields.iter().map(|f| {
        let (ident, wire) = (f.ident, &f.wire);
        if f.optional.is_some() {
            quote!(.optional(#wire, &self.#ident))
        } else {
            quote!(.field(#wire, &self.#ident))
        }
    });
    quote! {
        #gate
        #[automatically_derived]
        impl ::dingtalk_openapi_runtime::__private::serde::Serialize for #name {
            fn serialize<S: ::dingtalk_openapi_runtime::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                ::dingtalk_openapi_runtime::__private::record::writer(serializer, #type_name, #count)
                    #(#writes)*
                    .end()
            }
        }
    }
}

fn deserialize(
    name: &Ident,
    fields: &[Field<'_>],
    deny_unknown: bool,
    feature: Option<&LitStr>,
) -> TokenStream {
    let gate = gate(feature);
    let type_name = name.to_string();
    let wire = fields.iter().map(|f| &f.wire);
    let slots: Vec<TokenStream> = fields
        .iter()
        .map(|f| {
            if f.lenient {
                quote!(::dingtalk_openapi_runtime::__private::record::Lenient)
            } else if let Some(inner) = f.optional {
                quote!(::dingtalk_openapi_runtime::__private::record::Optional<#inner>)
            } else {
                let ty = f.ty;
                quote!(::dingtalk_openapi_runtime::__private::record::Required<#ty>)
            }
        })
        .collect();
    let names: Vec<TokenStream> = fields
        .iter()
        .map(|f| {
            let ident = f.ident;
            quote!(#ident)
        })
        .collect();
    let slots_ty = chunked(
        &slots,
        |group| quote!(::dingtalk_openapi_runtime::__private::record::Chain<#group>),
    );
    let pattern = chunked(&names, |group| quote!((#group)));
    quote! {
        #gate
        #[automatically_derived]
        impl<'de> ::dingtalk_openapi_runtime::__private::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::dingtalk_openapi_runtime::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                let shape = &::dingtalk_openapi_runtime::__private::record::Shape {
                    name: #type_name,
                    wire: &[#(#wire),*],
                    deny_unknown: #deny_unknown,
                };
                match ::dingtalk_openapi_runtime::__private::record::read::<#slots_ty, D>(deserializer, shape) {
                    ::core::result::Result::Ok(#pattern) => ::core::result::Result::Ok(Self { #(#names),* }),
                    ::core::result::Result::Err(error) => ::core::result::Result::Err(error),
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
