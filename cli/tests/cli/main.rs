//! The `dingtalk` command as a user runs it: the real binary in a child process, run with a
//! clean environment by every test. Covered: `list` against `operations()`, `describe`, every one-line error
//! with its exact text and exit status, `--mock` calls, `--body @FILE` and `--body -`, and every
//! operation's documented example request through `dingtalk call` against a `dingtalk mock
//! serve` child, configured only through the environment variables it prints.
//!
//! This file runs the binary and checks what it printed; [`browse`] covers `list`, `describe`,
//! `--help` and `completions`, [`errors`] the one-line errors and their exit statuses,
//! [`calls`] the calls that succeed, through `--mock` and through `dingtalk mock serve`,
//! [`verbose`] the traces of `-v`, `-vv` and `RUST_LOG`, [`secrets`] that no credential
//! ever reaches the output, [`stream`] `dingtalk stream listen` against `dingtalk mock serve`, and
//! [`shared_redis`] many processes sharing one token and budget through `DINGTALK_REDIS_URL`.

mod browse;
mod calls;
mod errors;
mod imported;
mod secrets;
mod shared_redis;
mod stream;
mod verbose;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The variables the command reads; cleared for every run so the developer's own do not leak in.
const VARIABLES: &[&str] = &[
    "DINGTALK_APP_KEY",
    "DINGTALK_APP_SECRET",
    "DINGTALK_OAPI_BASE_URL",
    "DINGTALK_API_BASE_URL",
    "DINGTALK_ROBOT_TOKEN",
    "DINGTALK_ROBOT_SECRET",
];

/// The variables the command reads that `dingtalk mock serve` does not print; cleared too.
const OTHER_VARIABLES: &[&str] = &["DINGTALK_REDIS_URL"];

/// The `dingtalk` binary of this package, which cargo builds for its integration tests.
fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_dingtalk"))
}

/// A `dingtalk` command with none of the DINGTALK_* variables set, nor RUST_LOG.
fn dingtalk(args: &[&str]) -> Command {
    let mut command = Command::new(binary());
    command.args(args);
    for name in VARIABLES.iter().chain(OTHER_VARIABLES) {
        command.env_remove(name);
    }
    command.env_remove("RUST_LOG");
    command
}

/// What a run printed.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

fn run(args: &[&str]) -> Run {
    dingtalk(args).output().expect("run dingtalk").into()
}

fn run_with_stdin(args: &[&str], stdin: &str) -> Run {
    let mut child = dingtalk(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run dingtalk");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait for dingtalk").into()
}

/// Asserts a failure with exactly this one-line message and exit status, and nothing on stdout.
#[track_caller]
fn assert_error(run: &Run, code: i32, message: &str) {
    assert_eq!(run.stderr, format!("error: {message}\n"), "stderr");
    assert_eq!(run.code, code, "exit status; stderr: {}", run.stderr);
    assert_eq!(run.stdout, "", "stdout");
}

/// Asserts a failure whose one-line message starts with `prefix`.
#[track_caller]
fn assert_error_starts(run: &Run, code: i32, prefix: &str) {
    assert!(
        run.stderr.starts_with(&format!("error: {prefix}")),
        "stderr: {}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "one line: {}", run.stderr);
    assert_eq!(run.code, code, "exit status; stderr: {}", run.stderr);
}

/// Sends `METHOD path` with `body` (JSON) to the fake at `base` and gives the body of its 200
/// answer.
#[track_caller]
fn http(base: &str, method: &str, path: &str, body: &str) -> String {
    let address = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(address).expect("connect to the fake");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default()
}

/// Sends `body` to the fake's control API (`POST path`) and gives the answer's body.
#[track_caller]
fn control(base: &str, path: &str, body: &str) -> String {
    http(base, "POST", path, body)
}

#[track_caller]
fn json_of(run: &Run) -> Value {
    assert_eq!(run.code, 0, "exit status; stderr: {}", run.stderr);
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", run.stdout))
}
