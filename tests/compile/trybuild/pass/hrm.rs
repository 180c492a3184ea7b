// Every `hrm` operation, built and called the way a user would.

use dingtalk_openapi::hrm::*;
use dingtalk_openapi::operation::Operation;
use dingtalk_openapi::primitives::CommaList;
use dingtalk_openapi::{Client, Error};
use futures_util::{StreamExt, TryStreamExt};

fn querypreentry() -> SmartworkHrmEmployeeQuerypreentryRequest {
    SmartworkHrmEmployeeQuerypreentryRequest::new(
        SmartworkHrmEmployeeQuerypreentryRequestRequired {
            offset: 0,
            size: 50,
        },
    )
}

fn queryonjob() -> SmartworkHrmEmployeeQueryonjobRequest {
    SmartworkHrmEmployeeQueryonjobRequest::new(SmartworkHrmEmployeeQueryonjobRequestRequired {
        status_list: CommaList::from([HrmEmployeeStatus::Probation, HrmEmployeeStatus::Regular]),
        offset: 0,
        size: 20,
    })
}

fn queryonjob_from_vec() -> SmartworkHrmEmployeeQueryonjobRequest {
    let statuses: Vec<HrmEmployeeStatus> =
        vec![HrmEmployeeStatus::NoStatus, HrmEmployeeStatus::Unknown(9)];
    SmartworkHrmEmployeeQueryonjobRequest::new(SmartworkHrmEmployeeQueryonjobRequestRequired {
        status_list: statuses.into(),
        offset: 0,
        size: 1,
    })
}

fn dismissions() -> HrmEmployeesDismissionsRequest {
    HrmEmployeesDismissionsRequest::new().max_results(50)
}

fn dismissions_from(token: i64) -> HrmEmployeesDismissionsRequest {
    HrmEmployeesDismissionsRequest::new()
        .next_token(token)
        .max_results(10)
}

#[allow(dead_code)]
async fn calls(client: &Client) -> Result<(), Error> {
    let hrm = client.hrm();

    let preentry: SmartworkHrmEmployeeQuerypreentryResponse =
        hrm.querypreentry(querypreentry()).await?;
    let _: Option<i64> = preentry.result.and_then(|page| page.next_cursor);
    let _: Vec<String> = hrm
        .querypreentry_items(querypreentry())
        .try_collect()
        .await?;
    let _: Vec<SmartworkHrmEmployeeQuerypreentryResponse> = hrm
        .querypreentry_pages(querypreentry())
        .try_collect()
        .await?;

    let onjob: SmartworkHrmEmployeeQueryonjobResponse = hrm.queryonjob(queryonjob()).await?;
    let _: Option<Vec<String>> = onjob.result.and_then(|page| page.data_list);
    let mut userids = hrm.queryonjob_items(queryonjob());
    while let Some(userid) = userids.next().await {
        let _: String = userid?;
    }
    let _: Vec<SmartworkHrmEmployeeQueryonjobResponse> = hrm
        .queryonjob_pages(queryonjob_from_vec())
        .try_collect()
        .await?;

    let first: HrmEmployeesDismissionsResponse = hrm.dismissions(dismissions()).await?;
    if let (Some(true), Some(token)) = (first.has_more, first.next_token) {
        let _: HrmEmployeesDismissionsResponse = hrm.dismissions(dismissions_from(token)).await?;
    }
    let _: Vec<String> = hrm.dismissions_items(dismissions()).try_collect().await?;
    let _: Vec<HrmEmployeesDismissionsResponse> =
        hrm.dismissions_pages(dismissions()).try_collect().await?;
    Ok(())
}

fn main() {
    querypreentry().validate().unwrap();
    queryonjob().validate().unwrap();
    queryonjob_from_vec().validate().unwrap();
    dismissions().validate().unwrap();
    dismissions_from(100).validate().unwrap();

    // size is 1..=50, maxResults at most 50.
    assert!(
        SmartworkHrmEmployeeQuerypreentryRequest::new(
            SmartworkHrmEmployeeQuerypreentryRequestRequired {
                offset: 0,
                size: 51
            }
        )
        .validate()
        .is_err()
    );
    assert!(
        HrmEmployeesDismissionsRequest::new()
            .max_results(51)
            .validate()
            .is_err()
    );

    let json = serde_json::to_value(queryonjob()).unwrap();
    assert_eq!(json["status_list"], "2,3");
    assert_eq!(
        serde_json::to_value(queryonjob_from_vec()).unwrap()["status_list"],
        "-1,9"
    );
    let json = serde_json::to_value(dismissions_from(100)).unwrap();
    assert_eq!(json["nextToken"], 100);
    assert_eq!(json["maxResults"], 10);
}
