//! Synthetic specs for `cargo xtask bench`: YAML text shaped like the real areas, built in memory.
//!
//! A spec of `n` operations is split into areas of [`AREA_SIZE`] operations (the last one takes
//! the rest), like the real areas. Each area holds resources of five operations each, one of
//! every kind the real spec has:
//!
//! - `create`: POST on the oapi host with a required wrapper object (`create_request`) that nests
//!   a receiver object, an integer enum, lists and string limits (like `blackboard.create`);
//! - `update`: POST with flat body parameters: a `csv<enum>`, `int32` min/max, `max_len`, epoch ms;
//! - `get`: POST whose `result` is a named detail object with enums, datetimes and nested lists;
//! - `search`: GET on the api host with `header_token` auth, a bare envelope, query parameters with
//!   a default, a string enum and limits (like `hrm.employees.dismissions`);
//! - a paginated list, every fifth operation: `page_number` through a wrapper object with a
//!   datetime window (like `blackboard.listids`), or flat `cursor_has_more` with an epoch-ms window
//!   and `when_many` (like `report.list`), alternating by resource.
//!
//! The text is deterministic, so a child process can rebuild the same spec from its size.

/// Operations per synthetic area, about the size of a real area.
pub const AREA_SIZE: usize = 25;

/// Operations per resource: create, update, get, search, list.
const KINDS: usize = 5;

/// Resource nouns: wire name and Chinese name.
const NOUNS: &[(&str, &str)] = &[
    ("notice", "公告"),
    ("task", "任务"),
    ("record", "记录"),
    ("member", "成员"),
    ("group", "群组"),
    ("form", "表单"),
    ("topic", "话题"),
    ("event", "日程"),
];

/// The spec files of a synthetic spec with `operations` operations: (file name, YAML text).
pub fn spec(operations: usize) -> Vec<(String, String)> {
    (0..operations.div_ceil(AREA_SIZE))
        .map(|a| {
            let ops = AREA_SIZE.min(operations - a * AREA_SIZE);
            let name = format!("synth{a:03}");
            (format!("{name}.yaml"), area(&name, a, ops))
        })
        .collect()
}

/// One area's YAML text with `ops` operations.
fn area(name: &str, index: usize, ops: usize) -> String {
    let area_prefix = upper_camel(name);
    let mut operations = String::new();
    let mut types = String::new();
    let (mut level, mut status, mut kind) = (false, false, false);
    for i in 0..ops {
        let j = i / KINDS;
        let (noun, noun_cn) = NOUNS[j % NOUNS.len()];
        let res = if j < NOUNS.len() {
            noun.to_owned()
        } else {
            format!("{noun}{}", j / NOUNS.len())
        };
        let prefix = format!("{area_prefix}{}", upper_camel(&res));
        let (op, ty) = match i % KINDS {
            0 => {
                level = true;
                (OP_CREATE, TYPES_CREATE)
            }
            1 => {
                status = true;
                (OP_UPDATE, "")
            }
            2 => {
                (status, kind) = (true, true);
                (OP_GET, TYPES_GET)
            }
            3 => {
                kind = true;
                (OP_SEARCH, TYPES_SEARCH)
            }
            _ if j.is_multiple_of(2) => (OP_LIST_PAGES, TYPES_LIST_PAGES),
            _ => {
                status = true;
                (OP_LIST_CURSOR, TYPES_LIST_CURSOR)
            }
        };
        let fill = |t: &str| {
            t.replace("{A}", name)
                .replace("{E}", &area_prefix)
                .replace("{P}", &prefix)
                .replace("{r}", &res)
                .replace("{n}", noun_cn)
        };
        operations.push_str(&fill(op));
        types.push_str(&fill(ty));
    }
    let mut enums = String::new();
    for (used, text) in [
        (level, ENUM_LEVEL),
        (status, ENUM_STATUS),
        (kind, ENUM_KIND),
    ] {
        if used {
            enums.push_str(&text.replace("{E}", &area_prefix));
        }
    }
    let mut out = format!(
        "area: {name}\ntitle: 合成区域{index}\ndescription: 基准测试用的合成区域,结构仿照真实区域:创建、更新、详情、搜索与分页列表。\n\noperations:\n{operations}"
    );
    if !types.is_empty() {
        out.push_str("\ntypes:\n");
        out.push_str(&types);
    }
    if !enums.is_empty() {
        out.push_str("\nenums:\n");
        out.push_str(&enums);
    }
    out
}

/// `synth003` → `Synth003`, `notice` → `Notice`.
fn upper_camel(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// The envelope rows of an errcode response, shared by the oapi operations.
macro_rules! errcode_rows {
    () => {
        r#"      - name: errcode
        type: integer
        description: 返回码。
        example: 0
      - name: errmsg
        type: string
        description: 返回码描述。
        example: "ok"
      - name: request_id
        type: string
        description: 请求ID。
        example: "roz884n3k7rf"
"#
    };
}

const OP_CREATE: &str = concat!(
    r#"  # 创建{n}
  - id: {A}.{r}.create
    title: 创建{n}
    description: 创建一条{n},返回新{n}的ID。
    doc: https://open.dingtalk.com/document/orgapp/{A}-create-a-{r}
    method: POST
    host: oapi
    path: /topapi/{A}/{r}/create
    auth: query_token
    envelope: errcode
    effect: create
    # Credential: the `access_token` query row is supplied by `auth: query_token` and is not listed.
    params:
      - name: create_request
        in: body
        type: {P}CreateVo
        required: true
        description: 创建{n}的请求对象。
    response:
      - name: result
        type: string
        description: 新建{n}的ID。
        example: "098uyg65ffytr43"
      - name: success
        type: boolean
        description: 本次调用是否成功。
        example: true
"#,
    errcode_rows!(),
    "\n"
);

const TYPES_CREATE: &str = r#"  - name: {P}CreateVo
    doc_name: OapiCreate{P}Vo
    description: 创建{n}的请求对象。
    fields:
      - name: operation_userid
        type: string
        required: true
        description: 操作人的userId,必须是{n}管理员。
        example: "manager01"
        limits:
          max_len: 64
      - name: title
        type: string
        required: true
        description: {n}标题,最多128个字符。
        example: "入职须知"
        limits:
          max_len: 128
      - name: content
        type: string
        required: true
        description: {n}内容。
        example: "欢迎加入我们的大家庭"
        limits:
          max_len: 5000
      - name: private_level
        type: {E}Level
        description: 保密等级。
        example: 0
      - name: ding
        type: boolean
        description: 是否发送应用内钉提醒。
        example: false
      - name: receiver
        type: {P}Receiver
        required: true
        description: {n}接收人。
      - name: tags
        type: string[]
        description: 标签列表,最多20个。
        example: ["重要"]
        limits:
          max_items: 20
  - name: {P}Receiver
    doc_name: {P}ReceiverOpenVo
    description: {n}接收人。
    fields:
      - name: deptid_list
        type: integer[]
        description: 接收部门ID列表,最大的列表长度为20。
        example: [1]
        limits:
          max_items: 20
      - name: userid_list
        type: string[]
        description: 接收人userId列表,最大的列表长度为1000。
        example: ["manager02"]
        limits:
          max_items: 1000
"#;

const OP_UPDATE: &str = concat!(
    r#"  # 更新{n}
  - id: {A}.{r}.update
    title: 更新{n}
    doc: https://open.dingtalk.com/document/orgapp/{A}-update-a-{r}
    method: POST
    host: oapi
    path: /topapi/{A}/{r}/update
    auth: query_token
    envelope: errcode
    effect: update
    params:
      - name: {r}_id
        in: body
        type: string
        required: true
        description: {n}ID,可以通过获取{n}ID列表接口获取。
        example: "908uhyg76tfr543e"
      - name: operation_userid
        in: body
        type: string
        required: true
        description: 操作人userId。
        example: "manager01"
      - name: title
        in: body
        type: string
        description: {n}标题。
        example: "入职须知"
        limits:
          max_len: 128
      - name: status_list
        in: body
        # table: String; one comma-joined string of status values
        type: csv<{E}Status>
        description: 状态列表,多个状态之间使用英文逗号分隔。
        example: "0,1"
        limits:
          max_items: 20
      - name: priority
        in: body
        type: int32
        description: 优先级,取值0到10。
        example: 5
        limits:
          min: 0
          max: 10
      - name: deadline
        in: body
        type: epoch_ms
        description: 截止时间,Unix时间戳,单位毫秒。
        example: 1507564800000
    response:
      - name: result
        type: boolean
        description: 是否更新成功。
        example: true
      - name: success
        type: boolean
        description: 本次调用是否成功。
        example: true
"#,
    errcode_rows!(),
    "\n"
);

const OP_GET: &str = concat!(
    r#"  # 获取{n}详情
  - id: {A}.{r}.get
    title: 获取{n}详情
    doc: https://open.dingtalk.com/document/orgapp/{A}-obtain-the-details-of-a-{r}
    method: POST
    host: oapi
    path: /topapi/{A}/{r}/get
    auth: query_token
    envelope: errcode
    effect: read
    params:
      - name: {r}_id
        in: body
        type: string
        required: true
        description: {n}ID。
        example: "9uiuihhgui989huh"
      - name: operation_userid
        in: body
        type: string
        required: true
        description: 操作人userId。
        example: "manager01"
    response:
      - name: result
        type: {P}Detail
        description: {n}详情。
"#,
    errcode_rows!(),
    "\n"
);

const TYPES_GET: &str = r#"  - name: {P}Detail
    doc_name: Oapi{P}Vo
    description: {n}详情。
    fields:
      - name: id
        type: string
        description: {n}ID。
        example: "9uiuihhgui989huh"
      - name: title
        type: string
        description: {n}标题。
        example: "入职须知"
      - name: content
        type: string
        description: {n}内容。
        example: "欢迎加入我们的大家庭"
      - name: status
        type: {E}Status
        description: 状态。
        example: 1
      - name: kind
        type: {E}Kind
        description: 类型。
        example: "normal"
      - name: gmt_create
        type: datetime
        description: 创建时间。
        example: "2019-10-22 14:43:07"
      - name: gmt_modified
        type: datetime
        description: 最后修改时间。
        example: "2019-11-22 10:43:07"
      - name: read_count
        type: integer
        description: 已读人数。
        example: 10
      - name: creator
        type: {P}User
        description: 创建人。
      - name: member_list
        type: {P}User[]
        description: 相关人员列表。
  - name: {P}User
    description: {n}相关人员。
    fields:
      - name: userid
        type: string
        description: 员工userId。
        example: "001"
      - name: name
        type: string
        description: 员工名字。
        example: "小明"
"#;

const OP_SEARCH: &str = r#"  # 搜索{n}
  - id: {A}.{r}.search
    title: 搜索{n}
    description: 按关键词搜索{n}。
    doc: https://open.dingtalk.com/document/orgapp/{A}-search-{r}s
    method: GET
    host: api
    path: /v1.0/{A}/{r}/search
    auth: header_token
    envelope: bare
    # Credential: the `x-acs-dingtalk-access-token` header row is supplied by `auth: header_token`.
    params:
      - name: keyword
        in: query
        type: string
        required: true
        description: 搜索关键词。
        limits:
          max_len: 64
      - name: createdAfter
        in: query
        type: epoch_ms
        description: 只返回此时间之后创建的{n},Unix时间戳,单位毫秒。
      - name: kind
        in: query
        type: {E}Kind
        description: {n}类型。
      - name: maxResults
        in: query
        type: int32
        description: 返回的最大条目数,默认值20,最大值100。
        default: 20
        limits:
          min: 1
          max: 100
      - name: includeDeleted
        in: query
        type: boolean
        description: 是否包含已删除的{n}。
    response:
      - name: totalCount
        type: integer
        description: 结果总数。
      - name: items
        type: {P}Brief[]
        description: 搜索结果。

"#;

const TYPES_SEARCH: &str = r#"  - name: {P}Brief
    description: {n}搜索结果。
    fields:
      - name: id
        type: string
        description: {n}ID。
      - name: title
        type: string
        description: {n}标题。
      - name: kind
        type: {E}Kind
        description: 类型。
      - name: gmtCreate
        type: epoch_ms
        description: 创建时间,Unix时间戳,单位毫秒。
"#;

const OP_LIST_PAGES: &str = r#"  # 获取{n}ID列表
  - id: {A}.{r}.listids
    title: 获取{n}ID列表
    doc: https://open.dingtalk.com/document/orgapp/{A}-obtains-the-id-list-of-{r}s
    method: POST
    host: oapi
    path: /topapi/{A}/{r}/listids
    auth: query_token
    envelope: errcode
    effect: read
    params:
      - name: query_request
        in: body
        type: {P}QueryVo
        required: true
        description: 请求对象。
    response:
      - name: result
        type: string[]
        description: {n}ID列表。
        example: ["72b4f87d27e815f6fecxxxx"]
      - name: success
        type: boolean
        description: 本次调用是否成功。
        example: true
      - name: errcode
        type: integer
        description: 返回码。
        example: 0
      - name: request_id
        type: string
        description: 请求ID。
        example: "pxxm7ylvmppr"
    pagination:
      style: page_number
      cursor: query_request.page
      size: query_request.page_size
      items: result
    windows:
      - start: query_request.start_time
        end: query_request.end_time
        max_days: 180

"#;

const TYPES_LIST_PAGES: &str = r#"  - name: {P}QueryVo
    doc_name: Oapi{P}QueryVo
    description: 查询{n}ID列表的请求对象。
    fields:
      - name: operation_userid
        type: string
        required: true
        description: 操作人userId。
        example: "manager4220"
      - name: page_size
        type: integer
        required: true
        description: 分页大小,从1开始不超过30,且必须为正整数。
        example: 10
        limits:
          min: 1
          max: 30
      - name: start_time
        type: datetime
        description: 开始时间。
        example: "2019-10-07 10:10:10"
      - name: end_time
        type: datetime
        description: 结束时间。
        example: "2019-11-07 10:10:10"
      - name: page
        type: integer
        required: true
        description: 页码,从1开始且必须为正整数。
        example: 1
        limits:
          min: 1
      - name: category_id
        type: string
        description: 分类ID。
        example: "9i9u7y7g6t65"
"#;

const OP_LIST_CURSOR: &str = r#"  # 获取{n}列表
  - id: {A}.{r}.list
    title: 获取{n}列表
    doc: https://open.dingtalk.com/document/orgapp/{A}-obtains-the-{r}-data-of-a-user
    method: POST
    host: oapi
    path: /topapi/{A}/{r}/list
    auth: query_token
    envelope: errcode
    params:
      - name: start_time
        in: body
        type: epoch_ms
        required: true
        description: 查询的开始时间,Unix时间戳,单位毫秒。 说明 start_time参数和end_time参数最多相隔180天。
        example: 1507564800000
      - name: end_time
        in: body
        type: epoch_ms
        required: true
        description: 查询的结束时间,Unix时间戳,单位毫秒。
        example: 1507564800000
      - name: userid_list
        in: body
        type: string[]
        description: 员工userId列表,最多10个;多于1个时时间范围最多1天。
        example: ["user123"]
        limits:
          max_items: 10
      - name: cursor
        in: body
        type: integer
        required: true
        description: 查询游标,初始传入0,后续从上一次的返回值中获取。
        example: 0
      - name: size
        in: body
        type: integer
        required: true
        description: 每页数据量,最大值为20。
        example: 10
        limits:
          min: 1
          max: 20
    response:
      - name: result
        type: {P}Page
        description: 返回结果。
      - name: errcode
        type: integer
        description: 返回码。
        example: 0
      - name: errmsg
        type: string
        description: 返回码描述。
        example: ok
    pagination:
      style: cursor_has_more
      cursor: cursor
      size: size
      next: result.next_cursor
      has_more: result.has_more
      items: result.data_list
    windows:
      - start: start_time
        end: end_time
        max_days: 180
        when_many: {list: userid_list, max_days: 1}

"#;

const TYPES_LIST_CURSOR: &str = r#"  - name: {P}Page
    doc_name: PageResult
    description: 分页结果。
    fields:
      - name: next_cursor
        type: integer
        description: 下一次分页调用的游标值。
        example: 10
      - name: has_more
        type: boolean
        description: 是否还有下一页。
        example: false
      - name: data_list
        type: {P}Item[]
        description: {n}列表。
  - name: {P}Item
    description: {n}列表项。
    fields:
      - name: id
        type: string
        description: {n}ID。
        example: "175abec4de6bd"
      - name: title
        type: string
        description: {n}标题。
        example: "周报"
      - name: creator_id
        type: string
        description: 创建人userId。
        example: "user123"
      - name: create_time
        type: epoch_ms
        description: 创建时间,Unix时间戳,单位毫秒。
        example: 1507564800000
      - name: status
        type: {E}Status
        description: 状态。
        example: 1
"#;

const ENUM_LEVEL: &str = r#"  - name: {E}Level
    type: integer
    description: 保密等级
    values:
      - {value: 0, name: normal, description: 普通}
      - {value: 20, name: confidential, description: 保密}
"#;

const ENUM_STATUS: &str = r#"  - name: {E}Status
    type: integer
    description: 状态。
    values:
      - {value: 0, name: draft, description: 草稿}
      - {value: 1, name: active, description: 进行中}
      - {value: 2, name: closed, description: 已结束}
      - {value: -1, name: deleted, description: 已删除}
"#;

const ENUM_KIND: &str = r#"  - name: {E}Kind
    type: string
    description: 类型。
    values:
      - {value: normal, name: normal, description: 普通}
      - {value: urgent, name: urgent, description: 紧急}
      - {value: scheduled, name: scheduled, description: 定时}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_hold_twenty_five_operations_and_the_rest() {
        let files = spec(60);
        assert_eq!(files.len(), 3);
        let ops = |text: &str| text.matches("\n  - id: ").count();
        assert_eq!(
            files.iter().map(|(_, t)| ops(t)).collect::<Vec<_>>(),
            [25, 25, 10]
        );
        assert_eq!(files[0].0, "synth000.yaml");
        for hole in ["{A}", "{E}", "{P}", "{r}", "{n}"] {
            assert!(
                files.iter().all(|(_, t)| !t.contains(hole)),
                "{hole} left unfilled"
            );
        }
    }

    #[test]
    fn synthetic_specs_pass_the_generator_checks() {
        // Sizes that leave partial resources and areas, so the conditional enums are exercised.
        for n in [1, 2, 3, 4, 7, 26, 100] {
            let dir =
                std::env::temp_dir().join(format!("xtask-bench-synth-{}-{n}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            for (name, text) in spec(n) {
                std::fs::write(dir.join(name), text).unwrap();
            }
            let specs = xtask::read_specs(&dir, &dir).unwrap();
            let _ = std::fs::remove_dir_all(&dir);
            let api = codegen::check(&specs).unwrap_or_else(|d| {
                panic!(
                    "{n} ops: {}",
                    d.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            });
            assert_eq!(
                api.areas
                    .values()
                    .map(|a| a.operations.len())
                    .sum::<usize>(),
                n
            );
        }
    }

    #[test]
    fn every_fifth_operation_is_paginated() {
        let files = spec(25);
        assert_eq!(files[0].1.matches("    pagination:").count(), 5);
    }
}
