// A required field cannot be left out: `corpsecret` is a constructor argument, not a setter.

use dingtalk_openapi::auth::SsoGettokenRequest;

fn main() {
    let _request = SsoGettokenRequest::new("ding1234");
}
