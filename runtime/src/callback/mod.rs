//! Event callbacks (事件订阅, HTTP push): verifying, decrypting and answering the encrypted
//! messages DingTalk POSTs to an app's callback URL, and reading them as typed events.
//!
//! DingTalk sends `POST <callback>?msg_signature=…&timestamp=…&nonce=…` (older callbacks spell
//! them `signature` and `timeStamp`) with the body `{"encrypt": "…"}`. The handler
//!
//! 1. deserializes the query into [`CallbackQuery`] and the body into [`CallbackBody`] (both
//!    work with axum's `Query` and `Json` extractors),
//! 2. calls [`CallbackCrypto::decrypt_event`] (or [`CallbackCrypto::decrypt_callback`] for the
//!    plaintext), which checks the signature before decrypting anything,
//! 3. answers with the JSON of [`CallbackCrypto::reply_to`] (an encrypted `success`, or the
//!    `Random` value for the suite URL checks).
//!
//! The scheme, as DingTalk documents its callback encryption: the 43-character EncodingAESKey
//! plus `=` is base64 for a 32-byte AES-256-CBC key whose first 16 bytes are the IV; the
//! plaintext is 16 random bytes, the big-endian `u32` length of the message, the message and the
//! owner key (appKey, corpId or suiteKey), padded PKCS#7-style to a multiple of **32** bytes;
//! the signature is the lowercase hex SHA-1 of token, timestamp, nonce and ciphertext, sorted
//! and concatenated. Every malformed input is a [`CallbackError`], never a panic.
//!
//! # Typed events
//!
//! [`CallbackEvent`] types the URL checks and the contact (users, departments, roles, the
//! organization), group chat, sign-in (`check_in`) and approval (`bpms_*`) events; any other
//! event is [`CallbackEvent::Other`], its JSON untouched. DingTalk sends those events in two
//! shapes, and the payload types read both:
//!
//! - the legacy callback registered with `call_back/register_call_back`, with capitalized keys
//!   (`UserId`, `DeptId`, `TimeStamp`, `ChatId`, `StaffId`; the approval events' keys were always
//!   camelCase),
//! - the HTTP push of an event subscription set up in the developer console: an envelope
//!   (`EventType`, `EventTime`, `CorpId`, `BizId`, `eventId`) around the same data in camelCase
//!   (`userId`, `deptId`, `timeStamp`, `chatId`, `staffId`).
//!
//! Where a message holds both spellings of a key (the subscription's chat events carry the
//! envelope's `CorpId` and the body's `corpId`), the capitalized one is read. `TimeStamp` is a
//! number in some messages and a string in others: [`EventTimeStamp`] keeps it as sent and reads
//! it as [`EpochMillis`](crate::primitives::EpochMillis). Identifiers are accepted as strings or
//! numbers. Every typed event keeps its message ([`CallbackEvent::raw`]), for the keys left
//! untyped, and a known event whose body does not read as its type is kept as
//! [`CallbackEvent::Other`] rather than refused.

mod approval;
mod crypto;
mod event;
mod lenient;
mod payloads;

pub use approval::{
    ApprovalChangeType, ApprovalInstanceChange, ApprovalResult, ApprovalTaskChange,
};
pub use crypto::{CallbackBody, CallbackCrypto, CallbackQuery, EncryptedReply, OwnerKey};
pub use event::{CallbackEvent, SuiteUrlCheck};
pub use lenient::EventTimeStamp;
pub use payloads::{
    ChatChange, ChatMembersChange, ChatOwnerChange, ChatTitleChange, CheckIn, CorpChange,
    DeptChange, LabelChange, UserChange, UserDiff, UserLabelChange,
};

/// A callback could not be verified, decrypted, parsed or answered.
///
/// The variants say exactly which check failed, so that a handler can log something useful and
/// answer DingTalk with an error status. None of them carries the token, the key or the
/// ciphertext.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// The token given to [`CallbackCrypto::new`] is empty.
    #[error("the callback token is empty")]
    EmptyToken,
    /// The owner key given to [`CallbackCrypto::new`] is empty.
    #[error("the callback owner key is empty")]
    EmptyOwnerKey,
    /// The EncodingAESKey given to [`CallbackCrypto::new`] is not 43 characters long.
    #[error("the EncodingAESKey has {len} characters, not 43")]
    EncodingAesKeyLength {
        /// The length found, in characters.
        len: usize,
    },
    /// The EncodingAESKey is 43 characters long but not base64 (standard alphabet).
    #[error("the EncodingAESKey is not base64")]
    EncodingAesKeyNotBase64,
    /// The request's signature is not the SHA-1 of token, timestamp, nonce and ciphertext: the
    /// request is forged, altered, or the token is not this app's. Nothing was decrypted.
    #[error("the callback signature does not match")]
    SignatureMismatch,
    /// The `encrypt` field is not standard base64 with padding.
    #[error("the callback ciphertext is not base64: {detail}")]
    InvalidBase64 {
        /// What the decoder reported.
        detail: String,
    },
    /// The decoded ciphertext is empty or not a whole number of 16-byte AES blocks.
    #[error("the callback ciphertext is {len} bytes, not a non-empty multiple of 16")]
    CiphertextNotBlockAligned {
        /// The ciphertext length in bytes.
        len: usize,
    },
    /// The last decrypted byte, the PKCS#7 pad length, is 0, above 32 or longer than the
    /// plaintext. With a valid signature this usually means the EncodingAESKey is wrong.
    #[error("the callback padding length {value} is out of range 1..=32")]
    PaddingOutOfRange {
        /// The pad length byte found.
        value: u8,
    },
    /// The pad bytes are not all equal to the pad length. With a valid signature this usually
    /// means the EncodingAESKey is wrong.
    #[error("the callback padding bytes are not all {value}")]
    PaddingMismatch {
        /// The pad length byte found.
        value: u8,
    },
    /// The unpadded plaintext is shorter than its 20-byte header (16 random bytes and the
    /// length field).
    #[error("the decrypted callback is {len} bytes, shorter than its 20-byte header")]
    PlaintextTooShort {
        /// The unpadded plaintext length in bytes.
        len: usize,
    },
    /// The length field promises more message bytes than the plaintext holds.
    #[error("the callback length field says {declared} bytes but only {available} follow")]
    LengthOutOfBounds {
        /// The message length the field declares.
        declared: u32,
        /// The bytes that follow the header.
        available: usize,
    },
    /// The message is not UTF-8.
    #[error("the callback message is not UTF-8")]
    MessageNotUtf8,
    /// The trailing owner key is not the configured appKey, corpId or suiteKey: the message
    /// was meant for another app, or the wrong kind of owner key is configured.
    #[error("the callback is addressed to `{found}`, not to the configured owner key")]
    OwnerKeyMismatch {
        /// The owner key found (lossily decoded, at most 64 characters).
        found: String,
    },
    /// The decrypted message is not a JSON object with a string `EventType`.
    #[error("the callback message is not an event: {detail}")]
    InvalidEvent {
        /// What is wrong with it.
        detail: String,
    },
    /// A reply message is too long for the 32-bit length field.
    #[error("the reply message is {len} bytes, too long to encrypt")]
    MessageTooLong {
        /// The message length in bytes.
        len: usize,
    },
    /// The system random number generator failed while making a reply's random prefix or nonce.
    #[error("the system random number generator failed: {detail}")]
    RandomUnavailable {
        /// What the generator reported.
        detail: String,
    },
}
