// Only the fields the spec lists have setters: `notify` belongs to the update request.

use dingtalk_openapi::blackboard::{BlackboardCreateVo, BlackboardReceiver};

fn main() {
    let vo = BlackboardCreateVo::new("manager01", BlackboardReceiver::new(), "title", "content");
    let _vo = vo.notify(true);
}
