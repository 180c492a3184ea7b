//! Per operation: the request and response types, `impl Operation`, `impl Paginated`, and the
//! limit checks (`impl Validate`, shared with nested request types).

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use super::paths::{reach, reach_owned};
use super::{Imports, checks, ident, types};
use crate::ir::{self, Encode, FieldPath, Location, Operation, Returns, Type};

/// The request and response types and the trait impls of one operation.
pub(crate) fn operation(op: &Operation, area: &ir::Area, imports: &mut Imports) -> TokenStream {
    let sent_by = format!("Sent by [`{}::{}`].", area.client_type, op.fn_name);
    // The request's own `Validate` carries the operation-level checks too: emitted below.
    let request_ty = types::object(&op.request, Some(&sent_by), false, imports);
    let response_ty = response_type(op, imports);
    let name = ident(&op.request.name);
    let validate = op
        .request
        .has_checks
        .then(|| checks::validate_impl(&name, &op.request.fields, Some(op), imports));
    let info = info(op, &area.name, imports);
    let operation = imports.item("operation::Operation");
    let response = ident(&op.response_type());
    let validate_fn = op.request.has_checks.then(|| {
        let fp = imports.item("validate::FieldPath");
        let ve = imports.item("validate::ValidationError");
        let v = imports.item("validate::Validate");
        quote! {
            #[inline]
            fn validate(&self) -> Result<(), #ve> {
                #v::validate_at(self, &#fp::root(Self::INFO.id))
            }
        }
    });
    let paginated = op.pagination.as_ref().map(|p| paginated(op, p, imports));
    let files_fn = files_fn(op, imports);
    quote! {
        #request_ty
        #response_ty
        impl #operation for #name {
            type Response = #response;
            const INFO: &'static OperationInfo = #info;
            #validate_fn
            #files_fn
        }
        #validate
        #paginated
    }
}

/// The answer's type: the response object, or an alias for the other shapes (an array's item
/// object first).
fn response_type(op: &Operation, imports: &mut Imports) -> TokenStream {
    let alias = |target: TokenStream, what: &str| {
        let name = ident(&op.response_type());
        let doc = format!("{}: the response of `{}`, {what}.", op.title, op.id);
        quote! {
            #[doc = #doc]
            pub type #name = #target;
        }
    };
    match op.returns {
        Returns::Object => types::object(&op.response, None, true, imports),
        Returns::Array => {
            let item_ty = types::object(&op.response, None, true, imports);
            let item = ident(&op.response.name);
            let alias = alias(quote!(Vec<#item>), "a JSON array");
            quote!(#item_ty #alias)
        }
        Returns::Boolean => alias(quote!(bool), "a bare `true` or `false`"),
        Returns::Json => alias(
            quote!(serde_json::Value),
            "any JSON (DingTalk gives it no type)",
        ),
        Returns::Empty => alias(quote!(()), "nothing (the body of a success is not read)"),
    }
}

/// `Operation::files`: the file parameters by form part name, for a multipart operation.
fn files_fn(op: &Operation, imports: &mut Imports) -> Option<TokenStream> {
    let files: Vec<&ir::Field> = op
        .request
        .fields
        .iter()
        .filter(|f| f.location == Some(Location::File))
        .collect();
    if files.is_empty() {
        return None;
    }
    let part = imports.item("upload::FilePart");
    let required = files.iter().filter(|f| f.required).map(|f| {
        let rust = ident(&f.rust);
        let wire = &f.wire;
        quote!((#wire, self.#rust.clone()))
    });
    let optional: Vec<TokenStream> = files
        .iter()
        .filter(|f| !f.required)
        .map(|f| {
            let rust = ident(&f.rust);
            let wire = &f.wire;
            quote! {
                if let Some(file) = &self.#rust {
                    files.push((#wire, file.clone()));
                }
            }
        })
        .collect();
    let body = if optional.is_empty() {
        quote!(vec![#(#required),*])
    } else {
        quote! {
            let mut files = vec![#(#required),*];
            #(#optional)*
            files
        }
    };
    Some(quote! {
        fn files(&self) -> Vec<(&'static str, #part)> {
            #body
        }
    })
}

/// The operation's static facts, built by name through the runtime's hidden constructor.
fn info(op: &Operation, area_name: &str, imports: &mut Imports) -> TokenStream {
    imports.item("operation::OperationInfo");
    let parts = imports.item("__private::OperationParts");
    let m = imports.item("operation::Method");
    let h = imports.item("operation::Host");
    let a = imports.item("operation::Auth");
    let e = imports.item("operation::Envelope");
    let ef = imports.item("operation::Effect");
    let id = &op.id;
    let title = &op.title;
    let path = &op.path;
    let doc_url = &op.doc_url;
    let method = variant(op.method);
    let host = variant(op.host);
    let auth = variant(op.auth);
    let envelope = variant(op.envelope);
    let effect = variant(op.effect);
    let params: Vec<TokenStream> = op
        .request
        .fields
        .iter()
        .map(|f| {
            let loc = variant(f.location.unwrap_or(Location::Body));
            let wire = &f.wire;
            let (req, secret) = (f.required, f.secret);
            let param = quote!(Param::new(#wire, Location::#loc, #req, #secret));
            if f.encode == Encode::Plain {
                param
            } else {
                let enc = imports.item("operation::Encode");
                let v = variant(f.encode);
                quote!(#param.with_encode(#enc::#v))
            }
        })
        .collect();
    if !op.request.fields.is_empty() {
        imports.item("operation::Param");
        imports.item("operation::Location");
    }
    let pagination = match &op.pagination {
        Some(p) => {
            let s = imports.item("operation::PaginationStyle");
            let pg = imports.item("operation::Pagination");
            let v = variant(p.style);
            let opt = |path: &Option<FieldPath>| match path {
                Some(p) => {
                    let w = p.wire();
                    quote!(Some(#w))
                }
                None => quote!(None),
            };
            let (cursor, size, items) = (p.cursor.wire(), p.size.wire(), p.items.wire());
            let (next, has_more) = (opt(&p.next), opt(&p.has_more));
            let facts = quote!(#pg::new(#s::#v, #cursor, #size, #next, #has_more, #items));
            if p.cursor.ty == Type::String {
                let ct = imports.item("operation::CursorType");
                quote!(Some(#facts.with_cursor_type(#ct::String)))
            } else {
                quote!(Some(#facts))
            }
        }
        None => quote!(None),
    };
    let action = op.action.as_deref().unwrap_or_default();
    let returns = {
        let r = imports.item("operation::Returns");
        let v = variant(op.returns);
        quote!(#r::#v)
    };
    let ex_req = raw_string(&serde_json::to_string(&op.example_request).unwrap_or_default());
    let ex_resp = raw_string(&serde_json::to_string(&op.example_response).unwrap_or_default());
    quote! {
        &OperationInfo::from_parts(#parts {
            id: #id,
            area: #area_name,
            title: #title,
            method: #m::#method,
            host: #h::#host,
            path: #path,
            auth: #a::#auth,
            envelope: #e::#envelope,
            effect: #ef::#effect,
            params: &[#(#params),*],
            pagination: #pagination,
            example_request: #ex_req,
            example_response: #ex_resp,
            doc_url: #doc_url,
            action: #action,
            returns: #returns,
        })
    }
}

/// A string literal, raw (`r#"..."#`) when that reads better than escaping: JSON text is full of
/// quotes.
fn raw_string(text: &str) -> Literal {
    if text.contains('"')
        && !text.contains("\"#")
        && let Ok(lit) = format!("r#\"{text}\"#").parse::<Literal>()
    {
        return lit;
    }
    Literal::string(text)
}

/// The Rust name of a variant of the operation model's enums (`Method::Post` → `Post`), as its
/// `Debug` output spells it.
fn variant(value: impl std::fmt::Debug) -> Ident {
    ident(&format!("{value:?}"))
}

/// `impl Paginated`: where the cursor and page size sit, and what an answer says.
fn paginated(op: &Operation, p: &ir::Pagination, imports: &mut Imports) -> TokenStream {
    let pg = imports.item("operation::Paginated");
    let ps = imports.item("operation::PageState");
    let style_ty = imports.item("operation::PaginationStyle");
    let name = ident(&op.request.name);
    let response = ident(&op.response.name);
    let item = super::rust_type(&p.item_type, false, imports);
    let style = variant(p.style);
    // The cursor's objects are required (checked by lower), so plain field access reaches it.
    let cursor_steps: Vec<Ident> = p.cursor.steps.iter().map(|s| ident(&s.rust)).collect();
    let cursor_required = p.cursor.steps.last().is_some_and(|s| s.required);
    // An integer cursor (`i64`) is copied, a text token (`String`) cloned; lower allows no other.
    let text = p.cursor.ty == Type::String;
    let (cursor_ty, copy) = if text {
        (quote!(String), quote!(.clone()))
    } else {
        (quote!(i64), quote!())
    };
    let (get_cursor, set_cursor) = if cursor_required {
        (
            quote!(Some(self.#(#cursor_steps).* #copy)),
            quote!(if let Some(c) = cursor { self.#(#cursor_steps).* = c; }),
        )
    } else {
        (
            quote!(self.#(#cursor_steps).* #copy),
            quote!(self.#(#cursor_steps).* = cursor;),
        )
    };
    let size = if p.size.steps.iter().all(|s| s.required) {
        let steps: Vec<Ident> = p.size.steps.iter().map(|s| ident(&s.rust)).collect();
        if p.size.ty == Type::Int32 {
            quote!(Some(i64::from(self.#(#steps).*)))
        } else {
            quote!(Some(self.#(#steps).*))
        }
    } else {
        let size = reach(quote!(self), &p.size);
        if p.size.ty == Type::Int32 {
            quote!(#size.map(|s| i64::from(*s)))
        } else {
            quote!(#size.copied())
        }
    };
    let next = match &p.next {
        Some(n) => {
            let e = reach(quote!(response), n);
            if text {
                quote!(#e.cloned())
            } else {
                quote!(#e.copied())
            }
        }
        None => quote!(None),
    };
    let has_more = match &p.has_more {
        Some(h) => {
            let e = reach(quote!(response), h);
            quote!(#e.copied())
        }
        None => quote!(None),
    };
    let count = reach(quote!(response), &p.items);
    let owned = reach_owned(quote!(response), &p.items);
    quote! {
        impl #pg for #name {
            type Item = #item;
            type Cursor = #cursor_ty;
            const STYLE: #style_ty = #style_ty::#style;
            #[inline]
            fn cursor(&self) -> Option<#cursor_ty> { #get_cursor }
            #[inline]
            fn set_cursor(&mut self, cursor: Option<#cursor_ty>) { #set_cursor }
            #[inline]
            fn page_size(&self) -> Option<i64> { #size }
            #[inline]
            fn page_state(response: &#response) -> #ps<#cursor_ty> {
                #ps::new(#next, #has_more, #count.map_or(0, |items| items.len()))
            }
            #[inline]
            fn into_items(response: #response) -> Vec<#item> {
                #owned.unwrap_or_default()
            }
        }
    }
}
