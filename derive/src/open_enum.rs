//! `#[derive(OpenEnum)]`: the runtime's `OpenEnum` (wire value ↔ variant, unknown values kept),
//! equality and hashing by wire value, `From` the wire value, `Serialize` and `Deserialize`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Expr, ExprLit, ExprUnary, Fields, Ident, Lit, Type, UnOp};

/// The wire value of a listed variant.
enum Value {
    Int(TokenStream),
    Str(String),
}

pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let name = &input.ident;
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            name,
            "`OpenEnum` derives for enums",
        ));
    };
    let mut listed: Vec<(&Ident, Value)> = Vec::new();
    let mut unknown: Option<(&Ident, &Type)> = None;
    for v in &data.variants {
        match &v.fields {
            Fields::Unit => {
                let attr = v
                    .attrs
                    .iter()
                    .find(|a| a.path().is_ident("open_enum"))
                    .ok_or_else(|| {
                        syn::Error::new_spanned(
                            &v.ident,
                            "a listed variant needs its wire value: `#[open_enum(20)]` or `#[open_enum(\"markdown\")]`",
                        )
                    })?;
                listed.push((&v.ident, value(attr.parse_args::<Expr>()?)?));
            }
            Fields::Unnamed(f) if f.unnamed.len() == 1 && unknown.is_none() => {
                unknown = Some((&v.ident, &f.unnamed[0].ty));
            }
            _ => {
                return Err(syn::Error::new_spanned(
                    &v.ident,
                    "an open enum has unit variants and one variant holding any other value, like `Unknown(i64)`",
                ));
            }
        }
    }
    let (other, repr) = unknown.ok_or_else(|| {
        syn::Error::new_spanned(
            name,
            "an open enum needs a variant that keeps values it does not list, like `Unknown(i64)`",
        )
    })?;
    let text = matches!(repr, Type::Path(p) if p.path.is_ident("String"));
    if listed
        .iter()
        .any(|(_, v)| matches!(v, Value::Str(_)) != text)
    {
        return Err(syn::Error::new_spanned(
            repr,
            "the wire values must match the kept value's type: integers with `i64`, strings with `String`",
        ));
    }
    let idents: Vec<&Ident> = listed.iter().map(|(i, _)| *i).collect();
    let values: Vec<TokenStream> = listed
        .iter()
        .map(|(_, v)| match v {
            Value::Int(t) => t.clone(),
            Value::Str(s) => quote!(#s),
        })
        .collect();
    let (from_repr, to_repr) = if text {
        (
            quote! {
                match value.as_str() {
                    #(#values => Self::#idents,)*
                    _ => Self::#other(value),
                }
            },
            quote! {
                match self {
                    #(Self::#idents => ::std::borrow::ToOwned::to_owned(#values),)*
                    Self::#other(value) => ::std::clone::Clone::clone(value),
                }
            },
        )
    } else {
        (
            quote! {
                match value {
                    #(#values => Self::#idents,)*
                    other => Self::#other(other),
                }
            },
            quote! {
                match self {
                    #(Self::#idents => #values,)*
                    Self::#other(value) => *value,
                }
            },
        )
    };
    let rt = quote!(::dingtalk_openapi_runtime::__private);
    Ok(quote! {
        #[automatically_derived]
        impl ::dingtalk_openapi_runtime::primitives::OpenEnum for #name {
            type Repr = #repr;
            #[inline]
            fn from_repr(value: #repr) -> Self { #from_repr }
            #[inline]
            fn to_repr(&self) -> #repr { #to_repr }
        }
        /// Equal when the wire values are: `Unknown` of a listed value equals that variant.
        #[automatically_derived]
        impl ::core::cmp::PartialEq for #name {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                use ::dingtalk_openapi_runtime::primitives::OpenEnum as _;
                self.to_repr() == other.to_repr()
            }
        }
        #[automatically_derived]
        impl ::core::cmp::Eq for #name {}
        #[automatically_derived]
        impl ::core::hash::Hash for #name {
            #[inline]
            fn hash<H: ::core::hash::Hasher>(&self, state: &mut H) {
                use ::dingtalk_openapi_runtime::primitives::OpenEnum as _;
                ::core::hash::Hash::hash(&self.to_repr(), state);
            }
        }
        #[automatically_derived]
        impl ::core::convert::From<#repr> for #name {
            #[inline]
            fn from(value: #repr) -> Self {
                ::dingtalk_openapi_runtime::primitives::OpenEnum::from_repr(value)
            }
        }
        #[automatically_derived]
        impl #rt::serde::Serialize for #name {
            fn serialize<S: #rt::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                #rt::serialize_open_enum(self, serializer)
            }
        }
        #[automatically_derived]
        impl<'de> #rt::serde::Deserialize<'de> for #name {
            fn deserialize<D: #rt::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                #rt::deserialize_open_enum(deserializer)
            }
        }
    })
}

/// The wire value written in `#[open_enum(...)]`: an integer (maybe negative) or a string.
fn value(expr: Expr) -> syn::Result<Value> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => Ok(Value::Int(quote!(#i))),
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Ok(Value::Str(s.value())),
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr,
            ..
        }) if matches!(
            &*expr,
            Expr::Lit(ExprLit {
                lit: Lit::Int(_),
                ..
            })
        ) =>
        {
            Ok(Value::Int(quote!(-#expr)))
        }
        other => Err(syn::Error::new_spanned(
            other,
            "expected the wire value: an integer or a string literal",
        )),
    }
}
