//! `impl Validate`: a type's or an operation's checks of the documented limits (list lengths,
//! ranges, string lengths, datetimes, nested objects, time windows, parameter groups), run
//! before a request is sent.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use super::paths::reach;
use super::{Imports, ident};
use crate::ir::{self, Bound, Field, Operation, Type};

/// `impl Validate`: every field's limits and nested checks, then (for a request) its windows
/// and `requires_one_of` groups.
pub(crate) fn validate_impl(
    name: &Ident,
    fields: &[Field],
    op: Option<&Operation>,
    imports: &mut Imports,
) -> TokenStream {
    let v = imports.item("validate::Validate");
    let fp = imports.item("validate::FieldPath");
    let ve = imports.item("validate::ValidationError");
    let mut body = TokenStream::new();
    for f in fields {
        let checks = field_checks(f, imports);
        if checks.is_empty() {
            continue;
        }
        let rust = ident(&f.rust);
        let wire = &f.wire;
        let p = if f.flatten {
            quote!(let p = *path;)
        } else {
            quote!(let p = path.field(#wire);)
        };
        body.extend(if f.required {
            quote! { { #p let v = &self.#rust; #checks } }
        } else {
            quote! { if let Some(v) = &self.#rust { #p #checks } }
        });
    }
    if let Some(op) = op {
        for w in &op.windows {
            body.extend(window(w, imports));
        }
        if !op.requires_one_of.is_empty() {
            let m = imports.item("validate");
            let groups = op.requires_one_of.iter().map(|g| {
                let items = g.iter().map(|n| {
                    let rust = op
                        .request
                        .fields
                        .iter()
                        .find(|f| &f.wire == n)
                        .map(|f| ident(&f.rust));
                    quote!((#n, self.#rust.is_some()))
                });
                quote!(&[#(#items),*])
            });
            body.extend(quote!(#m::one_of_groups(path, &[#(#groups),*])?;));
        }
    }
    quote! {
        impl #v for #name {
            #[inline]
            fn validate_at(&self, path: &#fp<'_>) -> Result<(), #ve> {
                #body
                Ok(())
            }
        }
    }
}

/// The checks of one field's value `v` at path `p`.
fn field_checks(f: &Field, imports: &mut Imports) -> TokenStream {
    let mut out = TokenStream::new();
    let l = &f.limits;
    if l.any() || deep_needed(&f.ty) {
        let m = imports.item("validate");
        if let Some(n) = l.max_items {
            let n = Literal::usize_unsuffixed(n as usize);
            out.extend(quote!(#m::max_items(&p, v.len(), #n)?;));
        }
        if let Some(n) = l.min_items {
            let n = Literal::usize_unsuffixed(n as usize);
            out.extend(quote!(#m::min_items(&p, v.len(), #n)?;));
        }
        if l.min.is_some() || l.max.is_some() {
            let lo = bound(l.min, &f.ty);
            let hi = bound(l.max, &f.ty);
            out.extend(quote!(#m::range(&p, *v, #lo, #hi)?;));
        }
        if l.min_len.is_some() || l.max_len.is_some() {
            // A secret string is a `Secret`, not a `String`: its text is read through `expose`.
            let text = if f.secret && f.ty == Type::String {
                quote!(v.expose())
            } else {
                quote!(v)
            };
            if let Some(n) = l.min_len {
                let n = Literal::usize_unsuffixed(n as usize);
                out.extend(quote!(#m::min_len(&p, #text, #n)?;));
            }
            if let Some(n) = l.max_len {
                let n = Literal::usize_unsuffixed(n as usize);
                out.extend(quote!(#m::max_len(&p, #text, #n)?;));
            }
        }
        let fallback = match l.max_bytes {
            Some(n) => {
                let n = Literal::u64_suffixed(n);
                quote!(Some(#n))
            }
            None => quote!(None),
        };
        match &l.max_bytes_by {
            // A file's limit by its sibling parameter (a file is always a top-level parameter).
            Some(by) => {
                let sel = ident(&by.rust);
                let value = if by.is_enum {
                    let open = imports.item("primitives::OpenEnum");
                    quote!(#open::to_repr(&self.#sel))
                } else {
                    quote!(self.#sel.clone())
                };
                let arms = by.values.iter().map(|(v, n)| {
                    let n = Literal::u64_suffixed(*n);
                    quote!(#v => Some(#n),)
                });
                out.extend(quote! {
                    let max = match #value.as_str() {
                        #(#arms)*
                        _ => #fallback,
                    };
                    if let Some(max) = max {
                        #m::max_bytes(&p, v.len(), max)?;
                    }
                });
            }
            None => {
                if let Some(n) = l.max_bytes {
                    let n = Literal::u64_suffixed(n);
                    out.extend(quote!(#m::max_bytes(&p, v.len(), #n)?;));
                }
            }
        }
        out.extend(deep(&f.ty, quote!(v), &m));
    }
    out
}

/// A limit as a literal of the field's type, exactly: `Some(-5i64)`, `Some(i64::MIN)`,
/// `Some(0.5f64)`.
fn bound(b: Option<Bound>, ty: &Type) -> TokenStream {
    let Some(b) = b else { return quote!(None) };
    let (negative, lit) = match (b, ty) {
        (Bound::Int(i), Type::Int32) => match i32::try_from(i.unsigned_abs()) {
            Ok(abs) => (i < 0, Literal::i32_suffixed(abs)),
            // Only i32::MIN has no positive counterpart.
            Err(_) => return quote!(Some(i32::MIN)),
        },
        (Bound::Int(i), _) => match i64::try_from(i.unsigned_abs()) {
            Ok(abs) => (i < 0, Literal::i64_suffixed(abs)),
            Err(_) => return quote!(Some(i64::MIN)),
        },
        (Bound::Float(f), _) => (f < 0.0, Literal::f64_suffixed(f.abs())),
    };
    if negative {
        quote!(Some(-#lit))
    } else {
        quote!(Some(#lit))
    }
}

fn deep_needed(ty: &Type) -> bool {
    match ty {
        Type::DateTime => true,
        Type::Array(t) | Type::Map(t) => deep_needed(t),
        Type::Named(n) => n.checked,
        _ => false,
    }
}

fn deep(ty: &Type, v: TokenStream, m: &Ident) -> TokenStream {
    match ty {
        Type::DateTime => quote!(#m::datetime(&p, #v)?;),
        Type::Named(n) if n.checked => quote!(#v.validate_at(&p)?;),
        Type::Array(inner) if deep_needed(inner) => {
            let inner = deep(inner, quote!(item), m);
            quote! {
                for (i, item) in #v.iter().enumerate() {
                    let p = p.index(i);
                    #inner
                }
            }
        }
        Type::Map(inner) if deep_needed(inner) => {
            let inner = deep(inner, quote!(item), m);
            quote! {
                for (key, item) in #v.iter() {
                    let p = p.field(key);
                    #inner
                }
            }
        }
        _ => quote!(),
    }
}

fn window(w: &ir::Window, imports: &mut Imports) -> TokenStream {
    let m = imports.item("validate");
    let mut lets = TokenStream::new();
    let mut parent = quote!(path);
    for (i, step) in w.start.steps[..w.start.steps.len() - 1].iter().enumerate() {
        let var = quote::format_ident!("w{}", i);
        let wire = &step.wire;
        lets.extend(quote!(let #var = #parent.field(#wire);));
        parent = quote!(&#var);
    }
    let start = reach(quote!(self), &w.start);
    let end = reach(quote!(self), &w.end);
    let s_wire = &w
        .start
        .steps
        .last()
        .map(|s| s.wire.clone())
        .unwrap_or_default();
    let e_wire = &w
        .end
        .steps
        .last()
        .map(|s| s.wire.clone())
        .unwrap_or_default();
    let days = w.max_days;
    let many = w.when_many.as_ref().map(|(list, days)| {
        let l = reach(quote!(self), list);
        quote! {
            if #l.map_or(0, |l| l.len()) > 1 {
                #m::window(#parent, (#s_wire, #start), (#e_wire, #end), #days)?;
            }
        }
    });
    quote! {
        {
            #lets
            #m::window(#parent, (#s_wire, #start), (#e_wire, #end), #days)?;
            #many
        }
    }
}
