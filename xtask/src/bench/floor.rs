//! Floors: what the generation and build targets are up against, measured beside them.
//!
//! - **Formatting floor.** The generator must hand its output to prettyplease as a `syn::File`
//!   (GUIDE: emit with syn/quote, format with prettyplease). Parsing the token streams of the
//!   *finished* area modules (lexed from their text beforehand, not timed) with syn and printing
//!   them again with prettyplease, on every core, with no spec loading and no token building, is
//!   the least any generator of this output through that pipeline can spend.
//! - **Build floor.** Small crates built exactly like the generated one (own workspace, the root
//!   `Cargo.lock`, dependencies prebuilt in the shared target directory): one reqwest JSON call,
//!   and the same plus one AES-256-CBC decryption and encryption (`aes` + `cbc`, as the callback
//!   feature uses them). They show what a crate on this dependency stack costs before any of
//!   the client's own code.

use std::thread;
use std::time::{Duration, Instant};

use codegen::Output;
use proc_macro2::TokenStream;

use super::generation::area_files;

/// The formatting floor of one generated crate.
pub struct FormatFloor {
    /// Area modules formatted.
    pub files: usize,
    /// Their size in bytes.
    pub bytes: usize,
    /// Threads used (the machine's cores).
    pub threads: usize,
    /// `syn::parse_file` of every area module: the slowest thread, median of the runs.
    pub parse: Duration,
    /// `prettyplease::unparse` of the parsed files: the slowest thread, median of the runs.
    pub format: Duration,
}

/// Parses and prints the area modules of `output` on every core, `runs` times after a warm-up.
pub fn format(output: &Output, runs: usize) -> Result<FormatFloor, String> {
    let texts = area_files(output)
        .map(|(path, bytes)| {
            std::str::from_utf8(bytes).map_err(|e| format!("{path} is not UTF-8: {e}"))
        })
        .collect::<Result<Vec<&str>, String>>()?;
    let threads = thread::available_parallelism().map_or(1, usize::from);
    let groups = balance(&texts, threads);
    let mut parse = Vec::with_capacity(runs);
    let mut format = Vec::with_capacity(runs);
    for run in 0..=runs {
        // `syn::File` is not `Send`: each thread parses and prints its own files.
        let times = thread::scope(|scope| {
            let handles: Vec<_> = groups
                .iter()
                .map(|group| scope.spawn(|| parse_and_print(group)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .map_err(|_| "a formatting thread panicked".to_owned())?
                })
                .collect::<Result<Vec<(Duration, Duration)>, String>>()
        })?;
        if run > 0 {
            parse.push(times.iter().map(|t| t.0).max().unwrap_or_default());
            format.push(times.iter().map(|t| t.1).max().unwrap_or_default());
        }
    }
    Ok(FormatFloor {
        files: texts.len(),
        bytes: texts.iter().map(|t| t.len()).sum(),
        threads,
        parse: super::generation::median(parse),
        format: super::generation::median(format),
    })
}

/// Splits the files into `n` groups of about equal size: largest first, each to the lightest
/// group so far.
fn balance<'a>(texts: &[&'a str], n: usize) -> Vec<Vec<&'a str>> {
    let mut sorted = texts.to_vec();
    sorted.sort_by_key(|t| std::cmp::Reverse(t.len()));
    let mut groups: Vec<(usize, Vec<&str>)> = vec![(0, Vec::new()); n.max(1)];
    for text in sorted {
        if let Some(lightest) = groups.iter_mut().min_by_key(|g| g.0) {
            lightest.0 += text.len();
            lightest.1.push(text);
        }
    }
    groups.into_iter().map(|g| g.1).collect()
}

/// Parse time and print time of one group of files. The text is first lexed into token streams
/// (not timed): the generator hands syn tokens, not text.
fn parse_and_print(group: &[&str]) -> Result<(Duration, Duration), String> {
    let streams = group
        .iter()
        .map(|text| {
            text.parse::<TokenStream>()
                .map_err(|e| format!("generated code does not lex: {e}"))
        })
        .collect::<Result<Vec<TokenStream>, String>>()?;
    let start = Instant::now();
    let files = streams
        .into_iter()
        .map(|tokens| {
            syn::parse2::<syn::File>(tokens)
                .map_err(|e| format!("generated code does not parse: {e}"))
        })
        .collect::<Result<Vec<syn::File>, String>>()?;
    let parsed = start.elapsed();
    let start = Instant::now();
    let printed: usize = files.iter().map(|f| prettyplease::unparse(f).len()).sum();
    std::hint::black_box(printed);
    Ok((parsed, start.elapsed()))
}

/// Both floors, as far as they were measured.
pub struct Floors {
    /// The formatting floor of the 1,000-operation crate (generated in every mode).
    pub format: Option<FormatFloor>,
    /// Clean builds of the floor crates: (name, wall clock, CPU time); empty with `--no-build`.
    pub builds: Vec<(&'static str, Duration, Option<Duration>)>,
}

impl Floors {
    /// The report's `floors` section: `check` is the 1,000-operation spec's load + validate +
    /// lower time, `real_clean` the real crate's clean build.
    pub fn report(&self, check: Option<Duration>, real_clean: Option<Duration>) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let mut out =
            String::from("\nfloors (what the two build-and-generate targets are up against):\n");
        if let Some(f) = &self.format {
            let check_part = check.map_or_else(String::new, |c| {
                format!(
                    "; with loading and checking the spec ({:.1} ms) that is {:.1} ms before any token is built",
                    ms(c),
                    ms(c) + ms(f.parse) + ms(f.format)
                )
            });
            out.push_str(&format!(
                "  formatting: syn parses the token streams of the {} area modules of synth-1000 ({:.1} MB of finished Rust) in {:.1} ms and prettyplease \
                 prints them in {:.1} ms, on {} threads{check_part}\n",
                f.files,
                f.bytes as f64 / 1e6,
                ms(f.parse),
                ms(f.format),
                f.threads
            ));
        }
        if !self.builds.is_empty() {
            let builds: Vec<String> = self
                .builds
                .iter()
                .map(|(name, wall, cpu)| {
                    let cpu = cpu
                        .map_or_else(String::new, |c| format!(" ({:.2} s CPU)", c.as_secs_f64()));
                    format!("{name} {:.2} s{cpu}", wall.as_secs_f64())
                })
                .collect();
            let real = real_clean.map_or_else(String::new, |r| {
                format!("; the real crate {:.2} s", r.as_secs_f64())
            });
            out.push_str(&format!(
                "  clean build, same dependencies prebuilt: {}{real} (floor-reqwest: one reqwest JSON call; \
                 floor-reqwest-aes: that and AES-256-CBC through aes + cbc)\n",
                builds.join(", ")
            ));
        }
        out
    }
}

/// The dependency lines the floor crates share with the generated crate, with the same versions
/// and features (so the prebuilt dependencies are reused).
const DEPENDENCIES: &str = r#"reqwest = { default-features = false, features = ["rustls-no-provider", "json", "http2"], version = "0.13" }
serde_json = { features = ["preserve_order"], version = "1" }
"#;

/// The floor crate `floor-reqwest`: one reqwest JSON call.
const CALL: &str = r#"//! Floor: one reqwest JSON call.

/// POSTs `body` as JSON and reads the answer as JSON.
pub async fn call(
    client: &reqwest::Client,
    url: &str,
    body: &serde_json::Value,
) -> Result<serde_json::Value, reqwest::Error> {
    client.post(url).json(body).send().await?.json().await
}
"#;

/// The module `floor-reqwest-aes` adds: AES-256-CBC both ways, as the callback feature uses it.
const CIPHER: &str = r#"//! Floor: AES-256-CBC both ways, as the callback feature uses it.

use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};

/// Decrypts `buf` in place; the plaintext length.
pub fn decrypt(key: &[u8; 32], buf: &mut [u8]) -> Option<usize> {
    let mode = cbc::Decryptor::<aes::Aes256>::new_from_slices(key, &key[..16]).ok()?;
    mode.decrypt_padded::<NoPadding>(buf).ok().map(<[u8]>::len)
}

/// Encrypts the first `len` bytes of `buf` in place; the ciphertext length.
pub fn encrypt(key: &[u8; 32], buf: &mut [u8], len: usize) -> Option<usize> {
    let mode = cbc::Encryptor::<aes::Aes256>::new_from_slices(key, &key[..16]).ok()?;
    mode.encrypt_padded::<NoPadding>(buf, len).ok().map(<[u8]>::len)
}
"#;

/// One floor crate: its folder name under `target/bench/`, its package name and its files.
pub struct FloorCrate {
    /// The folder under `target/bench/` (and the name in the report).
    pub name: &'static str,
    /// The package name, for `cargo clean -p`.
    pub package: String,
    /// `Cargo.toml`, `src/lib.rs` and one file per module.
    pub files: Output,
}

/// The floor crates: one reqwest call; that and AES-256-CBC.
pub fn crates() -> Vec<FloorCrate> {
    let krate = |name: &'static str, extra_deps: &str, modules: &[(&str, &str)]| {
        let package = format!("bench-{name}");
        let manifest = format!(
            "[package]\nname = \"{package}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\n{DEPENDENCIES}{extra_deps}"
        );
        let lib: String = modules
            .iter()
            .map(|(m, _)| format!("pub mod {m};\n"))
            .collect();
        let mut files = Output::new();
        files.insert("Cargo.toml".to_owned(), manifest.into_bytes());
        files.insert(
            "src/lib.rs".to_owned(),
            format!("//! A build floor.\n\n{lib}").into_bytes(),
        );
        for (m, text) in modules {
            files.insert(format!("src/{m}.rs"), text.as_bytes().to_vec());
        }
        FloorCrate {
            name,
            package,
            files,
        }
    };
    vec![
        krate("floor-reqwest", "", &[("call", CALL)]),
        krate(
            "floor-reqwest-aes",
            "aes = \"0.9\"\ncbc = \"0.2\"\n",
            &[("call", CALL), ("cipher", CIPHER)],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_balanced_and_keep_every_file() {
        let texts = ["aaaaaaaa", "bbbb", "cccc", "dd", "e"];
        let groups = balance(&texts, 2);
        let sizes: Vec<usize> = groups
            .iter()
            .map(|g| g.iter().map(|t| t.len()).sum())
            .collect();
        assert_eq!(sizes.iter().sum::<usize>(), 19);
        assert!(
            sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 3,
            "{sizes:?}"
        );
        assert_eq!(balance(&texts, 1)[0].len(), 5);
    }

    #[test]
    fn the_format_floor_parses_the_area_modules() {
        let mut output = Output::new();
        output.insert("src/lib.rs".into(), b"not rust at all (".to_vec());
        output.insert("src/a.rs".into(), b"pub fn a() {}\n".to_vec());
        output.insert("src/b.rs".into(), b"pub struct B;\n".to_vec());
        let floor = format(&output, 1).unwrap();
        assert_eq!((floor.files, floor.bytes), (2, 28));
        output.insert("src/c.rs".into(), b"fn (".to_vec());
        let err = format(&output, 1).err().unwrap();
        assert!(err.contains("does not lex"), "{err}");
    }

    #[test]
    fn floor_crates_have_a_manifest_a_root_and_an_area_like_module() {
        for floor in crates() {
            let manifest = String::from_utf8(floor.files["Cargo.toml"].clone()).unwrap();
            assert!(manifest.contains(&format!("name = \"{}\"", floor.package)));
            assert!(manifest.contains("reqwest = "));
            let lib = String::from_utf8(floor.files["src/lib.rs"].clone()).unwrap();
            assert!(lib.contains("pub mod call;") && floor.files.contains_key("src/call.rs"));
        }
    }
}
