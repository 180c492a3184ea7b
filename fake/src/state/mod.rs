//! The fake's data, and every piece of operation-specific behaviour, reached through the typed
//! operations of `dingtalk-openapi`.
//!
//! Everything else in the fake is generic over [`OperationInfo`]. Here live:
//!
//! - blackboards (公告, the `blackboards` module): `blackboard.create` stores one (the answer's
//!   `result` is `true`, as documented; find the new id with `listids` or `listtopten`, newest
//!   first); `get` answers it in the shape of the documented example; `update` changes it;
//!   `delete` removes it. An unknown or deleted `blackboard_id` is errcode 40035 "公告不存在".
//!   `listids` pages ids (newest first, filtered by `start_time`..`end_time` on the creation
//!   time), `listtopten` gives the ten newest a user can see (named in `userid_list`, or any user
//!   when `deptid_list` is set: the fake has no departments), `category.list` the categories;
//! - reports (日志, the `reports` module): `report.create` stores one and answers its new id;
//!   `report.list` and `report.simplelist` find reports created between `start_time` and
//!   `end_time` (inclusive, epoch milliseconds), paged by `cursor`/`size`;
//! - uploads (the `media` module): `media.upload` and `file.upload.single` store the file and
//!   answer its new `media_id`, which the message operations then accept;
//! - every other paginated operation pages over seeded copies of its example item.
//!
//! Each stateful operation is its generated request type implementing [`Stateful`]: the fake
//! reads "the request" (already checked) as that type and answers with its typed response, built
//! from the documented example; [`STATEFUL`] lists them by their types, so a renamed operation or
//! field does not compile. A paginated answer, stateful or not, holds every item and is then
//! paged by [`paging::page`], in the operation's own style.
//!
//! With seeding on, the ids in the documented example requests of `blackboard.get`, `update` and
//! `delete` exist (so the examples succeed), with more blackboards up to 7; 7 reports lie at the
//! time of the `report.list` example; each other paginated operation holds 7 items.

mod blackboards;
mod media;
mod reports;

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Value, json};

use crate::answer::{Failure, to_json};
use crate::check::{self, MockOperation};
use crate::paging::{self, get, seeded_items};
use blackboards::Blackboard;
use dingtalk_openapi::blackboard::{
    BlackboardCategory, BlackboardCategoryListRequest, BlackboardCreateRequest,
    BlackboardDeleteRequest, BlackboardGetRequest, BlackboardListidsRequest,
    BlackboardListtoptenRequest, BlackboardUpdateRequest,
};
use dingtalk_openapi::operation::{Operation, OperationInfo, Returns};
use dingtalk_openapi::primitives::DateTime;
use dingtalk_openapi::report::{ReportCreateRequest, ReportListRequest, ReportSimplelistRequest};
use reports::Report;

/// An operation with behaviour of its own: its typed request, answered from the fake's data.
trait Stateful: Operation<Response: Serialize + Default> + serde::de::DeserializeOwned {
    /// The answer to this request (accepted by the typed check), starting from `example`, the
    /// operation's documented example answer; a paginated answer holds every item.
    fn answer(self, state: &mut State, example: Self::Response) -> Result<Self::Response, Failure>;
}

/// One stateful operation, by its request type.
struct Entry {
    info: &'static OperationInfo,
    /// "The request" in, the answer's JSON out.
    handle: fn(&mut State, &Value) -> Result<Value, Failure>,
    /// The served example answer read as the typed response and written back as JSON.
    #[cfg(test)]
    example: fn(&State) -> Result<Value, Failure>,
}

/// The [`Entry`] of the operation whose request type is `O`.
const fn entry<O: Stateful>() -> Entry {
    Entry {
        info: O::INFO,
        handle: handle::<O>,
        #[cfg(test)]
        example: |state| to_json(&state.example_of::<O>()),
    }
}

/// The operations with behaviour of their own (the rest answer their example, paged if they page).
const STATEFUL: &[Entry] = &[
    entry::<BlackboardCreateRequest>(),
    entry::<BlackboardUpdateRequest>(),
    entry::<BlackboardDeleteRequest>(),
    entry::<BlackboardGetRequest>(),
    entry::<BlackboardListidsRequest>(),
    entry::<BlackboardCategoryListRequest>(),
    entry::<BlackboardListtoptenRequest>(),
    entry::<ReportCreateRequest>(),
    entry::<ReportListRequest>(),
    entry::<ReportSimplelistRequest>(),
];

/// The stateful operation `id`, if it is one.
fn stateful(id: &str) -> Option<&'static Entry> {
    STATEFUL.iter().find(|entry| entry.info.id == id)
}

/// Reads "the request" as `O`, answers it, and writes the typed answer as JSON.
fn handle<O: Stateful>(state: &mut State, request: &Value) -> Result<Value, Failure> {
    // The typed check accepted the request, so it reads; a hand-written operation served under a
    // stateful id may not, and is refused the same way.
    let request: O = check::read(request).map_err(|r| Failure::rejected(&r))?;
    let example = state.example_of::<O>();
    to_json(&request.answer(state, example)?)
}

/// The fake's data.
#[derive(Debug, Default)]
pub(crate) struct State {
    blackboards: Vec<Blackboard>,
    categories: Vec<BlackboardCategory>,
    reports: Vec<Report>,
    /// Uploaded files.
    media: media::MediaStore,
    /// The items of the generic paginated operations, by id.
    seeded: HashMap<&'static str, Vec<Value>>,
    /// The documented example answers, by operation id, as templates of shapes.
    examples: HashMap<&'static str, Value>,
    next_id: u64,
}

impl State {
    /// The data a fake with these operations starts with.
    pub(crate) fn new(operations: &[MockOperation], seed: bool) -> State {
        let mut state = State::default();
        for op in operations {
            let info = op.info();
            let example = shaped(info.returns, parse(info.example_response));
            state.examples.insert(info.id, example);
        }
        if !seed {
            return state;
        }
        for op in operations {
            let info = op.info();
            if let Some(p) = &info.pagination
                && stateful(info.id).is_none()
            {
                let example = state.example(info.id);
                let template = get(&example, p.items)
                    .and_then(Value::as_array)
                    .and_then(|a| a.first());
                state
                    .seeded
                    .insert(info.id, seeded_items(template, info.id));
            }
        }
        state.seed_blackboards(operations);
        state.seed_reports(operations);
        state
    }

    /// The answer to an accepted request of `info`, before the envelope is filled in.
    pub(crate) fn answer(
        &mut self,
        info: &OperationInfo,
        request: &Value,
    ) -> Result<Value, Failure> {
        let Some(entry) = stateful(info.id) else {
            let mut answer = self.example(info.id);
            if let Some(p) = &info.pagination {
                let items = self.seeded.get(info.id).map_or(&[][..], Vec::as_slice);
                paging::page(p, request, &mut answer, items);
            }
            return Ok(answer);
        };
        let mut answer = (entry.handle)(self, request)?;
        if let Some(p) = &info.pagination {
            // The stateful answer holds every item: keep the page the request asks for.
            let items = get(&answer, p.items)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            paging::page(p, request, &mut answer, &items);
        }
        Ok(answer)
    }

    /// The documented example answer of the operation `id` as served; `{}` if none.
    fn example(&self, id: &str) -> Value {
        self.examples.get(id).cloned().unwrap_or_else(|| json!({}))
    }

    /// The documented example answer of `O` as served, typed; empty if none (or if it does not
    /// read as `O`'s response).
    fn example_of<O: Operation<Response: Default>>(&self) -> O::Response {
        self.examples
            .get(O::INFO.id)
            .and_then(|example| serde::Deserialize::deserialize(example).ok())
            .unwrap_or_default()
    }

    fn new_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{:06}", self.next_id)
    }
}

/// The example answer's JSON; `{}` if it is not JSON (the generator checks that it is).
fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| json!({}))
}

/// The example answer of an operation that `returns` this shape: the example itself when it
/// has the shape (the generator writes one that does), else the shape's plainest value (`[]`,
/// `true`) so that a success still reads as one.
fn shaped(returns: Returns, example: Value) -> Value {
    match (returns, example) {
        (Returns::Array, example @ Value::Array(_)) => example,
        (Returns::Array, _) => json!([]),
        (Returns::Boolean, example @ Value::Bool(_)) => example,
        (Returns::Boolean, _) => json!(true),
        (Returns::Object | Returns::Json | Returns::Empty, example) => example,
    }
}

/// The earliest time [`gmt8`] writes: 0000-01-01 00:00:00 in GMT+8, in epoch milliseconds.
const GMT8_MIN_MILLIS: i64 = -62_167_248_000_000;
/// The latest time [`gmt8`] writes: 9999-12-31 23:59:59.999 in GMT+8, in epoch milliseconds.
const GMT8_MAX_MILLIS: i64 = 253_402_271_999_999;

/// Epoch milliseconds as a `yyyy-MM-dd HH:mm:ss` time in GMT+8, clamped to the years the format
/// can write (0000 to 9999).
fn gmt8(millis: i64) -> DateTime {
    let millis = millis.clamp(GMT8_MIN_MILLIS, GMT8_MAX_MILLIS);
    let secs = millis.div_euclid(1000) + 8 * 3600;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let text = format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
    match DateTime::parse(&text) {
        Ok(time) => time,
        // The clamp keeps the year to four digits; the unit tests write both ends.
        Err(error) => unreachable!("{error}"),
    }
}

/// A proleptic Gregorian date from days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmt8_round_trips_with_datetime() {
        for text in [
            "2019-10-22 14:43:07",
            "2000-02-29 00:00:00",
            "1970-01-01 08:00:00",
            "2024-12-31 23:59:59",
        ] {
            let secs = DateTime::parse(text)
                .ok()
                .and_then(|t| t.unix_seconds())
                .unwrap_or_default();
            assert_eq!(gmt8(secs * 1000).as_str(), text);
        }
    }

    #[test]
    fn gmt8_clamps_to_four_digit_years() {
        assert_eq!(gmt8(i64::MIN).as_str(), "0000-01-01 00:00:00");
        assert_eq!(gmt8(GMT8_MIN_MILLIS).as_str(), "0000-01-01 00:00:00");
        assert_eq!(gmt8(GMT8_MAX_MILLIS).as_str(), "9999-12-31 23:59:59");
        assert_eq!(gmt8(i64::MAX).as_str(), "9999-12-31 23:59:59");
    }

    /// The stateful answers are typed responses built from the documented examples: nothing of
    /// an example may be lost on the way (no field the response type lacks), and the fields keep
    /// the example's order, so a typed answer has the example's shape on the wire.
    #[test]
    fn stateful_examples_survive_their_typed_responses() {
        let state = State::new(&crate::operations(), false);
        for entry in STATEFUL {
            let example = parse(entry.info.example_response);
            let written = (entry.example)(&state).unwrap_or_default();
            assert_eq!(
                serde_json::to_string(&written).unwrap_or_default(),
                serde_json::to_string(&example).unwrap_or_default(),
                "{}",
                entry.info.id
            );
        }
    }
}
