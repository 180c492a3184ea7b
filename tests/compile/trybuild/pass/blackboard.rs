// Every `blackboard` operation, built and called the way a user would.

use dingtalk_openapi::blackboard::*;
use dingtalk_openapi::operation::Operation;
use dingtalk_openapi::primitives::DateTime;
use dingtalk_openapi::{Client, Error};
use futures_util::{StreamExt, TryStreamExt};

fn create() -> BlackboardCreateRequest {
    BlackboardCreateRequest::new(
        BlackboardCreateVo::new(BlackboardCreateVoRequired {
            operation_userid: "manager01".into(),
            blackboard_receiver: BlackboardReceiver::new()
                .deptid_list(vec![1, 2])
                .userid_list(vec!["manager02".to_owned()]),
            title: "入职须知".into(),
            content: "欢迎加入我们的大家庭".into(),
        })
        .author("杨xx")
        .private_level(PrivateLevel::Confidential)
        .ding(false)
        .push_top(true)
        .category_id("987uy66t5rt54er")
        .coverpic_mediaid("@lADPDeC2ufXOeRzMqM0BLA"),
    )
}

fn update() -> BlackboardUpdateRequest {
    BlackboardUpdateRequest::new(
        BlackboardUpdateVo::new(BlackboardUpdateVoRequired {
            blackboard_id: "908uhyg76tfr543e".into(),
            title: "入职须知".into(),
            content: "欢迎加入我们的大家庭".into(),
            operation_userid: "manager01".into(),
        })
        .author("杨xx")
        .ding(true)
        .category_id("89uuy7ytg6bnnjh7")
        .notify(true)
        .coverpic_mediaid("@lADPDeC2ufXOeRzMqM0BLA"),
    )
}

fn delete() -> BlackboardDeleteRequest {
    BlackboardDeleteRequest::new(BlackboardDeleteRequestRequired {
        blackboard_id: "098uyg65ffytr43".into(),
        operation_userid: "manager01".into(),
    })
}

fn get() -> BlackboardGetRequest {
    BlackboardGetRequest::new(BlackboardGetRequestRequired {
        blackboard_id: "9uiuihhgui989huh".into(),
        operation_userid: String::from("manager01"),
    })
}

fn listids() -> BlackboardListidsRequest {
    BlackboardListidsRequest::new(
        BlackboardQueryVo::new(BlackboardQueryVoRequired {
            operation_userid: "manager4220".into(),
            page_size: 10,
            page: 1,
        })
        .start_time(DateTime::parse("2019-10-07 10:10:10").unwrap())
        .end_time("2019-11-07 10:10:10".parse().unwrap())
        .category_id("9i9u7y7g6t65"),
    )
}

fn category_list() -> BlackboardCategoryListRequest {
    BlackboardCategoryListRequest::new("manager01")
}

fn listtopten() -> BlackboardListtoptenRequest {
    BlackboardListtoptenRequest::new("manager01")
}

#[allow(dead_code)]
async fn calls(client: &Client) -> Result<(), Error> {
    let bb = client.blackboard();

    let created: BlackboardCreateResponse = bb.create(create()).await?;
    let _: Option<bool> = created.result;
    let _: BlackboardUpdateResponse = bb.update(update()).await?;
    let _: BlackboardDeleteResponse = bb.delete(delete()).await?;

    let detail: BlackboardGetResponse = bb.get(get()).await?;
    if let Some(detail) = detail.result {
        let _: Option<DateTime> = detail.gmt_create;
        match detail.private_level {
            Some(PrivateLevel::Normal) | None => {}
            Some(PrivateLevel::Confidential) => {}
            Some(PrivateLevel::Unknown(level)) => {
                let _: i64 = level;
            }
            Some(_) => {}
        }
    }

    let ids: BlackboardListidsResponse = bb.listids(listids()).await?;
    let _: Option<Vec<String>> = ids.result;
    let mut pages = bb.listids_pages(listids());
    while let Some(page) = pages.next().await {
        let _: BlackboardListidsResponse = page?;
    }
    let all_ids: Vec<String> = bb.listids_items(listids()).try_collect().await?;
    drop(all_ids);

    let categories: BlackboardCategoryListResponse = bb.category_list(category_list()).await?;
    for category in categories.result.unwrap_or_default() {
        let _: Option<String> = category.name;
    }
    let top: BlackboardListtoptenResponse = bb.listtopten(listtopten()).await?;
    let _: Option<Vec<BlackboardTopItem>> = top.blackboard_list;
    Ok(())
}

fn main() {
    create().validate().unwrap();
    update().validate().unwrap();
    delete().validate().unwrap();
    get().validate().unwrap();
    listids().validate().unwrap();
    category_list().validate().unwrap();
    listtopten().validate().unwrap();

    // A page size over 30 is refused before sending.
    assert!(
        BlackboardListidsRequest::new(BlackboardQueryVo::new(BlackboardQueryVoRequired {
            operation_userid: "m".into(),
            page_size: 31,
            page: 1,
        }))
        .validate()
        .is_err()
    );

    let json = serde_json::to_value(create()).unwrap();
    assert_eq!(json["create_request"]["private_level"], 20);
    assert_eq!(
        json["create_request"]["blackboard_receiver"]["deptid_list"][1],
        2
    );
    let json = serde_json::to_value(listids()).unwrap();
    assert_eq!(json["query_request"]["start_time"], "2019-10-07 10:10:10");
    assert_eq!(serde_json::to_value(PrivateLevel::Unknown(7)).unwrap(), 7);
}
