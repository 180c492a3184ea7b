//! Reports (日志): created through `report.create`, found by creation time through `report.list`
//! and `report.simplelist`; seeded from the documented examples.

use super::{State, Stateful};
use crate::answer::Failure;
use crate::check::{MockOperation, example_request};
use crate::paging::SEEDED_ITEMS;
use dingtalk_openapi::primitives::{EpochMillis, OpenEnum};
use dingtalk_openapi::report::{
    ReportCreateRequest, ReportCreateResponse, ReportListContent, ReportListRequest,
    ReportListResponse, ReportSimplelistRequest, ReportSimplelistResponse,
    ReportTemplateGetbynameRequest,
};

/// When the seeded reports start, if the `report.list` example request gives no `start_time`.
const SEED_BASE: EpochMillis = EpochMillis(1_507_564_800_000);

/// One stored report.
#[derive(Debug, Clone)]
pub(super) struct Report {
    id: String,
    creator_id: String,
    template_name: String,
    create_time: EpochMillis,
    contents: Vec<ReportListContent>,
}

impl State {
    /// [`SEEDED_ITEMS`] reports a minute apart from the `start_time` of the `report.list` example
    /// request, shaped like the item of its example answer.
    pub(super) fn seed_reports(&mut self, operations: &[MockOperation]) {
        let base = example_request::<ReportListRequest>(operations)
            .map_or(SEED_BASE, |request| request.start_time);
        let item = self
            .example_of::<ReportListRequest>()
            .result
            .and_then(|page| page.data_list)
            .and_then(|items| items.into_iter().next())
            .unwrap_or_default();
        let creator = item.creator_id.unwrap_or_else(|| "manager01".to_owned());
        let template_name = item.template_name.unwrap_or_else(|| "日报".to_owned());
        let contents = item.contents.unwrap_or_default();
        for n in 0..SEEDED_ITEMS {
            let id = self.new_id("mock-report-");
            let minutes = i64::try_from(n).unwrap_or(0);
            self.reports.push(Report {
                id,
                creator_id: creator.clone(),
                template_name: template_name.clone(),
                create_time: EpochMillis(base.as_millis().saturating_add(60_000 * minutes)),
                contents: contents.clone(),
            });
        }
    }

    /// The reports created from `start` to `end`, both included, oldest first.
    fn reports_between(
        &self,
        start: EpochMillis,
        end: EpochMillis,
    ) -> impl Iterator<Item = &Report> {
        self.reports
            .iter()
            .filter(move |r| (start..=end).contains(&r.create_time))
    }
}

impl Stateful for ReportCreateRequest {
    fn answer(
        self,
        state: &mut State,
        mut example: ReportCreateResponse,
    ) -> Result<ReportCreateResponse, Failure> {
        let param = self.create_report_param;
        // The template's name, when it is the one `report.template.getbyname` documents.
        let known = state
            .example_of::<ReportTemplateGetbynameRequest>()
            .result
            .unwrap_or_default();
        let template_name = match known.id {
            Some(id) if id == param.template_id => known.name,
            _ => None,
        };
        // Stored as `report.list` answers contents: every field as text, `content` as `value`.
        let contents = param
            .contents
            .into_iter()
            .map(|c| {
                let mut content = ReportListContent::default();
                content.sort = Some(c.sort.to_string());
                content.type_ = Some(c.type_.to_repr().to_string());
                content.value = Some(c.content);
                content.key = Some(c.key);
                content
            })
            .collect();
        let id = state.new_id("mock-report-");
        state.reports.push(Report {
            id: id.clone(),
            creator_id: param.userid,
            template_name: template_name.unwrap_or(param.template_id),
            create_time: EpochMillis::now(),
            contents,
        });
        example.result = Some(id);
        Ok(example)
    }
}

impl Stateful for ReportListRequest {
    fn answer(
        self,
        state: &mut State,
        mut example: ReportListResponse,
    ) -> Result<ReportListResponse, Failure> {
        let mut page = example.result.take().unwrap_or_default();
        let template = page
            .data_list
            .as_ref()
            .and_then(|items| items.first())
            .cloned()
            .unwrap_or_default();
        let items = state
            .reports_between(self.start_time, self.end_time)
            .map(|r| {
                let mut item = template.clone();
                item.report_id = Some(r.id.clone());
                item.creator_id = Some(r.creator_id.clone());
                item.template_name = Some(r.template_name.clone());
                item.create_time = Some(r.create_time);
                if item.modified_time.is_some() {
                    item.modified_time = Some(r.create_time);
                }
                if item.contents.is_some() {
                    item.contents = Some(r.contents.clone());
                }
                item
            })
            .collect();
        page.data_list = Some(items);
        // The page says the size it was asked for.
        if page.size.is_some() {
            page.size = Some(self.size);
        }
        example.result = Some(page);
        Ok(example)
    }
}

impl Stateful for ReportSimplelistRequest {
    fn answer(
        self,
        state: &mut State,
        mut example: ReportSimplelistResponse,
    ) -> Result<ReportSimplelistResponse, Failure> {
        let mut page = example.result.take().unwrap_or_default();
        let template = page
            .data_list
            .as_ref()
            .and_then(|items| items.first())
            .cloned()
            .unwrap_or_default();
        let items = state
            .reports_between(self.start_time, self.end_time)
            .map(|r| {
                let mut item = template.clone();
                item.report_id = Some(r.id.clone());
                item.creator_id = Some(r.creator_id.clone());
                item.template_name = Some(r.template_name.clone());
                item.create_time = Some(r.create_time);
                item
            })
            .collect();
        page.data_list = Some(items);
        if page.size.is_some() {
            page.size = Some(self.size);
        }
        example.result = Some(page);
        Ok(example)
    }
}
