// Required fields of the same type are named, not placed: a blackboard id and an operating user
// are both strings, and a swapped id and user must not compile silently. The old positional call
// is refused; `new` takes one `BlackboardGetRequestRequired { blackboard_id, operation_userid }`.

use dingtalk_openapi::blackboard::BlackboardGetRequest;

fn main() {
    let _request = BlackboardGetRequest::new("blackboard-id", "manager01");
}
