// Each method takes its own operation's request: a delete request cannot be sent as a get.

use dingtalk_openapi::blackboard::{BlackboardDeleteRequest, BlackboardDeleteRequestRequired};
use dingtalk_openapi::{Client, Error};

#[allow(dead_code)]
async fn calls(client: &Client) -> Result<(), Error> {
    let request = BlackboardDeleteRequest::new(BlackboardDeleteRequestRequired {
        blackboard_id: "098uyg65ffytr43".into(),
        operation_userid: "manager01".into(),
    });
    client.blackboard().get(request).await?;
    Ok(())
}

fn main() {}
