//! Decrypted callback messages read as typed events, keyed by their `EventType`.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::Value;

use super::CallbackError;
use super::approval::{ApprovalInstanceChange, ApprovalTaskChange};
use super::payloads::{
    ChatChange, ChatMembersChange, ChatOwnerChange, ChatTitleChange, CheckIn, CorpChange,
    DeptChange, LabelChange, Payload, UserChange, UserLabelChange,
};

/// A decrypted callback message.
///
/// The URL checks DingTalk sends while a callback is being registered are typed, and so are the
/// contact, group chat, sign-in and approval events of the HTTP event callback (the legacy one
/// registered with `call_back/register_call_back` and the HTTP push of an event subscription;
/// see [the module](super#typed-events) for how the two shapes are read). Every other event is
/// kept whole in [`CallbackEvent::Other`] with its type, so no event is ever lost or refused for
/// being unknown. More events may become typed in later versions, hence `#[non_exhaustive]`:
/// match on [`CallbackEvent::event_type`] for anything not typed yet.
///
/// A typed event keeps the message it was read from ([`CallbackEvent::raw`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CallbackEvent {
    /// `check_url`: DingTalk checks the callback URL of an event subscription; answer
    /// `success` ([`CallbackEvent::reply_text`]).
    CheckUrl,
    /// `check_create_suite_url`: a third-party suite's callback URL is checked at creation;
    /// answer the `Random` value.
    CheckCreateSuiteUrl(SuiteUrlCheck),
    /// `check_update_suite_url`: the same check when the URL is changed; answer the `Random`
    /// value.
    CheckUpdateSuiteUrl(SuiteUrlCheck),
    /// `user_add_org`: users joined the organization.
    UserAddOrg(UserChange),
    /// `user_modify_org`: users' details in the organization changed.
    UserModifyOrg(UserChange),
    /// `user_leave_org`: users left the organization.
    UserLeaveOrg(UserChange),
    /// `user_active_org`: users who had joined activated their account.
    UserActiveOrg(UserChange),
    /// `org_admin_add`: users became administrators.
    OrgAdminAdd(UserChange),
    /// `org_admin_remove`: users are no longer administrators.
    OrgAdminRemove(UserChange),
    /// `org_dept_create`: departments were created.
    OrgDeptCreate(DeptChange),
    /// `org_dept_modify`: departments changed.
    OrgDeptModify(DeptChange),
    /// `org_dept_remove`: departments were deleted.
    OrgDeptRemove(DeptChange),
    /// `org_remove`: the organization was dissolved.
    OrgRemove(CorpChange),
    /// `org_change`: the organization's details changed.
    OrgChange(CorpChange),
    /// `label_user_change`: roles were given to or taken from users.
    LabelUserChange(UserLabelChange),
    /// `label_conf_add`: a role or role group was added.
    LabelConfAdd(LabelChange),
    /// `label_conf_modify`: a role or role group changed.
    LabelConfModify(LabelChange),
    /// `label_conf_del`: a role or role group was deleted.
    LabelConfDel(LabelChange),
    /// `chat_add_member`: members were added to a group.
    ChatAddMember(ChatMembersChange),
    /// `chat_remove_member`: members were removed from a group.
    ChatRemoveMember(ChatMembersChange),
    /// `chat_quit`: a member left a group.
    ChatQuit(ChatChange),
    /// `chat_update_owner`: a group has a new owner.
    ChatUpdateOwner(ChatOwnerChange),
    /// `chat_update_title`: a group was renamed.
    ChatUpdateTitle(ChatTitleChange),
    /// `chat_disband`: a group was dissolved.
    ChatDisband(ChatChange),
    /// `check_in`: a user signed in.
    CheckIn(CheckIn),
    /// `bpms_task_change`: an approval task started, finished, was handed over or became void.
    BpmsTaskChange(ApprovalTaskChange),
    /// `bpms_instance_change`: an approval instance started, finished or was withdrawn.
    BpmsInstanceChange(ApprovalInstanceChange),
    /// Any other event, kept as sent. So is a known event whose body does not read as its
    /// type (a required key missing, a key of an unexpected JSON type) and a URL check without
    /// its `Random`: such a message is neither refused nor lost.
    Other {
        /// The `EventType`.
        event_type: String,
        /// The whole message.
        raw: Value,
    },
}

/// The fields of a suite URL check.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[non_exhaustive]
pub struct SuiteUrlCheck {
    /// `Random`: the value the app must send back, encrypted.
    #[serde(rename = "Random")]
    pub random: String,
    /// `TestSuiteKey`: the suite key the check is for, when sent.
    #[serde(rename = "TestSuiteKey", default)]
    pub test_suite_key: Option<String>,
}

impl CallbackEvent {
    /// The `EventType` of `check_url`.
    pub const CHECK_URL: &'static str = "check_url";
    /// The `EventType` of `check_create_suite_url`.
    pub const CHECK_CREATE_SUITE_URL: &'static str = "check_create_suite_url";
    /// The `EventType` of `check_update_suite_url`.
    pub const CHECK_UPDATE_SUITE_URL: &'static str = "check_update_suite_url";
    /// The `EventType` of `user_add_org`.
    pub const USER_ADD_ORG: &'static str = "user_add_org";
    /// The `EventType` of `user_modify_org`.
    pub const USER_MODIFY_ORG: &'static str = "user_modify_org";
    /// The `EventType` of `user_leave_org`.
    pub const USER_LEAVE_ORG: &'static str = "user_leave_org";
    /// The `EventType` of `user_active_org`.
    pub const USER_ACTIVE_ORG: &'static str = "user_active_org";
    /// The `EventType` of `org_admin_add`.
    pub const ORG_ADMIN_ADD: &'static str = "org_admin_add";
    /// The `EventType` of `org_admin_remove`.
    pub const ORG_ADMIN_REMOVE: &'static str = "org_admin_remove";
    /// The `EventType` of `org_dept_create`.
    pub const ORG_DEPT_CREATE: &'static str = "org_dept_create";
    /// The `EventType` of `org_dept_modify`.
    pub const ORG_DEPT_MODIFY: &'static str = "org_dept_modify";
    /// The `EventType` of `org_dept_remove`.
    pub const ORG_DEPT_REMOVE: &'static str = "org_dept_remove";
    /// The `EventType` of `org_remove`.
    pub const ORG_REMOVE: &'static str = "org_remove";
    /// The `EventType` of `org_change`.
    pub const ORG_CHANGE: &'static str = "org_change";
    /// The `EventType` of `label_user_change`.
    pub const LABEL_USER_CHANGE: &'static str = "label_user_change";
    /// The `EventType` of `label_conf_add`.
    pub const LABEL_CONF_ADD: &'static str = "label_conf_add";
    /// The `EventType` of `label_conf_modify`.
    pub const LABEL_CONF_MODIFY: &'static str = "label_conf_modify";
    /// The `EventType` of `label_conf_del`.
    pub const LABEL_CONF_DEL: &'static str = "label_conf_del";
    /// The `EventType` of `chat_add_member`.
    pub const CHAT_ADD_MEMBER: &'static str = "chat_add_member";
    /// The `EventType` of `chat_remove_member`.
    pub const CHAT_REMOVE_MEMBER: &'static str = "chat_remove_member";
    /// The `EventType` of `chat_quit`.
    pub const CHAT_QUIT: &'static str = "chat_quit";
    /// The `EventType` of `chat_update_owner`.
    pub const CHAT_UPDATE_OWNER: &'static str = "chat_update_owner";
    /// The `EventType` of `chat_update_title`.
    pub const CHAT_UPDATE_TITLE: &'static str = "chat_update_title";
    /// The `EventType` of `chat_disband`.
    pub const CHAT_DISBAND: &'static str = "chat_disband";
    /// The `EventType` of `check_in`.
    pub const CHECK_IN: &'static str = "check_in";
    /// The `EventType` of `bpms_task_change`.
    pub const BPMS_TASK_CHANGE: &'static str = "bpms_task_change";
    /// The `EventType` of `bpms_instance_change`.
    pub const BPMS_INSTANCE_CHANGE: &'static str = "bpms_instance_change";

    /// Reads a decrypted message; [`CallbackError::InvalidEvent`] when it is not a JSON object
    /// with a string `EventType`.
    pub fn parse(message: &str) -> Result<Self, CallbackError> {
        let value = serde_json::from_str(message).map_err(|e| CallbackError::InvalidEvent {
            detail: format!("not JSON: {e}"),
        })?;
        CallbackEvent::from_value(value)
    }

    /// Reads a message already parsed as JSON; see [`CallbackEvent::parse`].
    ///
    /// The only error is a message that is not an event at all. A known `EventType` whose body
    /// does not read as its type comes back as [`CallbackEvent::Other`], like an unknown one.
    /// Where the message holds a key in both spellings (`CorpId` and `corpId`), the capitalized
    /// one is read; `raw` keeps both.
    pub fn from_value(raw: Value) -> Result<Self, CallbackError> {
        let event_type = match raw.get("EventType") {
            Some(Value::String(t)) => t.clone(),
            Some(_) => {
                return Err(CallbackError::InvalidEvent {
                    detail: "`EventType` is not a string".into(),
                });
            }
            None if raw.is_object() => {
                return Err(CallbackError::InvalidEvent {
                    detail: "no `EventType` field".into(),
                });
            }
            None => {
                return Err(CallbackError::InvalidEvent {
                    detail: "not a JSON object".into(),
                });
            }
        };
        use CallbackEvent as E;
        let read = Reader { event_type, raw };
        Ok(match read.event_type.as_str() {
            Self::CHECK_URL => E::CheckUrl,
            Self::CHECK_CREATE_SUITE_URL => read.suite_check(E::CheckCreateSuiteUrl),
            Self::CHECK_UPDATE_SUITE_URL => read.suite_check(E::CheckUpdateSuiteUrl),
            Self::USER_ADD_ORG => read.payload(E::UserAddOrg),
            Self::USER_MODIFY_ORG => read.payload(E::UserModifyOrg),
            Self::USER_LEAVE_ORG => read.payload(E::UserLeaveOrg),
            Self::USER_ACTIVE_ORG => read.payload(E::UserActiveOrg),
            Self::ORG_ADMIN_ADD => read.payload(E::OrgAdminAdd),
            Self::ORG_ADMIN_REMOVE => read.payload(E::OrgAdminRemove),
            Self::ORG_DEPT_CREATE => read.payload(E::OrgDeptCreate),
            Self::ORG_DEPT_MODIFY => read.payload(E::OrgDeptModify),
            Self::ORG_DEPT_REMOVE => read.payload(E::OrgDeptRemove),
            Self::ORG_REMOVE => read.payload(E::OrgRemove),
            Self::ORG_CHANGE => read.payload(E::OrgChange),
            Self::LABEL_USER_CHANGE => read.payload(E::LabelUserChange),
            Self::LABEL_CONF_ADD => read.payload(E::LabelConfAdd),
            Self::LABEL_CONF_MODIFY => read.payload(E::LabelConfModify),
            Self::LABEL_CONF_DEL => read.payload(E::LabelConfDel),
            Self::CHAT_ADD_MEMBER => read.payload(E::ChatAddMember),
            Self::CHAT_REMOVE_MEMBER => read.payload(E::ChatRemoveMember),
            Self::CHAT_QUIT => read.payload(E::ChatQuit),
            Self::CHAT_UPDATE_OWNER => read.payload(E::ChatUpdateOwner),
            Self::CHAT_UPDATE_TITLE => read.payload(E::ChatUpdateTitle),
            Self::CHAT_DISBAND => read.payload(E::ChatDisband),
            Self::CHECK_IN => read.payload(E::CheckIn),
            Self::BPMS_TASK_CHANGE => read.payload(E::BpmsTaskChange),
            Self::BPMS_INSTANCE_CHANGE => read.payload(E::BpmsInstanceChange),
            _ => read.other(),
        })
    }

    /// The `EventType`, exactly as DingTalk spells it.
    pub fn event_type(&self) -> &str {
        use CallbackEvent as E;
        match self {
            E::CheckUrl => Self::CHECK_URL,
            E::CheckCreateSuiteUrl(_) => Self::CHECK_CREATE_SUITE_URL,
            E::CheckUpdateSuiteUrl(_) => Self::CHECK_UPDATE_SUITE_URL,
            E::UserAddOrg(_) => Self::USER_ADD_ORG,
            E::UserModifyOrg(_) => Self::USER_MODIFY_ORG,
            E::UserLeaveOrg(_) => Self::USER_LEAVE_ORG,
            E::UserActiveOrg(_) => Self::USER_ACTIVE_ORG,
            E::OrgAdminAdd(_) => Self::ORG_ADMIN_ADD,
            E::OrgAdminRemove(_) => Self::ORG_ADMIN_REMOVE,
            E::OrgDeptCreate(_) => Self::ORG_DEPT_CREATE,
            E::OrgDeptModify(_) => Self::ORG_DEPT_MODIFY,
            E::OrgDeptRemove(_) => Self::ORG_DEPT_REMOVE,
            E::OrgRemove(_) => Self::ORG_REMOVE,
            E::OrgChange(_) => Self::ORG_CHANGE,
            E::LabelUserChange(_) => Self::LABEL_USER_CHANGE,
            E::LabelConfAdd(_) => Self::LABEL_CONF_ADD,
            E::LabelConfModify(_) => Self::LABEL_CONF_MODIFY,
            E::LabelConfDel(_) => Self::LABEL_CONF_DEL,
            E::ChatAddMember(_) => Self::CHAT_ADD_MEMBER,
            E::ChatRemoveMember(_) => Self::CHAT_REMOVE_MEMBER,
            E::ChatQuit(_) => Self::CHAT_QUIT,
            E::ChatUpdateOwner(_) => Self::CHAT_UPDATE_OWNER,
            E::ChatUpdateTitle(_) => Self::CHAT_UPDATE_TITLE,
            E::ChatDisband(_) => Self::CHAT_DISBAND,
            E::CheckIn(_) => Self::CHECK_IN,
            E::BpmsTaskChange(_) => Self::BPMS_TASK_CHANGE,
            E::BpmsInstanceChange(_) => Self::BPMS_INSTANCE_CHANGE,
            E::Other { event_type, .. } => event_type,
        }
    }

    /// The message as DingTalk sent it, for keys the typed variants leave out: `Some` for
    /// every event but the URL checks, whose few fields are all typed.
    pub fn raw(&self) -> Option<&Value> {
        use CallbackEvent as E;
        Some(match self {
            E::CheckUrl | E::CheckCreateSuiteUrl(_) | E::CheckUpdateSuiteUrl(_) => return None,
            E::UserAddOrg(p)
            | E::UserModifyOrg(p)
            | E::UserLeaveOrg(p)
            | E::UserActiveOrg(p)
            | E::OrgAdminAdd(p)
            | E::OrgAdminRemove(p) => p.raw(),
            E::OrgDeptCreate(p) | E::OrgDeptModify(p) | E::OrgDeptRemove(p) => p.raw(),
            E::OrgRemove(p) | E::OrgChange(p) => p.raw(),
            E::LabelUserChange(p) => p.raw(),
            E::LabelConfAdd(p) | E::LabelConfModify(p) | E::LabelConfDel(p) => p.raw(),
            E::ChatAddMember(p) | E::ChatRemoveMember(p) => p.raw(),
            E::ChatQuit(p) | E::ChatDisband(p) => p.raw(),
            E::ChatUpdateOwner(p) => p.raw(),
            E::ChatUpdateTitle(p) => p.raw(),
            E::CheckIn(p) => p.raw(),
            E::BpmsTaskChange(p) => p.raw(),
            E::BpmsInstanceChange(p) => p.raw(),
            E::Other { raw, .. } => raw,
        })
    }

    /// The plaintext DingTalk expects back, encrypted: the `Random` value for the suite URL
    /// checks, `success` for everything else.
    pub fn reply_text(&self) -> &str {
        match self {
            CallbackEvent::CheckCreateSuiteUrl(check)
            | CallbackEvent::CheckUpdateSuiteUrl(check) => &check.random,
            _ => "success",
        }
    }
}

/// A message with a string `EventType`, on its way to a variant.
struct Reader {
    event_type: String,
    raw: Value,
}

impl Reader {
    /// The message kept as [`CallbackEvent::Other`].
    fn other(self) -> CallbackEvent {
        CallbackEvent::Other {
            event_type: self.event_type,
            raw: self.raw,
        }
    }

    fn suite_check(self, variant: fn(SuiteUrlCheck) -> CallbackEvent) -> CallbackEvent {
        match SuiteUrlCheck::deserialize(&self.raw) {
            Ok(check) => variant(check),
            Err(_) => self.other(),
        }
    }

    /// The typed event, or [`CallbackEvent::Other`] when the body does not read as `P`.
    fn payload<P: Payload>(self, variant: fn(P) -> CallbackEvent) -> CallbackEvent {
        let read = P::deserialize(&*one_spelling_per_key(&self.raw));
        match read {
            Ok(mut payload) => {
                payload.set_raw(self.raw);
                variant(payload)
            }
            Err(_) => {
                // The serde error is not logged: it may quote values, and events carry
                // personal data.
                tracing::debug!(
                    event_type = %self.event_type,
                    "the body does not match its event type; kept as `CallbackEvent::Other`"
                );
                self.other()
            }
        }
    }
}

/// The message without the camelCase twin of any key also sent capitalized (`corpId` when
/// `CorpId` is there): the payloads accept either spelling, but not both at once. Borrowed
/// when there is nothing to drop.
fn one_spelling_per_key(raw: &Value) -> Cow<'_, Value> {
    let Some(object) = raw.as_object() else {
        return Cow::Borrowed(raw);
    };
    let capitalized = |key: &str| {
        let mut chars = key.chars();
        chars.next().filter(char::is_ascii_lowercase).map(|first| {
            let mut twin = String::with_capacity(key.len());
            twin.push(first.to_ascii_uppercase());
            twin.push_str(chars.as_str());
            twin
        })
    };
    let twins: Vec<&String> = object
        .keys()
        .filter(|key| capitalized(key).is_some_and(|twin| object.contains_key(&twin)))
        .collect();
    if twins.is_empty() {
        return Cow::Borrowed(raw);
    }
    let mut kept = object.clone();
    for key in twins {
        kept.remove(key);
    }
    Cow::Owned(Value::Object(kept))
}
