//! The fake's data, and every piece of operation-specific behaviour, keyed by operation id.
//!
//! Everything else in the fake is generic over [`OperationInfo`]. Here live:
//!
//! - blackboards (公告): `blackboard.create` stores one (the answer's `result` is `true`, as
//!   documented; find the new id with `listids` or `listtopten`, newest first); `get` answers it
//!   in the shape of the documented example; `update` changes it; `delete` removes it. An unknown
//!   or deleted `blackboard_id` is errcode 40035 "公告不存在". `listids` pages ids (newest first,
//!   filtered by `start_time`..`end_time` on the creation time), `listtopten` gives the ten
//!   newest a user can see (named in `userid_list`, or any user when `deptid_list` is set: the
//!   fake has no departments), `category.list` the categories;
//! - reports (日志): `report.create` stores one and answers its new id; `report.list` and
//!   `report.simplelist` find reports created between `start_time` and `end_time` (inclusive,
//!   epoch milliseconds), paged by `cursor`/`size`;
//! - every other paginated operation pages over seeded copies of its example item.
//!
//! With seeding on, the ids in the documented example requests of `blackboard.get`, `update` and
//! `delete` exist (so the examples succeed), with more blackboards up to 7; 7 reports lie at the
//! time of the `report.list` example; each other paginated operation holds 7 items.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::answer::Failure;
use crate::check::MockOperation;
use crate::paging::{self, SEEDED_ITEMS, as_i64, get, seeded_items, vary};
use dingtalk_openapi_runtime::operation::OperationInfo;
use dingtalk_openapi_runtime::primitives::{DateTime, EpochMillis};

/// Operations with behaviour of their own (the rest answer their example, paged if they page).
const STATEFUL: &[&str] = &[
    "blackboard.create",
    "blackboard.update",
    "blackboard.delete",
    "blackboard.get",
    "blackboard.listids",
    "blackboard.category.list",
    "blackboard.listtopten",
    "report.create",
    "report.list",
    "report.simplelist",
];

/// How many blackboards `listtopten` answers at most.
const TOP: usize = 10;

/// The fake's data.
#[derive(Debug, Default)]
pub(crate) struct State {
    blackboards: Vec<Blackboard>,
    categories: Vec<Value>,
    reports: Vec<Report>,
    /// The items of the generic paginated operations, by id.
    seeded: HashMap<&'static str, Vec<Value>>,
    /// The documented example answers, by operation id, as templates of shapes.
    examples: HashMap<&'static str, Value>,
    next_id: u64,
}

#[derive(Debug, Clone)]
struct Blackboard {
    id: String,
    author: Option<String>,
    title: String,
    content: String,
    category_id: Option<String>,
    private_level: Option<Value>,
    deptids: Vec<Value>,
    userids: Vec<String>,
    coverpic: Option<String>,
    gmt_create: String,
    gmt_modified: String,
}

#[derive(Debug, Clone)]
struct Report {
    id: String,
    creator_id: String,
    template_name: String,
    create_time: i64,
    contents: Vec<Value>,
}

impl State {
    /// The data a fake with these operations starts with.
    pub(crate) fn new(operations: &[MockOperation], seed: bool) -> State {
        let mut state = State::default();
        for op in operations {
            let info = op.info();
            state.examples.insert(info.id, parse(info.example_response));
        }
        if !seed {
            return state;
        }
        for op in operations {
            let info = op.info();
            if let Some(p) = &info.pagination
                && !STATEFUL.contains(&info.id)
            {
                let example = state.example(info.id);
                let template = get(&example, p.items)
                    .and_then(Value::as_array)
                    .and_then(|a| a.first());
                state
                    .seeded
                    .insert(info.id, seeded_items(template, info.id));
            }
        }
        state.seed_blackboards(operations);
        state.seed_reports(operations);
        state
    }

    /// The answer to an accepted request of `info`, before the envelope is filled in.
    pub(crate) fn answer(
        &mut self,
        info: &OperationInfo,
        request: &Value,
    ) -> Result<Value, Failure> {
        let example = self.example(info.id);
        match info.id {
            "blackboard.create" => Ok(self.blackboard_create(request, example)),
            "blackboard.update" => self.blackboard_update(request, example),
            "blackboard.delete" => self.blackboard_delete(request, example),
            "blackboard.get" => self.blackboard_get(request, example),
            "blackboard.listids" => Ok(self.blackboard_listids(info, request, example)),
            "blackboard.category.list" => Ok(with(
                example,
                "result",
                Value::Array(self.categories.clone()),
            )),
            "blackboard.listtopten" => Ok(self.blackboard_listtopten(request, example)),
            "report.create" => Ok(self.report_create(request, example)),
            "report.list" | "report.simplelist" => Ok(self.report_list(info, request, example)),
            _ => {
                let mut answer = example;
                if let Some(p) = &info.pagination {
                    let items = self.seeded.get(info.id).map_or(&[][..], Vec::as_slice);
                    paging::page(p, request, &mut answer, items);
                }
                Ok(answer)
            }
        }
    }

    fn example(&self, id: &str) -> Value {
        self.examples.get(id).cloned().unwrap_or_else(|| json!({}))
    }

    fn new_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{:06}", self.next_id)
    }

    // -----------------------------------------------------------------------------------------
    // Blackboards

    fn seed_blackboards(&mut self, operations: &[MockOperation]) {
        let example_request = |id: &str, path: &str| -> Option<String> {
            let op = operations.iter().find(|op| op.info().id == id)?;
            get(&parse(op.info().example_request), path)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let mut ids: Vec<String> = [
            ("blackboard.get", "blackboard_id"),
            ("blackboard.update", "update_request.blackboard_id"),
            ("blackboard.delete", "blackboard_id"),
        ]
        .iter()
        .filter_map(|(op, path)| example_request(op, path))
        .collect();
        ids.dedup();
        let mut n = 0;
        while ids.len() < SEEDED_ITEMS {
            n += 1;
            ids.push(format!("mock-blackboard-seed-{n}"));
        }
        let detail = get(&self.example("blackboard.get"), "result")
            .cloned()
            .unwrap_or_default();
        let text = |key: &str| detail.get(key).and_then(Value::as_str).map(str::to_owned);
        let base = text("gmt_create")
            .and_then(|t| DateTime::parse(&t).ok())
            .and_then(|t| t.unix_seconds())
            .unwrap_or(1_571_726_587);
        for (i, id) in ids.into_iter().enumerate() {
            let created = gmt8((base + 60 * i64::try_from(i).unwrap_or(0)) * 1000);
            self.blackboards.push(Blackboard {
                id,
                author: text("author"),
                title: text("title")
                    .map_or_else(|| format!("公告 {}", i + 1), |t| format!("{t} {}", i + 1)),
                content: text("content").unwrap_or_default(),
                category_id: text("category_id"),
                private_level: detail.get("private_level").cloned(),
                deptids: vec![Value::from(1)],
                userids: Vec::new(),
                coverpic: None,
                gmt_modified: created.clone(),
                gmt_create: created,
            });
        }
        let categories = get(&self.example("blackboard.category.list"), "result")
            .and_then(Value::as_array)
            .cloned();
        if let Some(first) = categories.as_ref().and_then(|c| c.first()) {
            self.categories = (1..=3)
                .map(|n| {
                    if n == 1 {
                        first.clone()
                    } else {
                        vary(first, n)
                    }
                })
                .collect();
        }
    }

    fn find_blackboard(&self, id: &str) -> Result<usize, Failure> {
        self.blackboards
            .iter()
            .position(|b| b.id == id)
            .ok_or_else(|| {
                Failure::new(
                    40035,
                    format!("公告不存在: blackboard_id {id}"),
                    404,
                    "NotFound",
                )
            })
    }

    fn blackboard_create(&mut self, request: &Value, example: Value) -> Value {
        let vo = request.get("create_request").cloned().unwrap_or_default();
        let now = gmt8(EpochMillis::now().as_millis());
        let id = self.new_id("mock-blackboard-");
        let receiver = vo.get("blackboard_receiver").cloned().unwrap_or_default();
        self.blackboards.push(Blackboard {
            id,
            author: text(&vo, "author"),
            title: text(&vo, "title").unwrap_or_default(),
            content: text(&vo, "content").unwrap_or_default(),
            category_id: text(&vo, "category_id"),
            private_level: vo.get("private_level").cloned(),
            deptids: receiver
                .get("deptid_list")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            userids: strings(receiver.get("userid_list")),
            coverpic: text(&vo, "coverpic_mediaid"),
            gmt_modified: now.clone(),
            gmt_create: now,
        });
        with(example, "result", Value::Bool(true))
    }

    fn blackboard_update(&mut self, request: &Value, example: Value) -> Result<Value, Failure> {
        let vo = request.get("update_request").cloned().unwrap_or_default();
        let at = self.find_blackboard(&text(&vo, "blackboard_id").unwrap_or_default())?;
        let now = gmt8(EpochMillis::now().as_millis());
        if let Some(b) = self.blackboards.get_mut(at) {
            if let Some(title) = text(&vo, "title") {
                b.title = title;
            }
            if let Some(content) = text(&vo, "content") {
                b.content = content;
            }
            if let Some(author) = text(&vo, "author") {
                b.author = Some(author);
            }
            if let Some(category) = text(&vo, "category_id") {
                b.category_id = Some(category);
            }
            if let Some(cover) = text(&vo, "coverpic_mediaid") {
                b.coverpic = Some(cover);
            }
            b.gmt_modified = now;
        }
        Ok(with(example, "result", Value::Bool(true)))
    }

    fn blackboard_delete(&mut self, request: &Value, example: Value) -> Result<Value, Failure> {
        let at = self.find_blackboard(&text(request, "blackboard_id").unwrap_or_default())?;
        self.blackboards.remove(at);
        Ok(with(example, "result", Value::Bool(true)))
    }

    fn blackboard_get(&self, request: &Value, example: Value) -> Result<Value, Failure> {
        let at = self.find_blackboard(&text(request, "blackboard_id").unwrap_or_default())?;
        let Some(b) = self.blackboards.get(at) else {
            return Ok(example);
        };
        let mut detail = match get(&example, "result") {
            Some(Value::Object(map)) => map.clone(),
            _ => Map::new(),
        };
        let mut put = |key: &str, value: Option<Value>| match value {
            Some(v) => {
                detail.insert(key.to_owned(), v);
            }
            None => {
                detail.remove(key);
            }
        };
        put("id", Some(b.id.clone().into()));
        put("title", Some(b.title.clone().into()));
        put("content", Some(b.content.clone().into()));
        put("author", b.author.clone().map(Value::from));
        put("category_id", b.category_id.clone().map(Value::from));
        put(
            "private_level",
            Some(b.private_level.clone().unwrap_or_else(|| Value::from(0))),
        );
        put("gmt_create", Some(b.gmt_create.clone().into()));
        put("gmt_modified", Some(b.gmt_modified.clone().into()));
        put("read_count", Some(0.into()));
        put("unread_count", Some(b.userids.len().into()));
        put("username_list", Some(b.userids.clone().into()));
        put(
            "user_list",
            Some(
                b.userids
                    .iter()
                    .map(|u| json!({"staff_id": u, "name": u}))
                    .collect(),
            ),
        );
        let depts: Vec<String> = b
            .deptids
            .iter()
            .map(|d| d.to_string().trim_matches('"').to_owned())
            .collect();
        put(
            "depname_list",
            Some(depts.iter().map(|d| format!("部门{d}")).collect()),
        );
        put(
            "deptList",
            Some(
                depts
                    .iter()
                    .map(|d| json!({"dept_id": d, "name": format!("部门{d}")}))
                    .collect(),
            ),
        );
        put(
            "coverpic_url",
            b.coverpic.as_ref().map(|m| {
                format!("https://static.mock.invalid/{}", m.trim_start_matches('@')).into()
            }),
        );
        Ok(with(example, "result", Value::Object(detail)))
    }

    /// Blackboards newest first.
    fn newest_first(&self) -> impl Iterator<Item = &Blackboard> {
        self.blackboards.iter().rev()
    }

    fn blackboard_listids(
        &self,
        info: &OperationInfo,
        request: &Value,
        mut example: Value,
    ) -> Value {
        let query = request.get("query_request").cloned().unwrap_or_default();
        let start = text(&query, "start_time");
        let end = text(&query, "end_time");
        // `yyyy-MM-dd HH:mm:ss` strings (checked by the typed request) order like the times.
        let ids: Vec<Value> = self
            .newest_first()
            .filter(|b| start.as_ref().is_none_or(|s| b.gmt_create >= *s))
            .filter(|b| end.as_ref().is_none_or(|e| b.gmt_create <= *e))
            .map(|b| Value::from(b.id.clone()))
            .collect();
        match &info.pagination {
            Some(p) => paging::page(p, request, &mut example, &ids),
            None => paging::set(&mut example, "result", Value::Array(ids)),
        }
        example
    }

    fn blackboard_listtopten(&self, request: &Value, example: Value) -> Value {
        let user = text(request, "userid").unwrap_or_default();
        let template = get(&example, "blackboard_list")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .cloned()
            .unwrap_or_else(|| json!({}));
        let items: Vec<Value> = self
            .newest_first()
            .filter(|b| !b.deptids.is_empty() || b.userids.contains(&user))
            .take(TOP)
            .map(|b| {
                let mut item = template.clone();
                paging::set(&mut item, "id", b.id.clone().into());
                paging::set(&mut item, "title", b.title.clone().into());
                paging::set(&mut item, "gmt_create", b.gmt_create.clone().into());
                match &b.category_id {
                    Some(c) => paging::set(&mut item, "categoryId", c.clone().into()),
                    None => paging::remove(&mut item, "categoryId"),
                }
                if let Some(url) = template.get("url").and_then(Value::as_str) {
                    paging::set(&mut item, "url", format!("{url}?id={}", b.id).into());
                }
                item
            })
            .collect();
        with(example, "blackboard_list", Value::Array(items))
    }

    // -----------------------------------------------------------------------------------------
    // Reports

    fn seed_reports(&mut self, operations: &[MockOperation]) {
        let list_request = operations
            .iter()
            .find(|op| op.info().id == "report.list")
            .map(|op| parse(op.info().example_request))
            .unwrap_or_default();
        let base = get(&list_request, "start_time")
            .and_then(as_i64)
            .unwrap_or(1_507_564_800_000);
        let item = get(&self.example("report.list"), "result.data_list")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .cloned()
            .unwrap_or_default();
        let creator = text(&item, "creator_id").unwrap_or_else(|| "manager01".to_owned());
        let template_name = text(&item, "template_name").unwrap_or_else(|| "日报".to_owned());
        let contents = item
            .get("contents")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for n in 0..SEEDED_ITEMS {
            let id = self.new_id("mock-report-");
            self.reports.push(Report {
                id,
                creator_id: creator.clone(),
                template_name: template_name.clone(),
                create_time: base + 60_000 * i64::try_from(n).unwrap_or(0),
                contents: contents.clone(),
            });
        }
    }

    fn report_create(&mut self, request: &Value, example: Value) -> Value {
        let param = request
            .get("create_report_param")
            .cloned()
            .unwrap_or_default();
        let template_id = text(&param, "template_id").unwrap_or_default();
        // The template's name, when it is the one `report.template.getbyname` documents.
        let known = self.example("report.template.getbyname");
        let template_name = match get(&known, "result.id").and_then(Value::as_str) {
            Some(id) if id == template_id => {
                text(get(&known, "result").unwrap_or(&Value::Null), "name")
            }
            _ => None,
        };
        let contents = param
            .get("contents")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .map(|c| {
                        let field = |k: &str| {
                            c.get(k)
                                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                        };
                        json!({
                            "sort": field("sort").unwrap_or_default(),
                            "type": field("type").unwrap_or_default(),
                            "value": field("content").unwrap_or_default(),
                            "key": field("key").unwrap_or_default(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let id = self.new_id("mock-report-");
        self.reports.push(Report {
            id: id.clone(),
            creator_id: text(&param, "userid").unwrap_or_default(),
            template_name: template_name.unwrap_or(template_id),
            create_time: EpochMillis::now().as_millis(),
            contents,
        });
        with(example, "result", Value::String(id))
    }

    fn report_list(&self, info: &OperationInfo, request: &Value, mut example: Value) -> Value {
        let start = get(request, "start_time")
            .and_then(as_i64)
            .unwrap_or(i64::MIN);
        let end = get(request, "end_time")
            .and_then(as_i64)
            .unwrap_or(i64::MAX);
        let items_path = info
            .pagination
            .as_ref()
            .map_or("result.data_list", |p| p.items);
        let template = get(&example, items_path)
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .cloned()
            .unwrap_or_else(|| json!({}));
        let items: Vec<Value> = self
            .reports
            .iter()
            .filter(|r| (start..=end).contains(&r.create_time))
            .map(|r| {
                let mut item = template.clone();
                paging::set(&mut item, "report_id", r.id.clone().into());
                paging::set(&mut item, "creator_id", r.creator_id.clone().into());
                paging::set(&mut item, "template_name", r.template_name.clone().into());
                paging::set(&mut item, "create_time", r.create_time.into());
                if item.get("modified_time").is_some() {
                    paging::set(&mut item, "modified_time", r.create_time.into());
                }
                if item.get("contents").is_some() {
                    paging::set(&mut item, "contents", Value::Array(r.contents.clone()));
                }
                item
            })
            .collect();
        if let Some(p) = &info.pagination {
            paging::page(p, request, &mut example, &items);
            if let Some(size) = get(request, p.size).cloned()
                && let Some((parent, _)) = p.items.rsplit_once('.')
                && get(&example, &format!("{parent}.size")).is_some()
            {
                paging::set(&mut example, &format!("{parent}.size"), size);
            }
        }
        example
    }
}

/// The example answer's JSON; `{}` if it is not JSON (the generator checks that it is).
fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| json!({}))
}

/// `value` with `path` set to `new`.
fn with(mut value: Value, path: &str, new: Value) -> Value {
    paging::set(&mut value, path, new);
    value
}

/// A string field of an object.
fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// A list of strings (other items skipped).
fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Epoch milliseconds as `yyyy-MM-dd HH:mm:ss` in GMT+8.
fn gmt8(millis: i64) -> String {
    let secs = millis.div_euclid(1000) + 8 * 3600;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A proleptic Gregorian date from days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmt8_round_trips_with_datetime() {
        for text in [
            "2019-10-22 14:43:07",
            "2000-02-29 00:00:00",
            "1970-01-01 08:00:00",
            "2024-12-31 23:59:59",
        ] {
            let secs = DateTime::parse(text)
                .ok()
                .and_then(|t| t.unix_seconds())
                .unwrap_or_default();
            assert_eq!(gmt8(secs * 1000), text);
        }
    }
}
