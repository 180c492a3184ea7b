//! The typed bodies of the approval events, `bpms_instance_change` and `bpms_task_change`, and
//! the open value sets of their `type` and `result`.
//!
//! Both shapes DingTalk sends them in use camelCase keys; only the organization moves, from
//! the body's `corpId` (`register_call_back`) to the envelope's `CorpId` (event subscription).

use std::fmt;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::lenient::{opt_millis, opt_string, string};
use crate::primitives::{EpochMillis, deserialize_lenient_i64};

/// The `type` of an approval event: what happened to the instance or task.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ApprovalChangeType {
    /// `start`: the instance was submitted, or the task reached its approver.
    Start,
    /// `finish`: the instance ended normally (see `result`), or the approver acted on the task
    /// (`result` says how, `redirect` meaning it was handed to someone else).
    Finish,
    /// `terminate`: the instance was withdrawn by its submitter; no `result`.
    Terminate,
    /// `cancel`: the task is void because another approver of the same "any of" step acted.
    Cancel,
    /// Any other value, kept as sent.
    Unknown(String),
}

impl ApprovalChangeType {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            ApprovalChangeType::Start => "start",
            ApprovalChangeType::Finish => "finish",
            ApprovalChangeType::Terminate => "terminate",
            ApprovalChangeType::Cancel => "cancel",
            ApprovalChangeType::Unknown(value) => value,
        }
    }
}

impl From<String> for ApprovalChangeType {
    fn from(value: String) -> Self {
        match value.as_str() {
            "start" => ApprovalChangeType::Start,
            "finish" => ApprovalChangeType::Finish,
            "terminate" => ApprovalChangeType::Terminate,
            "cancel" => ApprovalChangeType::Cancel,
            _ => ApprovalChangeType::Unknown(value),
        }
    }
}

/// The `result` of a finished approval instance or task.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ApprovalResult {
    /// `agree`: approved.
    Agree,
    /// `refuse`: rejected.
    Refuse,
    /// `redirect`: the task was handed over to another approver (task events only).
    Redirect,
    /// Any other value, kept as sent.
    Unknown(String),
}

impl ApprovalResult {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            ApprovalResult::Agree => "agree",
            ApprovalResult::Refuse => "refuse",
            ApprovalResult::Redirect => "redirect",
            ApprovalResult::Unknown(value) => value,
        }
    }
}

impl From<String> for ApprovalResult {
    fn from(value: String) -> Self {
        match value.as_str() {
            "agree" => ApprovalResult::Agree,
            "refuse" => ApprovalResult::Refuse,
            "redirect" => ApprovalResult::Redirect,
            _ => ApprovalResult::Unknown(value),
        }
    }
}

/// Equality, hashing and serde by wire value for the two open string enums above: an
/// `Unknown` holding a listed value equals that variant.
macro_rules! open_string_enum {
    ($($name:ident),*) => {$(
        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.as_str() == other.as_str()
            }
        }
        impl Eq for $name {}
        impl std::hash::Hash for $name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.as_str().hash(state);
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d).map($name::from)
            }
        }
    )*};
}

open_string_enum!(ApprovalChangeType, ApprovalResult);

// Keys checked against DingTalk's "审批事件" pages of the register_call_back callback
// (`processInstanceId`, `corpId`, `createTime`, `finishTime`, `title`, `type` start/finish/
// terminate, `staffId`, `url`, `result` agree/refuse, `processCode`, `bizCategoryId`) and the
// event-subscription page "审批实例开始、结束、终止、删除" (adds `businessId`, `businessType`;
// `CorpId` in the envelope); cross-checked with the Haskell SDK's `ProcessInstanceChangeData`.
/// The body of `bpms_instance_change`: an approval instance started, finished or was
/// withdrawn.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ApprovalInstanceChange {
    /// `processInstanceId`: the approval instance.
    #[serde(rename = "processInstanceId", deserialize_with = "string")]
    pub process_instance_id: String,
    /// `type`: what happened.
    #[serde(rename = "type")]
    pub change_type: ApprovalChangeType,
    /// `result`: how a finished instance ended; absent when it started or was withdrawn.
    #[serde(default)]
    pub result: Option<ApprovalResult>,
    /// `corpId` (`CorpId`): the organization.
    #[serde(
        rename = "corpId",
        alias = "CorpId",
        default,
        deserialize_with = "opt_string"
    )]
    pub corp_id: Option<String>,
    /// `processCode`: the approval form (template) the instance was made from.
    #[serde(rename = "processCode", default, deserialize_with = "opt_string")]
    pub process_code: Option<String>,
    /// `bizCategoryId`: the form's business category (`attendance.goout`, …), when sent.
    #[serde(rename = "bizCategoryId", default, deserialize_with = "opt_string")]
    pub biz_category_id: Option<String>,
    /// `businessId`: the instance's business number, when sent.
    #[serde(rename = "businessId", default, deserialize_with = "opt_string")]
    pub business_id: Option<String>,
    /// `businessType`, when sent.
    #[serde(rename = "businessType", default, deserialize_with = "opt_string")]
    pub business_type: Option<String>,
    /// `title`: the instance's title.
    #[serde(default, deserialize_with = "opt_string")]
    pub title: Option<String>,
    /// `staffId`: the userid of the submitter.
    #[serde(rename = "staffId", default, deserialize_with = "opt_string")]
    pub staff_id: Option<String>,
    /// `url`: the instance's page in DingTalk.
    #[serde(default, deserialize_with = "opt_string")]
    pub url: Option<String>,
    /// `createTime`: when the instance was submitted.
    #[serde(rename = "createTime", default, deserialize_with = "opt_millis")]
    pub create_time: Option<EpochMillis>,
    /// `finishTime`: when it ended, for `finish` and `terminate`.
    #[serde(rename = "finishTime", default, deserialize_with = "opt_millis")]
    pub finish_time: Option<EpochMillis>,
    #[serde(skip)]
    pub(super) raw: Value,
}

// Keys checked against DingTalk's "审批事件" pages of the register_call_back callback (task
// start, finish, transfer: `result` redirect; `cancel` for the other approvers of an
// "any of" step; `remark`) and the event-subscription page "审批任务开始，结束，转交" (adds
// `taskId` as a number, `businessId`, `bizCategoryId`); cross-checked with the Haskell SDK's
// `ProcessTaskChangeData`.
/// The body of `bpms_task_change`: an approval task (one approver's step) started, finished,
/// was handed over or became void.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ApprovalTaskChange {
    /// `processInstanceId`: the approval instance the task belongs to.
    #[serde(rename = "processInstanceId", deserialize_with = "string")]
    pub process_instance_id: String,
    /// `type`: what happened.
    #[serde(rename = "type")]
    pub change_type: ApprovalChangeType,
    /// `result`: what the approver did, for `finish`.
    #[serde(default)]
    pub result: Option<ApprovalResult>,
    /// `taskId`: the task, when sent.
    #[serde(
        rename = "taskId",
        default,
        deserialize_with = "deserialize_lenient_i64"
    )]
    pub task_id: Option<i64>,
    /// `corpId` (`CorpId`): the organization.
    #[serde(
        rename = "corpId",
        alias = "CorpId",
        default,
        deserialize_with = "opt_string"
    )]
    pub corp_id: Option<String>,
    /// `processCode`: the approval form (template) of the instance.
    #[serde(rename = "processCode", default, deserialize_with = "opt_string")]
    pub process_code: Option<String>,
    /// `bizCategoryId`: the form's business category, when sent.
    #[serde(rename = "bizCategoryId", default, deserialize_with = "opt_string")]
    pub biz_category_id: Option<String>,
    /// `businessId`: the instance's business number, when sent.
    #[serde(rename = "businessId", default, deserialize_with = "opt_string")]
    pub business_id: Option<String>,
    /// `title`: the instance's title.
    #[serde(default, deserialize_with = "opt_string")]
    pub title: Option<String>,
    /// `staffId`: the userid of the approver.
    #[serde(rename = "staffId", default, deserialize_with = "opt_string")]
    pub staff_id: Option<String>,
    /// `remark`: the approver's comment, when one was written.
    #[serde(default, deserialize_with = "opt_string")]
    pub remark: Option<String>,
    /// `createTime`: when the task started.
    #[serde(rename = "createTime", default, deserialize_with = "opt_millis")]
    pub create_time: Option<EpochMillis>,
    /// `finishTime`: when the task ended.
    #[serde(rename = "finishTime", default, deserialize_with = "opt_millis")]
    pub finish_time: Option<EpochMillis>,
    #[serde(skip)]
    pub(super) raw: Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approval_enums_compare_by_wire_value() {
        assert_eq!(
            ApprovalChangeType::from("finish".to_owned()),
            ApprovalChangeType::Finish
        );
        assert_eq!(
            ApprovalChangeType::Unknown("cancel".into()),
            ApprovalChangeType::Cancel
        );
        let delete: ApprovalChangeType = serde_json::from_str(r#""delete""#).unwrap();
        assert_eq!(delete.as_str(), "delete");
        assert!(matches!(delete, ApprovalChangeType::Unknown(_)));
        let redirect: ApprovalResult = serde_json::from_str(r#""redirect""#).unwrap();
        assert_eq!(redirect, ApprovalResult::Redirect);
        assert_eq!(ApprovalResult::Agree.to_string(), "agree");
    }
}
