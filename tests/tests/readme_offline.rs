//! The README's "Test your integration offline" example, run as written.

use dingtalk_openapi::report::*;
use dingtalk_openapi::{Client, Error, RateLimit};
use dingtalk_openapi_fake::{Fault, MockServer};

#[tokio::test]
async fn readme_offline_example() -> Result<(), Box<dyn std::error::Error>> {
    // In your test: a fake DingTalk on 127.0.0.1, and your client aimed at it.
    let fake = MockServer::builder(dingtalk_openapi_fake::operations())
        .start()
        .await?;
    let client = Client::builder()
        .app_credentials(fake.app_key(), fake.app_secret())
        .oapi_base_url(fake.base_url())
        .api_base_url(fake.base_url())
        .build()?;

    // Your code under test runs against the fake exactly as against DingTalk.
    let unread = client
        .report()
        .getunreadcount(ReportGetunreadcountRequest::new("user123"))
        .await?;
    assert_eq!(unread.count, Some(2));

    // A quota the caller must not retry: 90020 is the monthly API quota.
    fake.faults()
        .push_for("report.getunreadcount", Fault::errcode(90020));
    let err = client
        .report()
        .getunreadcount(ReportGetunreadcountRequest::new("user123"))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::RateLimited {
            limit: RateLimit::MonthlyQuota,
            ..
        }
    ));

    // Expired tokens: the client drops its token, fetches a new one once and retries.
    fake.faults().expire_tokens();
    client
        .report()
        .getunreadcount(ReportGetunreadcountRequest::new("user123"))
        .await?;
    assert_eq!(fake.faults().token_requests(), 2);
    Ok(())
}
