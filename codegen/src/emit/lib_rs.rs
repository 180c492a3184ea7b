//! The crate root: docs, the curated re-exports of the runtime, the [`Client`] newtype that the
//! area accessors hang on, one feature-gated module per area, and the registry of every operation.

use proc_macro2::TokenStream;
use quote::quote;

use super::ident;
use crate::ir::{Api, Auth};

/// `src/lib.rs`.
pub(crate) fn lib_rs(api: &Api) -> TokenStream {
    let mut table = String::from(
        "\n## Areas\n\nEach area is a module and a cargo feature of the same name. The curated areas \
         (marked *default*) are on by default; every other area is turned on by name, and `full` \
         turns on all of them.\n\n| feature | title | operations |\n| --- | --- | --- |\n",
    );
    for a in api.areas.values() {
        let ids: Vec<String> = a.operations.iter().map(|o| format!("`{}`", o.id)).collect();
        // `mod@`: an area may share its name with a macro of the prelude (`todo`).
        table.push_str(&format!(
            "| [`{}`](mod@{}){} | {} | {} |\n",
            a.name,
            ident(&a.name),
            if a.curated { " *default*" } else { "" },
            a.title,
            ids.join(", ")
        ));
    }
    // The crate doc's own example is a doctest; the spec's text in the table must not be one.
    let text = format!("{CRATE_DOC}{}", super::docs::inert(&table));
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
    // The features of the areas that send group-robot messages: each turns the runtime's
    // robot support on, and with it `Client::for_robot`.
    let robot_features: Vec<&String> = api
        .areas
        .values()
        .filter(|a| a.operations.iter().any(|o| o.auth == Auth::Robot))
        .map(|a| &a.name)
        .collect();
    let cfg = match robot_features.as_slice() {
        [one] => quote!(#[cfg(feature = #one)]),
        many => quote!(#[cfg(any(#(feature = #many),*))]),
    };
    let for_robot = (!robot_features.is_empty()).then(|| {
        quote! {
            /// A client for one group robot and nothing else: only robot operations, no app
            /// credentials; see [`runtime::Client::for_robot`](dingtalk_openapi_runtime::Client::for_robot).
            ///
            /// # Errors
            ///
            /// [`Error::Config`] when the webhook's base URL is not acceptable.
            #cfg
            pub fn for_robot(webhook: dingtalk_openapi_runtime::robot::RobotWebhook) -> Result<Client, Error> {
                ClientBuilder::for_robot(webhook).build()
            }
        }
    });
    quote! {
        #(#![doc = #lines])*
        #![deny(missing_docs)]
        #![cfg_attr(docsrs, feature(doc_cfg))]

        pub use dingtalk_openapi_runtime::{
            BoxError, CachedToken, CallRate, Error, FilePart, Items, MemoryTokenStore, Pages,
            RateLimit, ResponseFuture, TokenStore,
        };
        pub use dingtalk_openapi_runtime::client::Download;
        pub use dingtalk_openapi_runtime::{error, hooks, operation, primitives, time, upload, validate};
        #[cfg(feature = "callback")]
        #[cfg_attr(docsrs, doc(cfg(feature = "callback")))]
        pub use dingtalk_openapi_runtime::callback;
        /// The runtime this crate is generated against: the client's machinery, for sending an
        /// endpoint this crate lacks ([`runtime::Client::execute`](dingtalk_openapi_runtime::Client::execute)
        /// with a hand-written [`operation::Operation`]).
        pub use dingtalk_openapi_runtime as runtime;

        /// A DingTalk client: every operation of this crate, by area (`client.report().list(..)`).
        ///
        /// Cheap to clone (clones share the connection pool, the token cache and the pacing) and
        /// safe to use from many tasks at once. It dereferences to the runtime's
        /// [`Client`](dingtalk_openapi_runtime::Client), whose methods (`execute`, `pages`,
        /// `items`, `access_token`) it shares.
        #[derive(Clone, Debug)]
        pub struct Client(dingtalk_openapi_runtime::Client);

        /// Configures a [`Client`]; see the runtime's
        /// [`ClientBuilder`](dingtalk_openapi_runtime::ClientBuilder) for every setting.
        pub type ClientBuilder = dingtalk_openapi_runtime::ClientBuilder<Client>;

        impl Client {
            /// A builder: `Client::builder().app_credentials(key, secret).build()`.
            pub fn builder() -> ClientBuilder {
                ClientBuilder::new()
            }

            /// A client configured from the environment (`DINGTALK_APP_KEY`,
            /// `DINGTALK_APP_SECRET`, `DINGTALK_OAPI_BASE_URL`, `DINGTALK_API_BASE_URL`,
            /// `DINGTALK_ROBOT_TOKEN`, `DINGTALK_ROBOT_SECRET`).
            ///
            /// # Errors
            ///
            /// [`Error::Config`] naming a missing or malformed variable.
            pub fn from_env() -> Result<Client, Error> {
                ClientBuilder::from_env().build()
            }

            #for_robot
        }

        impl From<dingtalk_openapi_runtime::Client> for Client {
            fn from(client: dingtalk_openapi_runtime::Client) -> Self {
                Client(client)
            }
        }

        impl std::ops::Deref for Client {
            type Target = dingtalk_openapi_runtime::Client;
            fn deref(&self) -> &Self::Target {
                &self.0
            }
        }

        #(#mods)*

        /// Every operation this build includes (one area per enabled feature), sorted by id.
        pub fn operations() -> Vec<&'static operation::OperationInfo> {
            #[allow(unused_mut)]
            let mut all: Vec<&'static operation::OperationInfo> = Vec::new();
            #(#extend)*
            all.sort_by_key(|op| op.id);
            all
        }

        /// Calls `visitor` with the request type of operation `id`; `None` when no enabled area has it.
        ///
        /// This is how the `dingtalk` command, the fake DingTalk and the tests reach every
        /// operation by id without a hand-written list.
        #[cfg(feature = "deserialize-requests")]
        #[cfg_attr(docsrs, doc(cfg(feature = "deserialize-requests")))]
        pub fn visit_operation<V: operation::OperationVisitor>(id: &str, visitor: V) -> Option<V::Output> {
            #(#visits)*
            let _ = (id, visitor);
            None
        }

        /// Operation `id` with its types erased; `None` when no enabled area has it.
        ///
        /// The per-operation code behind it (reading the request, the call) is compiled here,
        /// once, so a crate that reaches operations by id through it compiles nothing per
        /// operation, where a [`visit_operation`] visitor is compiled once per operation in the
        /// crate that visits.
        #[cfg(feature = "deserialize-requests")]
        #[cfg_attr(docsrs, doc(cfg(feature = "deserialize-requests")))]
        pub fn dyn_operation(id: &str) -> Option<runtime::dynamic::DynOperation> {
            visit_operation(id, runtime::dynamic::DynVisitor)
        }

        /// The OpenAPI 3.1 description of every operation of the spec (all areas, whatever the
        /// features), as JSON text: the `openapi.json` shipped with this crate.
        #[cfg(feature = "openapi-document")]
        #[cfg_attr(docsrs, doc(cfg(feature = "openapi-document")))]
        pub const OPENAPI_DOCUMENT: &str = include_str!("../openapi.json");
    }
}

const CRATE_DOC: &str = r#"A typed client for the DingTalk (钉钉) open platform.

Every operation of the spec is a request type whose required fields are constructor arguments
(by name, in a `…Required` struct, where two of them have the same type), a response type that tolerates unknown and missing fields, and an async method on [`Client`],
grouped by area:

```no_run
# async fn example() -> Result<(), dingtalk_openapi::Error> {
use dingtalk_openapi::Client;
use dingtalk_openapi::blackboard::*;

let client = Client::from_env()?; // DINGTALK_APP_KEY, DINGTALK_APP_SECRET
// Two required strings could be swapped, so they are given by name.
let request = BlackboardCreateRequest::new(BlackboardCreateVo::new(BlackboardCreateVoRequired {
    operation_userid: "manager01".into(),
    blackboard_receiver: BlackboardReceiver::new().userid_list(["manager02"]),
    title: "入职须知".into(),
    content: "欢迎加入我们的大家庭".into(),
}));
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
repository. The machinery behind it (tokens, transport, retries, pacing, errors) is the
hand-written [`runtime`] crate, pinned at one exact version.
"#;
