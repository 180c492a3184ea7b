//! The README's "Everyday calls" example, run as written against the fake: a work
//! notification, a user looked up by mobile number and then by id, and an image uploaded from
//! disk and sent.

use dingtalk_openapi::media::{MediaType, MediaUploadRequest};
use dingtalk_openapi::message::{MessageCorpconversationAsyncsendV2Request, MsgImage, MsgText};
use dingtalk_openapi::user::{V2UserGetRequest, V2UserGetbymobileRequest};
use dingtalk_openapi::{Client, FilePart};
use dingtalk_openapi_fake::MockServer;

#[tokio::test]
async fn readme_everyday_calls() -> Result<(), Box<dyn std::error::Error>> {
    let fake = MockServer::builder(dingtalk_openapi_fake::operations())
        .start()
        .await?;
    // `Client::from_env()` in the README; the fake's address and credentials here.
    let client = Client::builder()
        .app_credentials(fake.app_key(), fake.app_secret())
        .oapi_base_url(fake.base_url())
        .api_base_url(fake.base_url())
        .build()?;
    let dir = std::env::temp_dir().join(format!("readme-everyday-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let logo_path = dir.join("logo.png");
    std::fs::write(&logo_path, b"\x89PNG\r\n\x1a\n not really an image")?;
    let agent_id = 123_456_789; // the app's AgentId

    // A work notification (工作通知) to two users; `msg` is one typed enum of the message types.
    let sent = client
        .message()
        .asyncsend_v2(
            MessageCorpconversationAsyncsendV2Request::new(agent_id, MsgText::new("月会 3 点开始"))
                .userid_list(["manager01", "manager02"]),
        )
        .await?;
    assert!(sent.task_id.is_some());

    // A user by mobile number, then the user's details.
    let found = client
        .user()
        .getbymobile(V2UserGetbymobileRequest::new("13800000000"))
        .await?;
    let userid = found.result.and_then(|r| r.userid).ok_or("no such user")?;
    let user = client.user().get(V2UserGetRequest::new(userid)).await?;
    assert!(user.result.and_then(|u| u.name).is_some());

    // An image uploaded from disk (streamed; at most 20 MB, checked before sending), then sent.
    let logo = FilePart::path(&logo_path)?;
    let uploaded = client
        .media()
        .upload(MediaUploadRequest::new(MediaType::Image, logo))
        .await?;
    let media_id = uploaded.media_id.ok_or("no media_id")?;
    client
        .message()
        .asyncsend_v2(
            MessageCorpconversationAsyncsendV2Request::new(agent_id, MsgImage::new(media_id))
                .userid_list(["manager01"]),
        )
        .await?;

    let recorded = fake.requests();
    let sent: Vec<_> = recorded
        .iter()
        .filter(|r| r.operation == Some("message.corpconversation.asyncsend_v2"))
        .filter_map(|r| r.json())
        .collect();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0]["userid_list"], "manager01,manager02");
    assert_eq!(sent[0]["msg"]["text"]["content"], "月会 3 点开始");
    assert_eq!(sent[1]["msg"]["msgtype"], "image");
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
