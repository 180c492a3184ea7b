//! Blackboards (公告): created, read, updated, listed and deleted through the typed blackboard
//! operations; seeded from the documented examples.

use super::{State, Stateful, gmt8};
use crate::answer::Failure;
use crate::check::{MockOperation, example_request};
use crate::paging::SEEDED_ITEMS;
use dingtalk_openapi::blackboard::{
    BlackboardCategoryListRequest, BlackboardCategoryListResponse, BlackboardCreateRequest,
    BlackboardCreateResponse, BlackboardDeleteRequest, BlackboardDeleteResponse, BlackboardDept,
    BlackboardGetRequest, BlackboardGetResponse, BlackboardListidsRequest,
    BlackboardListidsResponse, BlackboardListtoptenRequest, BlackboardListtoptenResponse,
    BlackboardUpdateRequest, BlackboardUpdateResponse, BlackboardUser, PrivateLevel,
};
use dingtalk_openapi::primitives::{DateTime, EpochMillis};

/// How many blackboards `listtopten` answers at most.
const TOP: usize = 10;

/// When the seeded blackboards start, if the `blackboard.get` example gives no time: its
/// documented `gmt_create`, 2019-10-22 14:43:07 in GMT+8.
const SEED_BASE_SECONDS: i64 = 1_571_726_587;

/// One stored blackboard.
#[derive(Debug, Clone)]
pub(super) struct Blackboard {
    id: String,
    author: Option<String>,
    title: String,
    content: String,
    category_id: Option<String>,
    private_level: Option<PrivateLevel>,
    deptids: Vec<i64>,
    userids: Vec<String>,
    coverpic: Option<String>,
    gmt_create: DateTime,
    gmt_modified: DateTime,
}

impl State {
    /// The blackboards the examples of `get`, `update` and `delete` name, then more up to
    /// [`SEEDED_ITEMS`], shaped like the `get` example; three categories like the `category.list`
    /// example's.
    pub(super) fn seed_blackboards(&mut self, operations: &[MockOperation]) {
        let mut ids: Vec<String> = [
            example_request::<BlackboardGetRequest>(operations).map(|r| r.blackboard_id),
            example_request::<BlackboardUpdateRequest>(operations)
                .map(|r| r.update_request.blackboard_id),
            example_request::<BlackboardDeleteRequest>(operations).map(|r| r.blackboard_id),
        ]
        .into_iter()
        .flatten()
        .collect();
        ids.dedup();
        let mut n = 0;
        while ids.len() < SEEDED_ITEMS {
            n += 1;
            ids.push(format!("mock-blackboard-seed-{n}"));
        }
        let detail = self
            .example_of::<BlackboardGetRequest>()
            .result
            .unwrap_or_default();
        let base = detail
            .gmt_create
            .as_ref()
            .and_then(DateTime::unix_seconds)
            .unwrap_or(SEED_BASE_SECONDS);
        for (i, id) in ids.into_iter().enumerate() {
            let minutes = 60 * i64::try_from(i).unwrap_or(0);
            let created = gmt8(base.saturating_add(minutes).saturating_mul(1000));
            self.blackboards.push(Blackboard {
                id,
                author: detail.author.clone(),
                title: detail
                    .title
                    .as_ref()
                    .map_or_else(|| format!("公告 {}", i + 1), |t| format!("{t} {}", i + 1)),
                content: detail.content.clone().unwrap_or_default(),
                category_id: detail.category_id.clone(),
                private_level: detail.private_level,
                deptids: vec![1],
                userids: Vec::new(),
                coverpic: None,
                gmt_modified: created.clone(),
                gmt_create: created,
            });
        }
        let categories = self
            .example_of::<BlackboardCategoryListRequest>()
            .result
            .unwrap_or_default();
        if let Some(first) = categories.first() {
            // Like `paging::vary`: the n-th copy's id gets `-n`, the first is the example's.
            self.categories = (1..=3)
                .map(|n| {
                    let mut category = first.clone();
                    if n > 1 {
                        category.id = category.id.map(|id| format!("{id}-{n}"));
                    }
                    category
                })
                .collect();
        }
    }

    /// Where the blackboard `id` is; errcode 40035 "公告不存在" if nowhere.
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

    /// Blackboards newest first.
    fn newest_first(&self) -> impl Iterator<Item = &Blackboard> {
        self.blackboards.iter().rev()
    }
}

/// Now, as blackboards write their times.
fn now() -> DateTime {
    gmt8(EpochMillis::now().as_millis())
}

impl Stateful for BlackboardCreateRequest {
    fn answer(
        self,
        state: &mut State,
        mut example: BlackboardCreateResponse,
    ) -> Result<BlackboardCreateResponse, Failure> {
        let vo = self.create_request;
        let now = now();
        let id = state.new_id("mock-blackboard-");
        state.blackboards.push(Blackboard {
            id,
            author: vo.author,
            title: vo.title,
            content: vo.content,
            category_id: vo.category_id,
            private_level: vo.private_level,
            deptids: vo.blackboard_receiver.deptid_list.unwrap_or_default(),
            userids: vo.blackboard_receiver.userid_list.unwrap_or_default(),
            coverpic: vo.coverpic_mediaid,
            gmt_modified: now.clone(),
            gmt_create: now,
        });
        example.result = Some(true);
        Ok(example)
    }
}

impl Stateful for BlackboardUpdateRequest {
    fn answer(
        self,
        state: &mut State,
        mut example: BlackboardUpdateResponse,
    ) -> Result<BlackboardUpdateResponse, Failure> {
        let vo = self.update_request;
        let at = state.find_blackboard(&vo.blackboard_id)?;
        let now = now();
        if let Some(b) = state.blackboards.get_mut(at) {
            b.title = vo.title;
            b.content = vo.content;
            if let Some(author) = vo.author {
                b.author = Some(author);
            }
            if let Some(category) = vo.category_id {
                b.category_id = Some(category);
            }
            if let Some(cover) = vo.coverpic_mediaid {
                b.coverpic = Some(cover);
            }
            b.gmt_modified = now;
        }
        example.result = Some(true);
        Ok(example)
    }
}

impl Stateful for BlackboardDeleteRequest {
    fn answer(
        self,
        state: &mut State,
        mut example: BlackboardDeleteResponse,
    ) -> Result<BlackboardDeleteResponse, Failure> {
        let at = state.find_blackboard(&self.blackboard_id)?;
        state.blackboards.remove(at);
        example.result = Some(true);
        Ok(example)
    }
}

impl Stateful for BlackboardGetRequest {
    fn answer(
        self,
        state: &mut State,
        mut example: BlackboardGetResponse,
    ) -> Result<BlackboardGetResponse, Failure> {
        let at = state.find_blackboard(&self.blackboard_id)?;
        let Some(b) = state.blackboards.get(at) else {
            return Ok(example);
        };
        // The example's detail, with every field the fake knows replaced.
        let mut detail = example.result.take().unwrap_or_default();
        detail.id = Some(b.id.clone());
        detail.title = Some(b.title.clone());
        detail.content = Some(b.content.clone());
        detail.author.clone_from(&b.author);
        detail.category_id.clone_from(&b.category_id);
        detail.private_level = Some(b.private_level.unwrap_or(PrivateLevel::Normal));
        detail.gmt_create = Some(b.gmt_create.clone());
        detail.gmt_modified = Some(b.gmt_modified.clone());
        detail.read_count = Some(0);
        detail.unread_count = Some(i64::try_from(b.userids.len()).unwrap_or(i64::MAX));
        detail.username_list = Some(b.userids.clone());
        detail.user_list = Some(
            b.userids
                .iter()
                .map(|u| {
                    let mut user = BlackboardUser::default();
                    user.staff_id = Some(u.clone());
                    user.name = Some(u.clone());
                    user
                })
                .collect(),
        );
        detail.depname_list = Some(b.deptids.iter().map(|d| format!("部门{d}")).collect());
        detail.dept_list = Some(
            b.deptids
                .iter()
                .map(|d| {
                    let mut dept = BlackboardDept::default();
                    dept.dept_id = Some(d.to_string());
                    dept.name = Some(format!("部门{d}"));
                    dept
                })
                .collect(),
        );
        detail.coverpic_url = b
            .coverpic
            .as_ref()
            .map(|m| format!("https://static.mock.invalid/{}", m.trim_start_matches('@')));
        example.result = Some(detail);
        Ok(example)
    }
}

impl Stateful for BlackboardListidsRequest {
    fn answer(
        self,
        state: &mut State,
        mut example: BlackboardListidsResponse,
    ) -> Result<BlackboardListidsResponse, Failure> {
        let query = self.query_request;
        // `yyyy-MM-dd HH:mm:ss` times (checked by the typed request) order like their text.
        let ids = state
            .newest_first()
            .filter(|b| query.start_time.as_ref().is_none_or(|s| b.gmt_create >= *s))
            .filter(|b| query.end_time.as_ref().is_none_or(|e| b.gmt_create <= *e))
            .map(|b| b.id.clone())
            .collect();
        example.result = Some(ids);
        Ok(example)
    }
}

impl Stateful for BlackboardCategoryListRequest {
    fn answer(
        self,
        state: &mut State,
        mut example: BlackboardCategoryListResponse,
    ) -> Result<BlackboardCategoryListResponse, Failure> {
        example.result = Some(state.categories.clone());
        Ok(example)
    }
}

impl Stateful for BlackboardListtoptenRequest {
    fn answer(
        self,
        state: &mut State,
        mut example: BlackboardListtoptenResponse,
    ) -> Result<BlackboardListtoptenResponse, Failure> {
        let template = example
            .blackboard_list
            .as_ref()
            .and_then(|list| list.first())
            .cloned()
            .unwrap_or_default();
        let items = state
            .newest_first()
            .filter(|b| !b.deptids.is_empty() || b.userids.contains(&self.userid))
            .take(TOP)
            .map(|b| {
                let mut item = template.clone();
                item.id = Some(b.id.clone());
                item.title = Some(b.title.clone());
                item.gmt_create = Some(b.gmt_create.clone());
                item.category_id.clone_from(&b.category_id);
                if let Some(url) = &template.url {
                    item.url = Some(format!("{url}?id={}", b.id));
                }
                item
            })
            .collect();
        example.blackboard_list = Some(items);
        Ok(example)
    }
}
