//! The approval (bpms) events.

use dingtalk_openapi_runtime::callback::{ApprovalChangeType, ApprovalResult, CallbackEvent};
use dingtalk_openapi_runtime::primitives::EpochMillis;
use serde_json::json;

use crate::parse;

#[test]
fn approval_instance_events() {
    let start = parse(json!({
        "EventType": "bpms_instance_change",
        "processInstanceId": "ad253df6-e175caf",
        "corpId": "dingcorp01",
        "createTime": 1_495_592_259_000_i64,
        "title": "Trip request",
        "type": "start",
        "staffId": "er5875",
        "url": "https://aflow.dingtalk.com/dingtalk/mobile/homepage.htm",
        "processCode": "PROC-01",
    }));
    let CallbackEvent::BpmsInstanceChange(change) = &start else {
        panic!("{start:?}")
    };
    assert_eq!(change.process_instance_id, "ad253df6-e175caf");
    assert_eq!(change.change_type, ApprovalChangeType::Start);
    assert_eq!(change.result, None);
    assert_eq!(change.corp_id.as_deref(), Some("dingcorp01"));
    assert_eq!(change.process_code.as_deref(), Some("PROC-01"));
    assert_eq!(change.title.as_deref(), Some("Trip request"));
    assert_eq!(change.staff_id.as_deref(), Some("er5875"));
    assert!(change.url.as_deref().unwrap().starts_with("https://aflow"));
    assert_eq!(change.create_time, Some(EpochMillis(1_495_592_259_000)));
    assert_eq!(change.finish_time, None);

    let finish = parse(json!({
        "EventType": "bpms_instance_change",
        "processInstanceId": "ad253df6-e175caf",
        "finishTime": 1_495_592_305_000_i64,
        "corpId": "dingcorp01",
        "title": "Trip request",
        "type": "finish",
        "result": "refuse",
        "createTime": 1_495_592_272_000_i64,
        "staffId": "manager75",
        "bizCategoryId": "attendance.goout",
    }));
    let CallbackEvent::BpmsInstanceChange(change) = &finish else {
        panic!("{finish:?}")
    };
    assert_eq!(change.change_type, ApprovalChangeType::Finish);
    assert_eq!(change.result, Some(ApprovalResult::Refuse));
    assert_eq!(change.finish_time, Some(EpochMillis(1_495_592_305_000)));
    assert_eq!(change.biz_category_id.as_deref(), Some("attendance.goout"));

    // The event-subscription shape: `CorpId` in the envelope, times given as strings here.
    let subscribed = parse(json!({
        "EventType": "bpms_instance_change",
        "EventTime": 1_663_143_335_567_i64,
        "CorpId": "dingcorp01",
        "BizId": "biz01",
        "eventId": "ev01",
        "result": "agree",
        "processInstanceId": "9Qgx5QqjR7ax",
        "finishTime": "1495592305000",
        "createTime": "1495592272000",
        "processCode": "PROC-01",
        "bizCategoryId": "20230101",
        "businessId": "202301010001",
        "type": "terminate",
        "title": "Trip request",
        "businessType": "trip",
        "staffId": "manager75",
    }));
    let CallbackEvent::BpmsInstanceChange(change) = &subscribed else {
        panic!("{subscribed:?}")
    };
    assert_eq!(change.corp_id.as_deref(), Some("dingcorp01"));
    assert_eq!(change.change_type, ApprovalChangeType::Terminate);
    assert_eq!(change.result, Some(ApprovalResult::Agree));
    assert_eq!(change.business_id.as_deref(), Some("202301010001"));
    assert_eq!(change.business_type.as_deref(), Some("trip"));
    assert_eq!(change.create_time, Some(EpochMillis(1_495_592_272_000)));
    assert_eq!(change.finish_time, Some(EpochMillis(1_495_592_305_000)));
}

#[test]
fn approval_task_events() {
    let finish = parse(json!({
        "EventType": "bpms_task_change",
        "processInstanceId": "ce133dd0-5b22",
        "finishTime": 1_495_605_749_000_i64,
        "corpId": "dingcorp01",
        "title": "Trip request",
        "type": "finish",
        "result": "refuse",
        "remark": "not this month",
        "createTime": 1_495_593_189_000_i64,
        "staffId": "manager75",
        "processCode": "PROC-01",
    }));
    let CallbackEvent::BpmsTaskChange(task) = &finish else {
        panic!("{finish:?}")
    };
    assert_eq!(task.process_instance_id, "ce133dd0-5b22");
    assert_eq!(task.change_type, ApprovalChangeType::Finish);
    assert_eq!(task.result, Some(ApprovalResult::Refuse));
    assert_eq!(task.remark.as_deref(), Some("not this month"));
    assert_eq!(task.staff_id.as_deref(), Some("manager75"));
    assert_eq!(task.create_time, Some(EpochMillis(1_495_593_189_000)));
    assert_eq!(task.finish_time, Some(EpochMillis(1_495_605_749_000)));
    assert_eq!(task.task_id, None);

    let redirect = parse(json!({
        "EventType": "bpms_task_change",
        "processInstanceId": "439bda1c-d9",
        "corpId": "dingcorp01",
        "type": "finish",
        "result": "redirect",
        "staffId": "08058646137",
    }));
    let CallbackEvent::BpmsTaskChange(task) = &redirect else {
        panic!("{redirect:?}")
    };
    assert_eq!(task.result, Some(ApprovalResult::Redirect));

    let subscribed = parse(json!({
        "EventType": "bpms_task_change",
        "EventTime": 1_663_143_335_567_i64,
        "CorpId": "dingcorp01",
        "eventId": "ev01",
        "processInstanceId": "ce133dd0-5b22",
        "createTime": 1_670_983_873_000_i64,
        "processCode": "PROC-01",
        "bizCategoryId": "attendance.goout",
        "businessId": "202301010038",
        "type": "cancel",
        "title": "Trip request",
        "taskId": 811_165,
        "staffId": "08058646137",
    }));
    let CallbackEvent::BpmsTaskChange(task) = &subscribed else {
        panic!("{subscribed:?}")
    };
    assert_eq!(task.change_type, ApprovalChangeType::Cancel);
    assert_eq!(task.result, None);
    assert_eq!(task.task_id, Some(811_165));
    assert_eq!(task.corp_id.as_deref(), Some("dingcorp01"));
    assert_eq!(task.business_id.as_deref(), Some("202301010038"));

    // A `type` not listed yet is kept, not refused.
    let later = parse(json!({
        "EventType": "bpms_task_change",
        "processInstanceId": "p1",
        "type": "rollback",
    }));
    let CallbackEvent::BpmsTaskChange(task) = &later else {
        panic!("{later:?}")
    };
    assert_eq!(task.change_type.as_str(), "rollback");
}
