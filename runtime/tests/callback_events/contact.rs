//! The contact and organization events: users, departments, the organization, roles.

use dingtalk_openapi_runtime::callback::CallbackEvent;
use dingtalk_openapi_runtime::primitives::EpochMillis;
use serde_json::{Value, json};

use crate::parse;

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
