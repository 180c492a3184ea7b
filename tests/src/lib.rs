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
