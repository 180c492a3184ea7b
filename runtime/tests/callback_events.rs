//! The typed contact, group chat, sign-in and approval events: every one read from a message
//! written in the shape DingTalk documents (the legacy `register_call_back` callback, and for
//! most also the HTTP push of an event subscription), unknown and malformed events kept as
//! `Other`, and one event through the whole encrypt → decrypt → parse path.
#![cfg(feature = "callback")]

use dingtalk_openapi_runtime::callback::{
    ApprovalChangeType, ApprovalResult, CallbackBody, CallbackCrypto, CallbackEvent, CallbackQuery,
    OwnerKey,
};
use dingtalk_openapi_runtime::primitives::EpochMillis;
use serde_json::{Value, json};

/// Parses `message`, checks that the event type round-trips, that the reply is `success` and
/// that the message is kept whole.
fn parse(message: Value) -> CallbackEvent {
    let event = CallbackEvent::parse(&message.to_string()).expect("an event");
    assert_eq!(event.event_type(), message["EventType"].as_str().unwrap());
    assert_eq!(event.reply_text(), "success");
    assert_eq!(event.raw(), Some(&message));
    event
}

#[test]
fn user_events_read_both_shapes() {
    type Variant = fn(&CallbackEvent) -> bool;
    let cases: [(&str, Variant); 6] = [
        ("user_add_org", |e| {
            matches!(e, CallbackEvent::UserAddOrg(_))
        }),
        ("user_modify_org", |e| {
            matches!(e, CallbackEvent::UserModifyOrg(_))
        }),
        ("user_leave_org", |e| {
            matches!(e, CallbackEvent::UserLeaveOrg(_))
        }),
        ("user_active_org", |e| {
            matches!(e, CallbackEvent::UserActiveOrg(_))
        }),
        ("org_admin_add", |e| {
            matches!(e, CallbackEvent::OrgAdminAdd(_))
        }),
        ("org_admin_remove", |e| {
            matches!(e, CallbackEvent::OrgAdminRemove(_))
        }),
    ];
    for (event_type, is_variant) in cases {
        // The register_call_back shape: a number for `TimeStamp`.
        let legacy = parse(json!({
            "EventType": event_type,
            "TimeStamp": 1_608_017_258_073_i64,
            "UserId": ["manager01", "user02"],
            "CorpId": "dingcorp01",
        }));
        // The event-subscription shape: an envelope, camelCase keys, a string `timeStamp`.
        let subscribed = parse(json!({
            "EventType": event_type,
            "EventTime": 1_663_143_335_567_i64,
            "CorpId": "dingcorp01",
            "BizId": "biz01",
            "eventId": "ev01",
            "timeStamp": "1608017258073",
            "userId": ["manager01", "user02"],
        }));
        for event in [&legacy, &subscribed] {
            assert!(is_variant(event), "{event_type}: {event:?}");
            let change = match event {
                CallbackEvent::UserAddOrg(c)
                | CallbackEvent::UserModifyOrg(c)
                | CallbackEvent::UserLeaveOrg(c)
                | CallbackEvent::UserActiveOrg(c)
                | CallbackEvent::OrgAdminAdd(c)
                | CallbackEvent::OrgAdminRemove(c) => c,
                other => panic!("{other:?}"),
            };
            assert_eq!(change.corp_id.as_deref(), Some("dingcorp01"));
            assert_eq!(change.user_ids, ["manager01", "user02"]);
            let time = change.time_stamp.as_ref().unwrap();
            assert_eq!(time.as_str(), "1608017258073");
            assert_eq!(time.millis(), Some(EpochMillis(1_608_017_258_073)));
            assert_eq!(change.diff, None);
        }
        assert_eq!(subscribed.raw().unwrap()["eventId"], "ev01");
    }
}

#[test]
fn user_modify_org_carries_the_changed_fields() {
    let event = parse(json!({
        "EventType": "user_modify_org",
        "CorpId": "dingcorp01",
        "timeStamp": "1608017258073",
        "diffInfo": {
            "prev": {"name": "Before", "workPlace": "Hangzhou"},
            "curr": {"name": "After"},
            "userid": "user123",
        },
        "userId": ["user123"],
    }));
    let CallbackEvent::UserModifyOrg(change) = &event else {
        panic!("{event:?}")
    };
    let diff = change.diff.as_ref().unwrap();
    assert_eq!(diff.user_id.as_deref(), Some("user123"));
    assert_eq!(diff.prev["name"], "Before");
    assert_eq!(diff.prev["workPlace"], "Hangzhou");
    assert_eq!(diff.curr["name"], "After");
    assert_eq!(change.user_ids, ["user123"]);
}

#[test]
fn user_active_org_without_a_time_stamp() {
    let event = parse(json!({
        "EventType": "user_active_org",
        "EventTime": 1_663_143_335_567_i64,
        "CorpId": "dingcorp01",
        "userId": ["015227"],
    }));
    let CallbackEvent::UserActiveOrg(change) = &event else {
        panic!("{event:?}")
    };
    assert_eq!(change.user_ids, ["015227"]);
    assert_eq!(change.time_stamp, None);
}

#[test]
fn department_events_read_both_shapes() {
    for event_type in ["org_dept_create", "org_dept_modify", "org_dept_remove"] {
        let legacy = parse(json!({
            "EventType": event_type,
            "TimeStamp": "1608017258073",
            "DeptId": [432_825_033, 1],
            "CorpId": "dingcorp01",
        }));
        let subscribed = parse(json!({
            "EventType": event_type,
            "EventTime": 1_663_143_335_567_i64,
            "CorpId": "dingcorp01",
            "BizId": "biz01",
            "eventId": "ev01",
            "deptId": [432_825_033, 1],
        }));
        for event in [&legacy, &subscribed] {
            let change = match (event_type, event) {
                ("org_dept_create", CallbackEvent::OrgDeptCreate(c))
                | ("org_dept_modify", CallbackEvent::OrgDeptModify(c))
                | ("org_dept_remove", CallbackEvent::OrgDeptRemove(c)) => c,
                _ => panic!("{event_type}: {event:?}"),
            };
            assert_eq!(change.corp_id.as_deref(), Some("dingcorp01"));
            assert_eq!(change.dept_ids, [432_825_033, 1]);
        }
        let (CallbackEvent::OrgDeptCreate(c)
        | CallbackEvent::OrgDeptModify(c)
        | CallbackEvent::OrgDeptRemove(c)) = &legacy
        else {
            unreachable!()
        };
        assert_eq!(
            c.time_stamp.as_ref().and_then(|t| t.millis()),
            Some(EpochMillis(1_608_017_258_073))
        );
    }
}

#[test]
fn organization_events() {
    for event_type in ["org_remove", "org_change"] {
        let legacy = parse(json!({
            "EventType": event_type,
            "TimeStamp": 1_608_017_258_073_i64,
            "CorpId": "dingcorp01",
        }));
        let subscribed = parse(json!({
            "EventType": event_type,
            "EventTime": 1_663_143_335_567_i64,
            "CorpId": "dingcorp01",
            "BizId": "biz01",
            "eventId": "ev01",
        }));
        for event in [&legacy, &subscribed] {
            let change = match (event_type, event) {
                ("org_remove", CallbackEvent::OrgRemove(c))
                | ("org_change", CallbackEvent::OrgChange(c)) => c,
                _ => panic!("{event_type}: {event:?}"),
            };
            assert_eq!(change.corp_id.as_deref(), Some("dingcorp01"));
        }
    }
}

#[test]
fn label_user_change_reads_both_shapes() {
    let legacy = parse(json!({
        "EventType": "label_user_change",
        "CorpId": "dingcorp01",
        "action": "remove",
        "LabelIdList": [1881],
        "UserIdList": ["84597464", "u2"],
    }));
    let subscribed = parse(json!({
        "EventType": "label_user_change",
        "EventTime": 1_663_143_335_567_i64,
        "CorpId": "dingcorp01",
        "BizId": "biz01",
        "eventId": "ev01",
        "userIdList": ["84597464", "u2"],
        "action": "add",
        "labelIdList": [1881],
    }));
    for (event, action) in [(&legacy, "remove"), (&subscribed, "add")] {
        let CallbackEvent::LabelUserChange(change) = event else {
            panic!("{event:?}")
        };
        assert_eq!(change.corp_id.as_deref(), Some("dingcorp01"));
        assert_eq!(change.user_ids, ["84597464", "u2"]);
        assert_eq!(change.label_ids, [1881]);
        assert_eq!(change.action.as_deref(), Some(action));
    }
}

#[test]
fn role_definition_events() {
    let add = parse(json!({
        "EventType": "label_conf_add",
        "EventTime": 1_663_143_335_567_i64,
        "CorpId": "dingcorp01",
        "scope": "1",
        "labelIdList": [1_688_607_309],
    }));
    let CallbackEvent::LabelConfAdd(change) = &add else {
        panic!("{add:?}")
    };
    assert_eq!(change.label_ids, [1_688_607_309]);
    assert_eq!(change.scope.as_deref(), Some("1"));
    assert!(change.pre_labels.is_empty() && change.post_labels.is_empty());

    let before = r#"{"hidden":false,"name":"old name","id":1688607309}"#;
    let after = r#"{"hidden":false,"name":"new name","id":1688607309,"parentId":1688611118}"#;
    let modify = parse(json!({
        "EventType": "label_conf_modify",
        "CorpId": "dingcorp01",
        "preLabelList": [before],
        "postLabelList": [after],
        "scope": 1,
        "labelIdList": [1_688_607_309],
    }));
    let CallbackEvent::LabelConfModify(change) = &modify else {
        panic!("{modify:?}")
    };
    assert_eq!(change.pre_labels, [before]);
    assert_eq!(change.post_labels, [after]);
    let now: Value = serde_json::from_str(&change.post_labels[0]).unwrap();
    assert_eq!(now["name"], "new name");
    // A number where the examples have a string is read all the same.
    assert_eq!(change.scope.as_deref(), Some("1"));

    // The register_call_back shape.
    let del = parse(json!({
        "EventType": "label_conf_del",
        "CorpId": "dingcorp01",
        "LabelIdList": [1_688_607_309],
    }));
    let CallbackEvent::LabelConfDel(change) = &del else {
        panic!("{del:?}")
    };
    assert_eq!(change.label_ids, [1_688_607_309]);
    assert_eq!(change.corp_id.as_deref(), Some("dingcorp01"));
}

#[test]
fn chat_member_events_read_both_shapes() {
    for event_type in ["chat_add_member", "chat_remove_member"] {
        let legacy = parse(json!({
            "Operator": "10203029011219896",
            "OpenConversationId": "cidgroup01",
            "CorpId": "dingcorp01",
            "EventType": event_type,
            "UserId": ["user456"],
            "TimeStamp": 1_608_027_106_990_i64,
            "ChatId": "chat01",
        }));
        // The subscription sends the corp twice (envelope and body) and the type twice.
        let subscribed = parse(json!({
            "EventType": event_type,
            "EventTime": 1_663_143_335_567_i64,
            "CorpId": "dingcorp01",
            "BizId": "biz01",
            "eventId": "ev01",
            "timeStamp": 1_608_027_106_990_i64,
            "unionId": ["union456"],
            "chatId": "chat01",
            "corpId": "dingcorp01",
            "operatorUnionId": "unionop",
            "eventType": event_type,
            "userId": ["user456"],
            "openConversationId": "cidgroup01",
            "operator": "10203029011219896",
        }));
        for event in [&legacy, &subscribed] {
            let change = match (event_type, event) {
                ("chat_add_member", CallbackEvent::ChatAddMember(c))
                | ("chat_remove_member", CallbackEvent::ChatRemoveMember(c)) => c,
                _ => panic!("{event_type}: {event:?}"),
            };
            assert_eq!(change.corp_id.as_deref(), Some("dingcorp01"));
            assert_eq!(change.chat_id.as_deref(), Some("chat01"));
            assert_eq!(change.open_conversation_id.as_deref(), Some("cidgroup01"));
            assert_eq!(change.operator.as_deref(), Some("10203029011219896"));
            assert_eq!(change.user_ids, ["user456"]);
            assert_eq!(
                change.time_stamp.as_ref().unwrap().millis(),
                Some(EpochMillis(1_608_027_106_990))
            );
        }
        let (CallbackEvent::ChatAddMember(c) | CallbackEvent::ChatRemoveMember(c)) = &subscribed
        else {
            unreachable!()
        };
        assert_eq!(c.union_ids, ["union456"]);
        assert_eq!(c.operator_union_id.as_deref(), Some("unionop"));
        // Both spellings of the corp stay in the message.
        assert_eq!(subscribed.raw().unwrap()["corpId"], "dingcorp01");
    }
}

#[test]
fn chat_quit_and_disband() {
    for event_type in ["chat_quit", "chat_disband"] {
        let legacy = parse(json!({
            "Operator": "user456",
            "OpenConversationId": "cidgroup01",
            "CorpId": "dingcorp01",
            "EventType": event_type,
            "TimeStamp": 1_608_026_903_228_i64,
            "ChatId": "chat01",
        }));
        let subscribed = parse(json!({
            "EventType": event_type,
            "EventTime": 1_663_143_335_567_i64,
            "CorpId": "dingcorp01",
            "BizId": "biz01",
            "eventId": "ev01",
            "timeStamp": 1_608_026_903_228_i64,
            "chatId": "chat01",
            "corpId": "dingcorp01",
            "operatorUnionId": "unionop",
            "openConversationId": "cidgroup01",
            "operator": "user456",
        }));
        for event in [&legacy, &subscribed] {
            let change = match (event_type, event) {
                ("chat_quit", CallbackEvent::ChatQuit(c))
                | ("chat_disband", CallbackEvent::ChatDisband(c)) => c,
                _ => panic!("{event_type}: {event:?}"),
            };
            assert_eq!(change.chat_id.as_deref(), Some("chat01"));
            assert_eq!(change.open_conversation_id.as_deref(), Some("cidgroup01"));
            assert_eq!(change.operator.as_deref(), Some("user456"));
            assert_eq!(change.corp_id.as_deref(), Some("dingcorp01"));
        }
        let (CallbackEvent::ChatQuit(c) | CallbackEvent::ChatDisband(c)) = &legacy else {
            unreachable!()
        };
        assert_eq!(c.operator_union_id, None);
    }
}

#[test]
fn chat_update_owner() {
    let legacy = parse(json!({
        "OpenConversationId": "cidgroup01",
        "Owner": "manager4220",
        "CorpId": "dingcorp01",
        "EventType": "chat_update_owner",
        "TimeStamp": 1_608_026_611_710_i64,
        "ChatId": "chat01",
    }));
    let subscribed = parse(json!({
        "EventType": "chat_update_owner",
        "EventTime": 1_663_143_335_567_i64,
        "CorpId": "dingcorp01",
        "eventId": "ev01",
        "owner": "manager4220",
        "timeStamp": 1_608_026_611_710_i64,
        "corpId": "dingcorp01",
        "operatorUnionId": "unionop",
        "openConversationId": "cidgroup01",
    }));
    for event in [&legacy, &subscribed] {
        let CallbackEvent::ChatUpdateOwner(change) = event else {
            panic!("{event:?}")
        };
        assert_eq!(change.owner.as_deref(), Some("manager4220"));
        assert_eq!(change.open_conversation_id.as_deref(), Some("cidgroup01"));
        assert_eq!(change.corp_id.as_deref(), Some("dingcorp01"));
    }
    let CallbackEvent::ChatUpdateOwner(change) = &legacy else {
        unreachable!()
    };
    assert_eq!(change.chat_id.as_deref(), Some("chat01"));
}

#[test]
fn chat_update_title() {
    let legacy = parse(json!({
        "Operator": "user456",
        "OpenConversationId": "cidgroup01",
        "CorpId": "dingcorp01",
        "EventType": "chat_update_title",
        "Title": "开放平台",
        "TimeStamp": 1_608_027_247_528_i64,
        "ChatId": "chat01",
    }));
    let subscribed = parse(json!({
        "EventType": "chat_update_title",
        "CorpId": "dingcorp01",
        "timeStamp": 1_608_027_247_528_i64,
        "chatId": "chat01",
        "corpId": "dingcorp01",
        "operatorUnionId": "unionop",
        "title": "开放平台",
        "openConversationId": "cidgroup01",
        "operator": "user456",
    }));
    for event in [&legacy, &subscribed] {
        let CallbackEvent::ChatUpdateTitle(change) = event else {
            panic!("{event:?}")
        };
        assert_eq!(change.title.as_deref(), Some("开放平台"));
        assert_eq!(change.chat_id.as_deref(), Some("chat01"));
        assert_eq!(change.operator.as_deref(), Some("user456"));
    }
}

#[test]
fn check_in_reads_both_shapes() {
    let legacy = parse(json!({
        "EventType": "check_in",
        "TimeStamp": 1_495_542_282_000_i64,
        "CorpId": "dingcorp01",
        "StaffId": "08058646137",
    }));
    let subscribed = parse(json!({
        "EventType": "check_in",
        "EventTime": 1_663_143_335_567_i64,
        "CorpId": "dingcorp01",
        "BizId": "biz01",
        "eventId": "ev01",
        "timeStamp": 1_495_542_282_000_i64,
        "staffId": "08058646137",
    }));
    for event in [&legacy, &subscribed] {
        let CallbackEvent::CheckIn(check_in) = event else {
            panic!("{event:?}")
        };
        assert_eq!(check_in.staff_id.as_deref(), Some("08058646137"));
        assert_eq!(check_in.corp_id.as_deref(), Some("dingcorp01"));
        let at = check_in.time_stamp.as_ref().unwrap().millis().unwrap();
        assert_eq!(at, EpochMillis(1_495_542_282_000));
    }
}

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

#[test]
fn unknown_events_are_kept_untouched() {
    let message = json!({
        "EventType": "attendance_check_record",
        "DataList": [{"userId": "0126", "checkTime": 1_570_791_880_000_i64}],
        "corpId": "lower",
        "CorpId": "upper",
    });
    let event = CallbackEvent::parse(&message.to_string()).unwrap();
    let CallbackEvent::Other { event_type, raw } = &event else {
        panic!("{event:?}")
    };
    assert_eq!(event_type, "attendance_check_record");
    assert_eq!(raw, &message);
    assert_eq!(event.raw(), Some(&message));
    assert_eq!(event.reply_text(), "success");
}

#[test]
fn malformed_known_events_are_kept_as_other() {
    for message in [
        // Department ids that are not integers.
        json!({"EventType": "org_dept_create", "DeptId": ["sales"], "CorpId": "dingcorp01"}),
        // User ids that are objects.
        json!({"EventType": "user_add_org", "UserId": [{"id": 1}]}),
        // A time stamp that is a list.
        json!({"EventType": "check_in", "StaffId": "s1", "TimeStamp": [1]}),
        // An approval event without its instance.
        json!({"EventType": "bpms_instance_change", "type": "start", "corpId": "dingcorp01"}),
        // An approval event without its `type`.
        json!({"EventType": "bpms_task_change", "processInstanceId": "p1"}),
        // A chat title that is an object.
        json!({"EventType": "chat_update_title", "ChatId": "c1", "Title": {"zh": "x"}}),
        // Role lists that are not lists.
        json!({"EventType": "label_conf_modify", "preLabelList": "x"}),
    ] {
        let event = CallbackEvent::parse(&message.to_string()).unwrap();
        let CallbackEvent::Other { event_type, raw } = &event else {
            panic!("{message}: {event:?}")
        };
        assert_eq!(event_type, message["EventType"].as_str().unwrap());
        assert_eq!(raw, &message);
        assert_eq!(event.event_type(), event_type);
        assert_eq!(event.reply_text(), "success");
    }
}

#[test]
fn every_typed_event_type_has_its_constant() {
    let names = [
        (CallbackEvent::USER_ADD_ORG, "user_add_org"),
        (CallbackEvent::USER_MODIFY_ORG, "user_modify_org"),
        (CallbackEvent::USER_LEAVE_ORG, "user_leave_org"),
        (CallbackEvent::USER_ACTIVE_ORG, "user_active_org"),
        (CallbackEvent::ORG_ADMIN_ADD, "org_admin_add"),
        (CallbackEvent::ORG_ADMIN_REMOVE, "org_admin_remove"),
        (CallbackEvent::ORG_DEPT_CREATE, "org_dept_create"),
        (CallbackEvent::ORG_DEPT_MODIFY, "org_dept_modify"),
        (CallbackEvent::ORG_DEPT_REMOVE, "org_dept_remove"),
        (CallbackEvent::ORG_REMOVE, "org_remove"),
        (CallbackEvent::ORG_CHANGE, "org_change"),
        (CallbackEvent::LABEL_USER_CHANGE, "label_user_change"),
        (CallbackEvent::LABEL_CONF_ADD, "label_conf_add"),
        (CallbackEvent::LABEL_CONF_MODIFY, "label_conf_modify"),
        (CallbackEvent::LABEL_CONF_DEL, "label_conf_del"),
        (CallbackEvent::CHAT_ADD_MEMBER, "chat_add_member"),
        (CallbackEvent::CHAT_REMOVE_MEMBER, "chat_remove_member"),
        (CallbackEvent::CHAT_QUIT, "chat_quit"),
        (CallbackEvent::CHAT_UPDATE_OWNER, "chat_update_owner"),
        (CallbackEvent::CHAT_UPDATE_TITLE, "chat_update_title"),
        (CallbackEvent::CHAT_DISBAND, "chat_disband"),
        (CallbackEvent::CHECK_IN, "check_in"),
        (CallbackEvent::BPMS_TASK_CHANGE, "bpms_task_change"),
        (CallbackEvent::BPMS_INSTANCE_CHANGE, "bpms_instance_change"),
    ];
    for (constant, wire) in names {
        assert_eq!(constant, wire);
        // The smallest message of each type is typed (no key is required but the approval
        // events' instance and type), and names its type back.
        let mut message = json!({"EventType": wire});
        if wire.starts_with("bpms_") {
            message["processInstanceId"] = json!("p1");
            message["type"] = json!("start");
        }
        let event = CallbackEvent::from_value(message).unwrap();
        assert!(!matches!(event, CallbackEvent::Other { .. }), "{event:?}");
        assert_eq!(event.event_type(), wire);
    }
}

#[test]
fn an_event_survives_encryption_decryption_and_parsing() {
    let crypto = CallbackCrypto::new(
        "callback-token",
        "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij",
        OwnerKey::CorpId("dingcorp01".into()),
    )
    .unwrap();
    let message = json!({
        "EventType": "chat_add_member",
        "TimeStamp": 1_608_027_106_990_i64,
        "CorpId": "dingcorp01",
        "ChatId": "chat01",
        "OpenConversationId": "cidgroup01",
        "Operator": "user123",
        "UserId": ["user456", "user789"],
    });
    // DingTalk's side: the message encrypted and signed for this corp.
    let sent = crypto
        .encrypt_reply(&message.to_string(), "1608027107000", "nonce01")
        .unwrap();
    let query = CallbackQuery::new(&sent.msg_signature, &sent.timestamp, &sent.nonce);
    let body = CallbackBody::new(&sent.encrypt);

    let event = crypto.decrypt_event(&query, &body).unwrap();
    let CallbackEvent::ChatAddMember(change) = &event else {
        panic!("{event:?}")
    };
    assert_eq!(change.chat_id.as_deref(), Some("chat01"));
    assert_eq!(change.operator.as_deref(), Some("user123"));
    assert_eq!(change.user_ids, ["user456", "user789"]);
    assert_eq!(event.raw(), Some(&message));

    // The answer decrypts to `success`.
    let reply = crypto.reply_to(&event).unwrap();
    let answer = crypto
        .decrypt_callback(
            &CallbackQuery::new(&reply.msg_signature, &reply.timestamp, &reply.nonce),
            &CallbackBody::new(&reply.encrypt),
        )
        .unwrap();
    assert_eq!(answer, "success");
}
