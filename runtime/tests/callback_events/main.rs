//! The typed contact, group chat, sign-in and approval events: every one read from a message
//! written in the shape DingTalk documents (the legacy `register_call_back` callback, and for
//! most also the HTTP push of an event subscription), unknown and malformed events kept as
//! `Other`, and one event through the whole encrypt → decrypt → parse path.
#![cfg(feature = "callback")]

use dingtalk_openapi_runtime::callback::{
    CallbackBody, CallbackCrypto, CallbackEvent, CallbackQuery, OwnerKey,
};
use serde_json::{Value, json};

/// Parses `message`, checks that the event type round-trips, that the reply is `success` and
/// that the message is kept whole.
pub(crate) fn parse(message: Value) -> CallbackEvent {
    let event = CallbackEvent::parse(&message.to_string()).expect("an event");
    assert_eq!(event.event_type(), message["EventType"].as_str().unwrap());
    assert_eq!(event.reply_text(), "success");
    assert_eq!(event.raw(), Some(&message));
    event
}

mod approval;
mod chat;
mod contact;

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
