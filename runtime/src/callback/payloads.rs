//! The typed bodies of the contact, group chat and sign-in events that
//! [`CallbackEvent`](super::CallbackEvent) reads (the approval events' are in `approval`), and
//! the plumbing that keeps each event's message.
//!
//! DingTalk sends these events in two shapes, and every struct here reads both:
//!
//! - the legacy callback registered with `call_back/register_call_back`, whose keys are
//!   capitalized (`UserId`, `DeptId`, `TimeStamp`, `ChatId`, `StaffId`),
//! - the HTTP push of an event subscription configured in the developer console, which puts an
//!   envelope (`EventType`, `EventTime`, `CorpId`, `BizId`, `eventId`) around the same data in
//!   camelCase (`userId`, `deptId`, `timeStamp`, `chatId`, `staffId`).
//!
//! Each field is renamed to its legacy key with the other spelling as an alias. When a message
//! holds both spellings of one key (the HTTP push of the chat events carries the envelope's
//! `CorpId` and the body's `corpId`), `CallbackEvent::from_value` keeps the capitalized one:
//! deserialize through it rather than into these structs directly.
//!
//! Keys whose JSON type differs between sources are read leniently (see `lenient`):
//! `TimeStamp` is a number in the legacy examples and a string of milliseconds in the
//! subscription ones, so both are accepted; identifiers are accepted as strings or numbers,
//! lists of identifiers also as a single value. Each struct keeps the whole message as sent
//! ([`UserChange::raw`] and the like) for keys not typed here.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::approval::{ApprovalInstanceChange, ApprovalTaskChange};
use super::lenient::{EventTimeStamp, int_list, json_text_list, opt_string, string_list};

/// What the edited fields of a user were before and after a `user_modify_org`, as the event
/// subscription sends it (`diffInfo`). Only the changed fields are listed, under DingTalk's
/// names (`name`, `email`, `jobNumber`, `workPlace`, `managerUserid`, …).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct UserDiff {
    /// `userid`: the user whose fields changed.
    #[serde(rename = "userid", default, deserialize_with = "opt_string")]
    pub user_id: Option<String>,
    /// `prev`: the values before the change.
    #[serde(default)]
    pub prev: Map<String, Value>,
    /// `curr`: the values after the change.
    #[serde(default)]
    pub curr: Map<String, Value>,
}

// Keys checked against DingTalk's "HTTP回调概述" (register_call_back events: `UserId`,
// `TimeStamp`, `CorpId`) and the event-subscription pages "企业增加员工事件",
// "通讯录用户更改", "通讯录用户离职", "加入企业后用户激活", "通讯录用户被设为管理员" and
// "通讯录用户被取消设置管理员" (`userId`, `timeStamp`, `diffInfo`); cross-checked with the
// Haskell dingtalk SDK's `UserChangeData` (CorpId, UserId, TimeStamp).
/// The body of the user events: `user_add_org`, `user_modify_org`, `user_leave_org`,
/// `user_active_org`, `org_admin_add` and `org_admin_remove`. The event only names the users;
/// read their current details with the user API.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct UserChange {
    /// `CorpId`: the organization.
    #[serde(
        rename = "CorpId",
        alias = "corpId",
        default,
        deserialize_with = "opt_string"
    )]
    pub corp_id: Option<String>,
    /// `UserId` (`userId`): the userids of the users concerned.
    #[serde(
        rename = "UserId",
        alias = "userId",
        default,
        deserialize_with = "string_list"
    )]
    pub user_ids: Vec<String>,
    /// `TimeStamp` (`timeStamp`): when it happened.
    #[serde(rename = "TimeStamp", alias = "timeStamp", default)]
    pub time_stamp: Option<EventTimeStamp>,
    /// `diffInfo`: the changed fields, sent with `user_modify_org` by event subscriptions.
    #[serde(rename = "diffInfo", default)]
    pub diff: Option<UserDiff>,
    #[serde(skip)]
    raw: Value,
}

// Keys checked against "HTTP回调概述" and the event-subscription pages "通讯录企业部门创建",
// "通讯录企业部门修改" and "通讯录企业部门删除" (`deptId`: array of integers); the legacy
// `DeptId` (array of integers, read as longs) against the Haskell SDK's `DeptChangeData` and
// public Java callback handlers.
/// The body of the department events: `org_dept_create`, `org_dept_modify` and
/// `org_dept_remove`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct DeptChange {
    /// `CorpId`: the organization.
    #[serde(
        rename = "CorpId",
        alias = "corpId",
        default,
        deserialize_with = "opt_string"
    )]
    pub corp_id: Option<String>,
    /// `DeptId` (`deptId`): the departments concerned.
    #[serde(
        rename = "DeptId",
        alias = "deptId",
        default,
        deserialize_with = "int_list"
    )]
    pub dept_ids: Vec<i64>,
    /// `TimeStamp` (`timeStamp`): when it happened, when sent.
    #[serde(rename = "TimeStamp", alias = "timeStamp", default)]
    pub time_stamp: Option<EventTimeStamp>,
    #[serde(skip)]
    raw: Value,
}

// Keys checked against the event-subscription pages "企业删除" (org_remove) and "企业信息发生变更"
// (org_change), whose body is empty: only the envelope's `CorpId`.
/// The body of the organization events: `org_remove` (the organization was dissolved) and
/// `org_change` (its details changed).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct CorpChange {
    /// `CorpId`: the organization.
    #[serde(
        rename = "CorpId",
        alias = "corpId",
        default,
        deserialize_with = "opt_string"
    )]
    pub corp_id: Option<String>,
    /// `TimeStamp` (`timeStamp`): when it happened, when sent.
    #[serde(rename = "TimeStamp", alias = "timeStamp", default)]
    pub time_stamp: Option<EventTimeStamp>,
    #[serde(skip)]
    raw: Value,
}

// Keys checked against the event-subscription page "员工角色信息发生变更" (`userIdList`,
// `labelIdList` of integers, `action`); the legacy `UserIdList`, `LabelIdList` and `action`
// (`add` or `remove`) against public Java callback handlers.
/// The body of `label_user_change`: roles were given to or taken from users.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct UserLabelChange {
    /// `CorpId`: the organization.
    #[serde(
        rename = "CorpId",
        alias = "corpId",
        default,
        deserialize_with = "opt_string"
    )]
    pub corp_id: Option<String>,
    /// `UserIdList` (`userIdList`): the users concerned.
    #[serde(
        rename = "UserIdList",
        alias = "userIdList",
        default,
        deserialize_with = "string_list"
    )]
    pub user_ids: Vec<String>,
    /// `LabelIdList` (`labelIdList`): the roles concerned.
    #[serde(
        rename = "LabelIdList",
        alias = "labelIdList",
        default,
        deserialize_with = "int_list"
    )]
    pub label_ids: Vec<i64>,
    /// `action`: `add` (the users got the roles) or `remove`.
    #[serde(
        rename = "action",
        alias = "Action",
        default,
        deserialize_with = "opt_string"
    )]
    pub action: Option<String>,
    /// `TimeStamp` (`timeStamp`): when it happened, when sent.
    #[serde(rename = "TimeStamp", alias = "timeStamp", default)]
    pub time_stamp: Option<EventTimeStamp>,
    #[serde(skip)]
    raw: Value,
}

// Keys checked against the event-subscription pages "增加角色或者角色组", "修改角色或者角色组"
// and "删除角色或者角色组" (`labelIdList` of integers, `scope` as a string, `preLabelList` and
// `postLabelList` as arrays of JSON text); the legacy `LabelIdList` against public Java
// callback handlers.
/// The body of the role definition events: `label_conf_add`, `label_conf_modify` and
/// `label_conf_del` (a role or a role group was added, changed or deleted).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct LabelChange {
    /// `CorpId`: the organization.
    #[serde(
        rename = "CorpId",
        alias = "corpId",
        default,
        deserialize_with = "opt_string"
    )]
    pub corp_id: Option<String>,
    /// `LabelIdList` (`labelIdList`): the roles or role groups concerned.
    #[serde(
        rename = "LabelIdList",
        alias = "labelIdList",
        default,
        deserialize_with = "int_list"
    )]
    pub label_ids: Vec<i64>,
    /// `scope`, when sent (`"1"` in DingTalk's examples).
    #[serde(
        rename = "scope",
        alias = "Scope",
        default,
        deserialize_with = "opt_string"
    )]
    pub scope: Option<String>,
    /// `preLabelList`: with `label_conf_modify`, each role as it was, one JSON object per
    /// string (parse it with `serde_json::from_str`).
    #[serde(
        rename = "preLabelList",
        alias = "PreLabelList",
        default,
        deserialize_with = "json_text_list"
    )]
    pub pre_labels: Vec<String>,
    /// `postLabelList`: with `label_conf_modify`, each role as it is now, in the same form.
    #[serde(
        rename = "postLabelList",
        alias = "PostLabelList",
        default,
        deserialize_with = "json_text_list"
    )]
    pub post_labels: Vec<String>,
    /// `TimeStamp` (`timeStamp`): when it happened, when sent.
    #[serde(rename = "TimeStamp", alias = "timeStamp", default)]
    pub time_stamp: Option<EventTimeStamp>,
    #[serde(skip)]
    raw: Value,
}

// Keys checked against DingTalk's "群会话事件" page of the register_call_back callback
// (`ChatId`, `OpenConversationId`, `Operator`, `UserId`, `CorpId`, `TimeStamp` as a number) and
// the event-subscription pages "群会话添加人员" and "群会话删除人员" (`chatId`,
// `openConversationId`, `operator`, `operatorUnionId`, `userId`, `unionId`, `timeStamp`).
/// The body of `chat_add_member` and `chat_remove_member`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ChatMembersChange {
    /// `CorpId`: the organization of the group.
    #[serde(
        rename = "CorpId",
        alias = "corpId",
        default,
        deserialize_with = "opt_string"
    )]
    pub corp_id: Option<String>,
    /// `ChatId` (`chatId`): the group's chatid.
    #[serde(
        rename = "ChatId",
        alias = "chatId",
        default,
        deserialize_with = "opt_string"
    )]
    pub chat_id: Option<String>,
    /// `OpenConversationId` (`openConversationId`): the group's open conversation id.
    #[serde(
        rename = "OpenConversationId",
        alias = "openConversationId",
        default,
        deserialize_with = "opt_string"
    )]
    pub open_conversation_id: Option<String>,
    /// `Operator` (`operator`): the userid of whoever added or removed the members.
    #[serde(
        rename = "Operator",
        alias = "operator",
        default,
        deserialize_with = "opt_string"
    )]
    pub operator: Option<String>,
    /// `OperatorUnionId` (`operatorUnionId`): the same person's unionid, when sent.
    #[serde(
        rename = "OperatorUnionId",
        alias = "operatorUnionId",
        default,
        deserialize_with = "opt_string"
    )]
    pub operator_union_id: Option<String>,
    /// `UserId` (`userId`): the userids of the members added or removed.
    #[serde(
        rename = "UserId",
        alias = "userId",
        default,
        deserialize_with = "string_list"
    )]
    pub user_ids: Vec<String>,
    /// `UnionId` (`unionId`): their unionids, when sent.
    #[serde(
        rename = "UnionId",
        alias = "unionId",
        default,
        deserialize_with = "string_list"
    )]
    pub union_ids: Vec<String>,
    /// `TimeStamp` (`timeStamp`): when it happened.
    #[serde(rename = "TimeStamp", alias = "timeStamp", default)]
    pub time_stamp: Option<EventTimeStamp>,
    #[serde(skip)]
    raw: Value,
}

// Keys checked against "群会话事件" (register_call_back) and the event-subscription pages
// "群会话用户主动退群" and "群会话解散群".
/// The body of `chat_quit` (the operator left the group) and `chat_disband` (the operator
/// dissolved it).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ChatChange {
    /// `CorpId`: the organization of the group.
    #[serde(
        rename = "CorpId",
        alias = "corpId",
        default,
        deserialize_with = "opt_string"
    )]
    pub corp_id: Option<String>,
    /// `ChatId` (`chatId`): the group's chatid.
    #[serde(
        rename = "ChatId",
        alias = "chatId",
        default,
        deserialize_with = "opt_string"
    )]
    pub chat_id: Option<String>,
    /// `OpenConversationId` (`openConversationId`): the group's open conversation id.
    #[serde(
        rename = "OpenConversationId",
        alias = "openConversationId",
        default,
        deserialize_with = "opt_string"
    )]
    pub open_conversation_id: Option<String>,
    /// `Operator` (`operator`): the userid of whoever left or dissolved the group.
    #[serde(
        rename = "Operator",
        alias = "operator",
        default,
        deserialize_with = "opt_string"
    )]
    pub operator: Option<String>,
    /// `OperatorUnionId` (`operatorUnionId`): the same person's unionid, when sent.
    #[serde(
        rename = "OperatorUnionId",
        alias = "operatorUnionId",
        default,
        deserialize_with = "opt_string"
    )]
    pub operator_union_id: Option<String>,
    /// `TimeStamp` (`timeStamp`): when it happened.
    #[serde(rename = "TimeStamp", alias = "timeStamp", default)]
    pub time_stamp: Option<EventTimeStamp>,
    #[serde(skip)]
    raw: Value,
}

// Keys checked against "群会话事件" (register_call_back: `Owner`, `ChatId`, no operator) and
// the event-subscription page "群会话更换群主" (`owner`, `operatorUnionId`, no `chatId`).
/// The body of `chat_update_owner`: the group has a new owner.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ChatOwnerChange {
    /// `CorpId`: the organization of the group.
    #[serde(
        rename = "CorpId",
        alias = "corpId",
        default,
        deserialize_with = "opt_string"
    )]
    pub corp_id: Option<String>,
    /// `ChatId` (`chatId`): the group's chatid, when sent.
    #[serde(
        rename = "ChatId",
        alias = "chatId",
        default,
        deserialize_with = "opt_string"
    )]
    pub chat_id: Option<String>,
    /// `OpenConversationId` (`openConversationId`): the group's open conversation id.
    #[serde(
        rename = "OpenConversationId",
        alias = "openConversationId",
        default,
        deserialize_with = "opt_string"
    )]
    pub open_conversation_id: Option<String>,
    /// `Owner` (`owner`): the userid of the new owner.
    #[serde(
        rename = "Owner",
        alias = "owner",
        default,
        deserialize_with = "opt_string"
    )]
    pub owner: Option<String>,
    /// `OperatorUnionId` (`operatorUnionId`): the unionid of whoever made the change, when sent.
    #[serde(
        rename = "OperatorUnionId",
        alias = "operatorUnionId",
        default,
        deserialize_with = "opt_string"
    )]
    pub operator_union_id: Option<String>,
    /// `TimeStamp` (`timeStamp`): when it happened.
    #[serde(rename = "TimeStamp", alias = "timeStamp", default)]
    pub time_stamp: Option<EventTimeStamp>,
    #[serde(skip)]
    raw: Value,
}

// Keys checked against "群会话事件" (register_call_back: `Title`) and the event-subscription
// page "群会话更换群名称" (`title`).
/// The body of `chat_update_title`: the group was renamed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ChatTitleChange {
    /// `CorpId`: the organization of the group.
    #[serde(
        rename = "CorpId",
        alias = "corpId",
        default,
        deserialize_with = "opt_string"
    )]
    pub corp_id: Option<String>,
    /// `ChatId` (`chatId`): the group's chatid.
    #[serde(
        rename = "ChatId",
        alias = "chatId",
        default,
        deserialize_with = "opt_string"
    )]
    pub chat_id: Option<String>,
    /// `OpenConversationId` (`openConversationId`): the group's open conversation id.
    #[serde(
        rename = "OpenConversationId",
        alias = "openConversationId",
        default,
        deserialize_with = "opt_string"
    )]
    pub open_conversation_id: Option<String>,
    /// `Title` (`title`): the new name.
    #[serde(
        rename = "Title",
        alias = "title",
        default,
        deserialize_with = "opt_string"
    )]
    pub title: Option<String>,
    /// `Operator` (`operator`): the userid of whoever renamed the group.
    #[serde(
        rename = "Operator",
        alias = "operator",
        default,
        deserialize_with = "opt_string"
    )]
    pub operator: Option<String>,
    /// `OperatorUnionId` (`operatorUnionId`): the same person's unionid, when sent.
    #[serde(
        rename = "OperatorUnionId",
        alias = "operatorUnionId",
        default,
        deserialize_with = "opt_string"
    )]
    pub operator_union_id: Option<String>,
    /// `TimeStamp` (`timeStamp`): when it happened.
    #[serde(rename = "TimeStamp", alias = "timeStamp", default)]
    pub time_stamp: Option<EventTimeStamp>,
    #[serde(skip)]
    raw: Value,
}

// Keys checked against DingTalk's "签到事件" page of the register_call_back callback
// (`StaffId`, `CorpId`, `TimeStamp` as a number) and the event-subscription page "用户签到"
// (`staffId`, `timeStamp`).
/// The body of `check_in`: a user signed in (签到, the field sign-in app, not the attendance
/// punch clock).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct CheckIn {
    /// `CorpId`: the organization.
    #[serde(
        rename = "CorpId",
        alias = "corpId",
        default,
        deserialize_with = "opt_string"
    )]
    pub corp_id: Option<String>,
    /// `StaffId` (`staffId`): the userid of the user who signed in.
    #[serde(
        rename = "StaffId",
        alias = "staffId",
        default,
        deserialize_with = "opt_string"
    )]
    pub staff_id: Option<String>,
    /// `TimeStamp` (`timeStamp`): when the user signed in.
    #[serde(rename = "TimeStamp", alias = "timeStamp", default)]
    pub time_stamp: Option<EventTimeStamp>,
    #[serde(skip)]
    raw: Value,
}

/// A payload that keeps the message it was read from.
pub(crate) trait Payload: for<'de> Deserialize<'de> {
    fn set_raw(&mut self, raw: Value);
}

/// `raw()` for the payloads, and the [`Payload`] plumbing `CallbackEvent` fills it through.
macro_rules! keeps_raw {
    ($($name:ident),*) => {$(
        impl $name {
            /// The whole message as DingTalk sent it, keys not typed here included (the
            /// envelope's `EventTime`, `BizId` and `eventId`, for instance).
            pub fn raw(&self) -> &Value {
                &self.raw
            }
        }
        impl Payload for $name {
            fn set_raw(&mut self, raw: Value) {
                self.raw = raw;
            }
        }
    )*};
}

keeps_raw!(
    UserChange,
    DeptChange,
    CorpChange,
    UserLabelChange,
    LabelChange,
    ChatMembersChange,
    ChatChange,
    ChatOwnerChange,
    ChatTitleChange,
    CheckIn,
    ApprovalInstanceChange,
    ApprovalTaskChange
);
