//! `cargo xtask import` over hand-written fake packages in the shape of `alibabacloud-dingtalk`.
//!
//! - `tests/fixtures/import/<case>/package/` is a small fake unpacked wheel, `overrides.yaml`
//!   its overrides, `curated/` (optional) the curated spec files whose operations are skipped;
//!   the rendered files must equal `expected/*.yaml` byte for byte. After an intended change of
//!   the importer, `UPDATE_SNAPSHOTS=1 cargo test -p xtask --test import` rewrites them; read
//!   the diff before committing it.
//! - The other tests break a copy of the `basic` case (an unknown line, broken overrides) or
//!   check one rule of the imported files each.

mod common;

mod import {
    use std::fs;
    use std::path::{Path, PathBuf};

    use xtask::import::{ImportError, Options, render, run};

    use super::common::{scratch, xtask};

    fn fixtures() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import")
    }

    fn updating() -> bool {
        std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| !v.is_empty() && v != "0")
    }

    /// The options of a case folder, output into `out`.
    fn options(case: &Path, out: &Path) -> Options {
        Options {
            package: case.join("package"),
            out: out.to_path_buf(),
            overrides: case.join("overrides.yaml"),
            curated: case.join("curated"),
        }
    }

    /// The `basic` case copied into a scratch folder `name`, to be broken.
    fn copy_of_basic(name: &str) -> PathBuf {
        let to = scratch(name);
        copy_dir(&fixtures().join("basic"), &to);
        to
    }

    fn copy_dir(from: &Path, to: &Path) {
        fs::create_dir_all(to).expect("mkdir");
        for entry in fs::read_dir(from).expect("read fixture") {
            let path = entry.expect("entry").path();
            let target = to.join(path.file_name().expect("name"));
            if path.is_dir() {
                copy_dir(&path, &target);
            } else {
                fs::copy(&path, &target).expect("copy");
            }
        }
    }

    /// The problem lines of a failed import, with `base` (and its `/`) removed from them.
    fn problems(result: Result<xtask::import::Rendered, ImportError>, base: &Path) -> Vec<String> {
        let prefix = format!("{}/", base.display());
        match result {
            Err(ImportError::Problems(lines)) => {
                lines.iter().map(|l| l.replace(&prefix, "")).collect()
            }
            Err(ImportError::Io(e)) => panic!("an I/O error, not problems: {e}"),
            Ok(_) => panic!("the import succeeded"),
        }
    }

    /// The 1-based number of the line of `file` that holds `text`.
    fn line_of(file: &Path, text: &str) -> usize {
        let body = fs::read_to_string(file).expect("read");
        body.lines()
            .position(|l| l.contains(text))
            .expect("the line is there")
            + 1
    }

    fn replace_in(file: &Path, from: &str, to: &str) {
        let body = fs::read_to_string(file).expect("read");
        assert!(body.contains(from), "{} lacks `{from}`", file.display());
        fs::write(file, body.replacen(from, to, 1)).expect("write");
    }

    fn rendered_file(files: &[(String, String)], name: &str) -> String {
        files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| panic!("no {name}"))
    }

    #[test]
    fn fixture_packages_render_their_snapshots() {
        let mut cases: Vec<PathBuf> = fs::read_dir(fixtures())
            .expect("fixtures")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.is_dir())
            .collect();
        cases.sort();
        assert!(!cases.is_empty());
        for case in cases {
            let rendered = render(&options(&case, &case.join("unused")))
                .unwrap_or_else(|e| panic!("{}: {e:?}", case.display()));
            let expected_dir = case.join("expected");
            if updating() {
                let _ = fs::remove_dir_all(&expected_dir);
                fs::create_dir_all(&expected_dir).expect("mkdir expected");
                for (name, text) in &rendered.files {
                    fs::write(expected_dir.join(name), text).expect("write snapshot");
                }
                continue;
            }
            let mut expected: Vec<String> = fs::read_dir(&expected_dir)
                .expect("expected/")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect();
            expected.sort();
            let names: Vec<String> = rendered.files.iter().map(|(n, _)| n.clone()).collect();
            assert_eq!(names, expected, "{}: the files differ", case.display());
            for (name, text) in &rendered.files {
                let want = fs::read_to_string(expected_dir.join(name)).expect("snapshot");
                assert!(
                    *text == want,
                    "{}: {name} differs from its snapshot (UPDATE_SNAPSHOTS=1 rewrites it):\n{text}",
                    case.display()
                );
            }
        }
    }

    #[test]
    fn a_rerun_is_a_no_op_and_stale_files_go() {
        let dir = scratch("import-rerun");
        let out = dir.join("imported");
        let case = fixtures().join("basic");
        let (first, stats) = run(&options(&case, &out)).expect("first import");
        assert_eq!(first.written, ["demo.yaml", "demo_v2.yaml", "shop_ec.yaml"]);
        assert_eq!(stats.files, 3);
        let before: Vec<(PathBuf, std::time::SystemTime)> =
            ["demo.yaml", "demo_v2.yaml", "shop_ec.yaml"]
                .iter()
                .map(|n| {
                    (
                        out.join(n),
                        fs::metadata(out.join(n))
                            .and_then(|m| m.modified())
                            .expect("mtime"),
                    )
                })
                .collect();
        // A file the importer wrote before and no longer makes goes; any other file stays.
        fs::write(
            out.join("gone.yaml"),
            "# Generated by `cargo xtask import` from an older package.\n",
        )
        .expect("write");
        fs::write(out.join("notes.yaml"), "# mine\n").expect("write");
        let (second, _) = run(&options(&case, &out)).expect("second import");
        assert!(second.written.is_empty(), "{:?}", second.written);
        assert_eq!(second.unchanged, 3);
        assert_eq!(second.removed, ["gone.yaml"]);
        assert!(out.join("notes.yaml").exists());
        for (path, mtime) in before {
            assert_eq!(
                fs::metadata(&path)
                    .and_then(|m| m.modified())
                    .expect("mtime"),
                mtime,
                "{} was rewritten",
                path.display()
            );
        }
        // A hand-written file where the importer would write is never replaced.
        fs::write(out.join("demo.yaml"), "area: demo\n").expect("write");
        match run(&options(&case, &out)) {
            Err(ImportError::Io(e)) => {
                assert!(e.contains("demo.yaml") && e.contains("refusing"), "{e}")
            }
            other => panic!("expected a refusal, got {:?}", other.map(|(w, _)| w)),
        }
        assert_eq!(
            fs::read_to_string(out.join("demo.yaml")).expect("read"),
            "area: demo\n"
        );
    }

    #[test]
    fn an_unknown_line_is_a_located_error_and_every_one_is_reported() {
        let case = copy_of_basic("import-unknown-line");
        let root = case.join("package/alibabacloud_dingtalk");
        let client = root.join("demo_1_0/client.py");
        let models = root.join("demo_2_0/models.py");
        replace_in(
            &client,
            "            query['language'] = request.language",
            "            query['language'] = str(request.language)",
        );
        replace_in(
            &models,
            "            result['nextToken'] = self.next_token",
            "            result['nextToken'] = self.next_token or ''",
        );
        let c = line_of(&client, "str(request.language)");
        let m = line_of(&models, "self.next_token or ''");
        let got = problems(render(&options(&case, &case.join("out"))), &case);
        assert_eq!(
            got,
            [
                format!(
                    "package/alibabacloud_dingtalk/demo_1_0/client.py:{c}: error: unknown line in a request field \
                     statement (indent 12): `query['language'] = str(request.language)`"
                ),
                format!(
                    "package/alibabacloud_dingtalk/demo_2_0/models.py:{m}: error: unknown line in to_map \
                     (indent 12): `result['nextToken'] = self.next_token or ''`"
                ),
            ]
        );
        assert!(!case.join("out").exists(), "nothing is written");
    }

    #[test]
    fn the_async_twin_must_state_the_same_facts() {
        let case = copy_of_basic("import-async-twin");
        let client = case.join("package/alibabacloud_dingtalk/demo_2_0/client.py");
        let body = fs::read_to_string(&client).expect("read");
        let path = "pathname=f'/v2.0/demo/recents',";
        let second = body.rfind(path).expect("the async twin");
        assert_ne!(
            body.find(path),
            Some(second),
            "both variants state the path"
        );
        let changed = format!(
            "{}pathname=f'/v2.0/demo/recent',{}",
            &body[..second],
            &body[second + path.len()..]
        );
        fs::write(&client, changed).expect("write");
        let sync = line_of(&client, "    def list_recents_with_options(");
        let twin = line_of(&client, "    async def list_recents_with_options_async(");
        let got = problems(render(&options(&case, &case.join("out"))), &case);
        assert_eq!(
            got,
            [format!(
                "package/alibabacloud_dingtalk/demo_2_0/client.py:{twin}: error: the async variant of `ListRecents` \
                 states other facts than the sync one (line {sync})"
            )]
        );
    }

    #[test]
    fn broken_overrides_are_located_errors() {
        let case = copy_of_basic("import-overrides");
        let overrides = case.join("overrides.yaml");
        fs::write(
            &overrides,
            "\
skip:
  - {method: POST, path: /v1.0/demo/nothing, reason: no such operation}
responses:
  - {op: demo.ImportUsers, returns: maybe}
  - {op: demo.GetUser, returns: json}
dropped_path_args:
  - {op: demo.getStats, arg: user_id}
  - {op: demo.GetUser, arg: user_id}
titles:
  demo: 演示
  nowhere: 无
required:
  - {op: demo.UpdateUser, param: name}
  - {type: DemoNode, field: colour}
",
        )
        .expect("write overrides");
        let got = problems(render(&options(&case, &case.join("out"))), &case);
        assert_eq!(
            got,
            ["overrides.yaml:4:37: error: `returns: maybe`: expected `json` or `none`"]
        );
        // With that fixed, every other broken entry is reported at once.
        replace_in(&overrides, "returns: maybe", "returns: json");
        let got = problems(render(&options(&case, &case.join("out"))), &case);
        assert_eq!(
            got,
            [
                "overrides.yaml:2:14: error: no imported operation is POST /v1.0/demo/nothing: remove this skip",
                "overrides.yaml:5:10: error: demo.GetUser has a response model in the package: remove this entry",
                "overrides.yaml:8:10: error: `user_id` is in the path of demo.GetUser: it is not dropped",
                "overrides.yaml:11:3: error: the package has no area `nowhere`",
                "overrides.yaml:13:10: error: `name` of demo.UpdateUser is already required: remove this entry",
                "overrides.yaml:14:12: error: no imported type `DemoNode` has a field `colour`",
            ]
        );
        // An unknown key is refused where it stands.
        fs::write(&overrides, "skip: []\ncolour: red\n").expect("write");
        let got = problems(render(&options(&case, &case.join("out"))), &case);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].starts_with("overrides.yaml:2:1: error: unknown field `colour`"),
            "{got:?}"
        );
    }

    #[test]
    fn path_parameters_take_lower_camel_wire_names() {
        let files = render(&options(&fixtures().join("basic"), Path::new("unused")))
            .expect("render")
            .files;
        let demo = rendered_file(&files, "demo.yaml");
        assert!(
            demo.contains("    path: /v1.0/demo/users/{userId}/profiles/{profileId}\n"),
            "{demo}"
        );
        assert!(demo.contains("      - {name: userId, in: path, type: string, required: true}\n      - {name: profileId, in: path"));
        // The stray trailing space of a path is trimmed; a dropped argument is not a parameter.
        assert!(demo.contains("    path: /v1.0/demo/things/{thingId}\n"));
        assert!(!demo.contains("{name: userId, in: path, type: string, required: true}\n    response:\n      - {name: day"));
    }

    #[test]
    fn a_bare_array_body_is_one_whole_body_parameter_named_body() {
        let files = render(&options(&fixtures().join("basic"), Path::new("unused")))
            .expect("render")
            .files;
        let demo = rendered_file(&files, "demo.yaml");
        assert!(demo.contains(
            "      - {name: body, in: whole_body, type: \"DemoImportUsersRequestBody[]\", required: true}\n"
        ));
        assert!(demo.contains("      - {name: body, in: whole_body, type: \"string[]\"}\n"));
    }

    #[test]
    fn a_2_0_folder_is_an_area_of_its_own() {
        let files = render(&options(&fixtures().join("basic"), Path::new("unused")))
            .expect("render")
            .files;
        let v2 = rendered_file(&files, "demo_v2.yaml");
        assert!(v2.contains("\narea: demo_v2\n"));
        assert!(v2.contains("  - id: demo_v2.ListRecents\n"));
        assert!(v2.contains("  - name: DemoV2ListRecentsResponseItems\n"));
        // A version area the folder spells otherwise (`shopEC` in `shop_e_c_1_0`).
        assert!(rendered_file(&files, "shop_ec.yaml").contains("  - id: shop_ec.GetShop\n"));
    }

    #[test]
    fn a_curated_operation_is_skipped_even_when_not_listed() {
        let case = copy_of_basic("import-curated");
        replace_in(
            &case.join("overrides.yaml"),
            "  - {method: POST, path: /v1.0/demo/token, reason: curated as demo.token in auth.yaml}\n",
            "",
        );
        let rendered = render(&options(&case, &case.join("out"))).expect("render");
        assert_eq!(
            rendered.stats.skipped,
            [
                "skipped demo.GetToken (POST /v1.0/demo/token): curated as demo.token in auth.yaml \
              (not listed in the overrides' skip)"
            ]
        );
        assert!(!rendered_file(&rendered.files, "demo.yaml").contains("GetToken"));
        // Without the curated file the operation is imported.
        fs::remove_dir_all(case.join("curated")).expect("rm curated");
        let rendered = render(&options(&case, &case.join("out"))).expect("render");
        assert!(rendered.stats.skipped.is_empty());
        assert!(rendered_file(&rendered.files, "demo.yaml").contains("  - id: demo.GetToken\n"));
    }

    #[test]
    fn imported_files_read_back_as_the_same_values() {
        let files = render(&options(&fixtures().join("basic"), Path::new("unused")))
            .expect("render")
            .files;
        for (name, text) in &files {
            let value: serde_json::Value =
                serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let ops = value["operations"].as_array().expect("operations");
            assert!(!ops.is_empty(), "{name}");
            if name == "demo.yaml" {
                let update = ops
                    .iter()
                    .find(|o| o["action"] == "UpdateUser")
                    .expect("UpdateUser");
                assert_eq!(update["title"], "更新用户: 名称与生日");
                assert_eq!(value["source"]["version"], "9.9.9");
            }
        }
    }

    /// The `pagination` line of one operation of a rendered file, if it has one.
    fn pagination_of(file: &str, id: &str) -> Option<String> {
        let start = file
            .find(&format!("  - id: {id}\n"))
            .expect("the operation");
        let rest = &file[start + 1..];
        let end = rest.find("\n  - id: ").unwrap_or(rest.len());
        rest[..end]
            .lines()
            .find(|l| l.starts_with("    pagination: "))
            .map(str::to_owned)
    }

    /// `ListFiles` pages (text `nextToken`, `maxResults`, `hasMore`, one list); `ListLogs` has
    /// two lists and stays unpaged until the overrides name its items; `ListRecents` takes no
    /// `nextToken`. Every broken `pagination` entry is a located error.
    #[test]
    fn next_token_lists_page_by_the_rule_and_the_overrides() {
        let rendered =
            render(&options(&fixtures().join("basic"), Path::new("unused"))).expect("render");
        let v2 = rendered_file(&rendered.files, "demo_v2.yaml");
        assert_eq!(
            pagination_of(&v2, "demo_v2.ListFiles").as_deref(),
            Some(
                "    pagination: {style: next_token, cursor: nextToken, size: maxResults, next: nextToken, has_more: hasMore, items: files}"
            )
        );
        assert_eq!(pagination_of(&v2, "demo_v2.ListLogs"), None);
        assert_eq!(pagination_of(&v2, "demo_v2.ListRecents"), None);
        let stats = &rendered.stats;
        assert_eq!((stats.paged, stats.paged_text), (1, 1));
        assert_eq!(
            stats.unpaged.iter().collect::<Vec<_>>(),
            [(&"several lists in the answer", &1)]
        );
        assert!(
            stats
                .to_string()
                .contains("paged (next_token) / of which string tokens    1 / 1")
        );

        let case = copy_of_basic("import-paging");
        let overrides = case.join("overrides.yaml");
        let base = fs::read_to_string(&overrides).expect("read");
        let with = |entries: &str| {
            fs::write(&overrides, format!("{base}pagination:\n{entries}")).expect("write");
            render(&options(&case, &case.join("out")))
        };
        let named = with(
            "  - {op: demo_v2.ListLogs, items: logs}\n  - {op: demo_v2.ListFiles, paged: false}\n",
        )
        .expect("render");
        let v2 = rendered_file(&named.files, "demo_v2.yaml");
        assert!(
            pagination_of(&v2, "demo_v2.ListLogs").is_some_and(|l| l.ends_with("items: logs}")),
            "{v2}"
        );
        assert_eq!(pagination_of(&v2, "demo_v2.ListFiles"), None);
        assert_eq!((named.stats.paged, named.stats.paged_text), (1, 0));
        assert_eq!(
            named.stats.unpaged.get("kept unpaged by the overrides"),
            Some(&1)
        );
        let line = base.lines().count() + 2;
        let got = problems(
            with(
                "  - {op: demo_v2.ListLogs, items: nothing}
  - {op: demo_v2.ListFiles, items: files}
  - {op: demo_v2.ListRecents, paged: false}
  - {op: demo.GetUser, items: roles}
  - {op: demo_v2.Gone, paged: false}
",
            ),
            &case,
        );
        assert_eq!(
            got,
            [
                format!(
                    "overrides.yaml:{}:10: error: the answer of `demo_v2.ListLogs` has no list `nothing` (its lists: logs, warnings)",
                    line
                ),
                format!(
                    "overrides.yaml:{}:10: error: the answer of `demo_v2.ListFiles` has one list: the rule pages it by that; remove this entry",
                    line + 1
                ),
                format!(
                    "overrides.yaml:{}:10: error: `demo_v2.ListRecents` does not page by the rule anyway: remove this entry",
                    line + 2
                ),
                format!(
                    "overrides.yaml:{}:10: error: `demo.GetUser` takes no `nextToken`: there is no list to choose",
                    line + 3
                ),
                format!(
                    "overrides.yaml:{}:10: error: `demo_v2.Gone` is not an imported operation (or was skipped)",
                    line + 4
                ),
            ]
        );
    }

    /// With `DINGTALK_SDK_PACKAGE` set to an unpacked wheel, the real package imports (with the
    /// repository's overrides and curated spec) and every file reads back as YAML. Skipped
    /// without it: the package is not part of the repository.
    #[test]
    fn the_real_package_when_given() {
        let Some(package) = std::env::var_os("DINGTALK_SDK_PACKAGE") else {
            return;
        };
        let root = xtask::workspace_root();
        let opts = Options {
            package: PathBuf::from(package),
            out: root.join("spec/imported"),
            overrides: root.join("spec").join(xtask::import::OVERRIDES_FILE),
            curated: root.join("spec"),
        };
        let rendered = render(&opts).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(rendered.stats.json_without_model_unlisted.is_empty());
        for (name, text) in &rendered.files {
            let value: serde_json::Value =
                serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                value["operations"]
                    .as_array()
                    .is_some_and(|o| !o.is_empty()),
                "{name}"
            );
        }
    }

    #[test]
    fn the_command_prints_a_summary_and_needs_a_package() {
        let dir = scratch("import-cli");
        let case = fixtures().join("basic");
        let arg = |p: PathBuf| p.to_string_lossy().into_owned();
        let args = [
            "import".to_owned(),
            "--package".to_owned(),
            arg(case.join("package")),
            "--out".to_owned(),
            arg(dir.join("out")),
            "--overrides".to_owned(),
            arg(case.join("overrides.yaml")),
            "--curated".to_owned(),
            arg(case.join("curated")),
        ];
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = xtask(&args, &dir);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains(
                "imported alibabacloud-dingtalk 9.9.9 into out: 3 files (3 written, 0 unchanged, 0 removed), \
                 12 operations (1 skipped as curated or listed), 12 types, 1 path(s) trimmed in "
            ),
            "{stdout}"
        );
        let out = xtask(&["import", "--out", "x"], &dir);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("needs `--package DIR`"));
    }
}
