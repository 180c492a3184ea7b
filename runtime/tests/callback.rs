//! Event callbacks: the known answer from DINGTALK-FACTS, one deliberately built input for
//! every error variant, both query spellings, replies and typed events.
#![cfg(feature = "callback")]

use aes::cipher::array::Array;
use aes::cipher::consts::U16;
use aes::cipher::{BlockModeEncrypt, KeyIvInit};
use axum::extract::Query;
use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use dingtalk_openapi_runtime::callback::{
    CallbackBody, CallbackCrypto, CallbackError, CallbackEvent, CallbackQuery, EncryptedReply,
    OwnerKey,
};

const TOKEN: &str = "123456";
const AES_KEY: &str = "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij";
const SUITE_KEY: &str = "suite4xxxxxxxxxxxxxxx";
const TIMESTAMP: &str = "1445827045067";
const NONCE: &str = "nEXhMP4r";
const RANDOM: &[u8; 16] = b"1234567890123456";
const MSG: &str = r#"{"EventType":"check_create_suite_url","Random":"LPIdSnlF","TestSuiteKey":"suite4xxxxxxxxxxxxxxx"}"#;
const SIGNATURE: &str = "bcf6dcefa4ce2dbaf7b0666c7264d46fd9aad4bd";

fn crypto() -> CallbackCrypto {
    CallbackCrypto::new(TOKEN, AES_KEY, OwnerKey::SuiteKey(SUITE_KEY.into())).unwrap()
}

/// The AES key, decoded independently of the library.
fn key_bytes(encoding_aes_key: &str) -> [u8; 32] {
    let lenient = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    lenient
        .decode(format!("{encoding_aes_key}="))
        .unwrap()
        .try_into()
        .unwrap()
}

/// AES-256-CBC over whole blocks with no padding added: the plaintext is sent as built.
fn raw_encrypt(plaintext: &[u8]) -> String {
    assert_eq!(plaintext.len() % 16, 0);
    let key = key_bytes(AES_KEY);
    let iv: [u8; 16] = key[..16].try_into().unwrap();
    let mut buf = plaintext.to_vec();
    let (blocks, _) = Array::<u8, U16>::slice_as_chunks_mut(&mut buf);
    cbc::Encryptor::<aes::Aes256>::new((&key).into(), (&iv).into()).encrypt_blocks(blocks);
    STANDARD.encode(buf)
}

/// random ‖ declared length ‖ msg ‖ owner, then `pad` bytes of value `pad_value`.
fn frame(declared: u32, msg: &[u8], owner: &[u8], pad: usize, pad_value: u8) -> Vec<u8> {
    let mut p = RANDOM.to_vec();
    p.extend(declared.to_be_bytes());
    p.extend(msg);
    p.extend(owner);
    p.extend(std::iter::repeat_n(pad_value, pad));
    p
}

/// A correct 32-byte PKCS#7 framing of msg and owner.
fn framed(declared: u32, msg: &[u8], owner: &[u8]) -> Vec<u8> {
    let len = 20 + msg.len() + owner.len();
    let pad = 32 - len % 32;
    frame(declared, msg, owner, pad, pad as u8)
}

/// Decrypts `encrypt` with a valid signature, so the checks after it are reached.
fn decrypt_signed(c: &CallbackCrypto, encrypt: &str) -> Result<String, CallbackError> {
    let signature = c.signature(TIMESTAMP, NONCE, encrypt);
    c.decrypt_callback(
        &CallbackQuery::new(signature, TIMESTAMP, NONCE),
        &CallbackBody::new(encrypt),
    )
}

fn query_of(reply: &EncryptedReply) -> (CallbackQuery, CallbackBody) {
    (
        CallbackQuery::new(&reply.msg_signature, &reply.timestamp, &reply.nonce),
        CallbackBody::new(&reply.encrypt),
    )
}

#[test]
fn known_answer() {
    let c = crypto();
    let reply = c
        .encrypt_with_random(MSG, RANDOM, TIMESTAMP, NONCE)
        .unwrap();
    assert_eq!(reply.msg_signature, SIGNATURE);
    assert_eq!(reply.timestamp, TIMESTAMP);
    assert_eq!(reply.nonce, NONCE);
    assert_eq!(c.signature(TIMESTAMP, NONCE, &reply.encrypt), SIGNATURE);

    let (query, body) = query_of(&reply);
    assert_eq!(c.decrypt_callback(&query, &body).unwrap(), MSG);

    let event = c.decrypt_event(&query, &body).unwrap();
    let CallbackEvent::CheckCreateSuiteUrl(check) = &event else {
        panic!("{event:?}")
    };
    assert_eq!(check.random, "LPIdSnlF");
    assert_eq!(check.test_suite_key.as_deref(), Some(SUITE_KEY));
    assert_eq!(event.event_type(), "check_create_suite_url");
    assert_eq!(event.reply_text(), "LPIdSnlF");
}

#[test]
fn known_answer_ciphertext_matches_an_independent_encryption() {
    let independent = raw_encrypt(&framed(
        MSG.len() as u32,
        MSG.as_bytes(),
        SUITE_KEY.as_bytes(),
    ));
    let reply = crypto()
        .encrypt_with_random(MSG, RANDOM, TIMESTAMP, NONCE)
        .unwrap();
    assert_eq!(reply.encrypt, independent);
    // The plaintext is 20 + 97 + 21 = 138 bytes, padded with 22 to 160.
    assert_eq!(STANDARD.decode(&reply.encrypt).unwrap().len(), 160);
}

#[test]
fn reply_serializes_with_dingtalks_keys_in_order() {
    let reply = crypto()
        .encrypt_with_random("success", RANDOM, TIMESTAMP, NONCE)
        .unwrap();
    let json = serde_json::to_string(&reply).unwrap();
    let keys: Vec<&str> = ["msg_signature", "timeStamp", "nonce", "encrypt"].to_vec();
    let positions: Vec<usize> = keys
        .iter()
        .map(|k| json.find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{json}");
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value.as_object().unwrap().len(), 4);
    assert_eq!(value["timeStamp"], TIMESTAMP);
}

#[test]
fn success_reply_decrypts_to_success_and_is_fresh() {
    let c = crypto();
    let a = c.success_reply().unwrap();
    let b = c.success_reply().unwrap();
    assert_ne!(a.encrypt, b.encrypt);
    assert_ne!(a.nonce, b.nonce);
    assert!(a.timestamp.parse::<i64>().unwrap() > 1_700_000_000_000);
    for reply in [a, b] {
        let (q, body) = query_of(&reply);
        assert_eq!(c.decrypt_callback(&q, &body).unwrap(), "success");
    }
}

#[test]
fn reply_to_answers_random_for_suite_checks_and_success_otherwise() {
    let c = crypto();
    for (msg, expected) in [
        (MSG, "LPIdSnlF"),
        (
            r#"{"EventType":"check_update_suite_url","Random":"abc","TestSuiteKey":"k"}"#,
            "abc",
        ),
        (r#"{"EventType":"check_url"}"#, "success"),
        (r#"{"EventType":"user_add_org","UserId":["u1"]}"#, "success"),
    ] {
        let event = CallbackEvent::parse(msg).unwrap();
        let reply = c.reply_to(&event).unwrap();
        let (q, body) = query_of(&reply);
        assert_eq!(c.decrypt_callback(&q, &body).unwrap(), expected);
    }
}

#[test]
fn encrypt_reply_round_trips() {
    let c = crypto();
    for msg in ["", "a", "成功", &"x".repeat(12), &"y".repeat(1000)] {
        let reply = c.encrypt_reply(msg, "1", "n").unwrap();
        let (q, body) = query_of(&reply);
        assert_eq!(c.decrypt_callback(&q, &body).unwrap(), msg);
    }
}

#[test]
fn both_query_spellings_are_accepted() {
    let expected = CallbackQuery::new("sig", "1445827045067", "nonce1");
    for uri in [
        "/cb?msg_signature=sig&timestamp=1445827045067&nonce=nonce1",
        "/cb?signature=sig&timeStamp=1445827045067&nonce=nonce1",
        "/cb?signature=sig&timestamp=1445827045067&nonce=nonce1",
        "/cb?msg_signature=sig&timeStamp=1445827045067&nonce=nonce1",
        "/cb?signature=other&msg_signature=sig&timestamp=1445827045067&nonce=nonce1&extra=1",
    ] {
        let Query(q) = Query::<CallbackQuery>::try_from_uri(&uri.parse().unwrap()).unwrap();
        assert_eq!(q, expected, "{uri}");
    }
    for uri in [
        "/cb?timestamp=1&nonce=n",
        "/cb?msg_signature=s&nonce=n",
        "/cb?msg_signature=s&timestamp=1",
    ] {
        let err = Query::<CallbackQuery>::try_from_uri(&uri.parse().unwrap()).unwrap_err();
        assert!(
            err.to_string().contains("missing query parameter"),
            "{uri}: {err}"
        );
    }
    let q: CallbackQuery =
        serde_json::from_str(r#"{"signature":"sig","timeStamp":"1445827045067","nonce":"nonce1"}"#)
            .unwrap();
    assert_eq!(q, expected);
    assert_eq!(
        serde_json::to_string(&expected).unwrap(),
        r#"{"msg_signature":"sig","timestamp":"1445827045067","nonce":"nonce1"}"#
    );
}

#[test]
fn the_whole_request_decrypts_through_serde() {
    let c = crypto();
    let reply = c
        .encrypt_with_random(MSG, RANDOM, TIMESTAMP, NONCE)
        .unwrap();
    let uri = format!("/cb?signature={SIGNATURE}&timeStamp={TIMESTAMP}&nonce={NONCE}")
        .parse()
        .unwrap();
    let Query(query) = Query::<CallbackQuery>::try_from_uri(&uri).unwrap();
    let body: CallbackBody =
        serde_json::from_str(&format!(r#"{{"encrypt":"{}"}}"#, reply.encrypt)).unwrap();
    assert_eq!(c.decrypt_callback(&query, &body).unwrap(), MSG);
}

#[test]
fn signature_is_checked_first_and_in_either_case() {
    let c = crypto();
    let reply = c
        .encrypt_with_random(MSG, RANDOM, TIMESTAMP, NONCE)
        .unwrap();
    let body = CallbackBody::new(&reply.encrypt);
    let upper = CallbackQuery::new(SIGNATURE.to_uppercase(), TIMESTAMP, NONCE);
    assert_eq!(c.decrypt_callback(&upper, &body).unwrap(), MSG);

    let mismatch = Err(CallbackError::SignatureMismatch);
    let wrong_sig =
        CallbackQuery::new("bcf6dcefa4ce2dbaf7b0666c7264d46fd9aad4be", TIMESTAMP, NONCE);
    assert_eq!(c.decrypt_callback(&wrong_sig, &body), mismatch);
    assert_eq!(
        c.decrypt_callback(&CallbackQuery::new("", TIMESTAMP, NONCE), &body),
        mismatch
    );
    assert_eq!(
        c.decrypt_callback(
            &CallbackQuery::new(SIGNATURE, "1445827045068", NONCE),
            &body
        ),
        mismatch
    );
    assert_eq!(
        c.decrypt_callback(&CallbackQuery::new(SIGNATURE, TIMESTAMP, "nEXhMP4R"), &body),
        mismatch
    );
    // A tampered ciphertext, even one that is not base64, fails on the signature.
    let good = CallbackQuery::new(SIGNATURE, TIMESTAMP, NONCE);
    assert_eq!(
        c.decrypt_callback(&good, &CallbackBody::new("!!!")),
        mismatch
    );
    let other_token =
        CallbackCrypto::new("654321", AES_KEY, OwnerKey::SuiteKey(SUITE_KEY.into())).unwrap();
    assert_eq!(other_token.decrypt_callback(&good, &body), mismatch);
    assert_eq!(
        c.verify_signature(SIGNATURE, TIMESTAMP, NONCE, &reply.encrypt),
        Ok(())
    );
}

#[test]
fn constructor_errors() {
    let suite = || OwnerKey::SuiteKey(SUITE_KEY.into());
    assert_eq!(
        CallbackCrypto::new("", AES_KEY, suite()).unwrap_err(),
        CallbackError::EmptyToken
    );
    assert_eq!(
        CallbackCrypto::new(TOKEN, AES_KEY, OwnerKey::AppKey(String::new())).unwrap_err(),
        CallbackError::EmptyOwnerKey
    );
    assert_eq!(
        CallbackCrypto::new(TOKEN, &AES_KEY[..42], suite()).unwrap_err(),
        CallbackError::EncodingAesKeyLength { len: 42 }
    );
    assert_eq!(
        CallbackCrypto::new(TOKEN, &format!("{AES_KEY}="), suite()).unwrap_err(),
        CallbackError::EncodingAesKeyLength { len: 44 }
    );
    assert_eq!(
        CallbackCrypto::new(TOKEN, "", suite()).unwrap_err(),
        CallbackError::EncodingAesKeyLength { len: 0 }
    );
    let not_base64 = format!("{}!", &AES_KEY[..42]);
    assert_eq!(
        CallbackCrypto::new(TOKEN, &not_base64, suite()).unwrap_err(),
        CallbackError::EncodingAesKeyNotBase64
    );
    let multibyte = format!("{}é", &AES_KEY[..42]);
    assert_eq!(
        CallbackCrypto::new(TOKEN, &multibyte, suite()).unwrap_err(),
        CallbackError::EncodingAesKeyNotBase64
    );
}

#[test]
fn bad_base64() {
    let err = decrypt_signed(&crypto(), "not base64!").unwrap_err();
    assert!(
        matches!(err, CallbackError::InvalidBase64 { .. }),
        "{err:?}"
    );
    // Unpadded or wrongly padded base64 is refused too.
    let unpadded = STANDARD.encode([0u8; 32]).trim_end_matches('=').to_owned();
    assert!(matches!(
        decrypt_signed(&crypto(), &unpadded),
        Err(CallbackError::InvalidBase64 { .. })
    ));
}

#[test]
fn ciphertext_not_a_whole_number_of_blocks() {
    let c = crypto();
    let reply = c
        .encrypt_with_random(MSG, RANDOM, TIMESTAMP, NONCE)
        .unwrap();
    let bytes = STANDARD.decode(&reply.encrypt).unwrap();
    for len in [0, 1, 15, 17, 159] {
        let truncated = STANDARD.encode(&bytes[..len]);
        assert_eq!(
            decrypt_signed(&c, &truncated),
            Err(CallbackError::CiphertextNotBlockAligned { len }),
            "{len}"
        );
    }
}

#[test]
fn padding_out_of_range() {
    let c = crypto();
    let owner = SUITE_KEY.as_bytes();
    // Pad byte 0 (the 138-byte plaintext filled with zeros to 160).
    let zero = raw_encrypt(&frame(97, MSG.as_bytes(), owner, 22, 0));
    assert_eq!(
        decrypt_signed(&c, &zero),
        Err(CallbackError::PaddingOutOfRange { value: 0 })
    );
    // Pad byte 33: a whole block of 33 after the 160-byte plaintext.
    let mut p = frame(97, MSG.as_bytes(), owner, 22, 1);
    p.extend([33u8; 32]);
    assert_eq!(
        decrypt_signed(&c, &raw_encrypt(&p)),
        Err(CallbackError::PaddingOutOfRange { value: 33 })
    );
    // Pad byte 255.
    assert_eq!(
        decrypt_signed(&c, &raw_encrypt(&[255u8; 32])),
        Err(CallbackError::PaddingOutOfRange { value: 255 })
    );
    // A valid-looking pad length longer than the whole (one-block) plaintext.
    assert_eq!(
        decrypt_signed(&c, &raw_encrypt(&[20u8; 16])),
        Err(CallbackError::PaddingOutOfRange { value: 20 })
    );
}

#[test]
fn padding_inconsistent() {
    let c = crypto();
    let mut p = framed(97, MSG.as_bytes(), SUITE_KEY.as_bytes()); // ends in 22 bytes of 22
    let n = p.len();
    p[n - 22] = 21;
    assert_eq!(
        decrypt_signed(&c, &raw_encrypt(&p)),
        Err(CallbackError::PaddingMismatch { value: 22 })
    );
    p[n - 22] = 22;
    p[n - 2] = 0;
    assert_eq!(
        decrypt_signed(&c, &raw_encrypt(&p)),
        Err(CallbackError::PaddingMismatch { value: 22 })
    );
}

#[test]
fn a_16_byte_unpadder_would_be_wrong() {
    // 22 pad bytes is valid for DingTalk's 32-byte block and invalid for a 16-byte one.
    let c = crypto();
    let p = framed(97, MSG.as_bytes(), SUITE_KEY.as_bytes());
    assert_eq!(*p.last().unwrap(), 22);
    assert_eq!(decrypt_signed(&c, &raw_encrypt(&p)).unwrap(), MSG);
}

#[test]
fn plaintext_shorter_than_its_header() {
    let c = crypto();
    assert_eq!(
        decrypt_signed(&c, &raw_encrypt(&[32u8; 32])),
        Err(CallbackError::PlaintextTooShort { len: 0 })
    );
    let mut p = vec![7u8; 19];
    p.extend([13u8; 13]);
    assert_eq!(
        decrypt_signed(&c, &raw_encrypt(&p)),
        Err(CallbackError::PlaintextTooShort { len: 19 })
    );
}

#[test]
fn length_field_larger_than_the_buffer() {
    let c = crypto();
    let owner = SUITE_KEY.as_bytes();
    // 97 bytes of message and 21 of owner key follow the header: 119 is one too many.
    for declared in [119, 1000, u32::MAX] {
        let forged = raw_encrypt(&framed(declared, MSG.as_bytes(), owner));
        assert_eq!(
            decrypt_signed(&c, &forged),
            Err(CallbackError::LengthOutOfBounds {
                declared,
                available: 118
            }),
            "{declared}"
        );
    }
    // 118 is in bounds: the whole rest is taken as the message and the owner key is empty.
    let forged = raw_encrypt(&framed(118, MSG.as_bytes(), owner));
    assert_eq!(
        decrypt_signed(&c, &forged),
        Err(CallbackError::OwnerKeyMismatch {
            found: String::new()
        })
    );
    // A shorter declared length moves the message's tail into the owner key.
    let forged = raw_encrypt(&framed(96, MSG.as_bytes(), owner));
    assert!(
        matches!(decrypt_signed(&c, &forged), Err(CallbackError::OwnerKeyMismatch { found }) if found.starts_with('}'))
    );
}

#[test]
fn message_not_utf8() {
    let c = crypto();
    let forged = raw_encrypt(&framed(2, &[0xff, 0xfe], SUITE_KEY.as_bytes()));
    assert_eq!(
        decrypt_signed(&c, &forged),
        Err(CallbackError::MessageNotUtf8)
    );
}

#[test]
fn wrong_owner_key() {
    let c = crypto();
    let forged = raw_encrypt(&framed(97, MSG.as_bytes(), b"dingcorp123"));
    assert_eq!(
        decrypt_signed(&c, &forged),
        Err(CallbackError::OwnerKeyMismatch {
            found: "dingcorp123".into()
        })
    );

    // The right message for another app: the configured key differs.
    let reply = c
        .encrypt_with_random(MSG, RANDOM, TIMESTAMP, NONCE)
        .unwrap();
    let app = CallbackCrypto::new(TOKEN, AES_KEY, OwnerKey::AppKey("dingappkey".into())).unwrap();
    let (q, body) = query_of(&reply);
    assert_eq!(
        app.decrypt_callback(&q, &body),
        Err(CallbackError::OwnerKeyMismatch {
            found: SUITE_KEY.into()
        })
    );
    assert_eq!(app.owner_key().as_str(), "dingappkey");

    // A long foreign owner key is cut to 64 characters in the error.
    let forged = raw_encrypt(&framed(97, MSG.as_bytes(), &[b'k'; 100]));
    let Err(CallbackError::OwnerKeyMismatch { found }) = decrypt_signed(&c, &forged) else {
        panic!()
    };
    assert_eq!(found.len(), 64);
}

#[test]
fn wrong_aes_key_gives_a_typed_error() {
    let c = crypto();
    let other_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    let other =
        CallbackCrypto::new(TOKEN, other_key, OwnerKey::SuiteKey(SUITE_KEY.into())).unwrap();
    for i in 0..300 {
        let msg = format!(r#"{{"EventType":"check_url","n":{i}}}"#);
        let reply = c.encrypt_reply(&msg, TIMESTAMP, NONCE).unwrap();
        let (q, body) = query_of(&reply);
        let err = other.decrypt_callback(&q, &body).unwrap_err();
        assert!(
            matches!(
                err,
                CallbackError::PaddingOutOfRange { .. }
                    | CallbackError::PaddingMismatch { .. }
                    | CallbackError::PlaintextTooShort { .. }
                    | CallbackError::LengthOutOfBounds { .. }
                    | CallbackError::MessageNotUtf8
                    | CallbackError::OwnerKeyMismatch { .. }
            ),
            "{err:?}"
        );
    }
}

#[test]
fn events_are_typed_or_kept() {
    assert_eq!(
        CallbackEvent::parse(r#"{"EventType":"check_url"}"#).unwrap(),
        CallbackEvent::CheckUrl
    );
    let update =
        CallbackEvent::parse(r#"{"EventType":"check_update_suite_url","Random":"r1"}"#).unwrap();
    let CallbackEvent::CheckUpdateSuiteUrl(check) = &update else {
        panic!("{update:?}")
    };
    assert_eq!(
        (check.random.as_str(), check.test_suite_key.as_deref()),
        ("r1", None)
    );

    let raw = r#"{"EventType":"user_add_org","UserId":["u1"],"CorpId":"ding1","TimeStamp":"1"}"#;
    let added = CallbackEvent::parse(raw).unwrap();
    assert_eq!(added.event_type(), "user_add_org");
    let CallbackEvent::UserAddOrg(change) = &added else {
        panic!("{added:?}")
    };
    assert_eq!(change.user_ids, ["u1"]);
    assert_eq!(change.corp_id.as_deref(), Some("ding1"));
    assert_eq!(added.raw().unwrap()["UserId"][0], "u1");
    assert_eq!(added.reply_text(), "success");

    let raw = r#"{"EventType":"attendance_check_record","DataList":[]}"#;
    let other = CallbackEvent::parse(raw).unwrap();
    assert_eq!(other.event_type(), "attendance_check_record");
    let CallbackEvent::Other {
        event_type,
        raw: value,
    } = &other
    else {
        panic!("{other:?}")
    };
    assert_eq!(event_type, "attendance_check_record");
    assert_eq!(value["DataList"], serde_json::json!([]));
    assert_eq!(other.reply_text(), "success");

    // A suite check without its Random is kept rather than refused.
    let incomplete = CallbackEvent::parse(r#"{"EventType":"check_create_suite_url"}"#).unwrap();
    assert!(matches!(incomplete, CallbackEvent::Other { .. }));
    assert_eq!(incomplete.event_type(), "check_create_suite_url");
}

#[test]
fn non_events_are_typed_errors() {
    for msg in ["not json", "[1]", "{}", r#"{"EventType":5}"#, "null", ""] {
        assert!(
            matches!(
                CallbackEvent::parse(msg),
                Err(CallbackError::InvalidEvent { .. })
            ),
            "{msg}"
        );
    }
    let c = crypto();
    let reply = c.encrypt_reply("plain text", TIMESTAMP, NONCE).unwrap();
    let (q, body) = query_of(&reply);
    assert!(matches!(
        c.decrypt_event(&q, &body),
        Err(CallbackError::InvalidEvent { .. })
    ));
    assert_eq!(c.decrypt_callback(&q, &body).unwrap(), "plain text");
}

#[test]
fn debug_hides_token_and_key() {
    let c = CallbackCrypto::new("token-abc", AES_KEY, OwnerKey::CorpId("dingcorp".into())).unwrap();
    let debug = format!("{c:?}");
    assert!(!debug.contains("token-abc"), "{debug}");
    assert!(!debug.contains(AES_KEY), "{debug}");
    assert!(debug.contains("dingcorp"), "{debug}");
}

#[test]
fn error_messages_name_the_check() {
    assert_eq!(
        CallbackError::LengthOutOfBounds {
            declared: 1000,
            available: 117
        }
        .to_string(),
        "the callback length field says 1000 bytes but only 117 follow"
    );
    assert_eq!(
        CallbackError::SignatureMismatch.to_string(),
        "the callback signature does not match"
    );
    assert_eq!(
        CallbackError::PaddingOutOfRange { value: 33 }.to_string(),
        "the callback padding length 33 is out of range 1..=32"
    );
}
