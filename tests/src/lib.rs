//! Compile tests (trybuild) and end-to-end tests of `dingtalk-openapi`; see `tests/tests/`.
//! This library holds what several of those tests share.

use std::time::Duration;

use dingtalk_openapi::{Client, ClientBuilder};
use dingtalk_openapi_fake::MockServer;

/// A client builder aimed at the fake: its app and robot credentials, no pacing, short retry
/// delays (tests inject faults and should not wait for them).
pub fn fake_client(server: &MockServer) -> ClientBuilder {
    let mut builder = Client::builder()
        .app_credentials(server.app_key(), server.app_secret())
        .oapi_base_url(server.base_url())
        .api_base_url(server.base_url())
        .robot_token(server.robot_token())
        .no_rate_limit()
        .retry_base_delay(Duration::from_millis(1))
        .retry_max_delay(Duration::from_millis(5))
        .rate_limit_retry_wait(Duration::from_millis(10));
    if let Some(secret) = server.robot_secret() {
        builder = builder.robot_secret(secret);
    }
    builder
}

/// Sends operation `id`'s documented example request through the typed client (reached by id
/// through `dyn_operation`, so no test compiles per-operation code); the typed answer must
/// decode. `Err` says why the example could not be sent: unknown id, or an example that does
/// not read as the request type.
pub async fn call_example(
    client: &Client,
    id: &str,
) -> Result<Result<(), dingtalk_openapi::Error>, String> {
    let operation =
        dingtalk_openapi::dyn_operation(id).ok_or_else(|| format!("{id}: no such operation"))?;
    let example: serde_json::Value = serde_json::from_str(operation.info().example_request)
        .map_err(|e| format!("{id}: the example request is not JSON: {e}"))?;
    let request = operation
        .read(&example)
        .map_err(|e| format!("{id}: the example request does not deserialize: {e}"))?;
    Ok(request.execute(client).await)
}
