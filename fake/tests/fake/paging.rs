//! Pagination in each of DingTalk's styles, over the seeded items: a walk by the documented
//! [`Pagination`] paths ends after three pages of 3, 3 and 1 items, each item once, and the last
//! page says so in its style's words; the typed client's item streams agree.

use dingtalk_openapi::attendance::{AttendanceListRequest, AttendanceListRequestRequired};
use dingtalk_openapi::blackboard::BlackboardListidsRequest;
use dingtalk_openapi::checkin::{CheckinRecordGetRequest, CheckinRecordGetRequestRequired};
use dingtalk_openapi::hrm::{
    HrmEmployeesDismissionsRequest, SmartworkHrmEmployeeQuerypreentryRequest,
    SmartworkHrmEmployeeQuerypreentryRequestRequired,
};
use dingtalk_openapi::operation::{Operation, OperationInfo, Pagination, PaginationStyle};
use dingtalk_openapi::primitives::{DateTime, EpochMillis};
use dingtalk_openapi::report::{ReportListRequest, ReportListRequestRequired};
use dingtalk_openapi::storage_v2::StorageV2ListStarsRequest;
use dingtalk_openapi::user::{UserListbypageRequest, UserListbypageRequestRequired};
use futures_util::{StreamExt, TryStreamExt};
use serde_json::{Value, json};

use crate::common::{Fake, json, listids};

/// The value at a dotted path.
fn at(value: &Value, path: &str) -> Option<Value> {
    path.split('.')
        .try_fold(value, |v, key| v.get(key))
        .cloned()
}

/// Sets the value at a dotted path.
fn set(value: &mut Value, path: &str, new: Value) {
    let mut current = value;
    let keys: Vec<&str> = path.split('.').collect();
    for key in &keys[..keys.len() - 1] {
        current = &mut current[*key];
    }
    current[keys[keys.len() - 1]] = new;
}

/// Follows `O`'s pages as its style says, starting at `first`: every page's answer.
async fn walk<O: Operation + serde::de::DeserializeOwned>(
    fake: &Fake,
    token: &str,
    first: &O,
) -> Vec<Value> {
    let p: Pagination = O::INFO.pagination.expect("paginated");
    let mut request = json(first);
    let mut pages = Vec::new();
    for page in 2..20 {
        let typed: O = serde_json::from_value(request.clone()).expect("still the request");
        let answer = fake.call(token, &typed).await.json();
        let items = at(&answer, p.items)
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default();
        let size = at(&request, p.size).and_then(|v| v.as_u64()).unwrap_or(0);
        let next = match p.style {
            PaginationStyle::PageNumber => (items.len() as u64 == size).then(|| json!(page)),
            PaginationStyle::CursorHasMore | PaginationStyle::NextToken => {
                let more = p
                    .has_more
                    .and_then(|h| at(&answer, h))
                    .and_then(|v| v.as_bool())
                    .expect("has_more");
                if more {
                    p.next.and_then(|n| at(&answer, n))
                } else {
                    None
                }
            }
            PaginationStyle::OffsetHasMore => {
                let more = p
                    .has_more
                    .and_then(|h| at(&answer, h))
                    .and_then(|v| v.as_bool())
                    .expect("hasMore");
                let offset = at(&request, p.cursor).and_then(|v| v.as_u64()).unwrap_or(0);
                more.then(|| json!(offset + size))
            }
            _ => p.next.and_then(|n| at(&answer, n)).filter(|v| !v.is_null()),
        };
        pages.push(answer);
        match next {
            Some(next) => set(&mut request, p.cursor, next),
            None => return pages,
        }
    }
    panic!("{}: pagination did not end", O::INFO.id);
}

/// Walks `O` from `first` and checks the three pages of seeded items; the last page's answer.
async fn three_pages<O: Operation + serde::de::DeserializeOwned>(first: O) -> Value {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    let p = O::INFO.pagination.expect("paginated");
    let mut pages = walk(&fake, &token, &first).await;
    let items: Vec<Vec<Value>> = pages
        .iter()
        .map(|page| {
            at(page, p.items)
                .and_then(|v| v.as_array().cloned())
                .unwrap_or_default()
        })
        .collect();
    let sizes: Vec<usize> = items.iter().map(Vec::len).collect();
    assert_eq!(sizes, [3, 3, 1], "{}", O::INFO.id);
    let mut all: Vec<String> = items.iter().flatten().map(Value::to_string).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 7, "{}: every item once", O::INFO.id);
    fake.server.shutdown().await;
    pages.pop().expect("a last page")
}

#[tokio::test]
async fn cursor_and_has_more_report_list() {
    let first = ReportListRequest::new(ReportListRequestRequired {
        start_time: EpochMillis(1_507_564_800_000),
        end_time: EpochMillis(1_507_651_200_000),
        cursor: 0,
        size: 3,
    });
    let last = three_pages(first).await;
    assert_eq!(
        last["result"]["has_more"], false,
        "has_more false at the end"
    );
    assert_eq!(last["result"]["size"], 3);
}

#[tokio::test]
async fn offset_and_next_cursor_querypreentry() {
    let last = three_pages(SmartworkHrmEmployeeQuerypreentryRequest::new(
        SmartworkHrmEmployeeQuerypreentryRequestRequired { offset: 0, size: 3 },
    ))
    .await;
    assert!(
        last["result"].get("next_cursor").is_none(),
        "offset: next_cursor absent at the end: {last}"
    );
    assert_eq!(last["success"], true);
}

#[tokio::test]
async fn nullable_cursor_checkin_record_get() {
    let first = CheckinRecordGetRequest::new(CheckinRecordGetRequestRequired {
        userid_list: ["u".to_owned()].into_iter().collect(),
        start_time: EpochMillis(0),
        end_time: EpochMillis(1),
        cursor: 0,
        size: 3,
    });
    let last = three_pages(first).await;
    assert_eq!(
        last["result"]["next_cursor"],
        Value::Null,
        "nullable cursor: null at the end"
    );
}

#[tokio::test]
async fn page_number_blackboard_listids() {
    let last = three_pages(listids(1, 3)).await;
    assert_eq!(last["result"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn next_token_hrm_employees_dismissions() {
    let last = three_pages(HrmEmployeesDismissionsRequest::new().max_results(3)).await;
    assert_eq!(
        (last.get("nextToken"), last["hasMore"].as_bool()),
        (None, Some(false))
    );
}

/// A text `nextToken` (an imported v1.0 list): the fake hands out string tokens and ends with
/// `hasMore: false` and an empty token.
#[tokio::test]
async fn next_token_text_storage_v2_list_stars() {
    let last = three_pages(StorageV2ListStarsRequest::new().max_results(3)).await;
    assert_eq!(
        (&last["nextToken"], &last["hasMore"]),
        (&json!(""), &json!(false))
    );
}

#[tokio::test]
async fn the_typed_client_pages_by_text_token_until_has_more_is_false() {
    let fake = Fake::start(true).await;
    let client = fake.client();
    let stars: Vec<_> = client
        .storage_v2()
        .list_stars_items(StorageV2ListStarsRequest::new().max_results(3))
        .try_collect()
        .await
        .expect("every page");
    assert_eq!(stars.len(), 7);
    // The tokens go back as the fake made them: strings, not numbers.
    let tokens: Vec<Option<String>> = fake
        .server
        .requests()
        .iter()
        .filter(|r| r.operation == Some(StorageV2ListStarsRequest::INFO.id))
        .map(|r| r.query_value("nextToken").map(str::to_owned))
        .collect();
    assert_eq!(
        tokens,
        [None, Some("token-3".to_owned()), Some("token-6".to_owned())]
    );
    fake.server.shutdown().await;
}

/// Department 1, from offset 0, 3 a page.
fn listbypage() -> UserListbypageRequest {
    UserListbypageRequest::new(UserListbypageRequestRequired {
        department_id: 1,
        offset: 0,
        size: 3,
    })
}

#[tokio::test]
async fn offset_and_has_more_attendance_list() {
    let first = AttendanceListRequest::new(AttendanceListRequestRequired {
        work_date_from: DateTime::parse("2020-09-06 00:00:00").expect("a time"),
        work_date_to: DateTime::parse("2020-09-07 00:00:00").expect("a time"),
        user_id_list: vec!["manager".into()],
        offset: 0,
        limit: 3,
    });
    let last = three_pages(first).await;
    assert_eq!(last["hasMore"], false, "hasMore false at the end: {last}");
}

#[tokio::test]
async fn offset_and_has_more_user_listbypage() {
    let last = three_pages(listbypage()).await;
    assert_eq!(last["hasMore"], false, "hasMore false at the end: {last}");
    assert!(last.get("next_cursor").is_none(), "{last}");
}

#[tokio::test]
async fn the_typed_client_pages_by_offset_until_has_more_is_false() {
    let fake = Fake::start(true).await;
    let client = fake.client();
    let mut users = client.user().listbypage_legacy_items(listbypage());
    let mut ids = Vec::new();
    while let Some(user) = users.next().await {
        ids.push(user.expect("a user").userid.expect("an id"));
    }
    assert_eq!(ids.len(), 7, "{ids:?}");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 7, "each user once: {ids:?}");
    // Offsets 0, 3 and 6: the offset grows by the page size asked for, and the third page's
    // hasMore=false ends the walk without a fourth request.
    let offsets: Vec<String> = fake
        .server
        .requests()
        .iter()
        .filter(|r| r.operation == Some(UserListbypageRequest::INFO.id))
        .map(|r| r.query_value("offset").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(offsets, ["0", "3", "6"]);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn the_typed_client_streams_every_seeded_item() {
    let fake = Fake::start(true).await;
    let client = fake.client();
    let mut ids = client.blackboard().listids_items(listids(1, 3));
    let mut all = Vec::new();
    while let Some(id) = ids.next().await {
        all.push(id.expect("an id"));
    }
    assert_eq!(all.len(), 7, "{all:?}");
    assert_eq!(
        fake.server
            .faults()
            .calls(BlackboardListidsRequest::INFO.id),
        3
    );
    fake.server.shutdown().await;
}

/// The first request of each style's operation, as JSON, with its static facts.
fn styles() -> Vec<(&'static OperationInfo, Value)> {
    vec![
        (
            ReportListRequest::INFO,
            json(&ReportListRequest::new(ReportListRequestRequired {
                start_time: EpochMillis(1_507_564_800_000),
                end_time: EpochMillis(1_507_651_200_000),
                cursor: 0,
                size: 3,
            })),
        ),
        (
            SmartworkHrmEmployeeQuerypreentryRequest::INFO,
            json(&SmartworkHrmEmployeeQuerypreentryRequest::new(
                SmartworkHrmEmployeeQuerypreentryRequestRequired { offset: 0, size: 3 },
            )),
        ),
        (
            CheckinRecordGetRequest::INFO,
            json(&CheckinRecordGetRequest::new(
                CheckinRecordGetRequestRequired {
                    userid_list: ["u".to_owned()].into_iter().collect(),
                    start_time: EpochMillis(0),
                    end_time: EpochMillis(1),
                    cursor: 0,
                    size: 3,
                },
            )),
        ),
        (BlackboardListidsRequest::INFO, json(&listids(1, 3))),
        (
            HrmEmployeesDismissionsRequest::INFO,
            json(&HrmEmployeesDismissionsRequest::new().max_results(3)),
        ),
        (UserListbypageRequest::INFO, json(&listbypage())),
    ]
}

/// Cursors, offsets, page numbers and sizes at the ends of `i64` (and past them) are answered
/// cleanly: a page (none past the end, the first before the start, everything for a huge size)
/// or a refusal of the value, never a broken connection or a server error.
#[tokio::test]
async fn cursors_and_sizes_at_the_ends_of_i64_are_answered_cleanly() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    let huge = json!(u64::MAX);
    let cases = [
        (json!(i64::MAX), json!(3)),
        (json!(i64::MIN), json!(3)),
        (json!(0), json!(i64::MAX)),
        (json!(0), json!(i64::MIN)),
        (json!(i64::MAX), json!(i64::MAX)),
        (json!(i64::MIN), json!(i64::MIN)),
        (huge.clone(), huge),
    ];
    for (info, first) in styles() {
        let p = info.pagination.expect("paginated");
        for (cursor, size) in &cases {
            let mut request = first.clone();
            set(&mut request, p.cursor, cursor.clone());
            set(&mut request, p.size, size.clone());
            let answer = fake.call_json(info, &token, request).await;
            let case = format!("{} cursor {cursor} size {size}: {answer:?}", info.id);
            let body = answer.json();
            let refused = body["errcode"] == 40035 || answer.code() == "InvalidParameter";
            let answered =
                answer.status == 200 && !refused && body["errcode"].as_i64().unwrap_or(0) == 0;
            assert!(answered || (refused && answer.status < 500), "{case}");
            // Past the end is a page every style takes: an empty one.
            let past_the_end = cursor.as_i64() == Some(i64::MAX) && size == &json!(3);
            assert!(answered || !past_the_end, "{case}");
            if !answered {
                continue;
            }
            let items = at(&body, p.items).and_then(|v| v.as_array().map(Vec::len));
            let expected = if cursor.as_i64() == Some(i64::MAX) {
                0
            } else if size.as_i64() == Some(3) {
                3
            } else {
                7
            };
            assert_eq!(items, Some(expected), "{case}");
        }
    }
    fake.server.shutdown().await;
}
