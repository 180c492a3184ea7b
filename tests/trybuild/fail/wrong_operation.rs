// Each method takes its own operation's request: a delete request cannot be sent as a get.

use dingtalk_openapi::blackboard::BlackboardDeleteRequest;
use dingtalk_openapi::{Client, Error};

#[allow(dead_code)]
async fn calls(client: &Client) -> Result<(), Error> {
    let request = BlackboardDeleteRequest::new("098uyg65ffytr43", "manager01");
    client.blackboard().get(request).await?;
    Ok(())
}

fn main() {}
