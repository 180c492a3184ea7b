//! How an operation meets the wire beyond its JSON body: imported action names and ids, path
//! templates and their parameters, a whole-body parameter, value encodings, and the shape of
//! the answer.

use super::Ctx;
use super::types::type_label;
use crate::diag::Pos;
use crate::ir::{self, Encode, Location, Method, Returns, Type};
use crate::spec;

impl Ctx<'_> {
    /// An imported operation's DingTalk name (`contact_1.0/GetUser`), checking that its id is
    /// `<area>.<action>`; `None` for a curated operation (whose id comes from its path).
    pub(super) fn check_id(
        &mut self,
        op: &spec::Operation,
        id: &str,
        id_pos: &Pos,
        area: &str,
    ) -> Option<String> {
        let action = op.action.as_ref()?;
        let p = self.pos(&action.referenced);
        let name = &action.value;
        let Some(api) = self.api else {
            self.diags.error(
                &p,
                format!("`action` of `{id}` is for imported files, which name their `source`"),
            );
            return None;
        };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            self.diags.error(
                &p,
                format!("action `{name}` of `{id}` must be letters, digits and `_`"),
            );
        } else if id != format!("{area}.{name}") {
            self.diags.error(
                id_pos,
                format!("operation id `{id}` must be `{area}.{name}`: the area, then the action"),
            );
        }
        Some(format!("{api}/{name}"))
    }

    /// Path parameters against the path's templates, the whole body, the encodings, and body
    /// parameters of a GET.
    pub(super) fn check_wire(
        &mut self,
        id: &str,
        id_pos: &Pos,
        method: Method,
        templates: &[String],
        params: &[ir::Field],
    ) {
        for name in templates {
            let found = params
                .iter()
                .find(|f| f.wire == *name && f.location == Some(Location::Path));
            if found.is_none() {
                self.diags.error(
                    id_pos,
                    format!("the path of `{id}` has `{{{name}}}` but no parameter `{name}` is `in: path`"),
                );
            }
        }
        let whole = params
            .iter()
            .filter(|f| f.location == Some(Location::WholeBody))
            .count();
        for f in params {
            let (wire, p) = (&f.wire, &f.pos);
            match f.location {
                Some(Location::Path) => {
                    if !templates.contains(wire) {
                        self.diags.error(
                            p,
                            format!("parameter `{wire}` of `{id}` is `in: path`, but the path has no `{{{wire}}}`"),
                        );
                    }
                    if !f.required {
                        self.diags.error(
                            p,
                            format!("path parameter `{wire}` of `{id}` must be `required: true`"),
                        );
                    }
                }
                Some(Location::WholeBody) => {
                    if whole > 1 {
                        self.diags.error(
                            p,
                            format!("`{id}` has {whole} `in: whole_body` parameters; a body is one value"),
                        );
                    }
                    if method == Method::Get {
                        self.diags.error(
                            p,
                            format!("`{id}` is a GET and sends no body, but `{wire}` is `in: whole_body`"),
                        );
                    }
                }
                Some(Location::Body) if whole > 0 => self.diags.error(
                    p,
                    format!("`{id}` sends one parameter as its whole body, so `{wire}` cannot be `in: body`"),
                ),
                Some(Location::Body) if method == Method::Get && self.api.is_none() => {
                    self.diags.error(
                        p,
                        format!("`{id}` is a GET and sends no body, but parameter `{wire}` is `in: body`"),
                    );
                }
                _ => {}
            }
            match (f.encode, f.location) {
                (Encode::Plain, _)
                | (Encode::Json, Some(Location::Query | Location::Header | Location::Body)) => {}
                (Encode::Repeat, Some(Location::Query)) if matches!(f.ty, Type::Array(_)) => {}
                (Encode::Repeat, _) => self.diags.error(
                    p,
                    format!(
                        "`encode: repeat` is for lists in the query, but `{wire}` of `{id}` is `{}` in the {}",
                        type_label(&f.ty),
                        f.location.map_or("body", Location::as_str)
                    ),
                ),
                (Encode::Json, l) => self.diags.error(
                    p,
                    format!(
                        "`encode: json` is for query, header and body parameters, but `{wire}` of `{id}` is `in: {}`",
                        l.map_or("body", Location::as_str)
                    ),
                ),
            }
        }
    }

    /// What the answer is; only an object answer has fields of its own (an array's fields are
    /// those of one item), and only an object answer pages.
    pub(super) fn returns(
        &mut self,
        op: &spec::Operation,
        id: &str,
        response: &[ir::Field],
    ) -> Returns {
        let Some(r) = &op.returns else {
            return Returns::Object;
        };
        let p = self.pos(&r.referenced);
        match r.value {
            Returns::Object => {}
            Returns::Array => {
                if response.is_empty() {
                    self.diags.error(
                        &p,
                        format!(
                            "`{id}` returns an array: list the fields of one item in `response`"
                        ),
                    );
                }
            }
            Returns::Boolean | Returns::Json | Returns::Empty if !response.is_empty() => {
                self.diags.error(
                    &p,
                    format!(
                        "`{id}` returns `{}`, which has no fields: remove `response`",
                        r.value.as_str()
                    ),
                );
            }
            Returns::Boolean | Returns::Json | Returns::Empty => {}
        }
        if r.value != Returns::Object
            && let Some(pg) = &op.pagination
        {
            let pp = self.pos(&pg.referenced);
            self.diags
                .error(&pp, format!("`{id}` pages, so it must return an object"));
        }
        r.value
    }
}
