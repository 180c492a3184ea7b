// Responses are `#[non_exhaustive]`: a new field in the spec is not a breaking change, so code
// outside the crate cannot build one by struct literal.

use dingtalk_openapi::robot::RobotSendResponse;

fn main() {
    let _response = RobotSendResponse {
        errcode: Some(0),
        errmsg: None,
    };
}
