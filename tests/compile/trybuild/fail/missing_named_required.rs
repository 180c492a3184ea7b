// A required field left out of a `…Required` struct literal does not compile: every field of
// the struct must be named, so a request cannot be built without its operating user.

use dingtalk_openapi::blackboard::{BlackboardGetRequest, BlackboardGetRequestRequired};

fn main() {
    let _request = BlackboardGetRequest::new(BlackboardGetRequestRequired {
        blackboard_id: "blackboard-id".into(),
    });
}
