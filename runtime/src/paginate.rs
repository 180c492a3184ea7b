//! Walking paginated operations as streams of pages or items.
//!
//! Each of DingTalk's styles (see [`PaginationStyle`]) says where the next page starts and how
//! the last one shows itself; `next_request` encodes those rules in one place. A server that
//! hands back the cursor it was just asked for would make the walk loop forever, so the stream
//! ends with [`Error::Pagination`] instead. The two styles whose next page the client computes
//! itself (page numbers, and offsets that grow by the page size) end on an empty page: a server
//! that claims more but sends nothing would otherwise be asked again without end.
//!
//! Cursors are integers or text tokens ([`CursorValue`]). A `nextToken` list ends when `hasMore`
//! is false, as DingTalk documents; an empty token (which some lists send on their last page) or
//! an absent one ends it too.

use futures_util::stream::{self, TryStreamExt};

use crate::client::Client;
use crate::error::Error;
use crate::future::{Items, Pages};
use crate::operation::{Cursor, CursorValue, PageState, Paginated, PaginationStyle};

impl Client {
    /// Every page of a paginated operation, starting from `first`, as a stream.
    ///
    /// The stream ends after the last page, or after the first error (which it yields). A page
    /// whose answer repeats the cursor it was asked for is still yielded; the error follows it.
    pub fn pages<O: Paginated>(&self, first: O) -> Pages<O::Response> {
        let client = self.clone();
        Pages::new(stream::try_unfold(Walk::Next(first), move |walk| {
            let client = client.clone();
            async move {
                let request = match walk {
                    Walk::Next(request) => request,
                    Walk::Stuck(cursor) => {
                        return Err(Error::Pagination {
                            operation: O::INFO.id,
                            cursor,
                        });
                    }
                    Walk::Done => return Ok(None),
                };
                let response = client.execute(request.clone()).await?;
                let walk = match next_request(request, O::page_state(&response)) {
                    Ok(Some(next)) => Walk::Next(next),
                    Ok(None) => Walk::Done,
                    Err(Stuck(cursor)) => Walk::Stuck(cursor),
                };
                Ok(Some((response, walk)))
            }
        }))
    }

    /// Every item of every page of a paginated operation, starting from `first`, as a stream.
    pub fn items<O: Paginated>(&self, first: O) -> Items<O::Item> {
        Items::new(
            self.pages(first)
                .map_ok(|page| stream::iter(O::into_items(page).into_iter().map(Ok)))
                .try_flatten(),
        )
    }
}

/// Where a walk stands between pages.
enum Walk<O> {
    /// The next page is asked for with this request.
    Next(O),
    /// The last answer repeated this cursor.
    Stuck(Cursor),
    /// The last page has been yielded.
    Done,
}

/// The server answered with the cursor it had just been asked for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Stuck(pub(crate) Cursor);

/// The request for the page after `request`'s, or `None` when its answer was the last page.
pub(crate) fn next_request<O: Paginated>(
    mut request: O,
    state: PageState<O::Cursor>,
) -> Result<Option<O>, Stuck> {
    let current = request.cursor();
    // The counting styles' cursor as a number: unset is their first one; a text one counts not.
    let counted = |first: i64| match &current {
        Some(cursor) => cursor.as_number(),
        None => Some(first),
    };
    let next = match O::STYLE {
        PaginationStyle::CursorHasMore | PaginationStyle::NextToken => {
            if state.has_more == Some(false) {
                return Ok(None);
            }
            state.next_cursor
        }
        PaginationStyle::OffsetNextCursor | PaginationStyle::NullableCursor => state.next_cursor,
        PaginationStyle::OffsetHasMore => {
            if state.has_more != Some(true) || state.item_count == 0 {
                return Ok(None);
            }
            // The page size asked for; without one, the server's own: the items it sent.
            let step = request
                .page_size()
                .filter(|size| *size > 0)
                .unwrap_or_else(|| i64::try_from(state.item_count).unwrap_or(i64::MAX));
            counted(0).and_then(|offset| O::Cursor::from_number(offset.saturating_add(step)))
        }
        PaginationStyle::PageNumber => {
            let short = match request.page_size() {
                Some(size) => i64::try_from(state.item_count).is_ok_and(|n| n < size),
                None => false,
            };
            if state.item_count == 0 || short {
                return Ok(None);
            }
            counted(1).and_then(|page| O::Cursor::from_number(page.saturating_add(1)))
        }
    };
    // An empty token is the end, like an absent one.
    let Some(next) = next.filter(|next| !next.ends_walk()) else {
        return Ok(None);
    };
    // The first request of the cursor styles may leave the cursor unset, meaning 0.
    let asked = match O::STYLE {
        PaginationStyle::NextToken | PaginationStyle::PageNumber => current,
        _ => current.or_else(|| O::Cursor::from_number(0)),
    };
    if asked.as_ref() == Some(&next) {
        return Err(Stuck(next.into()));
    }
    request.set_cursor(Some(next));
    Ok(Some(request))
}
