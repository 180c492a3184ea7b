//! One area module (`src/<area>.rs`): its client, operations, types and registry.

use std::ops::Range;

use proc_macro2::TokenStream;
use quote::quote;

use super::{Imports, docs, ident, ops, types};
use crate::ir::{Area, Auth, Host};
use crate::names;

/// A slice of an area module that is built and formatted on its own, so one large area spreads
/// over every core. In file order: the client, the operations, the types, the registry; the
/// module head (docs and `use` items) comes last, once the parts have said what they import.
pub(crate) enum Part {
    /// The area's client type and its methods.
    Client,
    /// Request, response and checks of these operations.
    Operations(Range<usize>),
    /// These declared types.
    Types(Range<usize>),
    /// `OPERATIONS` and `visit`.
    Registry,
}

/// Operations per part, and types per part: small enough to balance, large enough that the
/// per-part parse and print overhead stays negligible.
const OPERATIONS_PER_PART: usize = 4;
const TYPES_PER_PART: usize = 8;

/// The parts of an area module, in file order.
pub(crate) fn parts(area: &Area) -> Vec<Part> {
    let ranges = |len: usize, size: usize| {
        (0..len)
            .step_by(size)
            .map(move |start| start..(start + size).min(len))
    };
    let mut parts = vec![Part::Client];
    parts.extend(ranges(area.operations.len(), OPERATIONS_PER_PART).map(Part::Operations));
    parts.extend(ranges(area.types.len(), TYPES_PER_PART).map(Part::Types));
    parts.push(Part::Registry);
    parts
}

/// One part's items; the runtime names they use are added to `imports`.
pub(crate) fn part(area: &Area, part: &Part, imports: &mut Imports) -> TokenStream {
    match part {
        Part::Client => client(area, imports),
        Part::Operations(range) => area.operations[range.clone()]
            .iter()
            .map(|op| ops::operation(op, area, imports))
            .collect(),
        Part::Types(range) => area.types[range.clone()]
            .iter()
            .map(|t| types::type_def(t, imports))
            .collect(),
        Part::Registry => registry(area, imports),
    }
}

/// The module head: its docs, the `use` items of everything the parts imported, and, for an
/// area of group-robot operations, the runtime's robot items (webhook, signing, limiter).
pub(crate) fn head(area: &Area, imports: &Imports) -> TokenStream {
    let module_doc = module_doc(area);
    let uses = imports.tokens();
    let robot = area
        .operations
        .iter()
        .any(|o| o.auth == Auth::Robot)
        .then(|| {
            quote!(
                pub use dingtalk_openapi_runtime::robot::*;
            )
        });
    quote! {
        #module_doc
        #uses
        #robot
    }
}

fn module_doc(area: &Area) -> TokenStream {
    let mut text = format!("{}\n", area.title);
    if let Some(d) = &area.description {
        text.push_str(&format!("\n{d}\n"));
    }
    text.push_str(&format!(
        "\nCall these through [`Client::{}`](crate::Client::{}). Enabled by the cargo feature `{}`.\n\n\
         | operation | method | path | title |\n| --- | --- | --- | --- |\n",
        area.name, area.name, area.name
    ));
    for op in &area.operations {
        text.push_str(&format!(
            "| [`{}`]({}::{}) | {} | `{}` | {} |\n",
            op.id,
            area.client_type,
            op.fn_name,
            op.method.as_str(),
            op.path,
            op.title
        ));
    }
    docs::inner_doc(&text)
}

fn client(area: &Area, imports: &mut Imports) -> TokenStream {
    let client = imports.item("crate::Client");
    let future = imports.item("ResponseFuture");
    let ty = ident(&area.client_type);
    let accessor = ident(&area.name);
    let title = &area.title;
    let mut text = format!(
        "The {title} (`{}`) operations, borrowed from a [`Client`] by [`Client::{}`].\n\n\
         Each method sends one request and resolves to its typed answer. It fails with \
         [`Error::Validation`](crate::Error::Validation) when the request breaks a documented limit \
         (nothing is sent), and otherwise with the API, HTTP, rate-limit, transport and decode \
         errors of [`Error`](crate::Error), after the retries the client's policy allows.",
        area.name, area.name
    );
    if area.operations.iter().any(|o| o.host == Host::Robot) {
        text.push_str(
            "\n\nRobot messages also fail with [`Error::RobotGuard`](crate::Error::RobotGuard) when the local \
             guards refuse them (a body over 20,000 bytes, or the robot's 20 messages a minute under \
             `LimitPolicy::Fail`; nothing is sent), and with [`Error::Robot`](crate::Error::Robot) for \
             DingTalk's robot errors (310000 with its reason, 300005, 460101).",
        );
    }
    let tdoc = docs::doc(&text);
    let adoc = docs::doc(&format!("{title}: the `{}` operations.", area.name));
    let methods = area.operations.iter().map(|op| {
        let f = ident(&op.fn_name);
        let req = ident(&op.request.name);
        let resp = ident(&op.response_type());
        let mut text = format!("{}\n\n`{} {}` · operation `{}`", op.title, op.method.as_str(), op.url(), op.id);
        if let Some(action) = &op.action {
            text.push_str(&format!(" · DingTalk action `{action}`"));
        }
        if !op.doc_url.is_empty() {
            text.push_str(&format!(" · [DingTalk docs]({})", op.doc_url));
        }
        if let Some(d) = &op.description {
            text.push_str(&format!("\n\n{d}"));
        }
        let doc = docs::doc(&text);
        let streams = op.pagination.as_ref().map(|p| {
            let (pages_ty, items_ty) = (imports.item("Pages"), imports.item("Items"));
            let (pages, items) = names::stream_fns(&op.fn_name);
            let (pages, items) = (ident(&pages), ident(&items));
            let item = super::rust_type(&p.item_type, false, imports);
            let pdoc = docs::doc(&format!(
                "{}: every page, starting from the request's cursor; see [`{}`](Self::{}).\n\nThe stream ends where DingTalk says the data ends; \
                 a cursor that does not advance ends it with an error instead of a loop.",
                op.title, op.fn_name, op.fn_name
            ));
            let idoc = docs::doc(&format!("{}: every item of every page, in order; see [`{}`](Self::{}).", op.title, op.fn_name, op.fn_name));
            quote! {
                #pdoc
                #[inline]
                pub fn #pages(&self, request: #req) -> #pages_ty<#resp> {
                    self.client.pages(request)
                }
                #idoc
                #[inline]
                pub fn #items(&self, request: #req) -> #items_ty<#item> {
                    self.client.items(request)
                }
            }
        });
        // Thin wrappers returning named types: no opaque type per operation for the compiler to
        // check, and the generic call behind them is compiled in the crate that uses it.
        quote! {
            #doc
            #[inline]
            pub fn #f(&self, request: #req) -> #future<'_, #resp> {
                self.client.execute(request)
            }
            #streams
        }
    });
    quote! {
        #tdoc
        #[derive(Debug, Clone, Copy)]
        pub struct #ty<'a> {
            client: &'a #client,
        }
        impl #client {
            #adoc
            #[inline]
            pub fn #accessor(&self) -> #ty<'_> {
                #ty { client: self }
            }
        }
        impl #ty<'_> {
            #(#methods)*
        }
    }
}

fn registry(area: &Area, imports: &mut Imports) -> TokenStream {
    let info = imports.item("operation::OperationInfo");
    let op = imports.item("operation::Operation");
    // Named in full: only the `deserialize-requests` build uses it, so it is not imported.
    let visitor = quote!(dingtalk_openapi_runtime::operation::OperationVisitor);
    let reqs: Vec<_> = area
        .operations
        .iter()
        .map(|o| ident(&o.request.name))
        .collect();
    let ids: Vec<&String> = area.operations.iter().map(|o| &o.id).collect();
    let doc = docs::doc(&format!("Every `{}` operation, in spec order.", area.name));
    quote! {
        #doc
        pub const OPERATIONS: &[&#info] = &[#(<#reqs as #op>::INFO),*];

        /// Calls `visitor` with the request type of operation `id`, or gives the visitor back.
        #[cfg(feature = "deserialize-requests")]
        pub(crate) fn visit<V: #visitor>(id: &str, visitor: V) -> Result<V::Output, V> {
            match id {
                #(#ids => Ok(visitor.visit::<#reqs>()),)*
                _ => Err(visitor),
            }
        }
    }
}
