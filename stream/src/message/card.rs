//! Card callbacks (`/v1.0/card/instances/callback`): a user pressed a button of an interactive
//! card.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::frame::Headers;

/// A card callback, typed, with the raw data kept.
///
/// The handler's returned JSON becomes the ack's `{"response": …}`, which DingTalk applies to
/// the card (for example `{"cardData": {"cardParamMap": {…}}}`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct CardCallback {
    /// The frame's `messageId`.
    #[serde(skip)]
    pub message_id: String,
    /// Every header of the frame.
    #[serde(skip)]
    pub headers: Headers,
    /// The card's `outTrackId`.
    pub out_track_id: String,
    /// The organisation.
    pub corp_id: String,
    /// The user who acted.
    pub user_id: String,
    /// How `user_id` is to be read (1: userId, 2: unionId).
    pub user_id_type: Option<i64>,
    /// The callback type (`actionCallback`…).
    #[serde(rename = "type")]
    pub callback_type: String,
    /// The space of the card.
    pub space_id: String,
    /// The kind of space.
    pub space_type: String,
    /// The extension JSON string as sent.
    pub extension: String,
    /// The content JSON string as sent (the action, decoded into [`action`](Self::action)).
    pub content: String,
    /// The action decoded from `content`, when it held one.
    #[serde(skip)]
    pub action: Option<CardAction>,
    /// The whole callback data, for fields this struct does not name.
    #[serde(skip)]
    pub raw: Value,
}

/// The action of a card callback: which buttons and with which parameters.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct CardAction {
    /// The ids of the actions.
    #[serde(rename = "actionIds")]
    pub action_ids: Vec<String>,
    /// The parameters of the action.
    pub params: Map<String, Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Content {
    #[serde(rename = "cardPrivateData")]
    card_private_data: Option<CardAction>,
}

impl CardCallback {
    pub(crate) fn from_data(message_id: &str, headers: &Headers, raw: Value) -> CardCallback {
        let mut cb = CardCallback::deserialize(&raw).unwrap_or_default();
        cb.message_id = message_id.to_owned();
        cb.headers = headers.clone();
        cb.action = serde_json::from_str::<Content>(&cb.content)
            .ok()
            .and_then(|c| c.card_private_data);
        cb.raw = raw;
        cb
    }

    /// A string parameter of the action.
    pub fn param_str(&self, name: &str) -> Option<&str> {
        self.action.as_ref()?.params.get(name)?.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_action_is_decoded_from_the_content_string() {
        let raw = json!({
            "outTrackId": "t1", "corpId": "c", "userId": "u", "type": "actionCallback",
            "content": "{\"cardPrivateData\":{\"actionIds\":[\"ok\"],\"params\":{\"choice\":\"yes\"}}}",
            "somethingNew": 1
        });
        let cb = CardCallback::from_data("m", &Headers::default(), raw);
        assert_eq!(cb.out_track_id, "t1");
        assert_eq!(cb.action.as_ref().unwrap().action_ids, ["ok"]);
        assert_eq!(cb.param_str("choice"), Some("yes"));
        assert_eq!(cb.raw["somethingNew"], 1);
    }

    #[test]
    fn odd_data_gives_an_empty_callback_not_a_panic() {
        let cb = CardCallback::from_data("m", &Headers::default(), json!("nope"));
        assert!(cb.action.is_none());
        assert_eq!(cb.message_id, "m");
    }
}
