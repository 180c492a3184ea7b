// Every `report` operation, built and called the way a user would.

use std::time::{Duration, SystemTime};

use dingtalk_openapi::operation::Operation;
use dingtalk_openapi::primitives::{DateTime, EpochMillis};
use dingtalk_openapi::report::*;
use dingtalk_openapi::{Client, Error};
use futures_util::{StreamExt, TryStreamExt};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

fn create() -> ReportCreateRequest {
    ReportCreateRequest::new(
        ReportCreateParam::new(ReportCreateParamRequired {
            contents: vec![
                ReportCreateContent::new(ReportCreateContentRequired {
                    sort: 0,
                    type_: ReportContentType::Text,
                    content_type: ReportContentFormat::Markdown,
                    content: "今天完成了项目开发工作".into(),
                    key: "今日工作".into(),
                }),
                ReportCreateContent::new(ReportCreateContentRequired {
                    sort: 1,
                    type_: ReportContentType::Text,
                    content_type: ReportContentFormat::Markdown,
                    content: "继续开发".into(),
                    key: "明日计划".into(),
                }),
            ],
            template_id: "12345abcde".into(),
            to_chat: true,
            dd_from: "report".into(),
            userid: "12345".into(),
        })
        .to_userids(vec!["123".to_owned(), "456".to_owned()])
        .to_cids(vec!["123".to_owned()]),
    )
}

fn template_getbyname() -> ReportTemplateGetbynameRequest {
    ReportTemplateGetbynameRequest::new(ReportTemplateGetbynameRequestRequired {
        userid: "12345".into(),
        template_name: "日报".into(),
    })
}

fn list() -> ReportListRequest {
    let end = EpochMillis::from(SystemTime::UNIX_EPOCH + Duration::from_millis(1_507_564_800_000));
    let start = EpochMillis(end.as_millis() - 7 * DAY_MS);
    ReportListRequest::new(ReportListRequestRequired {
        start_time: start,
        end_time: end,
        cursor: 0,
        size: 10,
    })
    .template_name("周报")
    .userid("user123")
    .modified_start_time(start)
    .modified_end_time(EpochMillis::from(1_507_564_800_000))
}

fn simplelist() -> ReportSimplelistRequest {
    let now = EpochMillis::now();
    ReportSimplelistRequest::new(ReportSimplelistRequestRequired {
        start_time: EpochMillis(now.as_millis() - DAY_MS),
        end_time: now,
        cursor: 0,
        size: 20,
    })
    .template_name("日报")
    .userid("user123")
}

fn statistics_listbytype() -> ReportStatisticsListbytypeRequest {
    ReportStatisticsListbytypeRequest::new("17469xxx", ReportStatisticsType::Commented)
        .offset(0)
        .size(100)
}

fn receiver_list() -> ReportReceiverListRequest {
    ReportReceiverListRequest::new("174xxxx")
        .offset(0)
        .size(100)
}

fn comment_list() -> ReportCommentListRequest {
    ReportCommentListRequest::new("174xxxx").offset(0).size(20)
}

fn getunreadcount() -> ReportGetunreadcountRequest {
    ReportGetunreadcountRequest::new("user123")
}

fn template_listbyuserid() -> ReportTemplateListbyuseridRequest {
    ReportTemplateListbyuseridRequest::new()
        .userid("manager7078")
        .offset(0)
        .size(100)
}

#[allow(dead_code)]
async fn calls(client: &Client) -> Result<(), Error> {
    let report = client.report();

    let created: ReportCreateResponse = report.create(create()).await?;
    let _: Option<String> = created.result;

    let template: ReportTemplateGetbynameResponse =
        report.template_getbyname(template_getbyname()).await?;
    if let Some(detail) = template.result {
        let _: Option<String> = detail.id;
    }

    let page: ReportListResponse = report.list(list()).await?;
    let next: Option<i64> = page.result.as_ref().and_then(|r| r.next_cursor);
    let _ = next;
    let mut items = report.list_items(list());
    while let Some(item) = items.next().await {
        let item: ReportListItem = item?;
        let _: Option<EpochMillis> = item.create_time;
    }
    let pages: Vec<ReportListResponse> = report.list_pages(list()).try_collect().await?;
    drop(pages);

    let _: ReportSimplelistResponse = report.simplelist(simplelist()).await?;
    let _: Vec<ReportSimpleListItem> = report.simplelist_items(simplelist()).try_collect().await?;
    let _: Vec<ReportSimplelistResponse> =
        report.simplelist_pages(simplelist()).try_collect().await?;

    let _: ReportStatisticsListbytypeResponse = report
        .statistics_listbytype(statistics_listbytype())
        .await?;
    let userids: Vec<String> = report
        .statistics_listbytype_items(statistics_listbytype())
        .try_collect()
        .await?;
    drop(userids);
    let _: Vec<ReportStatisticsListbytypeResponse> = report
        .statistics_listbytype_pages(statistics_listbytype())
        .try_collect()
        .await?;

    let _: ReportReceiverListResponse = report.receiver_list(receiver_list()).await?;
    let _: Vec<String> = report
        .receiver_list_items(receiver_list())
        .try_collect()
        .await?;
    let _: Vec<ReportReceiverListResponse> = report
        .receiver_list_pages(receiver_list())
        .try_collect()
        .await?;

    let _: ReportCommentListResponse = report.comment_list(comment_list()).await?;
    let mut comments = report.comment_list_items(comment_list());
    while let Some(comment) = comments.next().await {
        let comment: ReportComment = comment?;
        let _: Option<DateTime> = comment.create_time;
    }
    let _: Vec<ReportCommentListResponse> = report
        .comment_list_pages(comment_list())
        .try_collect()
        .await?;

    let unread: ReportGetunreadcountResponse = report.getunreadcount(getunreadcount()).await?;
    let _: Option<i64> = unread.count;

    let _: ReportTemplateListbyuseridResponse = report
        .template_listbyuserid(template_listbyuserid())
        .await?;
    let _: Vec<ReportTemplateSummary> = report
        .template_listbyuserid_items(template_listbyuserid())
        .try_collect()
        .await?;
    let _: Vec<ReportTemplateListbyuseridResponse> = report
        .template_listbyuserid_pages(template_listbyuserid())
        .try_collect()
        .await?;
    Ok(())
}

fn main() {
    create().validate().unwrap();
    template_getbyname().validate().unwrap();
    list().validate().unwrap();
    simplelist().validate().unwrap();
    statistics_listbytype().validate().unwrap();
    receiver_list().validate().unwrap();
    comment_list().validate().unwrap();
    getunreadcount().validate().unwrap();
    template_listbyuserid().validate().unwrap();

    // More than 180 days between start and end is refused before sending.
    let too_long = ReportListRequest::new(ReportListRequestRequired {
        start_time: EpochMillis(0),
        end_time: EpochMillis(181 * DAY_MS),
        cursor: 0,
        size: 10,
    });
    assert!(too_long.validate().is_err());

    let json = serde_json::to_value(statistics_listbytype()).unwrap();
    assert_eq!(json["type"], 1);
    assert_eq!(json["report_id"], "17469xxx");
    let json = serde_json::to_value(create()).unwrap();
    assert_eq!(json["create_report_param"]["contents"][0]["type"], 1);
    assert_eq!(
        serde_json::to_value(list()).unwrap()["modified_end_time"],
        1_507_564_800_000_i64
    );
}
