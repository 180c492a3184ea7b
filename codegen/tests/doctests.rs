//! No spec text becomes a doctest: rustdoc compiles and runs the Rust code blocks of the
//! generated crate's docs (`cargo test --doc`), so a description holding a fence or an indented
//! block would run spec text as code. Every doc comment the generator writes, for the fixtures
//! (`tests/fixtures/ok/inert_docs` is full of such text) and for the real spec, is read the way
//! rustdoc reads it and searched for code blocks; the one allowed is the crate doc's own `no_run`
//! example in `src/lib.rs`.

use std::fs;
use std::path::{Path, PathBuf};

use codegen::{Input, SpecSource};
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `*.yaml` files of `dir`, sorted.
fn specs(dir: &Path) -> Vec<SpecSource> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .filter(|p| *p != dir.join(codegen::load::IMPORT_OVERRIDES))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let name = p
                .file_name()
                .expect("a file name")
                .to_string_lossy()
                .into_owned();
            SpecSource {
                path: format!("spec/{name}"),
                text: fs::read_to_string(&p).expect("spec text"),
                name,
            }
        })
        .collect()
}

/// The doc comments of a Rust file: each run of consecutive `#[doc]` (or `#![doc]`) attributes,
/// as rustdoc joins them, one line per attribute.
fn doc_blocks(source: &str) -> Vec<String> {
    let file = syn::parse_file(source).expect("generated code parses");
    let mut blocks = Vec::new();
    let mut current: Option<Vec<String>> = None;
    collect(file.into_token_stream(), &mut blocks, &mut current);
    blocks.extend(current.map(|lines| lines.join("\n")));
    blocks
}

fn collect(tokens: TokenStream, blocks: &mut Vec<String>, current: &mut Option<Vec<String>>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        // `#` `!`? `[doc = "..."]`
        if let TokenTree::Punct(p) = &tokens[i]
            && p.as_char() == '#'
        {
            let bang =
                matches!(&tokens.get(i + 1), Some(TokenTree::Punct(b)) if b.as_char() == '!');
            let at = i + 1 + usize::from(bang);
            if let Some(TokenTree::Group(g)) = tokens.get(at)
                && g.delimiter() == Delimiter::Bracket
                && let Ok(syn::Meta::NameValue(nv)) = syn::parse2::<syn::Meta>(g.stream())
                && nv.path.is_ident("doc")
                && let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &nv.value
            {
                current.get_or_insert_with(Vec::new).push(s.value());
                i = at + 1;
                continue;
            }
        }
        blocks.extend(current.take().map(|lines| lines.join("\n")));
        if let TokenTree::Group(g) = &tokens[i] {
            collect(g.stream(), blocks, current);
            blocks.extend(current.take().map(|lines| lines.join("\n")));
        }
        i += 1;
    }
}

/// The code blocks rustdoc finds in one doc comment, as (info string, first line): fenced blocks
/// and indented ones (info `<indented>`), after removing the lines' common indentation.
fn code_blocks(doc: &str) -> Vec<(String, String)> {
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let common = doc
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(indent)
        .min()
        .unwrap_or(0);
    let mut found = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    let mut after_blank = true;
    let lines: Vec<&str> = doc.lines().map(|l| l.get(common..).unwrap_or("")).collect();
    for (n, line) in lines.iter().enumerate() {
        let body = line.trim_start_matches(' ');
        let run = |c: char| body.chars().take_while(|&d| d == c).count();
        if let Some((c, len)) = fence {
            if indent(line) <= 3 && run(c) >= len && body[run(c)..].trim().is_empty() {
                fence = None;
            }
            continue;
        }
        let opening = ['`', '~']
            .into_iter()
            .find(|&c| indent(line) <= 3 && run(c) >= 3)
            .filter(|&c| c == '~' || !body[run(c)..].contains('`'));
        if let Some(c) = opening {
            fence = Some((c, run(c)));
            let next = lines.get(n + 1).copied().unwrap_or_default();
            found.push((body[run(c)..].trim().to_owned(), next.to_owned()));
        } else if after_blank && indent(line) >= 4 && !body.is_empty() {
            found.push(("<indented>".to_owned(), body.to_owned()));
        }
        after_blank = body.is_empty();
    }
    found
}

/// The code blocks of every generated Rust file that rustdoc would compile, as messages.
fn runnable_blocks(case: &str, input: &Input) -> Vec<String> {
    let output = codegen::generate(input).unwrap_or_else(|d| panic!("{case}: {d:?}"));
    let mut problems = Vec::new();
    for (path, bytes) in output.iter().filter(|(p, _)| p.ends_with(".rs")) {
        let text = String::from_utf8_lossy(bytes);
        for doc in doc_blocks(&text) {
            for (info, first) in code_blocks(&doc) {
                let inert = info.split([',', ' ']).next() == Some("text");
                let crate_example = path == "src/lib.rs" && info == "no_run";
                if !inert && !crate_example {
                    problems.push(format!(
                        "{case}: {path}: a code block `{info}` that rustdoc would run, starting `{first}`"
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn no_spec_text_becomes_a_doctest() {
    let mut problems = Vec::new();
    let ok = manifest_dir().join("tests/fixtures/ok");
    let mut cases: Vec<PathBuf> = fs::read_dir(&ok)
        .expect("the ok fixtures")
        .map(|e| e.expect("entry").path())
        .collect();
    cases.sort();
    for case in cases {
        let name = case
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        problems.extend(runnable_blocks(
            &name,
            &Input::new(specs(&case.join("spec"))),
        ));
    }
    let root = manifest_dir().parent().expect("the workspace").join("spec");
    problems.extend(runnable_blocks("spec/", &Input::new(specs(&root))));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The scanner finds what rustdoc would run, so the test above can fail.
#[test]
fn the_scanner_sees_fenced_and_indented_blocks() {
    let doc =
        "text\n\n```\nrun()\n```\n\n    indented()\n\n```text\nnot()\n```\n~~~rust\nrun()\n~~~";
    let infos: Vec<String> = code_blocks(doc).into_iter().map(|(i, _)| i).collect();
    assert_eq!(infos, ["", "<indented>", "text", "rust"]);
    let blocks = doc_blocks("/// one\n/// ```\n/// two\n/// ```\nfn f() {}\n/// other\nstruct S;");
    assert_eq!(blocks, [" one\n ```\n two\n ```", " other"]);
}
