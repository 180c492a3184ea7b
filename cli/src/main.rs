//! The `dingtalk` command: list, describe and call every DingTalk operation from a shell,
//! against DingTalk or the offline fake (`--mock`, `dingtalk mock serve`). See `dingtalk --help`.
//!
//! A [`Catalog`] holds what the build includes (the operations of `dingtalk-openapi`, its
//! OpenAPI document, a way to reach each request type by id, and the fake's view of them):
//!
//! - `args`: the command line as clap parses it (raw input, no logic);
//! - `list` and `describe`: offline, fast, no async runtime and no HTTP client (`describe` is the
//!   only command that parses the OpenAPI document);
//! - `call`: the request checked against its Rust type, then sent through the runtime's client;
//! - `serve`: `dingtalk mock serve` and the in-process fake behind `--mock`;
//! - `listen`: `dingtalk stream listen`, Stream mode's messages as JSON lines;
//! - `shared`: `--redis-url`, the token, rate budget and dedup shared through Redis;
//! - `lookup`: which operation an OPERATION argument means: an id, or DingTalk's action name;
//! - `suggest`: "did you mean" for operation ids and field names;
//! - `output`: stdout that tolerates a closed pipe, and JSON printed in its own key order;
//! - `trace`: `-v`, `-vv` and `RUST_LOG`, traces of every HTTP attempt on stderr;
//! - `redact`: credentials kept out of every error, warning and trace.
//!
//! Exit status: 0 on success, 1 when a call was attempted and failed, 2 when nothing was sent
//! (a usage, request or configuration error). Errors are one line on stderr, `error: …` (an
//! action name several operations share adds one line per match), and stdout carries only the
//! answer.

mod args;
mod body;
mod call;
mod describe;
mod list;
mod listen;
mod lookup;
mod output;
mod redact;
mod serve;
mod shared;
mod suggest;
mod trace;

use std::fmt;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use dingtalk_openapi::operation::OperationInfo;
use dingtalk_openapi::runtime::dynamic::DynOperation;
use dingtalk_openapi_fake::MockOperation;

/// Everything the command knows about the build it is part of.
pub(crate) struct Catalog {
    operations: Vec<&'static OperationInfo>,
    openapi: &'static str,
    call: fn(&str) -> Option<DynOperation>,
    mock: fn() -> Vec<MockOperation>,
}

impl Catalog {
    /// The catalog of this build: every operation of `dingtalk-openapi` (sorted by id), its
    /// OpenAPI document, its `dyn_operation`, and the fake's operations.
    pub(crate) fn new() -> Catalog {
        Catalog {
            operations: dingtalk_openapi::operations(),
            openapi: dingtalk_openapi::OPENAPI_DOCUMENT,
            call: dingtalk_openapi::dyn_operation,
            mock: dingtalk_openapi_fake::operations,
        }
    }

    /// The one operation `name` means (an id, an action name or a full action), or an error
    /// that lists the matches or suggests the nearest names.
    pub(crate) fn find(&self, name: &str) -> Result<&'static OperationInfo, CallError> {
        lookup::find(&self.operations, name)
    }
}

impl fmt::Debug for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Catalog")
            .field("operations", &self.operations.len())
            .finish_non_exhaustive()
    }
}

/// Why a command failed: one line for stderr, and whether anything was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallError {
    message: String,
    attempted: bool,
}

impl CallError {
    /// Nothing was sent: the command line, the request or the configuration is wrong (exit 2).
    pub(crate) fn usage(message: impl Into<String>) -> CallError {
        CallError {
            message: message.into(),
            attempted: false,
        }
    }

    /// The call was attempted and failed (exit 1).
    pub(crate) fn failed(message: impl Into<String>) -> CallError {
        CallError {
            message: message.into(),
            attempted: true,
        }
    }

    /// The one-line message, without the `error: ` prefix.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether a request was sent (or may have been) before the failure.
    pub fn attempted(&self) -> bool {
        self.attempted
    }

    /// 1 when the call was attempted, 2 when nothing was sent.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(if self.attempted { 1 } else { 2 })
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CallError {}

/// Runs the `dingtalk` command with the process's arguments and environment.
fn main() -> ExitCode {
    let catalog = Catalog::new();
    let matches = match args::Cli::command().try_get_matches() {
        Ok(matches) => matches,
        Err(e) => return clap_exit(&e),
    };
    let cli = match args::Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => return clap_exit(&e),
    };
    let sources = args::Sources::from_matches(&matches);
    let global = &cli.global;
    for secret in [
        &global.app_secret,
        &global.robot_token,
        &global.robot_secret,
    ] {
        redact::register(secret.as_deref().unwrap_or_default());
    }
    trace::init(global.verbose);
    match run(&catalog, cli, &sources) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", redact::scrub(e.message()));
            e.exit_code()
        }
    }
}

/// Prints a clap error (or the help it was asked for) and gives its exit status: 0 or 2.
fn clap_exit(e: &clap::Error) -> ExitCode {
    let _ = e.print();
    ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2))
}

fn run(catalog: &Catalog, cli: args::Cli, sources: &args::Sources) -> Result<(), CallError> {
    match cli.command {
        args::Command::List(a) => list::run(catalog, &a),
        args::Command::Describe(a) => describe::run(catalog, &a),
        args::Command::Call(a) => call::run(catalog, &cli.global, sources, &a),
        args::Command::Mock(args::MockCommand::Serve(a)) => serve::run(catalog, &a),
        args::Command::Stream(args::StreamCommand::Listen(a)) => {
            listen::run(&cli.global, sources, &a)
        }
        args::Command::Completions(a) => args::completions(catalog, &a),
    }
}
