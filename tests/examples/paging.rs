//! Paging a list: every report a user sent in the last week (`report.list`), item by item.
//!
//! ```sh
//! DINGTALK_APP_KEY=dingxxxx DINGTALK_APP_SECRET=… cargo run -p tests --example paging -- manager01
//! ```
//!
//! `list_items` walks the pages itself (cursor and `has_more`, the operation's own style) and
//! yields the items in order; `list_pages` gives whole pages instead. A cursor that does not
//! advance ends the walk with `Error::Pagination` instead of looping.

use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use dingtalk_openapi::Client;
use dingtalk_openapi::primitives::EpochMillis;
use dingtalk_openapi::report::{ReportListRequest, ReportListRequestRequired};
use futures_util::StreamExt;

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
    let now = SystemTime::now();
    let week_ago = now - Duration::from_secs(7 * 24 * 3600);
    // The first page: cursor 0, 20 a page (the documented maximum; more is refused before sending).
    let request = ReportListRequest::new(ReportListRequestRequired {
        start_time: EpochMillis::from(week_ago),
        end_time: EpochMillis::from(now),
        cursor: 0,
        size: 20,
    })
    .userid(userid);
    let mut reports = client.report().list_items(request);
    let mut count = 0;
    while let Some(item) = reports.next().await {
        match item {
            Ok(report) => {
                count += 1;
                println!(
                    "{} {}",
                    report.report_id.as_deref().unwrap_or("?"),
                    report.template_name.as_deref().unwrap_or("")
                );
            }
            Err(e) => {
                eprintln!("error after {count} reports: {e}");
                return ExitCode::from(1);
            }
        }
    }
    println!("{count} reports");
    ExitCode::SUCCESS
}
