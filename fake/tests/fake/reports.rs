//! Reports (日志), the fake's second stateful area: `report.create` stores one, and
//! `report.list` / `report.simplelist` find it within a window of creation times.

use dingtalk_openapi::operation::Operation;
use dingtalk_openapi::primitives::EpochMillis;
use dingtalk_openapi::report::{
    ReportContentFormat, ReportContentType, ReportCreateContent, ReportCreateContentRequired,
    ReportCreateParam, ReportCreateParamRequired, ReportCreateRequest, ReportListRequest,
    ReportListRequestRequired, ReportSimplelistRequest, ReportSimplelistRequestRequired,
    ReportTemplateGetbynameRequest,
};
use serde_json::{Value, json};

use crate::common::Fake;

fn create(template_id: &str) -> ReportCreateRequest {
    ReportCreateRequest::new(ReportCreateParam::new(ReportCreateParamRequired {
        contents: vec![ReportCreateContent::new(ReportCreateContentRequired {
            sort: 0,
            type_: ReportContentType::Text,
            content_type: ReportContentFormat::Markdown,
            content: "今天完成了开发".into(),
            key: "今日工作".into(),
        })],
        template_id: template_id.into(),
        to_chat: true,
        dd_from: "report".into(),
        userid: "user123".into(),
    }))
}

/// `report.list` from `start` to `end`, ten a page.
fn list(start: EpochMillis, end: EpochMillis) -> ReportListRequest {
    ReportListRequest::new(ReportListRequestRequired {
        start_time: start,
        end_time: end,
        cursor: 0,
        size: 10,
    })
}

/// An unseeded fake, its token, the new report's id, and times just before and after its
/// creation (so the tests need not guess how long the call took).
async fn with_report(template_id: &str) -> (Fake, String, String, EpochMillis, EpochMillis) {
    let fake = Fake::start(false).await;
    let token = fake.token().await;
    let before = EpochMillis::now();
    let created = fake.call(&token, &create(template_id)).await;
    let after = EpochMillis::now();
    assert_eq!(created.errcode(), 0, "{}", created.text);
    let id = created.json()["result"]
        .as_str()
        .expect("report id")
        .to_owned();
    (fake, token, id, before, after)
}

#[tokio::test]
async fn a_created_report_is_found_within_its_time_window() {
    let (fake, token, id, before, after) = with_report("t-1").await;
    let found = fake.call(&token, &list(before, after)).await.json();
    let item = &found["result"]["data_list"][0];
    assert_eq!(
        (item["report_id"].as_str(), item["creator_id"].as_str()),
        (Some(id.as_str()), Some("user123")),
        "{found}"
    );
    assert_eq!(
        item["contents"][0],
        json!({"sort": "0", "type": "1", "value": "今天完成了开发", "key": "今日工作"})
    );
    assert_eq!(
        item["template_name"], "t-1",
        "an unknown template by its id"
    );
    let created = item["create_time"].as_i64().unwrap_or_default();
    assert!((before.as_millis()..=after.as_millis()).contains(&created));
    assert_eq!(item["modified_time"], created);
    assert_eq!(found["result"]["has_more"], false);
    assert_eq!(found["result"]["size"], 10, "the page says its size");
    fake.server.shutdown().await;
}

#[tokio::test]
async fn a_report_outside_the_window_is_not_found() {
    let (fake, token, _, before, after) = with_report("t-1").await;
    let earlier = EpochMillis(before.as_millis() - 120_000);
    let just_before = EpochMillis(before.as_millis() - 1);
    let outside = fake.call(&token, &list(earlier, just_before)).await.json();
    assert_eq!(outside["result"]["data_list"], json!([]));
    let later = EpochMillis(after.as_millis() + 1);
    let outside = fake
        .call(
            &token,
            &list(later, EpochMillis(after.as_millis() + 60_000)),
        )
        .await
        .json();
    assert_eq!(outside["result"]["data_list"], json!([]));
    fake.server.shutdown().await;
}

#[tokio::test]
async fn the_documented_template_is_named_as_documented() {
    let example: Value =
        serde_json::from_str(ReportTemplateGetbynameRequest::INFO.example_response)
            .expect("example");
    let template_id = example["result"]["id"].as_str().expect("template id");
    let (fake, token, _, before, after) = with_report(template_id).await;
    let found = fake.call(&token, &list(before, after)).await.json();
    assert_eq!(
        found["result"]["data_list"][0]["template_name"], example["result"]["name"],
        "{found}"
    );
    fake.server.shutdown().await;
}

#[tokio::test]
async fn simplelist_finds_reports_without_their_contents() {
    let (fake, token, id, before, after) = with_report("t-1").await;
    let found = fake
        .call(
            &token,
            &ReportSimplelistRequest::new(ReportSimplelistRequestRequired {
                start_time: before,
                end_time: after,
                cursor: 0,
                size: 10,
            }),
        )
        .await
        .json();
    let item = &found["result"]["data_list"][0];
    assert_eq!(item["report_id"], id.as_str(), "{found}");
    assert_eq!(item["creator_id"], "user123");
    assert!(item.get("contents").is_none(), "{found}");
    fake.server.shutdown().await;
}
