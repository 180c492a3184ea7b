//! The group chat events and sign-in.

use dingtalk_openapi_runtime::callback::CallbackEvent;
use dingtalk_openapi_runtime::primitives::EpochMillis;
use serde_json::json;

use crate::parse;

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
