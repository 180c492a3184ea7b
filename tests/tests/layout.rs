//! Contracts of the crate layout that users and packagers rely on: a default build of the
//! client pulls in no server, command-line or fake code, the client's root re-exports a curated
//! set (never the runtime wholesale), and the client pins the runtime at its own version.

use std::process::Command;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// The normal dependencies of a default build of `dingtalk-openapi`, one crate name per line.
fn default_dependencies() -> Vec<String> {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "-q",
            "-p",
            "dingtalk-openapi",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(ROOT)
        .output()
        .expect("run cargo tree");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

#[test]
fn a_default_build_of_the_client_has_no_server_command_or_fake() {
    let deps = default_dependencies();
    assert!(
        deps.iter().any(|d| d == "dingtalk-openapi-runtime"),
        "{deps:?}"
    );
    assert!(deps.iter().any(|d| d == "reqwest"), "{deps:?}");
    for banned in [
        "axum",
        "clap",
        "clap_complete",
        "dingtalk-openapi-fake",
        "dingtalk-openapi-cli",
        "serde_path_to_error",
    ] {
        assert!(
            !deps.iter().any(|d| d == banned),
            "a default build pulls in `{banned}`"
        );
    }
}

#[test]
fn the_client_root_re_exports_a_curated_set() {
    let lib = std::fs::read_to_string(format!("{ROOT}/generated/src/lib.rs")).expect("lib.rs");
    // Each `pub use ...;` item, whole (they span lines).
    let uses: Vec<&str> = lib
        .split("pub use ")
        .skip(1)
        .filter_map(|rest| rest.split(';').next())
        .collect();
    assert!(!uses.is_empty());
    for line in &uses {
        assert!(!line.contains('*'), "a glob re-export: {line}");
    }
    for item in [
        "Client",
        "ClientBuilder",
        "Error",
        "RateLimit",
        "ResponseFuture",
    ] {
        assert!(
            lib.contains(&format!("pub struct {item}"))
                || lib.contains(&format!("pub type {item}"))
                || uses.iter().any(|l| l.contains(item)),
            "{item} is not at the root"
        );
    }
    assert!(!lib.contains("mod runtime"), "a copy of the runtime");
}

#[test]
fn the_client_pins_the_runtime_at_its_own_version() {
    let manifest =
        std::fs::read_to_string(format!("{ROOT}/generated/Cargo.toml")).expect("Cargo.toml");
    let version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .expect("the crate's version");
    assert!(
        manifest.contains(&format!(
            "dingtalk-openapi-runtime = {{ version = \"={version}\""
        )),
        "{manifest}"
    );
    let runtime = std::path::Path::new(ROOT).join("generated/src/runtime");
    let files = std::fs::read_dir(&runtime).map_or(0, |d| d.count());
    assert_eq!(files, 0, "generated/ holds a copy of the runtime");
}
