//! Standard output for a command that is often piped: a reader that goes away early
//! (`dingtalk list | head`) ends the output quietly instead of failing, and JSON answers are
//! printed with their keys in the order DingTalk sent them.

use std::io::{self, Write};

use crate::CallError;

/// Writes `bytes` to stdout and flushes; a closed pipe is not an error.
pub(crate) fn write_stdout(bytes: &[u8]) -> Result<(), CallError> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CallError::failed(format!(
            "cannot write to standard output: {e}"
        ))),
    }
}

/// `json` pretty-printed (two-space indent, keys in document order) with a final newline.
pub(crate) fn pretty_json(json: &str) -> Result<String, serde_json::Error> {
    let mut out = Vec::with_capacity(json.len() * 2);
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let mut serializer = serde_json::Serializer::pretty(&mut out);
    serde_transcode::transcode(&mut deserializer, &mut serializer)?;
    deserializer.end()?;
    out.push(b'\n');
    // The serializer writes only UTF-8.
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_key_order() {
        let text = pretty_json(r#"{"z":1,"a":{"y":[1,2],"b":null},"m":"钉钉"}"#).unwrap();
        assert_eq!(
            text,
            "{\n  \"z\": 1,\n  \"a\": {\n    \"y\": [\n      1,\n      2\n    ],\n    \"b\": null\n  },\n  \"m\": \"钉钉\"\n}\n"
        );
        assert!(pretty_json("{").is_err());
        assert!(pretty_json("{} x").is_err());
    }
}
