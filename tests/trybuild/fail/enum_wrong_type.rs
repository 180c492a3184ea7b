// An open enum field takes the enum, not its wire integer.

use dingtalk_openapi::blackboard::{BlackboardCreateVo, BlackboardReceiver};

fn main() {
    let vo = BlackboardCreateVo::new("manager01", BlackboardReceiver::new(), "title", "content");
    let _vo = vo.private_level(20);
}
