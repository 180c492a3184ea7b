//! Media upload end to end on 127.0.0.1: a file goes through the client to the fake as
//! `multipart/form-data`, the returned `media_id` is sent in a work notification, the documented
//! size limits stop an oversized file before any byte leaves, and a stored file comes back as a
//! streamed download larger than the client's answer limit.

use dingtalk_openapi::media::{MediaType, MediaUploadRequest};
use dingtalk_openapi::message::{
    MessageCorpconversationAsyncsendV2Request, MsgFile, MsgImage, OapiMessage,
};
use dingtalk_openapi::{Client, Error, FilePart};
use dingtalk_openapi_fake::{MockServer, operations};
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn fake() -> MockServer {
    MockServer::builder(operations())
        .start()
        .await
        .expect("fake")
}

fn client(fake: &MockServer) -> Client {
    Client::builder()
        .app_credentials(fake.app_key(), fake.app_secret())
        .oapi_base_url(fake.base_url())
        .api_base_url(fake.base_url())
        // Small on purpose: a download must not be held to it.
        .max_response_bytes(64 * 1024)
        .build()
        .expect("client")
}

fn notification(
    agent_id: i64,
    msg: impl Into<OapiMessage>,
) -> MessageCorpconversationAsyncsendV2Request {
    MessageCorpconversationAsyncsendV2Request::new(agent_id, msg).userid_list(["manager01"])
}

/// The bytes of a small PNG-like file (the fake does not decode images).
fn image_bytes() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..2000u32).map(|i| (i % 251) as u8));
    bytes
}

#[tokio::test]
async fn an_uploaded_image_is_sent_in_a_work_notification() {
    let fake = fake().await;
    let client = client(&fake);
    let upload = client
        .media()
        .upload(MediaUploadRequest::new(
            MediaType::Image,
            FilePart::bytes("logo.png", image_bytes()),
        ))
        .await
        .expect("upload");
    let media_id = upload.media_id.expect("media_id");
    assert!(media_id.starts_with('@'), "{media_id}");
    assert_eq!(upload.type_, Some(MediaType::Image));
    assert!(upload.created_at.is_some());

    let sent = client
        .message()
        .asyncsend_v2(notification(1234, MsgImage::new(media_id.clone())))
        .await
        .expect("work notification");
    assert!(sent.task_id.is_some());

    // On the wire: one multipart form, the `type` field and the `media` file part with its name
    // and content type, the token in the query.
    let requests = fake.requests();
    let upload = requests
        .iter()
        .find(|r| r.operation == Some("media.upload"))
        .expect("recorded upload");
    let content_type = upload.header("content-type").expect("content type");
    assert!(
        content_type.starts_with("multipart/form-data; boundary="),
        "{content_type}"
    );
    assert!(upload.query_value("access_token").is_some());
    let body = String::from_utf8_lossy(&upload.body);
    assert!(body.contains("name=\"type\"\r\n\r\nimage\r\n"), "{body}");
    assert!(
        body.contains("name=\"media\"; filename=\"logo.png\"\r\nContent-Type: image/png"),
        "{body}"
    );
    let sent = requests
        .iter()
        .find(|r| r.operation == Some("message.corpconversation.asyncsend_v2"))
        .and_then(|r| r.json())
        .expect("recorded notification");
    assert_eq!(sent["msg"]["msgtype"], "image");
    assert_eq!(sent["msg"]["image"]["media_id"], media_id.as_str());
}

#[tokio::test]
async fn a_file_from_disk_is_streamed_and_comes_back_as_a_download() {
    let fake = fake().await;
    let client = client(&fake);
    let dir = std::env::temp_dir().join(format!("upload-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("report.pdf");
    // Larger than the client's 64 KiB answer limit, to show the download is streamed.
    let content: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 256) as u8).collect();
    std::fs::write(&path, &content).expect("write file");

    let part = FilePart::path(&path).expect("file part");
    assert_eq!(part.len(), 300_000);
    assert_eq!(part.content_type(), "application/pdf");
    let media_id = client
        .media()
        .upload(MediaUploadRequest::new(MediaType::File, part))
        .await
        .expect("upload")
        .media_id
        .expect("media_id");
    client
        .message()
        .asyncsend_v2(notification(1234, MsgFile::new(media_id.clone())))
        .await
        .expect("file message");

    let url = format!("{}/__mock/media/{}", fake.base_url(), media_id);
    let download = client.download(&url, &[]).await.expect("download");
    assert_eq!(download.content_length(), Some(300_000));
    assert_eq!(download.content_type(), Some("application/pdf"));
    let mut stream = Box::pin(download.into_stream());
    let mut received = Vec::new();
    let mut chunks = 0;
    while let Some(chunk) = stream.next().await {
        received.extend_from_slice(&chunk.expect("chunk"));
        chunks += 1;
    }
    assert_eq!(received, content);
    assert!(chunks >= 1);

    let mut out = Vec::new();
    let written = client
        .download(&url, &[])
        .await
        .expect("download again")
        .write_to(&mut out)
        .await
        .expect("write_to");
    assert_eq!((written, out.len()), (300_000, 300_000));
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[tokio::test]
async fn a_streamed_part_is_sent_and_checked_against_its_length() {
    let fake = fake().await;
    let client = client(&fake);
    let chunks = futures_util::stream::iter(
        [&b"hello "[..], &b"world"[..]].map(|c| Ok(bytes::Bytes::from_static(c))),
    );
    let upload = client
        .media()
        .upload(MediaUploadRequest::new(
            MediaType::File,
            FilePart::stream("hello.txt", 11, chunks),
        ))
        .await
        .expect("streamed upload");
    let media_id = upload.media_id.expect("media_id");
    let url = format!("{}/__mock/media/{}", fake.base_url(), media_id);
    let mut download = client.download(&url, &[]).await.expect("download");
    let mut text = Vec::new();
    while let Some(chunk) = download.chunk().await.expect("chunk") {
        text.extend_from_slice(&chunk);
    }
    assert_eq!(text, b"hello world");

    // A stream shorter than it claims fails the call with the file part named.
    let short = futures_util::stream::iter([Ok(bytes::Bytes::from_static(b"abc"))]);
    let error = client
        .media()
        .upload(MediaUploadRequest::new(
            MediaType::File,
            FilePart::stream("short.txt", 10, short),
        ))
        .await
        .expect_err("short stream");
    assert!(
        matches!(&error, Error::Transport { .. } | Error::File { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn documented_size_limits_stop_a_file_before_it_is_sent() {
    let fake = fake().await;
    let client = client(&fake);
    // Voice files: at most 2 MB.
    let voice = FilePart::bytes("hello.amr", vec![0u8; 2 * 1024 * 1024 + 1]);
    let error = client
        .media()
        .upload(MediaUploadRequest::new(MediaType::Voice, voice.clone()))
        .await
        .expect_err("too large for a voice file");
    let Error::Validation(v) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(v.field, "media");
    assert!(v.problem.contains("2097153 bytes"), "{}", v.problem);
    assert!(v.problem.contains("2097152"), "{}", v.problem);
    assert_eq!(fake.faults().calls("media.upload"), 0, "nothing was sent");

    // The same bytes are fine as a plain file (at most 20 MB).
    client
        .media()
        .upload(MediaUploadRequest::new(MediaType::File, voice))
        .await
        .expect("within the file limit");
    // And 20 MB is the most for every type.
    let huge = FilePart::bytes("big.png", vec![0u8; 20 * 1024 * 1024 + 1]);
    let error = client
        .media()
        .upload(MediaUploadRequest::new(MediaType::Image, huge))
        .await
        .expect_err("too large for an image");
    assert!(matches!(error, Error::Validation(_)), "{error:?}");
}

#[tokio::test]
async fn a_media_id_nobody_uploaded_is_refused() {
    let fake = fake().await;
    let client = client(&fake);
    let error = client
        .message()
        .asyncsend_v2(notification(1234, MsgImage::new("@bogus")))
        .await
        .expect_err("unknown media");
    assert_eq!(error.errcode(), Some(40007), "{error}");
}

#[tokio::test]
async fn the_fake_refuses_a_json_body_for_an_upload() {
    let fake = fake().await;
    let client = client(&fake);
    let token = client.access_token().await.expect("token");
    let body = r#"{"type":"image"}"#;
    let request = format!(
        "POST /media/upload?access_token={} HTTP/1.1\r\nHost: 127.0.0.1\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        token.expose(),
        body.len()
    );
    let address = fake.base_url().trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    let (_, body) = answer.split_once("\r\n\r\n").expect("head and body");
    let body: serde_json::Value = serde_json::from_str(body).expect("json");
    assert_eq!(body["errcode"], 43004, "{body}");
}

#[tokio::test(start_paused = true)]
async fn bytes_and_paths_are_sent_again_on_retry_but_a_stream_is_not() {
    use dingtalk_openapi_fake::Fault;
    let fake = fake().await;
    let client = Client::builder()
        .app_credentials(fake.app_key(), fake.app_secret())
        .oapi_base_url(fake.base_url())
        .api_base_url(fake.base_url())
        // An upload creates a file: retried after a 503 only when the caller says so.
        .retry_ambiguous_creates(true)
        .build()
        .expect("client");
    fake.faults().push_for("media.upload", Fault::errcode(-1));
    let upload = client
        .media()
        .upload(MediaUploadRequest::new(
            MediaType::Image,
            FilePart::bytes("logo.png", image_bytes()),
        ))
        .await
        .expect("retried upload");
    assert!(upload.media_id.is_some());
    assert_eq!(fake.faults().calls("media.upload"), 2);
    let retried = fake
        .requests()
        .into_iter()
        .filter(|r| r.operation == Some("media.upload"))
        .map(|r| r.body_len)
        .collect::<Vec<_>>();
    assert_eq!(retried.len(), 2);
    assert_eq!(retried[0], retried[1], "the whole file went both times");

    fake.faults().push_for("media.upload", Fault::errcode(-1));
    let chunks = futures_util::stream::iter([Ok(bytes::Bytes::from_static(b"once"))]);
    let error = client
        .media()
        .upload(MediaUploadRequest::new(
            MediaType::File,
            FilePart::stream("once.txt", 4, chunks),
        ))
        .await
        .expect_err("a stream is not replayed");
    assert_eq!(error.errcode(), Some(-1), "{error}");
    assert_eq!(fake.faults().calls("media.upload"), 3);
}
