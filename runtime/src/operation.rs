//! What every generated operation tells the runtime about itself.
//!
//! The generator emits, per operation, a request type that implements [`Operation`]: its static
//! [`OperationInfo`] (where it goes, how it authenticates, how its answer is wrapped) and its
//! `validate()` limit checks. Paginated operations also implement [`Paginated`], with a cursor
//! that is an `i64` or a `String` ([`CursorValue`]). The runtime needs nothing else to send a
//! request, so adding an endpoint never touches hand-written code.

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use dingtalk_openapi_model::{
    Auth, CursorType, Effect, Encode, Envelope, Host, Location, Method, OperationInfo, Pagination,
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

/// A page cursor of any operation, as a value: what [`Error::Pagination`] names.
///
/// Each paginated operation has a cursor of one Rust type ([`Paginated::Cursor`]); this enum
/// holds either kind where operations meet, as in errors.
///
/// [`Error::Pagination`]: crate::Error::Pagination
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Cursor {
    /// An integer cursor: an offset, a page number or a numeric `nextToken`.
    Number(i64),
    /// A text token (most of the v1.0 `nextToken`s), exactly as the server sent it.
    Token(String),
}

impl fmt::Display for Cursor {
    /// A number as digits, a token quoted (so an empty or blank one shows).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cursor::Number(n) => write!(f, "{n}"),
            Cursor::Token(t) => write!(f, "{t:?}"),
        }
    }
}

impl From<i64> for Cursor {
    fn from(n: i64) -> Self {
        Cursor::Number(n)
    }
}

impl From<String> for Cursor {
    fn from(token: String) -> Self {
        Cursor::Token(token)
    }
}

impl From<&str> for Cursor {
    fn from(token: &str) -> Self {
        Cursor::Token(token.to_owned())
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for i64 {}
    impl Sealed for String {}
}

/// The Rust type of a paginated operation's cursor: `i64` or `String`.
///
/// Integer cursors serve every style; text tokens only [`PaginationStyle::NextToken`], whose
/// next token comes from the answer. (The styles that count, page numbers and offsets grown by
/// the page size, compute the next cursor themselves: with a text cursor a walk of theirs ends
/// after the first page.) The trait is sealed.
pub trait CursorValue:
    Clone + PartialEq + fmt::Debug + Send + Sync + Into<Cursor> + sealed::Sealed + 'static
{
    /// What the cursor is on the wire.
    const TYPE: CursorType;

    /// Whether this value, received as the next cursor, means that there is no next page: the
    /// empty token, which some v1.0 lists send on their last page.
    #[doc(hidden)]
    fn ends_walk(&self) -> bool;

    /// The value as a number, for the styles that count.
    #[doc(hidden)]
    fn as_number(&self) -> Option<i64>;

    /// A counted cursor of this type, if a number is one.
    #[doc(hidden)]
    fn from_number(number: i64) -> Option<Self>;
}

impl CursorValue for i64 {
    const TYPE: CursorType = CursorType::Integer;

    fn ends_walk(&self) -> bool {
        false
    }

    fn as_number(&self) -> Option<i64> {
        Some(*self)
    }

    fn from_number(number: i64) -> Option<Self> {
        Some(number)
    }
}

impl CursorValue for String {
    const TYPE: CursorType = CursorType::String;

    fn ends_walk(&self) -> bool {
        self.is_empty()
    }

    fn as_number(&self) -> Option<i64> {
        None
    }

    fn from_number(_: i64) -> Option<Self> {
        None
    }
}

/// What a page says about the next one, read by the runtime to decide how to go on.
///
/// `C` is the operation's cursor type ([`Paginated::Cursor`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PageState<C = i64> {
    /// The next cursor, offset or token, if the answer carries one.
    pub next_cursor: Option<C>,
    /// The `has_more` / `hasMore` flag, if the answer carries one.
    pub has_more: Option<bool>,
    /// How many items this page held.
    pub item_count: usize,
}

impl<C> PageState<C> {
    /// A page state; used by generated code.
    pub const fn new(next_cursor: Option<C>, has_more: Option<bool>, item_count: usize) -> Self {
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

    /// The cursor's type: `i64`, or `String` for text tokens. The request's cursor and the
    /// answer's next cursor share it.
    type Cursor: CursorValue;

    /// How this operation pages.
    const STYLE: PaginationStyle;

    /// The cursor (offset, page number or token) this request asks for; `None` when unset.
    fn cursor(&self) -> Option<Self::Cursor>;

    /// Points the request at another page; `None` clears an optional cursor.
    fn set_cursor(&mut self, cursor: Option<Self::Cursor>);

    /// The page size this request asks for, if set.
    fn page_size(&self) -> Option<i64>;

    /// What an answer says about the next page.
    fn page_state(response: &Self::Response) -> PageState<Self::Cursor>;

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
