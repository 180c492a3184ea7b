// An open enum field takes the enum, not its wire integer.

use dingtalk_openapi::blackboard::{
    BlackboardCreateVo, BlackboardCreateVoRequired, BlackboardReceiver,
};

fn main() {
    let vo = BlackboardCreateVo::new(BlackboardCreateVoRequired {
        operation_userid: "manager01".into(),
        blackboard_receiver: BlackboardReceiver::new(),
        title: "title".into(),
        content: "content".into(),
    });
    let _vo = vo.private_level(20);
}
