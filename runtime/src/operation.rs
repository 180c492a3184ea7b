//! What every generated operation tells the runtime about itself.
//!
//! The generator emits, per operation, a request type that implements [`Operation`]: its static
//! [`OperationInfo`] (where it goes, how it authenticates, how its answer is wrapped) and its
//! `validate()` limit checks. Paginated operations also implement [`Paginated`]. The runtime needs
//! nothing else to send a request, so adding an endpoint never touches hand-written code.

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use dingtalk_openapi_model::{
    Auth, Effect, Encode, Envelope, Host, Location, Method, OperationInfo, Pagination,
    PaginationStyle, Param, PathSegment, PathTemplateError, Returns, path_params, path_segments,
};

use crate::upload::FilePart;
use crate::validate::ValidationError;

/// A request that the client can send.
///
/// Serializing the request gives "the request": one JSON object holding every parameter by wire
/// name (the credential excepted); the client moves each key where [`OperationInfo::params`] says.
/// Generated request types also read "the request" back (`Deserialize`) with the
/// `deserialize-requests` feature of `dingtalk-openapi`, which the command line and the fake use.
pub trait Operation: Serialize + Send + Sync + 'static {
    /// The typed answer.
    type Response: DeserializeOwned + Send + 'static;

    /// Where and how the operation is sent.
    const INFO: &'static OperationInfo;

    /// Checks the documented limits before anything is sent.
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }

    /// The file parts of a `multipart/form-data` request by form part name, for the parameters
    /// at [`Location::File`]; none for every other operation.
    fn files(&self) -> Vec<(&'static str, FilePart)> {
        Vec::new()
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
    fn visit<O: Operation + DeserializeOwned>(self) -> Self::Output;
}
