//! What every generated operation tells the runtime about itself.
//!
//! The generator emits, per operation, a request type that implements [`Operation`]: its static
//! [`OperationInfo`] (where it goes, how it authenticates, how its answer is wrapped) and its
//! `validate()` limit checks. Paginated operations also implement [`Paginated`]. The runtime needs
//! nothing else to send a request, so adding an endpoint never touches hand-written code.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::validate::ValidationError;

/// The HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`: every parameter goes to the query string.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `DELETE`.
    Delete,
}

impl Method {
    /// The method as written on the request line.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// Which DingTalk host serves an operation; each can be overridden on the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Host {
    /// `https://oapi.dingtalk.com`: the older `topapi` endpoints.
    Oapi,
    /// `https://api.dingtalk.com`: the `v1.0` endpoints.
    Api,
    /// The custom group robot's webhook, which lives on the oapi host.
    Robot,
}

/// How an operation carries its credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Auth {
    /// No credential (the token endpoints themselves).
    None,
    /// `?access_token=` in the query string.
    QueryToken,
    /// The `x-acs-dingtalk-access-token` header (v1.0 endpoints).
    HeaderToken,
    /// The robot's `access_token`, plus `timestamp` and `sign` when the robot has a secret.
    Robot,
}

/// How an operation's answer is wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Envelope {
    /// `{"errcode": 0, "errmsg": "ok", ...}`: errcode 0 is success, anything else an error.
    Errcode,
    /// v1.0: the bare body on success; errors by HTTP status with `{code, message, requestid}`.
    Bare,
}

/// What an operation does to server state; decides whether an ambiguous failure may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Effect {
    /// Reads only: always safe to retry.
    Read,
    /// Creates something: retried only when the failure shows it was not processed.
    Create,
    /// Changes something in place.
    Update,
    /// Deletes something.
    Delete,
}

/// Where a top-level parameter goes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Location {
    /// The query string.
    Query,
    /// A key of the JSON body.
    Body,
    /// An HTTP header.
    Header,
}

/// One top-level parameter of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Param {
    /// The wire name.
    pub name: &'static str,
    /// Where it goes.
    pub location: Location,
    /// Whether the request cannot omit it.
    pub required: bool,
    /// Whether it is a credential (never logged).
    pub secret: bool,
}

impl Param {
    /// A parameter description; used by generated code.
    pub const fn new(name: &'static str, location: Location, required: bool, secret: bool) -> Self {
        Param {
            name,
            location,
            required,
            secret,
        }
    }
}

/// The pagination styles DingTalk uses (DINGTALK-FACTS, "Pagination styles").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PaginationStyle {
    /// `cursor` (0 first) and `size`; ends when `has_more` is false.
    CursorHasMore,
    /// `offset` (0 first) and `size`; the answer's `next_cursor` is the next offset; ends when it is absent.
    OffsetNextCursor,
    /// `cursor` (0 first) and `size`; ends when `next_cursor` is null or absent.
    NullableCursor,
    /// `page` (1 first) and `page_size`; ends on a page shorter than `page_size`.
    PageNumber,
    /// v1.0 `nextToken` (absent first) and `maxResults`; ends when `hasMore` is false.
    NextToken,
}

/// How a paginated operation pages: its style and where the cursor, page size, next cursor,
/// has-more flag and items sit, as dotted wire paths (`query_request.page`, `result.data_list`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pagination {
    /// The style.
    pub style: PaginationStyle,
    /// The request path of the cursor (offset, page number or token).
    pub cursor: &'static str,
    /// The request path of the page size.
    pub size: &'static str,
    /// The response path of the next cursor (none for page numbers).
    pub next: Option<&'static str>,
    /// The response path of the has-more flag, for the styles that read it.
    pub has_more: Option<&'static str>,
    /// The response path of the item list.
    pub items: &'static str,
}

impl Pagination {
    /// Pagination facts; used by generated code.
    pub const fn new(
        style: PaginationStyle,
        cursor: &'static str,
        size: &'static str,
        next: Option<&'static str>,
        has_more: Option<&'static str>,
        items: &'static str,
    ) -> Self {
        Pagination {
            style,
            cursor,
            size,
            next,
            has_more,
            items,
        }
    }

    /// A style with the field names most DingTalk operations of that style use.
    pub const fn usual(style: PaginationStyle) -> Self {
        match style {
            PaginationStyle::CursorHasMore => Pagination::new(
                style,
                "cursor",
                "size",
                Some("result.next_cursor"),
                Some("result.has_more"),
                "result.data_list",
            ),
            PaginationStyle::OffsetNextCursor => Pagination::new(
                style,
                "offset",
                "size",
                Some("result.next_cursor"),
                None,
                "result.data_list",
            ),
            PaginationStyle::NullableCursor => Pagination::new(
                style,
                "cursor",
                "size",
                Some("result.next_cursor"),
                None,
                "result.page_list",
            ),
            PaginationStyle::PageNumber => {
                Pagination::new(style, "page", "page_size", None, None, "result")
            }
            PaginationStyle::NextToken => Pagination::new(
                style,
                "nextToken",
                "maxResults",
                Some("nextToken"),
                Some("hasMore"),
                "list",
            ),
        }
    }
}

/// Static facts about one operation, emitted by the generator.
#[derive(Debug)]
#[non_exhaustive]
pub struct OperationInfo {
    /// The operation id (GUIDE §1.2), e.g. `blackboard.create`.
    pub id: &'static str,
    /// The area (module and cargo feature), e.g. `blackboard`.
    pub area: &'static str,
    /// The one-line Chinese title from the docs.
    pub title: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The host.
    pub host: Host,
    /// The path, e.g. `/topapi/blackboard/create`.
    pub path: &'static str,
    /// The credential style.
    pub auth: Auth,
    /// The response envelope.
    pub envelope: Envelope,
    /// What the call does to server state.
    pub effect: Effect,
    /// Every top-level parameter except the credential.
    pub params: &'static [Param],
    /// How the operation pages, if it does.
    pub pagination: Option<Pagination>,
    /// The documented example request (all parameters by wire name) as JSON.
    pub example_request: &'static str,
    /// The documented example response as JSON.
    pub example_response: &'static str,
    /// The documentation page.
    pub doc_url: &'static str,
}

impl OperationInfo {
    /// Whether every parameter goes into the JSON body (the common case: no splitting needed).
    pub fn all_body(&self) -> bool {
        self.params.iter().all(|p| p.location == Location::Body)
    }

    /// The URL this operation is documented at, without host overrides.
    pub fn default_url(&self) -> String {
        let host = match self.host {
            Host::Oapi | Host::Robot => "https://oapi.dingtalk.com",
            Host::Api => "https://api.dingtalk.com",
        };
        format!("{host}{}", self.path)
    }

    /// Facts for a hand-written operation (an endpoint the generated crate lacks, or a test):
    /// code outside this crate cannot name the fields of this `#[non_exhaustive]` struct.
    ///
    /// Starts as a read that carries the token in the query and answers with an errcode
    /// envelope, with no parameters; the `with_*` methods change that.
    pub const fn new(id: &'static str, method: Method, host: Host, path: &'static str) -> Self {
        OperationInfo {
            id,
            area: "",
            title: "",
            method,
            host,
            path,
            auth: Auth::QueryToken,
            envelope: Envelope::Errcode,
            effect: Effect::Read,
            params: &[],
            pagination: None,
            example_request: "{}",
            example_response: "{}",
            doc_url: "",
        }
    }

    /// Sets the credential style.
    pub const fn with_auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Sets the response envelope.
    pub const fn with_envelope(mut self, envelope: Envelope) -> Self {
        self.envelope = envelope;
        self
    }

    /// Sets what the call does to server state.
    pub const fn with_effect(mut self, effect: Effect) -> Self {
        self.effect = effect;
        self
    }

    /// Sets the top-level parameters.
    pub const fn with_params(mut self, params: &'static [Param]) -> Self {
        self.params = params;
        self
    }

    /// Sets the pagination style, with that style's usual field names.
    pub const fn with_pagination(mut self, style: PaginationStyle) -> Self {
        self.pagination = Some(Pagination::usual(style));
        self
    }
}

/// A request that the client can send.
///
/// Serializing the request gives "the request" of GUIDE §1.3: one JSON object holding every
/// parameter by wire name; the client moves each key where [`OperationInfo::params`] says.
pub trait Operation: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The typed answer.
    type Response: DeserializeOwned + Send + 'static;

    /// Where and how the operation is sent.
    const INFO: &'static OperationInfo;

    /// Checks the documented limits before anything is sent.
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

/// What a page says about the next one, read by the runtime to decide how to go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PageState {
    /// The next cursor, offset or token, if the answer carries one.
    pub next_cursor: Option<i64>,
    /// The `has_more` / `hasMore` flag, if the answer carries one.
    pub has_more: Option<bool>,
    /// How many items this page held.
    pub item_count: usize,
}

impl PageState {
    /// A page state; used by generated code.
    pub const fn new(next_cursor: Option<i64>, has_more: Option<bool>, item_count: usize) -> Self {
        PageState {
            next_cursor,
            has_more,
            item_count,
        }
    }
}

/// An operation whose answers come in pages.
pub trait Paginated: Operation + Clone {
    /// One item of a page.
    type Item: Send + 'static;

    /// How this operation pages.
    const STYLE: PaginationStyle;

    /// The cursor (offset, page number or token) this request asks for; `None` when unset.
    fn cursor(&self) -> Option<i64>;

    /// Points the request at another page; `None` clears an optional cursor.
    fn set_cursor(&mut self, cursor: Option<i64>);

    /// The page size this request asks for, if set.
    fn page_size(&self) -> Option<i64>;

    /// What an answer says about the next page.
    fn page_state(response: &Self::Response) -> PageState;

    /// The items of an answer.
    fn into_items(response: Self::Response) -> Vec<Self::Item>;
}

/// Something that can be done with any operation type; see the generated `visit_operation`.
///
/// This is how the command line, the fake server and the tests reach every operation by id
/// without a hand-written list.
pub trait OperationVisitor {
    /// What the visit gives back.
    type Output;

    /// Called with the operation's request type.
    fn visit<O: Operation>(self) -> Self::Output;
}
