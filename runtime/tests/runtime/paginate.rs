//! Each pagination style walks a three-page fake to its end, asking for exactly the right pages,
//! and a server that claims more than it has does not make a walk loop.

use dingtalk_openapi_runtime::operation::{
    Cursor, Host, Location, Method, Operation, OperationInfo, PageState, Paginated,
    PaginationStyle, Param,
};
use dingtalk_openapi_runtime::{Client, Error, Items, Pages, ResponseFuture};
use futures_util::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::common::*;

fn body_field(req: &Recorded, pointer: &str) -> Value {
    req.json().pointer(pointer).cloned().unwrap_or(Value::Null)
}

#[tokio::test]
async fn cursor_has_more_ends_when_has_more_is_false() {
    let fake = Fake::start().await;
    fake.on("/topapi/report/list", |req| {
        let cursor = body_field(req, "/cursor").as_i64().unwrap();
        let page = match cursor {
            0 => json!({"data_list": [{"id": "r1"}, {"id": "r2"}], "has_more": true, "next_cursor": 2}),
            2 => json!({"data_list": [{"id": "r3"}, {"id": "r4"}], "has_more": true, "next_cursor": 4}),
            // The last page still names a next cursor; has_more decides.
            _ => json!({"data_list": [{"id": "r5"}], "has_more": false, "next_cursor": 6}),
        };
        Reply::json(json!({"errcode": 0, "result": page}))
    });
    let client = fake.client();
    let items: Vec<Value> = client.items(report_list(2)).try_collect().await.unwrap();
    let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["r1", "r2", "r3", "r4", "r5"]);
    let cursors: Vec<Value> = fake
        .requests()
        .iter()
        .map(|r| body_field(r, "/cursor"))
        .collect();
    assert_eq!(cursors, [json!(0), json!(2), json!(4)]);
    // Everything else in the request stays as it was.
    assert!(
        fake.requests()
            .iter()
            .all(|r| body_field(r, "/size") == json!(2))
    );
}

#[tokio::test]
async fn offset_next_cursor_ends_when_next_cursor_is_absent() {
    let fake = Fake::start().await;
    fake.on("/topapi/report/receiver/list", |req| {
        let page = match body_field(req, "/offset").as_i64().unwrap() {
            0 => json!({"userid_list": ["u1", "u2"], "next_cursor": 10}),
            10 => json!({"userid_list": ["u3", "u4"], "next_cursor": 20}),
            _ => json!({"userid_list": ["u5"]}),
        };
        Reply::json(json!({"errcode": 0, "result": page}))
    });
    let client = fake.client();
    let first = ReceiverList {
        report_id: "rep".into(),
        offset: 0,
        size: 10,
    };
    let items: Vec<String> = client.items(first).try_collect().await.unwrap();
    assert_eq!(items, ["u1", "u2", "u3", "u4", "u5"]);
    let offsets: Vec<Value> = fake
        .requests()
        .iter()
        .map(|r| body_field(r, "/offset"))
        .collect();
    assert_eq!(offsets, [json!(0), json!(10), json!(20)]);
}

#[tokio::test]
async fn nullable_cursor_ends_when_next_cursor_is_null() {
    let fake = Fake::start().await;
    fake.on("/topapi/checkin/record/get", |req| {
        let page = match body_field(req, "/cursor").as_i64().unwrap() {
            0 => json!({"page_list": [{"n": 1}], "next_cursor": 5}),
            5 => json!({"page_list": [{"n": 2}], "next_cursor": 9}),
            _ => json!({"page_list": [{"n": 3}], "next_cursor": null}),
        };
        Reply::json(json!({"errcode": 0, "result": page}))
    });
    let client = fake.client();
    let first = CheckinRecordGet {
        userid_list: "a,b".into(),
        start_time: 0,
        end_time: 1,
        cursor: 0,
        size: 1,
    };
    let pages: Vec<CheckinRecordResponse> = client.pages(first).try_collect().await.unwrap();
    assert_eq!(pages.len(), 3);
    let cursors: Vec<Value> = fake
        .requests()
        .iter()
        .map(|r| body_field(r, "/cursor"))
        .collect();
    assert_eq!(cursors, [json!(0), json!(5), json!(9)]);
}

fn listids(page: Option<i64>, page_size: i64) -> BlackboardListIds {
    BlackboardListIds {
        query_request: ListIdsQuery {
            operation_userid: "manager1".into(),
            page,
            page_size,
        },
    }
}

#[tokio::test]
async fn page_number_ends_on_a_short_page() {
    let fake = Fake::start().await;
    fake.on("/topapi/blackboard/listids", |req| {
        let ids = match body_field(req, "/query_request/page").as_i64() {
            None | Some(1) => json!(["a", "b", "c"]),
            Some(2) => json!(["d", "e", "f"]),
            _ => json!(["g"]),
        };
        Reply::json(json!({"errcode": 0, "result": ids}))
    });
    let client = fake.client();
    let items: Vec<String> = client
        .items(listids(Some(1), 3))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items, ["a", "b", "c", "d", "e", "f", "g"]);
    let pages: Vec<Value> = fake
        .requests()
        .iter()
        .map(|r| body_field(r, "/query_request/page"))
        .collect();
    assert_eq!(pages, [json!(1), json!(2), json!(3)]);
}

#[tokio::test]
async fn page_number_ends_on_an_empty_page_and_starts_at_one_when_unset() {
    let fake = Fake::start().await;
    fake.on("/topapi/blackboard/listids", |req| {
        let ids = match body_field(req, "/query_request/page").as_i64() {
            None | Some(1) => json!(["a", "b"]),
            Some(2) => json!(["c", "d"]),
            _ => json!([]),
        };
        Reply::json(json!({"errcode": 0, "result": ids}))
    });
    let client = fake.client();
    let items: Vec<String> = client.items(listids(None, 2)).try_collect().await.unwrap();
    assert_eq!(items, ["a", "b", "c", "d"]);
    let pages: Vec<Value> = fake
        .requests()
        .iter()
        .map(|r| body_field(r, "/query_request/page"))
        .collect();
    assert_eq!(pages, [Value::Null, json!(2), json!(3)]);
}

#[tokio::test]
async fn next_token_ends_when_has_more_is_false() {
    let fake = Fake::start().await;
    fake.on("/v1.0/hrm/employees/dismissions", |req| {
        let body = match req.query_value("nextToken") {
            None => json!({"userIdList": ["a"], "nextToken": 100, "hasMore": true}),
            Some("100") => json!({"userIdList": ["b"], "nextToken": 200, "hasMore": true}),
            _ => json!({"userIdList": ["c"], "nextToken": 300, "hasMore": false}),
        };
        Reply::json(body)
    });
    let client = fake.client();
    let items: Vec<String> = client
        .items(Dismissions {
            next_token: None,
            max_results: 1,
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items, ["a", "b", "c"]);
    let tokens: Vec<Option<String>> = fake
        .requests()
        .iter()
        .map(|r| r.query_value("nextToken").map(str::to_owned))
        .collect();
    assert_eq!(tokens, [None, Some("100".into()), Some("200".into())]);
}

#[tokio::test]
async fn next_token_ends_when_the_token_is_absent() {
    let fake = Fake::start().await;
    fake.on("/v1.0/hrm/employees/dismissions", |req| {
        let body = match req.query_value("nextToken") {
            None => json!({"userIdList": ["a"], "nextToken": 100}),
            _ => json!({"userIdList": ["b"]}),
        };
        Reply::json(body)
    });
    let client = fake.client();
    let items: Vec<String> = client
        .items(Dismissions {
            next_token: None,
            max_results: 1,
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items, ["a", "b"]);
}

#[tokio::test]
async fn a_cursor_that_does_not_advance_ends_the_walk_with_an_error() {
    let fake = Fake::start().await;
    fake.on("/topapi/report/list", |req| {
        let page = match body_field(req, "/cursor").as_i64().unwrap() {
            0 => json!({"data_list": [{"id": "r1"}], "has_more": true, "next_cursor": 2}),
            _ => json!({"data_list": [{"id": "r2"}], "has_more": true, "next_cursor": 2}),
        };
        Reply::json(json!({"errcode": 0, "result": page}))
    });
    let client = fake.client();
    let results: Vec<Result<ReportListResponse, Error>> =
        client.pages(report_list(1)).collect().await;
    assert_eq!(results.len(), 3);
    assert!(
        results[0].is_ok() && results[1].is_ok(),
        "pages before the fault are delivered"
    );
    let Err(Error::Pagination { operation, cursor }) = &results[2] else {
        panic!("{:?}", results[2])
    };
    assert_eq!((*operation, cursor), ("report.list", &Cursor::Number(2)));
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn a_first_page_pointing_at_itself_is_stuck() {
    let fake = Fake::start().await;
    fake.on("/topapi/report/receiver/list", |_| {
        Reply::json(json!({"errcode": 0, "result": {"userid_list": ["u"], "next_cursor": 0}}))
    });
    let client = fake.client();
    let first = ReceiverList {
        report_id: "rep".into(),
        offset: 0,
        size: 10,
    };
    let error = client
        .items(first)
        .try_collect::<Vec<String>>()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Pagination {
                cursor: Cursor::Number(0),
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn an_error_mid_walk_is_yielded_and_ends_the_stream() {
    let fake = Fake::start().await;
    fake.on("/topapi/report/list", |req| match body_field(req, "/cursor").as_i64().unwrap() {
        0 => Reply::json(json!({"errcode": 0, "result": {"data_list": [{}], "has_more": true, "next_cursor": 1}})),
        _ => Reply::json(json!({"errcode": 88, "sub_code": "60011", "errmsg": "no permission"})),
    });
    let client = fake.client();
    let results: Vec<Result<ReportListResponse, Error>> =
        client.pages(report_list(1)).collect().await;
    assert_eq!(results.len(), 2);
    assert_eq!(results[1].as_ref().unwrap_err().sub_code(), Some("60011"));
}

#[test]
fn streams_and_calls_are_named_send_unpin_types() {
    fn check<T: Send + Unpin + 'static>(_: &T) {}
    fn check_call<T: Send + Unpin>(_: &T) {}
    let client = Client::builder().build().unwrap();
    let pages: Pages<ReportListResponse> = client.pages(report_list(1));
    let items: Items<_> = client.items(report_list(1));
    let call: ResponseFuture<'_, ReportListResponse> = client.execute(report_list(1));
    check(&pages);
    check(&items);
    check_call(&call);
    assert_eq!(format!("{pages:?}"), "Pages { .. }");
    assert_eq!(format!("{items:?}"), "Items { .. }");
    assert_eq!(format!("{call:?}"), "ResponseFuture { .. }");
}

#[tokio::test]
async fn a_stream_is_stepped_without_pinning_it() {
    let fake = Fake::start().await;
    fake.on("/topapi/report/list", |req| match body_field(req, "/cursor").as_i64().unwrap() {
        0 => Reply::json(json!({"errcode": 0, "result": {"data_list": [{}, {}], "has_more": true, "next_cursor": 1}})),
        _ => Reply::json(json!({"errcode": 0, "result": {"data_list": [{}], "has_more": false}})),
    });
    let client = fake.client();
    let mut items = client.items(report_list(2));
    let mut seen = 0;
    while let Some(item) = items.next().await {
        item.unwrap();
        seen += 1;
    }
    assert_eq!(seen, 3);
    assert_eq!(fake.requests().len(), 2);
}

/// `GET /user/simplelist`: `offset` and `size` in, `hasMore` out, no next cursor; both optional.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SimpleList {
    department_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    offset: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<i64>,
}

#[derive(Debug, Deserialize)]
struct SimpleListResponse {
    #[serde(rename = "hasMore")]
    has_more: Option<bool>,
    #[serde(default)]
    userlist: Vec<String>,
}

static SIMPLE_LIST: OperationInfo = OperationInfo::new(
    "user.simplelist",
    Method::Get,
    Host::Oapi,
    "/user/simplelist",
)
.with_params(&[
    Param::new("department_id", Location::Query, true, false),
    Param::new("offset", Location::Query, false, false),
    Param::new("size", Location::Query, false, false),
])
.with_pagination(PaginationStyle::OffsetHasMore);

impl Operation for SimpleList {
    type Response = SimpleListResponse;
    const INFO: &'static OperationInfo = &SIMPLE_LIST;
}

impl Paginated for SimpleList {
    type Item = String;
    type Cursor = i64;
    const STYLE: PaginationStyle = PaginationStyle::OffsetHasMore;
    fn cursor(&self) -> Option<i64> {
        self.offset
    }
    fn set_cursor(&mut self, cursor: Option<i64>) {
        self.offset = cursor;
    }
    fn page_size(&self) -> Option<i64> {
        self.size
    }
    fn page_state(r: &SimpleListResponse) -> PageState {
        PageState::new(None, r.has_more, r.userlist.len())
    }
    fn into_items(r: SimpleListResponse) -> Vec<String> {
        r.userlist
    }
}

fn simple_list(size: Option<i64>) -> SimpleList {
    SimpleList {
        department_id: 1,
        offset: None,
        size,
    }
}

fn offsets(fake: &Fake) -> Vec<Option<String>> {
    fake.requests_to("/user/simplelist")
        .iter()
        .map(|r| r.query_value("offset").map(str::to_owned))
        .collect()
}

/// Seven users `u0`..`u6` served by offset, `size` (or 3) at a time; `hasMore` while some are
/// left.
fn seven_users(req: &Recorded) -> Reply {
    let offset: usize = req.query_value("offset").map_or(0, |o| o.parse().unwrap());
    let size: usize = req.query_value("size").map_or(3, |s| s.parse().unwrap());
    let users: Vec<String> = (offset..7.min(offset + size))
        .map(|n| format!("u{n}"))
        .collect();
    let more = offset + size < 7;
    Reply::json(json!({"errcode": 0, "userlist": users, "hasMore": more}))
}

#[tokio::test]
async fn offset_has_more_adds_the_page_size_until_has_more_is_false() {
    let fake = Fake::start().await;
    fake.on("/user/simplelist", seven_users);
    let client = fake.client();
    let items: Vec<String> = client
        .items(simple_list(Some(2)))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items, ["u0", "u1", "u2", "u3", "u4", "u5", "u6"]);
    // Unset first (0), then plus the page size; the fourth page says hasMore=false.
    assert_eq!(
        offsets(&fake),
        [None, Some("2".into()), Some("4".into()), Some("6".into())]
    );
    assert!(
        fake.requests_to("/user/simplelist")
            .iter()
            .all(|r| r.query_value("size") == Some("2"))
    );
}

#[tokio::test]
async fn offset_has_more_without_a_size_adds_the_items_received() {
    let fake = Fake::start().await;
    fake.on("/user/simplelist", seven_users);
    let client = fake.client();
    let items: Vec<String> = client.items(simple_list(None)).try_collect().await.unwrap();
    assert_eq!(items.len(), 7);
    assert_eq!(offsets(&fake), [None, Some("3".into()), Some("6".into())]);
}

#[tokio::test]
async fn offset_has_more_ends_on_an_empty_page_that_claims_more() {
    let fake = Fake::start().await;
    // A server that never stops claiming more, with nothing past the first two users.
    fake.on("/user/simplelist", |req| {
        let users = match req.query_value("offset") {
            None => json!(["u0", "u1"]),
            Some(_) => json!([]),
        };
        Reply::json(json!({"errcode": 0, "userlist": users, "hasMore": true}))
    });
    let client = fake.client();
    // At most ten pages are taken: a walk that did not stop would yield them all.
    let pages: Vec<Result<SimpleListResponse, Error>> =
        client.pages(simple_list(Some(2))).take(10).collect().await;
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert!(pages.iter().all(Result::is_ok), "{pages:?}");
    assert_eq!(offsets(&fake), [None, Some("2".into())]);
}

#[tokio::test]
async fn offset_has_more_ends_when_has_more_is_absent() {
    let fake = Fake::start().await;
    fake.on("/user/simplelist", |_| {
        Reply::json(json!({"errcode": 0, "userlist": ["u0", "u1"]}))
    });
    let client = fake.client();
    let items: Vec<String> = client
        .items(simple_list(Some(2)))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items, ["u0", "u1"]);
    assert_eq!(fake.requests_to("/user/simplelist").len(), 1);
}
