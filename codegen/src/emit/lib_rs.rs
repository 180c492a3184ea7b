//! The crate root: docs, the runtime re-exports, one feature-gated module per area, and the
//! registry of every operation.

use proc_macro2::TokenStream;
use quote::quote;

use super::ident;
use crate::ir::Api;

/// `src/bin/dingtalk.rs`: the command line, all of it in the runtime's `cli` module.
pub(crate) fn bin_rs() -> TokenStream {
    quote! {
        //! The `dingtalk` command: list, describe and call every DingTalk operation from a shell,
        //! against DingTalk or the built-in fake (`--mock`). See `dingtalk --help`.

        fn main() -> std::process::ExitCode {
            dingtalk_openapi::cli::main(dingtalk_openapi::cli::Catalog::new(
                dingtalk_openapi::operations(),
                include_str!("../../openapi.json"),
                dingtalk_openapi::visit_operation::<dingtalk_openapi::cli::CallVisitor>,
                dingtalk_openapi::mock_operations,
            ))
        }
    }
}

/// `src/lib.rs`.
pub(crate) fn lib_rs(api: &Api, has_mock: bool) -> TokenStream {
    let mut text = String::from(CRATE_DOC);
    text.push_str("\n## Areas\n\nEach area is a module and a cargo feature of the same name; all are on by default.\n\n| feature | title | operations |\n| --- | --- | --- |\n");
    for a in api.areas.values() {
        let ids: Vec<String> = a.operations.iter().map(|o| format!("`{}`", o.id)).collect();
        text.push_str(&format!(
            "| [`{}`] | {} | {} |\n",
            a.name,
            a.title,
            ids.join(", ")
        ));
    }
    let lines = text.lines().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    let mods = api.areas.values().map(|a| {
        let m = ident(&a.name);
        let f = &a.name;
        quote! {
            #[cfg(feature = #f)]
            #[cfg_attr(docsrs, doc(cfg(feature = #f)))]
            pub mod #m;
        }
    });
    let extend = api.areas.values().map(|a| {
        let m = ident(&a.name);
        let f = &a.name;
        quote!(#[cfg(feature = #f)] all.extend_from_slice(#m::OPERATIONS);)
    });
    let visits = api.areas.values().map(|a| {
        let m = ident(&a.name);
        let f = &a.name;
        quote! {
            #[cfg(feature = #f)]
            let visitor = match #m::visit(id, visitor) {
                Ok(out) => return Some(out),
                Err(visitor) => visitor,
            };
        }
    });
    let mock = has_mock.then(|| {
        quote! {
            /// The fake DingTalk's view of every operation this build includes; see [`mock`].
            #[cfg(feature = "mock")]
            #[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
            pub fn mock_operations() -> Vec<mock::MockOperation> {
                operations().into_iter().filter_map(|op| visit_operation(op.id, mock::MockVisitor)).collect()
            }
        }
    });
    quote! {
        #(#![doc = #lines])*
        #![deny(missing_docs)]
        #![cfg_attr(docsrs, feature(doc_cfg))]

        mod runtime;
        pub use runtime::*;

        #(#mods)*

        /// Every operation this build includes (one area per enabled feature), sorted by id.
        pub fn operations() -> Vec<&'static operation::OperationInfo> {
            #[allow(unused_mut)]
            let mut all: Vec<&'static operation::OperationInfo> = Vec::new();
            #(#extend)*
            all.sort_by_key(|op| op.id);
            all
        }

        #mock

        /// Calls `visitor` with the request type of operation `id`; `None` when no enabled area has it.
        ///
        /// This is how the `dingtalk` command, the fake server and the tests reach every
        /// operation by id without a hand-written list.
        pub fn visit_operation<V: operation::OperationVisitor>(id: &str, visitor: V) -> Option<V::Output> {
            #(#visits)*
            let _ = (id, visitor);
            None
        }
    }
}

const CRATE_DOC: &str = r#"A typed client for the DingTalk (钉钉) open platform.

Every operation of the spec is a request type whose required fields are constructor arguments,
a response type that tolerates unknown and missing fields, and an async method on [`Client`],
grouped by area:

```no_run
# async fn example() -> Result<(), dingtalk_openapi::Error> {
use dingtalk_openapi::Client;
use dingtalk_openapi::blackboard::*;

let client = Client::from_env()?; // DINGTALK_APP_KEY, DINGTALK_APP_SECRET
let request = BlackboardCreateRequest::new(BlackboardCreateVo::new(
    "manager01",
    BlackboardReceiver::new().userid_list(["manager02"]),
    "入职须知",
    "欢迎加入我们的大家庭",
));
let response = client.blackboard().create(request).await?;
println!("created: {:?}", response.result);
# Ok(())
# }
```

The client fetches and caches the access token (one request however many callers wait),
places every parameter where DingTalk expects it, checks documented limits before sending,
retries what is safe to retry, spaces calls under the per-app rate limit, and turns every
failure into one typed [`Error`]. A call is a [`ResponseFuture`] to await; paginated
operations also come as streams of pages and items ([`Pages`], [`Items`]), stepped with
`StreamExt::next` as they are (no pinning needed).

This crate is generated by `cargo xtask gen` from the YAML spec of the `dingtalk-openapi`
repository; the runtime in [`operation`], [`primitives`] and [`validate`] is hand-written.
"#;
