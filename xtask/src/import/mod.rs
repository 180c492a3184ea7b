//! `cargo xtask import`: DingTalk's v1.0 API description, as the `alibabacloud-dingtalk`
//! Python package states it, into spec files (one per area and API version).
//!
//! The package is read, never run: [`client`] and [`models`] are strict line readers of each
//! area folder's `client.py` and `models.py` that refuse any line they do not know, with its
//! file and line, gathering every problem of the package in one run. [`convert`] turns each
//! folder into an [`yaml::AreaFile`], applying `spec/import-overrides.yaml` ([`overrides`]) and
//! skipping the operations a curated spec file holds ([`curated`]); [`yaml`] writes it byte for
//! byte the same on every run, and [`files`] writes only what changed. `spec/IMPORT.md`
//! describes the files it writes.

mod client;
mod convert;
mod curated;
mod files;
mod models;
mod overrides;
mod paging;
mod params;
mod pattern;
mod pytype;
mod statements;
mod stats;
mod types;
mod yaml;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use codegen::Diagnostic;
use codegen::names::{client_type, is_upper_camel, operation_type};

pub use files::Written;
pub use stats::Stats;

use convert::{Ctx, Module, area_name, base_area, folder_version};
use pattern::{Problem, Problems, lines};
use yaml::AreaFile;

/// The overrides file's name in the spec folder; the spec reader leaves it out.
pub const OVERRIDES_FILE: &str = codegen::load::IMPORT_OVERRIDES;

/// The folder of the package's Python code inside an unpacked wheel.
const PACKAGE_DIR: &str = "alibabacloud_dingtalk";

/// What to import and where.
#[derive(Debug, Clone)]
pub struct Options {
    /// The unpacked wheel (holding `alibabacloud_dingtalk/`), or that folder itself.
    pub package: PathBuf,
    /// Where the files go (default `spec/imported`).
    pub out: PathBuf,
    /// The overrides file (default `spec/import-overrides.yaml`).
    pub overrides: PathBuf,
    /// The curated spec folder whose operations are not imported again (default `spec`).
    pub curated: PathBuf,
}

/// Why an import wrote nothing.
#[derive(Debug)]
pub enum ImportError {
    /// A file or folder could not be read or written.
    Io(String),
    /// The package or the overrides hold problems, each a located line.
    Problems(Vec<String>),
}

/// The import's files in memory (name → text) and its counts.
pub struct Rendered {
    pub files: Vec<(String, String)>,
    pub stats: Stats,
}

/// `path` as shown in messages: relative to the current folder when inside it.
fn shown(path: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    path.strip_prefix(&cwd)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn read_text(path: &Path) -> Result<String, ImportError> {
    fs::read_to_string(path).map_err(|e| ImportError::Io(format!("{}: {e}", shown(path))))
}

/// Reads the package and renders every file, writing nothing.
pub fn render(opts: &Options) -> Result<Rendered, ImportError> {
    let root = if opts.package.join(PACKAGE_DIR).is_dir() {
        opts.package.join(PACKAGE_DIR)
    } else {
        opts.package.clone()
    };
    let init = root.join("__init__.py");
    let version = pattern::one(read_text(&init)?.trim(), "__version__ = '$s'")
        .map(str::to_owned)
        .ok_or_else(|| {
            ImportError::Problems(vec![format!(
                "{}:1: error: no `__version__ = '...'` line",
                shown(&init)
            )])
        })?;
    let overrides_path = shown(&opts.overrides);
    let mut overrides = overrides::parse(&overrides_path, &read_text(&opts.overrides)?)
        .map_err(|d| ImportError::Problems(d.iter().map(ToString::to_string).collect()))?;
    let curated = curated::read(&opts.curated, &opts.overrides).map_err(ImportError::Io)?;
    let (modules, mut problems) = read_modules(&root)?;
    if !problems.is_empty() {
        // What the package states cannot be converted until every line of it is read: the
        // conversion's and the overrides' problems would only repeat these.
        problems.sort();
        return Err(ImportError::Problems(
            problems.iter().map(ToString::to_string).collect(),
        ));
    }
    let mut stats = Stats {
        package_version: version.clone(),
        modules: modules.len(),
        ..Stats::default()
    };
    let mut override_problems: Vec<Diagnostic> = Vec::new();
    let mut files = Vec::new();
    for m in &modules {
        let mut cp = Problems::new(&shown(&root.join(&m.folder).join("client.py")));
        let mut mp = Problems::new(&shown(&root.join(&m.folder).join("models.py")));
        let mut ctx = Ctx {
            overrides: &mut overrides,
            curated: &curated,
            stats: &mut stats,
            version: &version,
            override_problems: &mut override_problems,
        };
        let file = convert::convert(m, &mut ctx, &mut cp, &mut mp);
        problems.extend(cp.items.into_iter().chain(mp.items));
        if !file.ops.is_empty() {
            files.push(file);
        }
    }
    if problems.is_empty() {
        problems.extend(check_names(&root, &modules, &files, &curated));
    }
    override_problems.extend(overrides.unused());
    problems.sort();
    override_problems.sort();
    if !problems.is_empty() || !override_problems.is_empty() {
        let mut lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        lines.extend(override_problems.iter().map(ToString::to_string));
        return Err(ImportError::Problems(lines));
    }
    stats.files = files.len();
    let rendered = files
        .iter()
        .map(|f| (format!("{}.yaml", f.area), yaml::render(f)))
        .collect();
    Ok(Rendered {
        files: rendered,
        stats,
    })
}

/// Reads every area folder of the package, in name order.
fn read_modules(root: &Path) -> Result<(Vec<Module>, Vec<Problem>), ImportError> {
    let mut names: Vec<String> = fs::read_dir(root)
        .map_err(|e| ImportError::Io(format!("{}: {e}", shown(root))))?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "__pycache__")
        .collect();
    names.sort();
    let mut modules = Vec::new();
    let mut problems = Vec::new();
    for folder in names {
        let dir = root.join(&folder);
        let Some((folder_base, major, minor)) = folder_version(&folder) else {
            problems.push(Problem {
                file: shown(&dir),
                line: 0,
                message: "not an area folder `<area>_<major>_<minor>`".to_owned(),
            });
            continue;
        };
        let client_text = read_text(&dir.join("client.py"))?;
        let models_text = read_text(&dir.join("models.py"))?;
        let mut cp = Problems::new(&shown(&dir.join("client.py")));
        let mut mp = Problems::new(&shown(&dir.join("models.py")));
        let client = client::read(&lines(&client_text), &folder, &mut cp);
        let models = models::read(&lines(&models_text), &mut mp);
        if client.endpoint != "api.dingtalk.com" && cp.items.is_empty() {
            cp.at(
                0,
                format!("endpoint `{}`, expected api.dingtalk.com", client.endpoint),
            );
        }
        let base =
            base_area(&client, &folder_base, major, minor).unwrap_or_else(|(line, message)| {
                cp.at(line, message);
                folder_base.clone()
            });
        let area = area_name(&base, major, minor);
        problems.extend(cp.items.into_iter().chain(mp.items));
        modules.push(Module {
            folder,
            base,
            major,
            minor,
            area,
            client,
            models,
        });
    }
    if modules.is_empty() && problems.is_empty() {
        problems.push(Problem {
            file: shown(root),
            line: 0,
            message: "no area folder: is this the unpacked alibabacloud-dingtalk wheel?".to_owned(),
        });
    }
    Ok((modules, problems))
}

/// Type names must be valid, unique over the whole import, and meet no generated or curated
/// name.
fn check_names(
    root: &Path,
    modules: &[Module],
    files: &[AreaFile],
    curated: &curated::Curated,
) -> Vec<Problem> {
    let mut taken: BTreeMap<String, String> = BTreeMap::new();
    for f in files {
        taken.insert(
            client_type(&f.area),
            format!("the client of area {}", f.area),
        );
        for op in &f.ops {
            for suffix in ["Request", "Response"] {
                taken.insert(
                    operation_type(&op.id, suffix),
                    format!("the generated type of {}", op.id),
                );
            }
        }
    }
    for (name, file) in &curated.names {
        taken.insert(name.clone(), format!("a type of spec/{file}"));
    }
    let mut problems = Vec::new();
    for f in files {
        let Some(m) = modules.iter().find(|m| m.area == f.area) else {
            continue;
        };
        let file = shown(&root.join(&m.folder).join("models.py"));
        let lines: BTreeMap<String, usize> = m
            .models
            .iter()
            .map(|(c, model)| (types::type_name(&m.area, c), model.line))
            .collect();
        for t in &f.types {
            let line = lines.get(&t.name).copied().unwrap_or(0);
            let mut problem = |message: String| {
                problems.push(Problem {
                    file: file.clone(),
                    line,
                    message,
                })
            };
            if !is_upper_camel(&t.name) {
                problem(format!("type name `{}` is not UpperCamelCase", t.name));
            }
            if let Some(other) = taken.insert(t.name.clone(), format!("a type of {}", m.folder)) {
                problem(format!("type name `{}` is also {other}", t.name));
            }
        }
    }
    problems
}

/// Imports and writes.
pub fn run(opts: &Options) -> Result<(Written, Stats), ImportError> {
    let rendered = render(opts)?;
    let written = files::write(&opts.out, &rendered.files).map_err(ImportError::Io)?;
    Ok((written, rendered.stats))
}

/// The command's usage lines.
pub const USAGE: &str =
    "  import --package DIR [--out DIR] [--overrides FILE] [--curated DIR] [--stats]
                                 read the unpacked alibabacloud-dingtalk wheel into spec files
                                 (default: into spec/imported, with spec/import-overrides.yaml,
                                 skipping what spec/*.yaml holds; --stats: count every odd shape)";

/// `cargo xtask import ARGS`.
pub fn command(args: &[String], root: &Path) -> ExitCode {
    let mut opts = Options {
        package: PathBuf::new(),
        out: root.join("spec/imported"),
        overrides: root.join("spec").join(OVERRIDES_FILE),
        curated: root.join("spec"),
    };
    let mut with_stats = false;
    let mut package = false;
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let slot = match flag.as_str() {
            "--package" => {
                package = true;
                &mut opts.package
            }
            "--out" => &mut opts.out,
            "--overrides" => &mut opts.overrides,
            "--curated" => &mut opts.curated,
            "--stats" => {
                with_stats = true;
                continue;
            }
            other => return usage(&format!("unknown argument `{other}`")),
        };
        match rest.next() {
            Some(v) => *slot = PathBuf::from(v),
            None => return usage(&format!("`{flag}` needs a path")),
        }
    }
    if !package {
        return usage("`import` needs `--package DIR` (the unpacked alibabacloud-dingtalk wheel)");
    }
    let start = Instant::now();
    match run(&opts) {
        Ok((written, stats)) => {
            for f in &written.written {
                println!("wrote {f}");
            }
            for f in &written.removed {
                println!("removed {f}");
            }
            for line in &stats.skipped {
                println!("{line}");
            }
            for op in &stats.json_without_model_unlisted {
                println!(
                    "note: {op} declares a JSON response without a model and is not in the overrides' `responses`"
                );
            }
            if with_stats {
                print!("{stats}");
            }
            println!(
                "{} in {:.1}s",
                stats.summary(
                    &shown(&opts.out),
                    written.written.len(),
                    written.unchanged,
                    written.removed.len()
                ),
                start.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(ImportError::Io(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
        Err(ImportError::Problems(lines)) => {
            for l in &lines {
                eprintln!("{l}");
            }
            eprintln!("error: {} problem(s); nothing was written", lines.len());
            ExitCode::from(1)
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!(
        "error: {problem}\n\nusage: cargo xtask {}",
        USAGE.trim_start()
    );
    ExitCode::from(2)
}
