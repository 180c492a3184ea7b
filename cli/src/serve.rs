//! The fake DingTalk from the command line: `dingtalk mock serve` runs it until interrupted, and
//! `--mock` starts one inside the process for a single call.

use crate::args::{Global, ServeArgs};
use crate::call::Settings;
use crate::{CallError, Catalog};
use dingtalk_openapi_fake::MockServer;

/// A fake started for one `--mock` call; it stops when dropped.
pub(crate) struct Fake {
    server: MockServer,
}

impl Fake {
    /// Client settings that point at the fake with its credentials; only `--timeout` is kept
    /// from the command line.
    pub(crate) fn settings(&self, global: &Global) -> Settings {
        let server = &self.server;
        let base = server.base_url();
        Settings {
            app_key: Some(server.app_key().to_owned()),
            app_secret: Some(server.app_secret().to_owned()),
            robot_token: Some(server.robot_token().to_owned()),
            robot_secret: server.robot_secret().map(str::to_owned),
            oapi_base_url: Some((base.clone(), "--mock")),
            api_base_url: Some((base, "--mock")),
            allow_insecure_http: false,
            timeout: global.timeout,
            shared: None,
        }
    }
}

/// Starts a fake on a free loopback port, serving every operation of the catalog.
pub(crate) async fn start(catalog: &Catalog) -> Result<Fake, CallError> {
    let server = MockServer::builder((catalog.mock)())
        .start()
        .await
        .map_err(|e| CallError::failed(format!("cannot start the fake DingTalk: {e}")))?;
    Ok(Fake { server })
}

/// `dingtalk mock serve`: prints the `export` lines that point a client at the fake, then serves
/// until ctrl-c.
pub(crate) fn run(catalog: &Catalog, args: &ServeArgs) -> Result<(), CallError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CallError::failed(format!("cannot start the async runtime: {e}")))?;
    let builder = MockServer::builder((catalog.mock)()).port(args.port);
    runtime
        .block_on(dingtalk_openapi_fake::serve(builder))
        .map_err(|e| {
            CallError::failed(format!(
                "the fake DingTalk on port {} failed: {e}",
                args.port
            ))
        })
}
