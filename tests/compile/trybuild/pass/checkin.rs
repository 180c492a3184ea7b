// The `checkin` operation, built and called the way a user would.

use dingtalk_openapi::checkin::*;
use dingtalk_openapi::operation::Operation;
use dingtalk_openapi::primitives::{CommaList, EpochMillis};
use dingtalk_openapi::{Client, Error};
use futures_util::{StreamExt, TryStreamExt};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

fn record_get() -> CheckinRecordGetRequest {
    let end = EpochMillis::now();
    CheckinRecordGetRequest::new(CheckinRecordGetRequestRequired {
        userid_list: CommaList::from(["user1".to_owned()]),
        start_time: EpochMillis(end.as_millis() - 9 * DAY_MS),
        end_time: end,
        cursor: 0,
        size: 100,
    })
}

fn record_get_for_many() -> CheckinRecordGetRequest {
    let users: CommaList<String> = ["user1", "user2"].into_iter().map(String::from).collect();
    CheckinRecordGetRequest::new(CheckinRecordGetRequestRequired {
        userid_list: users,
        start_time: EpochMillis(1_507_564_800_000),
        end_time: EpochMillis(1_507_564_800_000 + DAY_MS),
        cursor: 0,
        size: 10,
    })
}

#[allow(dead_code)]
async fn calls(client: &Client) -> Result<(), Error> {
    let checkin = client.checkin();

    let page: CheckinRecordGetResponse = checkin.record_get(record_get()).await?;
    for record in page.result.and_then(|r| r.page_list).unwrap_or_default() {
        let _: Option<EpochMillis> = record.checkin_time;
    }

    let mut records = checkin.record_get_items(record_get());
    while let Some(record) = records.next().await {
        let _: CheckinRecord = record?;
    }
    let _: Vec<CheckinRecordGetResponse> = checkin
        .record_get_pages(record_get_for_many())
        .try_collect()
        .await?;
    Ok(())
}

fn main() {
    record_get().validate().unwrap();
    record_get_for_many().validate().unwrap();

    // Two users and more than a day: the tighter window applies.
    let end = EpochMillis::now();
    let too_long = CheckinRecordGetRequest::new(CheckinRecordGetRequestRequired {
        userid_list: ["a", "b"].into_iter().map(String::from).collect(),
        start_time: EpochMillis(end.as_millis() - 2 * DAY_MS),
        end_time: end,
        cursor: 0,
        size: 10,
    });
    assert!(too_long.validate().is_err());

    let json = serde_json::to_value(record_get_for_many()).unwrap();
    assert_eq!(json["userid_list"], "user1,user2");
    assert_eq!(json["start_time"], 1_507_564_800_000_i64);
}
