//! Property tests of the callback cipher: encrypting then decrypting gives the message back,
//! and no input, however malformed, makes decryption panic. Every fuzzed request carries a
//! valid signature, so the inputs reach the base64, AES, padding and length code.
#![cfg(feature = "callback")]

use aes::cipher::array::Array;
use aes::cipher::consts::U16;
use aes::cipher::{BlockModeEncrypt, KeyIvInit};
use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use dingtalk_openapi_runtime::callback::{
    CallbackBody, CallbackCrypto, CallbackError, CallbackQuery, OwnerKey,
};
use proptest::prelude::*;

const TOKEN: &str = "123456";
const AES_KEY: &str = "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij";
const OWNER: &str = "suite4xxxxxxxxxxxxxxx";

fn crypto() -> CallbackCrypto {
    CallbackCrypto::new(TOKEN, AES_KEY, OwnerKey::SuiteKey(OWNER.into())).unwrap()
}

/// AES-256-CBC over whole blocks, no padding added.
fn raw_encrypt(plaintext: &[u8]) -> String {
    let lenient = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let key: [u8; 32] = lenient.decode(AES_KEY).unwrap().try_into().unwrap();
    let iv: [u8; 16] = key[..16].try_into().unwrap();
    let mut buf = plaintext.to_vec();
    let (blocks, _) = Array::<u8, U16>::slice_as_chunks_mut(&mut buf);
    cbc::Encryptor::<aes::Aes256>::new((&key).into(), (&iv).into()).encrypt_blocks(blocks);
    STANDARD.encode(buf)
}

/// Decrypts `encrypt` under a signature computed for it.
fn decrypt_signed(
    c: &CallbackCrypto,
    timestamp: &str,
    nonce: &str,
    encrypt: &str,
) -> Result<String, CallbackError> {
    let signature = c.signature(timestamp, nonce, encrypt);
    c.decrypt_callback(
        &CallbackQuery::new(signature, timestamp, nonce),
        &CallbackBody::new(encrypt),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn encrypt_then_decrypt_round_trips(
        msg in any::<String>(),
        random in any::<[u8; 16]>(),
        timestamp in "[0-9]{1,13}",
        nonce in "[A-Za-z0-9]{0,16}",
    ) {
        let c = crypto();
        let reply = c.encrypt_with_random(&msg, &random, &timestamp, &nonce).unwrap();
        let query = CallbackQuery::new(&reply.msg_signature, &reply.timestamp, &reply.nonce);
        prop_assert_eq!(c.decrypt_callback(&query, &CallbackBody::new(&reply.encrypt)).unwrap(), msg);
    }

    #[test]
    fn arbitrary_encrypt_strings_never_panic(encrypt in any::<String>(), nonce in any::<String>()) {
        let _ = decrypt_signed(&crypto(), "1445827045067", &nonce, &encrypt);
    }

    #[test]
    fn arbitrary_ciphertext_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = decrypt_signed(&crypto(), "1", "n", &STANDARD.encode(&bytes));
    }

    /// Plaintexts built near the valid shape (random header, a length field that may lie, a
    /// message, the owner key or other bytes, then pad bytes that may or may not be right)
    /// reach every check after decryption; only a correct framing decrypts.
    #[test]
    fn forged_plaintexts_never_panic_and_only_a_correct_frame_decrypts(
        msg in any::<String>(),
        lie in prop_oneof![Just(None), (0u32..200).prop_map(Some), any::<u32>().prop_map(Some)],
        owner in prop_oneof![Just(OWNER.as_bytes().to_vec()), prop::collection::vec(any::<u8>(), 0..40)],
        pad_value in prop_oneof![0u8..=40, any::<u8>()],
        consistent in any::<bool>(),
    ) {
        let declared = lie.unwrap_or(msg.len() as u32);
        let mut plaintext = vec![b'r'; 16];
        plaintext.extend(declared.to_be_bytes());
        plaintext.extend(msg.as_bytes());
        plaintext.extend(&owner);
        if consistent {
            let pad = 32 - plaintext.len() % 32;
            plaintext.extend(std::iter::repeat_n(pad as u8, pad));
        } else {
            plaintext.push(pad_value);
            while !plaintext.len().is_multiple_of(16) {
                plaintext.push(pad_value);
            }
        }
        let result = decrypt_signed(&crypto(), "1", "n", &raw_encrypt(&plaintext));
        match &result {
            Ok(got) => {
                // What decrypted is the declared length of message followed by the owner key.
                prop_assert_eq!(got.len(), declared as usize);
                let mut framed = got.as_bytes().to_vec();
                framed.extend(OWNER.as_bytes());
                prop_assert!(plaintext[20..].starts_with(&framed));
            }
            Err(e) => prop_assert!(!matches!(
                e,
                CallbackError::SignatureMismatch | CallbackError::InvalidBase64 { .. }
                    | CallbackError::CiphertextNotBlockAligned { .. }
            ), "{e:?}"),
        }
        if consistent && lie.is_none() && owner == OWNER.as_bytes() {
            prop_assert_eq!(result, Ok(msg));
        }
    }
}
