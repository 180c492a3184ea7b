//! Blackboards (公告), the fake's first stateful area: created, read, updated, listed (ids by
//! creation time, the ten newest a user sees, the categories) and deleted, through the generated
//! blackboard operations, on an unseeded fake and on the seeded one.

use dingtalk_openapi::blackboard::{
    BlackboardCategoryListRequest, BlackboardCreateRequest, BlackboardCreateVo,
    BlackboardCreateVoRequired, BlackboardDeleteRequest, BlackboardDeleteRequestRequired,
    BlackboardGetRequest, BlackboardGetRequestRequired, BlackboardListidsRequest,
    BlackboardListtoptenRequest, BlackboardQueryVo, BlackboardQueryVoRequired, BlackboardReceiver,
    BlackboardUpdateRequest, BlackboardUpdateVo, BlackboardUpdateVoRequired,
};
use dingtalk_openapi::operation::Operation;
use dingtalk_openapi::primitives::DateTime;
use serde_json::json;

use crate::common::{Fake, ids, listids};

/// 入职须知 for `manager02`, in category `cat-1`.
fn welcome() -> BlackboardCreateRequest {
    BlackboardCreateRequest::new(
        BlackboardCreateVo::new(BlackboardCreateVoRequired {
            operation_userid: "manager01".into(),
            blackboard_receiver: BlackboardReceiver::new().userid_list(["manager02"]),
            title: "入职须知".into(),
            content: "欢迎加入我们的大家庭".into(),
        })
        .author("杨xx")
        .category_id("cat-1"),
    )
}

fn get(id: &str) -> BlackboardGetRequest {
    BlackboardGetRequest::new(BlackboardGetRequestRequired {
        blackboard_id: id.into(),
        operation_userid: "manager01".into(),
    })
}

fn update(id: &str) -> BlackboardUpdateRequest {
    BlackboardUpdateRequest::new(BlackboardUpdateVo::new(BlackboardUpdateVoRequired {
        blackboard_id: id.into(),
        title: "新标题".into(),
        content: "新内容".into(),
        operation_userid: "manager01".into(),
    }))
}

fn delete(id: &str) -> BlackboardDeleteRequest {
    BlackboardDeleteRequest::new(BlackboardDeleteRequestRequired {
        blackboard_id: id.into(),
        operation_userid: "manager01".into(),
    })
}

/// An unseeded fake, its token, and the id of [`welcome`] created on it.
async fn with_welcome() -> (Fake, String, String) {
    let fake = Fake::start(false).await;
    let token = fake.token().await;
    assert!(ids(&fake.call(&token, &listids(1, 30)).await).is_empty());
    let created = fake.call(&token, &welcome()).await;
    assert_eq!(
        (created.errcode(), created.json()["result"].as_bool()),
        (0, Some(true)),
        "{}",
        created.text
    );
    assert_eq!(created.json()["success"], true);
    let listed = ids(&fake.call(&token, &listids(1, 30)).await);
    assert_eq!(listed.len(), 1, "{listed:?}");
    let id = listed[0].clone();
    (fake, token, id)
}

#[tokio::test]
async fn a_created_blackboard_is_listed_and_read_back() {
    let (fake, token, id) = with_welcome().await;
    let got = fake.call(&token, &get(&id)).await.json();
    let result = &got["result"];
    assert_eq!(
        (result["id"].as_str(), result["title"].as_str()),
        (Some(id.as_str()), Some("入职须知")),
        "{got}"
    );
    assert_eq!(
        (result["author"].as_str(), result["category_id"].as_str()),
        (Some("杨xx"), Some("cat-1"))
    );
    assert_eq!(result["username_list"], json!(["manager02"]));
    assert!(result["gmt_create"].as_str().is_some_and(|t| t.len() == 19));
    fake.server.shutdown().await;
}

#[tokio::test]
async fn the_typed_client_reads_the_fakes_blackboards() {
    let fake = Fake::start(false).await;
    let client = fake.client();
    let created = client.blackboard().create(welcome()).await.expect("create");
    assert_eq!(created.result, Some(true));
    let listed = client
        .blackboard()
        .listids(listids(1, 30))
        .await
        .expect("listids");
    let id = listed.result.unwrap_or_default().pop().expect("one id");
    let detail = client
        .blackboard()
        .get(get(&id))
        .await
        .expect("get")
        .result
        .expect("the blackboard");
    assert_eq!(detail.title.as_deref(), Some("入职须知"));
    assert_eq!(detail.username_list, Some(vec!["manager02".to_owned()]));
    assert!(
        detail
            .gmt_create
            .as_ref()
            .is_some_and(|t| t.is_well_formed())
    );
    assert_eq!(detail.gmt_create, detail.gmt_modified);
    fake.server.shutdown().await;
}

#[tokio::test]
async fn an_update_changes_title_and_content() {
    let (fake, token, id) = with_welcome().await;
    assert_eq!(fake.call(&token, &update(&id)).await.errcode(), 0);
    let got = fake.call(&token, &get(&id)).await.json();
    assert_eq!(
        (
            got["result"]["title"].as_str(),
            got["result"]["content"].as_str()
        ),
        (Some("新标题"), Some("新内容"))
    );
    assert_eq!(got["result"]["author"], "杨xx", "unset fields are kept");
    fake.server.shutdown().await;
}

#[tokio::test]
async fn the_top_ten_are_those_a_user_receives() {
    let (fake, token, id) = with_welcome().await;
    let top = fake
        .call(&token, &BlackboardListtoptenRequest::new("manager02"))
        .await
        .json();
    assert_eq!(top["blackboard_list"][0]["id"], id.as_str(), "{top}");
    assert_eq!(top["blackboard_list"][0]["categoryId"], "cat-1");
    let other = fake
        .call(&token, &BlackboardListtoptenRequest::new("someone-else"))
        .await
        .json();
    assert_eq!(other["blackboard_list"], json!([]), "not a receiver");
    fake.server.shutdown().await;
}

#[tokio::test]
async fn a_department_blackboard_is_seen_by_anyone() {
    let fake = Fake::start(false).await;
    let token = fake.token().await;
    let to_dept =
        BlackboardCreateRequest::new(BlackboardCreateVo::new(BlackboardCreateVoRequired {
            operation_userid: "manager01".into(),
            blackboard_receiver: BlackboardReceiver::new().deptid_list([5]),
            title: "部门公告".into(),
            content: "c".into(),
        }));
    assert_eq!(fake.call(&token, &to_dept).await.errcode(), 0);
    let top = fake
        .call(&token, &BlackboardListtoptenRequest::new("anyone"))
        .await
        .json();
    assert_eq!(top["blackboard_list"][0]["title"], "部门公告", "{top}");
    let id = top["blackboard_list"][0]["id"].as_str().unwrap_or_default();
    let got = fake.call(&token, &get(id)).await.json();
    assert_eq!(got["result"]["depname_list"], json!(["部门5"]), "{got}");
    assert_eq!(
        got["result"]["deptList"],
        json!([{"dept_id": "5", "name": "部门5"}])
    );
    fake.server.shutdown().await;
}

#[tokio::test]
async fn without_seed_there_are_no_categories() {
    let fake = Fake::start(false).await;
    let token = fake.token().await;
    let categories = fake
        .call(&token, &BlackboardCategoryListRequest::new("m"))
        .await
        .json();
    assert_eq!(categories["result"], json!([]), "no seed, no categories");
    fake.server.shutdown().await;
}

#[tokio::test]
async fn a_deleted_blackboard_is_gone_for_every_operation() {
    let (fake, token, id) = with_welcome().await;
    assert_eq!(fake.call(&token, &delete(&id)).await.errcode(), 0);
    let gone = fake.call(&token, &get(&id)).await;
    assert_eq!(gone.errcode(), 40035, "{}", gone.text);
    assert!(gone.errmsg().contains("公告不存在"), "{}", gone.text);
    assert_eq!(fake.call(&token, &update(&id)).await.errcode(), 40035);
    assert_eq!(fake.call(&token, &delete(&id)).await.errcode(), 40035);
    assert!(ids(&fake.call(&token, &listids(1, 30)).await).is_empty());
    fake.server.shutdown().await;
}

#[tokio::test]
async fn seeding_makes_the_documented_examples_succeed() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    let example: BlackboardGetRequest =
        serde_json::from_str(BlackboardGetRequest::INFO.example_request).expect("example");
    let got = fake.call(&token, &example).await;
    assert_eq!(got.errcode(), 0, "{}", got.text);
    assert_eq!(got.json()["result"]["id"], example.blackboard_id.as_str());
    assert_eq!(ids(&fake.call(&token, &listids(1, 30)).await).len(), 7);
    let categories = fake
        .call(&token, &BlackboardCategoryListRequest::new("m"))
        .await
        .json();
    assert_eq!(
        categories["result"].as_array().map(Vec::len),
        Some(3),
        "{categories}"
    );
    fake.server.shutdown().await;
}

#[tokio::test]
async fn listids_filters_by_creation_time_newest_first() {
    let fake = Fake::start(true).await;
    let token = fake.token().await;
    // The seeded blackboards were created a minute apart from the `get` example's time.
    let all = ids(&fake.call(&token, &listids(1, 30)).await);
    let window = |start: &str, end: &str| {
        BlackboardListidsRequest::new(
            BlackboardQueryVo::new(BlackboardQueryVoRequired {
                operation_userid: "manager01".into(),
                page_size: 30,
                page: 1,
            })
            .start_time(DateTime::parse(start).expect("time"))
            .end_time(DateTime::parse(end).expect("time")),
        )
    };
    let detail = fake
        .call(&token, &get(all.last().expect("the oldest")))
        .await
        .json();
    let oldest = detail["result"]["gmt_create"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let second = fake.call(&token, &get(&all[all.len() - 2])).await.json();
    let second = second["result"]["gmt_create"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(oldest < second, "{oldest} < {second}");
    let both = ids(&fake.call(&token, &window(&oldest, &second)).await);
    assert_eq!(both, all[all.len() - 2..].to_vec(), "newest first");
    let first = ids(&fake.call(&token, &window(&oldest, &oldest)).await);
    assert_eq!(first, all[all.len() - 1..].to_vec(), "both ends included");
    fake.server.shutdown().await;
}
