//! The callback cipher: signature, AES-256-CBC with 32-byte PKCS#7 padding, and the
//! random ‖ length ‖ message ‖ owner-key framing; plus the query, body and reply wire types.

use std::fmt;

use aes::Aes256;
use aes::cipher::array::Array;
use aes::cipher::consts::U16;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use base64::Engine as _;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD as BASE64};
use ring::digest::{Context, SHA1_FOR_LEGACY_USE_ONLY};
use ring::rand::{SecureRandom as _, SystemRandom};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::{CallbackError, CallbackEvent};
use crate::primitives::{EpochMillis, Secret};

type Aes256CbcEnc = cbc::Encryptor<Aes256>;
type Aes256CbcDec = cbc::Decryptor<Aes256>;

/// The PKCS#7 block DingTalk pads to: 32 bytes, not AES's 16.
const PAD_BLOCK: usize = 32;
/// The AES block size.
const AES_BLOCK: usize = 16;
/// The random prefix of every plaintext.
const RANDOM_LEN: usize = 16;
/// The length of an EncodingAESKey in characters.
const ENCODING_AES_KEY_LEN: usize = 43;
/// At most this many characters of a foreign owner key go into an error.
const MAX_FOUND_OWNER_CHARS: usize = 64;

/// The EncodingAESKey decoder: 43 characters without padding. DingTalk's keys leave non-zero
/// bits in the last character (its Java SDK decodes leniently), so trailing bits are allowed.
const ENCODING_AES_KEY_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

/// The identity a callback's plaintext ends with, which [`CallbackCrypto`] checks.
///
/// Which one DingTalk uses depends on how the subscription was registered; the value is the
/// exact string expected after the message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OwnerKey {
    /// The appKey: event subscriptions of an internal (企业内部) app.
    AppKey(String),
    /// The corpId: legacy (registered with `call_back/register_call_back`) callbacks.
    CorpId(String),
    /// The suiteKey: third-party (ISV) apps.
    SuiteKey(String),
}

impl OwnerKey {
    /// The key as it appears at the end of the plaintext.
    pub fn as_str(&self) -> &str {
        match self {
            OwnerKey::AppKey(s) | OwnerKey::CorpId(s) | OwnerKey::SuiteKey(s) => s,
        }
    }
}

impl fmt::Display for OwnerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The query string of a callback request, with the signature, timestamp and nonce kept
/// exactly as sent (they are signed as text).
///
/// Deserializing accepts both spellings DingTalk uses: `msg_signature` or `signature` (when
/// both are present `msg_signature` wins), `timestamp` or `timeStamp`; other parameters are
/// ignored. Serializing writes `msg_signature`, `timestamp` and `nonce`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawCallbackQuery")]
#[non_exhaustive]
pub struct CallbackQuery {
    /// The signature to check (`msg_signature` or `signature`).
    #[serde(rename = "msg_signature")]
    pub signature: String,
    /// The timestamp (`timestamp` or `timeStamp`), Unix milliseconds as text.
    pub timestamp: String,
    /// The nonce.
    pub nonce: String,
}

impl CallbackQuery {
    /// A query from its three parameters, for frameworks without a serde extractor.
    pub fn new(
        signature: impl Into<String>,
        timestamp: impl Into<String>,
        nonce: impl Into<String>,
    ) -> Self {
        CallbackQuery {
            signature: signature.into(),
            timestamp: timestamp.into(),
            nonce: nonce.into(),
        }
    }
}

/// Every spelling of the query parameters, resolved into [`CallbackQuery`].
#[derive(Deserialize)]
struct RawCallbackQuery {
    msg_signature: Option<String>,
    signature: Option<String>,
    timestamp: Option<String>,
    #[serde(rename = "timeStamp")]
    time_stamp: Option<String>,
    nonce: Option<String>,
}

impl TryFrom<RawCallbackQuery> for CallbackQuery {
    type Error = &'static str;

    fn try_from(raw: RawCallbackQuery) -> Result<Self, Self::Error> {
        Ok(CallbackQuery {
            signature: raw
                .msg_signature
                .or(raw.signature)
                .ok_or("missing query parameter `msg_signature` (or `signature`)")?,
            timestamp: raw
                .timestamp
                .or(raw.time_stamp)
                .ok_or("missing query parameter `timestamp` (or `timeStamp`)")?,
            nonce: raw.nonce.ok_or("missing query parameter `nonce`")?,
        })
    }
}

/// The JSON body of a callback request: `{"encrypt": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CallbackBody {
    /// The base64 ciphertext.
    pub encrypt: String,
}

impl CallbackBody {
    /// A body holding `encrypt`.
    pub fn new(encrypt: impl Into<String>) -> Self {
        CallbackBody {
            encrypt: encrypt.into(),
        }
    }
}

/// An encrypted answer to a callback, serialized as exactly
/// `{"msg_signature": …, "timeStamp": …, "nonce": …, "encrypt": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EncryptedReply {
    /// The signature over token, timestamp, nonce and `encrypt`.
    pub msg_signature: String,
    /// The timestamp, Unix milliseconds as text.
    #[serde(rename = "timeStamp")]
    pub timestamp: String,
    /// The nonce.
    pub nonce: String,
    /// The base64 ciphertext.
    pub encrypt: String,
}

/// Verifies, decrypts and encrypts the messages of one callback subscription.
///
/// Built from the token, the EncodingAESKey and the owner key configured in the developer
/// console. `Debug` shows the owner key only.
#[derive(Clone)]
pub struct CallbackCrypto {
    token: Secret,
    key: [u8; 32],
    iv: [u8; 16],
    owner: OwnerKey,
}

impl fmt::Debug for CallbackCrypto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackCrypto")
            .field("token", &self.token)
            .field("key", &format_args!("***"))
            .field("owner", &self.owner)
            .finish()
    }
}

impl CallbackCrypto {
    /// A cipher for the subscription with this token, EncodingAESKey and owner key.
    ///
    /// Fails with [`CallbackError::EmptyToken`], [`CallbackError::EmptyOwnerKey`],
    /// [`CallbackError::EncodingAesKeyLength`] (not 43 characters) or
    /// [`CallbackError::EncodingAesKeyNotBase64`].
    pub fn new(
        token: impl Into<String>,
        encoding_aes_key: &str,
        owner: OwnerKey,
    ) -> Result<Self, CallbackError> {
        let token = token.into();
        if token.is_empty() {
            return Err(CallbackError::EmptyToken);
        }
        if owner.as_str().is_empty() {
            return Err(CallbackError::EmptyOwnerKey);
        }
        let len = encoding_aes_key.chars().count();
        if len != ENCODING_AES_KEY_LEN {
            return Err(CallbackError::EncodingAesKeyLength { len });
        }
        let key: [u8; 32] = ENCODING_AES_KEY_BASE64
            .decode(encoding_aes_key)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(CallbackError::EncodingAesKeyNotBase64)?;
        let iv: [u8; 16] = std::array::from_fn(|i| key[i]);
        Ok(CallbackCrypto {
            token: Secret::new(token),
            key,
            iv,
            owner,
        })
    }

    /// The owner key plaintexts must end with.
    #[must_use]
    pub fn owner_key(&self) -> &OwnerKey {
        &self.owner
    }

    /// The signature of a message: the lowercase hex SHA-1 of token, `timestamp`, `nonce` and
    /// `encrypt`, sorted (byte-wise) and concatenated.
    #[must_use]
    pub fn signature(&self, timestamp: &str, nonce: &str, encrypt: &str) -> String {
        let mut parts = [self.token.expose(), timestamp, nonce, encrypt];
        parts.sort_unstable();
        let mut sha = Context::new(&SHA1_FOR_LEGACY_USE_ONLY);
        for part in parts {
            sha.update(part.as_bytes());
        }
        hex_lower(sha.finish().as_ref())
    }

    /// Checks `signature` (hex, either case) against [`CallbackCrypto::signature`] in constant
    /// time; [`CallbackError::SignatureMismatch`] when it differs.
    pub fn verify_signature(
        &self,
        signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypt: &str,
    ) -> Result<(), CallbackError> {
        let expected = self.signature(timestamp, nonce, encrypt);
        let given = signature.to_ascii_lowercase();
        if bool::from(expected.as_bytes().ct_eq(given.as_bytes())) {
            Ok(())
        } else {
            Err(CallbackError::SignatureMismatch)
        }
    }

    /// Verifies a callback's signature, then decrypts it and returns the message (JSON text).
    ///
    /// Every check is typed: [`CallbackError::SignatureMismatch`] first (nothing is decrypted
    /// for a bad signature), then the base64, block, padding, length, UTF-8 and owner-key
    /// errors of the [`CallbackError`] variants.
    pub fn decrypt_callback(
        &self,
        query: &CallbackQuery,
        body: &CallbackBody,
    ) -> Result<String, CallbackError> {
        self.verify_signature(
            &query.signature,
            &query.timestamp,
            &query.nonce,
            &body.encrypt,
        )?;
        self.decrypt(&body.encrypt)
    }

    /// [`CallbackCrypto::decrypt_callback`], then reads the message as a [`CallbackEvent`]
    /// ([`CallbackError::InvalidEvent`] when it is not an event).
    pub fn decrypt_event(
        &self,
        query: &CallbackQuery,
        body: &CallbackBody,
    ) -> Result<CallbackEvent, CallbackError> {
        CallbackEvent::parse(&self.decrypt_callback(query, body)?)
    }

    /// Encrypts and signs `msg` as a reply with this timestamp and nonce, using 16 fresh random
    /// bytes from the operating system.
    pub fn encrypt_reply(
        &self,
        msg: &str,
        timestamp: &str,
        nonce: &str,
    ) -> Result<EncryptedReply, CallbackError> {
        let mut random = [0u8; RANDOM_LEN];
        fill_random(&mut random)?;
        self.encrypt_with_random(msg, &random, timestamp, nonce)
    }

    /// [`CallbackCrypto::encrypt_reply`] with a given random prefix, for known-answer tests.
    /// Never use a fixed prefix in production.
    pub fn encrypt_with_random(
        &self,
        msg: &str,
        random: &[u8; 16],
        timestamp: &str,
        nonce: &str,
    ) -> Result<EncryptedReply, CallbackError> {
        let encrypt = self.encrypt(msg, random)?;
        Ok(EncryptedReply {
            msg_signature: self.signature(timestamp, nonce, &encrypt),
            timestamp: timestamp.to_owned(),
            nonce: nonce.to_owned(),
            encrypt,
        })
    }

    /// The usual answer to a callback: `success`, encrypted with the current time and a fresh
    /// random nonce.
    pub fn success_reply(&self) -> Result<EncryptedReply, CallbackError> {
        self.fresh_reply("success")
    }

    /// The answer DingTalk expects for `event` ([`CallbackEvent::reply_text`]: `success`, or
    /// the `Random` value of a suite URL check), encrypted with the current time and a fresh
    /// random nonce.
    pub fn reply_to(&self, event: &CallbackEvent) -> Result<EncryptedReply, CallbackError> {
        self.fresh_reply(event.reply_text())
    }

    fn fresh_reply(&self, msg: &str) -> Result<EncryptedReply, CallbackError> {
        let timestamp = EpochMillis::now().to_string();
        let nonce = random_nonce()?;
        self.encrypt_reply(msg, &timestamp, &nonce)
    }

    /// base64 → AES-256-CBC → 32-byte PKCS#7 → random ‖ length ‖ message ‖ owner key.
    fn decrypt(&self, encrypt: &str) -> Result<String, CallbackError> {
        let mut buf = BASE64
            .decode(encrypt)
            .map_err(|e| CallbackError::InvalidBase64 {
                detail: e.to_string(),
            })?;
        if buf.is_empty() || !buf.len().is_multiple_of(AES_BLOCK) {
            return Err(CallbackError::CiphertextNotBlockAligned { len: buf.len() });
        }
        let (blocks, _empty_tail) = Array::<u8, U16>::slice_as_chunks_mut(&mut buf);
        Aes256CbcDec::new((&self.key).into(), (&self.iv).into()).decrypt_blocks(blocks);
        let plaintext = unpad(&buf)?;

        let too_short = CallbackError::PlaintextTooShort {
            len: plaintext.len(),
        };
        let (_random, rest) = plaintext
            .split_first_chunk::<RANDOM_LEN>()
            .ok_or(too_short.clone())?;
        let (len_field, rest) = rest.split_first_chunk::<4>().ok_or(too_short)?;
        let declared = u32::from_be_bytes(*len_field);
        let (msg, owner) = usize::try_from(declared)
            .ok()
            .and_then(|len| rest.split_at_checked(len))
            .ok_or(CallbackError::LengthOutOfBounds {
                declared,
                available: rest.len(),
            })?;
        let msg = std::str::from_utf8(msg).map_err(|_| CallbackError::MessageNotUtf8)?;
        if owner != self.owner.as_str().as_bytes() {
            let found = String::from_utf8_lossy(owner)
                .chars()
                .take(MAX_FOUND_OWNER_CHARS)
                .collect();
            return Err(CallbackError::OwnerKeyMismatch { found });
        }
        Ok(msg.to_owned())
    }

    /// random ‖ length ‖ message ‖ owner key → 32-byte PKCS#7 → AES-256-CBC → base64.
    fn encrypt(&self, msg: &str, random: &[u8; RANDOM_LEN]) -> Result<String, CallbackError> {
        let len = u32::try_from(msg.len())
            .map_err(|_| CallbackError::MessageTooLong { len: msg.len() })?;
        let owner = self.owner.as_str().as_bytes();
        let mut buf = Vec::with_capacity(RANDOM_LEN + 4 + msg.len() + owner.len() + PAD_BLOCK);
        buf.extend_from_slice(random);
        buf.extend_from_slice(&len.to_be_bytes());
        buf.extend_from_slice(msg.as_bytes());
        buf.extend_from_slice(owner);
        let pad = PAD_BLOCK - buf.len() % PAD_BLOCK; // 1..=32
        buf.resize(buf.len() + pad, pad as u8);
        let (blocks, _empty_tail) = Array::<u8, U16>::slice_as_chunks_mut(&mut buf);
        Aes256CbcEnc::new((&self.key).into(), (&self.iv).into()).encrypt_blocks(blocks);
        Ok(BASE64.encode(&buf))
    }
}

/// Strips DingTalk's PKCS#7 padding (32-byte block: pad lengths 1..=32, every pad byte equal
/// to the length).
fn unpad(buf: &[u8]) -> Result<&[u8], CallbackError> {
    let value = buf.last().copied().unwrap_or(0);
    let pad = usize::from(value);
    if pad == 0 || pad > PAD_BLOCK {
        return Err(CallbackError::PaddingOutOfRange { value });
    }
    let (content, padding) = buf
        .len()
        .checked_sub(pad)
        .and_then(|mid| buf.split_at_checked(mid))
        .ok_or(CallbackError::PaddingOutOfRange { value })?;
    if padding.iter().any(|&b| b != value) {
        return Err(CallbackError::PaddingMismatch { value });
    }
    Ok(content)
}

fn hex_lower(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

fn fill_random(buf: &mut [u8]) -> Result<(), CallbackError> {
    SystemRandom::new()
        .fill(buf)
        .map_err(
            |ring::error::Unspecified| CallbackError::RandomUnavailable {
                detail: "the operating system gave no random bytes".to_owned(),
            },
        )
}

/// Eight random letters and digits, the form of DingTalk's own nonces.
fn random_nonce() -> Result<String, CallbackError> {
    const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = [0u8; 8];
    fill_random(&mut bytes)?;
    // The modulo bias is irrelevant for a nonce, which only has to differ between replies.
    Ok(bytes
        .iter()
        .map(|&b| char::from(ALPHABET[usize::from(b) % ALPHABET.len()]))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpad_checks_range_and_bytes() {
        let mut ok = vec![7u8; 40];
        ok.extend([3, 3, 3]);
        assert_eq!(unpad(&ok).map(<[u8]>::len), Ok(40));
        assert_eq!(unpad(&[1u8; 32]).map(<[u8]>::len), Ok(31));
        assert_eq!(unpad(&[32u8; 32]).map(<[u8]>::len), Ok(0));
        assert_eq!(
            unpad(&[0u8; 32]),
            Err(CallbackError::PaddingOutOfRange { value: 0 })
        );
        assert_eq!(
            unpad(&[33u8; 64]),
            Err(CallbackError::PaddingOutOfRange { value: 33 })
        );
        assert_eq!(
            unpad(&[20u8; 16]),
            Err(CallbackError::PaddingOutOfRange { value: 20 })
        );
        assert_eq!(
            unpad(&[]),
            Err(CallbackError::PaddingOutOfRange { value: 0 })
        );
        let mut bad = vec![4u8; 32];
        bad[29] = 5;
        assert_eq!(
            unpad(&bad),
            Err(CallbackError::PaddingMismatch { value: 4 })
        );
    }

    #[test]
    fn nonces_are_alphanumeric() {
        let n = random_nonce().unwrap();
        assert_eq!(n.len(), 8);
        assert!(n.bytes().all(|b| b.is_ascii_alphanumeric()));
    }
}
