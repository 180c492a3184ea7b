//! Calling one operation: how many reports a user has not read yet (`report.getunreadcount`).
//!
//! ```sh
//! DINGTALK_APP_KEY=dingxxxx DINGTALK_APP_SECRET=… cargo run -p tests --example call_operation -- manager01
//! ```
//!
//! The client comes from the environment (`DINGTALK_APP_KEY`, `DINGTALK_APP_SECRET`; the
//! `DINGTALK_*_BASE_URL` variables point it elsewhere, at `dingtalk mock serve` for instance).
//! It fetches the access token itself, once, and the error says what went wrong.

use std::process::ExitCode;

use dingtalk_openapi::report::ReportGetunreadcountRequest;
use dingtalk_openapi::{Client, Error};

#[tokio::main]
async fn main() -> ExitCode {
    let userid = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "manager01".into());
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let request = ReportGetunreadcountRequest::new(userid.as_str());
    match client.report().getunreadcount(request).await {
        Ok(answer) => {
            println!("{userid} has {} unread reports", answer.count.unwrap_or(0));
            ExitCode::SUCCESS
        }
        // Typed errors: a quota is not worth retrying now, a validation error sent nothing.
        Err(e @ Error::RateLimited { .. }) => {
            eprintln!("rate limited, try later: {e}");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
