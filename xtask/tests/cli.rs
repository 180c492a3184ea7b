//! `cargo xtask gen` as a maintainer meets it: a broken spec reports every problem and writes
//! nothing; a new endpoint is a YAML-only change that a user can call at once.

mod common;

use std::fs;
use std::process::Command;

use common::{copy_spec, scratch, xtask};

const BROKEN_A: &str = "\
area: broken
title: 坏的
operations:
  - id: broken.op
    title: 测试
    doc: https://open.dingtalk.com/document/
    method: POST
    host: oapi
    path: /topapi/broken/op
    auth: query_token
    envelope: errcode
    colour: red
    params:
      - name: deptList
        in: body
        type: integer[]
        description: 部门
        limits: {min: 5, max: 2}
      - name: dept_list
        in: body
        type: string
        description: 部门
      - name: type
        in: body
        type: Strng
        description: 类型
";

const BROKEN_B: &str = "\
area: broken_b
title: 也坏
operations:
  - id: broken.op
    title: 重复
    doc: https://open.dingtalk.com/document/
    method: POST
    host: oapi
    path: /topapi/broken/op
    auth: query_token
    envelope: errcode
    params:
      - name: size
        in: body
        type: integer
        description: 大小
        limits: {min: 10, max: 1}
      - name: when
        in: body
        description: 没有类型
";

const SYNTAX: &str = "area: [unclosed\ntitle: x\n";

#[test]
fn broken_spec_reports_every_problem_and_writes_nothing() {
    let dir = scratch("broken");
    let spec = dir.join("spec");
    fs::create_dir_all(&spec).expect("mkdir");
    fs::write(spec.join("a.yaml"), BROKEN_A).expect("write");
    fs::write(spec.join("b.yaml"), BROKEN_B).expect("write");
    fs::write(spec.join("c.yaml"), SYNTAX).expect("write");
    let out = dir.join("out");
    let run = xtask(&["gen", "--spec", "spec", "--out", "out"], &dir);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "exit code; stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!out.exists(), "nothing may be written for a broken spec");
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains(": error: ")).collect();
    for l in &lines {
        let loc = l.split(": error: ").next().unwrap_or_default();
        let parts: Vec<&str> = loc.rsplitn(3, ':').collect();
        assert!(
            parts.len() == 3 && parts[0].parse::<u32>().is_ok() && parts[1].parse::<u32>().is_ok(),
            "not FILE:LINE:COLUMN: {l}"
        );
    }
    // a.yaml fails on its unknown key before anything else is read (serde stops at the first
    // shape error of a file); b.yaml reports a missing key; c.yaml a syntax error.
    let expect = [
        ("spec/a.yaml:12:5", "unknown field `colour`"),
        ("spec/b.yaml:", "missing field `type`"),
        ("spec/c.yaml:", ""),
    ];
    for (at, what) in expect {
        assert!(
            lines.iter().any(|l| l.starts_with(at) && l.contains(what)),
            "no `{at}` `{what}` in:\n{stderr}"
        );
    }
}

/// A spec folder with no spec file (empty, mistyped, or holding other files) would generate an
/// empty crate over the real one: an error that names the folder, exit 1, nothing written.
#[test]
fn a_spec_folder_without_spec_files_is_an_error_and_writes_nothing() {
    let dir = scratch("no-spec-files");
    fs::create_dir_all(dir.join("empty")).expect("mkdir");
    fs::create_dir_all(dir.join("notes")).expect("mkdir");
    fs::write(dir.join("notes/README.md"), "not a spec").expect("write");
    // An existing generated crate that must survive.
    copy_spec(&dir.join("spec"));
    let first = xtask(&["gen", "--spec", "spec", "--out", "out"], &dir);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let before = fs::read(dir.join("out/src/lib.rs")).expect("generated lib.rs");
    for folder in ["empty", "notes"] {
        let run = xtask(&["gen", "--spec", folder, "--out", "out"], &dir);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{folder}: {stderr}");
        assert!(
            stderr.contains(&format!("{folder} holds no spec file")),
            "{folder}: {stderr}"
        );
        assert!(stderr.contains("nothing was written"), "{stderr}");
    }
    let run = xtask(&["gen", "--spec", "missing", "--out", "out"], &dir);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("missing"),
        "the error names the folder: {stderr}"
    );
    assert_eq!(
        fs::read(dir.join("out/src/lib.rs")).expect("still there"),
        before
    );
    assert!(
        dir.join("out/src/report.rs").exists(),
        "no area module was removed"
    );
}

/// A generated module that is no longer made goes, and so do the folders it leaves empty.
#[test]
fn files_no_longer_made_are_removed_with_their_empty_folders() {
    let dir = scratch("stale-files");
    copy_spec(&dir.join("spec"));
    let first = xtask(&["gen", "--spec", "spec", "--out", "out"], &dir);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    // What an earlier generator made and this one no longer does.
    fs::create_dir_all(dir.join("out/src/old/deeper")).expect("mkdir");
    fs::write(dir.join("out/src/old/deeper/gone.rs"), "// stale").expect("write");
    let run = xtask(&["gen", "--spec", "spec", "--out", "out"], &dir);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        String::from_utf8_lossy(&run.stdout).contains("removed src/old/deeper/gone.rs"),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    assert!(
        !dir.join("out/src/old").exists(),
        "the emptied folders stay behind"
    );
    assert!(dir.join("out/src/lib.rs").exists());
}

#[test]
fn semantic_problems_are_all_reported_together() {
    let dir = scratch("semantic");
    let spec = dir.join("spec");
    fs::create_dir_all(&spec).expect("mkdir");
    fs::write(
        spec.join("a.yaml"),
        BROKEN_A.replace("    colour: red\n", ""),
    )
    .expect("write");
    fs::write(
        spec.join("b.yaml"),
        BROKEN_B.replace(
            "        description: 没有类型\n",
            "        type: string\n        description: 有类型\n",
        ),
    )
    .expect("write");
    let run = xtask(&["gen", "--spec", "spec", "--out", "out"], &dir);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(!dir.join("out").exists());
    for what in [
        "spec/a.yaml:17:17: error: `min`/`max` apply to numbers, but `deptList` is `integer[]`",
        "contradictory limit on `deptList`: min 5 is greater than max 2",
        "fields `deptList` and `dept_list` of operation `broken.op` both become the Rust name `dept_list`",
        "spec/a.yaml:24:15: error: field `type` of operation `broken.op`: unknown type `Strng`",
        "spec/b.yaml:4:9: error: duplicate operation id `broken.op` (first at spec/a.yaml:4:9)",
        "contradictory limit on `size`: min 10 is greater than max 1",
    ] {
        assert!(stderr.contains(what), "missing `{what}` in:\n{stderr}");
    }
}

const NEW_ENDPOINT: &str = r#"
area: user
title: 通讯录用户
operations:
  - id: v2.user.get
    title: 查询用户详情
    doc: https://open.dingtalk.com/document/orgapp/query-user-details
    method: POST
    host: oapi
    path: /topapi/v2/user/get
    auth: query_token
    envelope: errcode
    fn_name: get
    params:
      - name: userid
        in: body
        type: string
        required: true
        description: 用户的userId。
        example: manager01
      - name: language
        in: body
        type: string
        description: 通讯录语言，zh_CN或en_US。
        example: zh_CN
    response:
      - name: errcode
        type: integer
        description: 返回码。
        example: 0
      - name: result
        type: UserDetail
        description: 用户信息。
types:
  - name: UserDetail
    description: 用户信息。
    fields:
      - name: userid
        type: string
        description: 员工的userId。
        example: manager01
      - name: name
        type: string
        description: 员工名称。
        example: 张三
      - name: unionid
        type: string
        description: 员工在当前开发者企业账号范围内的唯一标识。
        example: "z21HjQliSzpw0YWCNxmii6u2Os62cZ62iSZ"
      - name: avatar
        type: string
        description: 头像。
        example: "https://xxx"
      - name: state_code
        type: string
        description: 国际电话区号。
        example: "86"
      - name: manager_userid
        type: string
        description: 员工的直属主管。
        example: "manager02"
      - name: mobile
        type: string
        description: 手机号码。
        example: "185xxxx1234"
      - name: hide_mobile
        type: boolean
        description: 是否号码隐藏。
        example: false
      - name: telephone
        type: string
        description: 分机号。
        example: "010-86123456-2345"
      - name: job_number
        type: string
        description: 员工工号。
        example: "4"
      - name: title
        type: string
        description: 职位。
        example: "技术总监"
      - name: email
        type: string
        description: 员工邮箱。
        example: "test@xxx.com"
      - name: work_place
        type: string
        description: 办公地点。
        example: "北京"
      - name: remark
        type: string
        description: 备注。
        example: "备注备注"
      - name: dept_id_list
        type: integer[]
        description: 所属部门ID列表。
        example: [2, 3, 4]
      - name: active
        type: boolean
        description: 是否激活了钉钉。
        example: true
      - name: admin
        type: boolean
        description: 是否为企业的管理员。
        example: true
      - name: boss
        type: boolean
        description: 是否为企业的老板。
        example: false
"#;

#[test]
fn a_new_endpoint_is_a_yaml_only_change() {
    let dir = scratch("new-endpoint");
    copy_spec(&dir.join("spec"));
    fs::write(dir.join("spec/user.yaml"), NEW_ENDPOINT).expect("write user.yaml");
    let run = xtask(&["gen", "--spec", "spec", "--out", "crate"], &dir);
    assert!(
        run.status.success(),
        "gen failed:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let user = fs::read_to_string(dir.join("crate/src/user.rs")).expect("user.rs generated");
    assert!(user.contains("pub struct V2UserGetRequest"), "{user}");
    // A user's program against the freshly generated crate.
    fs::create_dir_all(dir.join("app/src")).expect("mkdir app");
    fs::write(
        dir.join("app/Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[dependencies]\ndingtalk-openapi = { path = \"../crate\" }\nserde_json = \"1\"\n\n[workspace]\n",
    )
    .expect("write app manifest");
    fs::write(
        dir.join("app/src/main.rs"),
        r#"use dingtalk_openapi::user::V2UserGetRequest;

async fn call(client: &dingtalk_openapi::Client) -> Result<Option<String>, dingtalk_openapi::Error> {
    let response = client.user().get(V2UserGetRequest::new("manager01").language("zh_CN")).await?;
    // UserDetail has 18 fields: its Deserialize chains two slot tuples.
    let user: dingtalk_openapi::user::UserDetail = serde_json::from_str("{}").expect("empty user");
    assert!(user.boss.is_none());
    Ok(response.result.and_then(|user| user.name))
}

fn main() {
    let _ = call;
}
"#,
    )
    .expect("write app");
    fs::copy(
        xtask::workspace_root().join("Cargo.lock"),
        dir.join("app/Cargo.lock"),
    )
    .expect("copy lock");
    let target = xtask::workspace_root().join("target/new-endpoint");
    let check = Command::new(env!("CARGO"))
        .args(["check", "--offline", "--quiet"])
        .current_dir(dir.join("app"))
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("run cargo check");
    assert!(
        check.status.success(),
        "the call does not compile:\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
}
