//! Helpers shared by the command tests of `cargo xtask`: scratch folders, a copy of the real
//! spec, and running the command with a time limit.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A fresh folder under cargo's per-test temporary directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

pub fn copy_spec(to: &Path) {
    let from = xtask::workspace_root().join("spec");
    fs::create_dir_all(to).expect("create spec copy");
    for entry in fs::read_dir(from).expect("read spec/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            fs::copy(&path, to.join(path.file_name().expect("name"))).expect("copy spec file");
        }
    }
}

/// Runs `cargo xtask` in `cwd`, killed after a minute (a hang fails the test, it does not stall
/// the suite).
pub fn xtask(args: &[&str], cwd: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run xtask");
    let start = Instant::now();
    while child.try_wait().expect("wait for xtask").is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let out = child.wait_with_output().expect("killed xtask");
            panic!(
                "xtask {args:?} hung; stderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("xtask output")
}
