//! How a paginated operation pages: the styles DingTalk uses, where their cursors sit and
//! whether a cursor is a number or a text token.

/// The pagination styles DingTalk uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Deserialize),
    serde(rename_all = "snake_case")
)]
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
    /// `offset` (0 first) and `size`; the next offset is the offset plus the page size asked for
    /// (the answer names none); ends when `hasMore` is false (or absent), or on an empty page.
    OffsetHasMore,
}

impl PaginationStyle {
    /// The value as the spec and the OpenAPI export spell it (`cursor_has_more`).
    pub const fn as_str(self) -> &'static str {
        match self {
            PaginationStyle::CursorHasMore => "cursor_has_more",
            PaginationStyle::OffsetNextCursor => "offset_next_cursor",
            PaginationStyle::NullableCursor => "nullable_cursor",
            PaginationStyle::PageNumber => "page_number",
            PaginationStyle::NextToken => "next_token",
            PaginationStyle::OffsetHasMore => "offset_has_more",
        }
    }
}

/// What a cursor is on the wire: a number, or a text token.
///
/// Every style but [`PaginationStyle::NextToken`] counts (offsets, page numbers, cursors that are
/// item offsets) and so takes [`CursorType::Integer`]. DingTalk's v1.0 `nextToken` is a number on
/// some lists and an opaque string on most; the request's token and the answer's next one always
/// have the same type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CursorType {
    /// An integer (`i64`): an offset, a page number, a numeric token.
    #[default]
    Integer,
    /// A string: an opaque token, handed back as received.
    String,
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
    /// The response path of the next cursor (none for page numbers, nor for offsets that grow
    /// by the page size).
    pub next: Option<&'static str>,
    /// The response path of the has-more flag, for the styles that read it.
    pub has_more: Option<&'static str>,
    /// The response path of the item list.
    pub items: &'static str,
    /// Whether the cursor and the next cursor are integers or strings.
    pub cursor_type: CursorType,
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
            cursor_type: CursorType::Integer,
        }
    }

    /// The same facts with a cursor of another type (integer unless set); used by generated
    /// code for string tokens.
    pub const fn with_cursor_type(mut self, cursor_type: CursorType) -> Self {
        self.cursor_type = cursor_type;
        self
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
            PaginationStyle::OffsetHasMore => {
                Pagination::new(style, "offset", "size", None, Some("hasMore"), "userlist")
            }
        }
    }
}
