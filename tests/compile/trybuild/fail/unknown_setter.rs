// Only the fields the spec lists have setters: `notify` belongs to the update request.

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
    let _vo = vo.notify(true);
}
