//! Pagination by text tokens (most v1.0 `nextToken`s are strings): the token goes back exactly as
//! received, a token that does not advance is an error naming it, and an empty or absent token
//! ends the walk like `hasMore: false`.

use dingtalk_openapi_runtime::Error;
use dingtalk_openapi_runtime::operation::{
    Auth, Cursor, CursorType, CursorValue, Envelope, Host, Location, Method, Operation,
    OperationInfo, PageState, Paginated, Pagination, PaginationStyle, Param,
};
use futures_util::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::common::*;

/// `POST /v1.0/contact/roles/query`: a string `nextToken` in the body and in the answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Roles {
    #[serde(rename = "nextToken", skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
    #[serde(rename = "maxResults")]
    max_results: i64,
}

#[derive(Debug, Deserialize)]
struct RolesResponse {
    #[serde(rename = "nextToken", default)]
    next_token: Option<String>,
    #[serde(rename = "hasMore", default)]
    has_more: Option<bool>,
    #[serde(default)]
    list: Vec<String>,
}

static ROLES: OperationInfo = OperationInfo::new(
    "contact.roles",
    Method::Post,
    Host::Api,
    "/v1.0/contact/roles/query",
)
.with_auth(Auth::HeaderToken)
.with_envelope(Envelope::Bare)
.with_params(&[
    Param::new("nextToken", Location::Body, false, false),
    Param::new("maxResults", Location::Body, true, false),
]);

impl Operation for Roles {
    type Response = RolesResponse;
    const INFO: &'static OperationInfo = &ROLES;
}

impl Paginated for Roles {
    type Item = String;
    type Cursor = String;
    const STYLE: PaginationStyle = PaginationStyle::NextToken;
    fn cursor(&self) -> Option<String> {
        self.next_token.clone()
    }
    fn set_cursor(&mut self, cursor: Option<String>) {
        self.next_token = cursor;
    }
    fn page_size(&self) -> Option<i64> {
        Some(self.max_results)
    }
    fn page_state(r: &RolesResponse) -> PageState<String> {
        PageState::new(r.next_token.clone(), r.has_more, r.list.len())
    }
    fn into_items(r: RolesResponse) -> Vec<String> {
        r.list
    }
}

const PATH: &str = "/v1.0/contact/roles/query";

fn first() -> Roles {
    Roles {
        next_token: None,
        max_results: 2,
    }
}

/// The `nextToken` of every request the fake received, as JSON (`null` when absent).
fn sent_tokens(fake: &Fake) -> Vec<Value> {
    fake.requests_to(PATH)
        .iter()
        .map(|r| r.json().get("nextToken").cloned().unwrap_or(Value::Null))
        .collect()
}

#[tokio::test]
async fn a_text_token_walk_sends_each_token_back_verbatim_and_ends_on_has_more_false() {
    let fake = Fake::start().await;
    fake.on(PATH, |req| {
        let body = match req.json().get("nextToken").and_then(Value::as_str) {
            None => json!({"list": ["r1", "r2"], "nextToken": "007", "hasMore": true}),
            Some("007") => json!({"list": ["r3", "r4"], "nextToken": "a b/+=", "hasMore": true}),
            // The last page still names a token; hasMore decides.
            _ => json!({"list": ["r5"], "nextToken": "unused", "hasMore": false}),
        };
        Reply::json(body)
    });
    let client = fake.client();
    let items: Vec<String> = client.items(first()).try_collect().await.unwrap();
    assert_eq!(items, ["r1", "r2", "r3", "r4", "r5"]);
    // A token that looks like a number stays a string on the wire.
    assert_eq!(
        sent_tokens(&fake),
        [Value::Null, json!("007"), json!("a b/+=")]
    );
}

#[tokio::test]
async fn an_empty_or_absent_token_ends_the_walk() {
    for last in [
        json!({"list": ["b"], "nextToken": "", "hasMore": true}),
        json!({"list": ["b"], "nextToken": ""}),
        json!({"list": ["b"], "hasMore": true}),
    ] {
        let fake = Fake::start().await;
        let answer = last.clone();
        fake.on(PATH, move |req| match req.json().get("nextToken") {
            None => Reply::json(json!({"list": ["a"], "nextToken": "t1", "hasMore": true})),
            Some(_) => Reply::json(answer.clone()),
        });
        let client = fake.client();
        let items: Vec<String> = client.items(first()).try_collect().await.unwrap();
        assert_eq!(items, ["a", "b"], "{last}");
        assert_eq!(sent_tokens(&fake), [Value::Null, json!("t1")], "{last}");
    }
}

#[tokio::test]
async fn a_repeated_token_ends_the_walk_with_an_error_naming_it() {
    let fake = Fake::start().await;
    fake.on(PATH, |req| match req.json().get("nextToken") {
        None => Reply::json(json!({"list": ["a"], "nextToken": "t1", "hasMore": true})),
        Some(_) => Reply::json(json!({"list": ["b"], "nextToken": "t1", "hasMore": true})),
    });
    let client = fake.client();
    let results: Vec<Result<RolesResponse, Error>> = client.pages(first()).collect().await;
    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok() && results[1].is_ok());
    let Err(error @ Error::Pagination { operation, cursor }) = &results[2] else {
        panic!("{:?}", results[2])
    };
    assert_eq!((*operation, cursor), ("contact.roles", &Cursor::from("t1")));
    assert_eq!(
        error.to_string(),
        r#"contact.roles: the server returned cursor "t1" again; pagination stopped"#
    );
    assert_eq!(sent_tokens(&fake), [Value::Null, json!("t1")]);
}

#[test]
fn cursors_convert_and_display() {
    assert_eq!(Cursor::from(5), Cursor::Number(5));
    assert_eq!(Cursor::from("x".to_owned()), Cursor::Token("x".into()));
    assert_eq!(Cursor::Number(-3).to_string(), "-3");
    assert_eq!(Cursor::from("").to_string(), r#""""#);
    assert_eq!(Cursor::from("a\"b").to_string(), r#""a\"b""#);
    assert_eq!(<String as CursorValue>::TYPE, CursorType::String);
    assert_eq!(<i64 as CursorValue>::TYPE, CursorType::Integer);
    let facts = Pagination::usual(PaginationStyle::NextToken);
    assert_eq!(facts.cursor_type, CursorType::Integer);
    assert_eq!(
        facts.with_cursor_type(CursorType::String).cursor_type,
        CursorType::String
    );
}
