//! Field paths (`query_request.page`, `result.next_cursor`) for pagination and time windows.

use super::Ctx;
use super::types::type_label;
use crate::ir::{
    FieldPath, NamedKind, Object, Pagination, PaginationStyle, PathStep, Type, TypeDef, Window,
};
use crate::spec::{self, S};

/// Resolves a dotted wire path from an object through nested named objects.
pub(crate) fn resolve(root: &Object, path: &str, types: &[TypeDef]) -> Result<FieldPath, String> {
    let mut steps = Vec::new();
    let mut obj = root;
    let segments: Vec<&str> = path.split('.').collect();
    for (i, seg) in segments.iter().enumerate() {
        let field = obj
            .fields
            .iter()
            .find(|f| f.wire == *seg)
            .ok_or_else(|| format!("`{path}`: `{}` has no field `{seg}`", obj.name))?;
        steps.push(PathStep {
            wire: field.wire.clone(),
            rust: field.rust.clone(),
            required: field.required,
        });
        if i + 1 == segments.len() {
            return Ok(FieldPath {
                steps,
                ty: field.ty.clone(),
            });
        }
        obj = match &field.ty {
            Type::Named(n) if n.kind == NamedKind::Object => types
                .iter()
                .find_map(|t| match t {
                    TypeDef::Object(o) if o.name == n.name => Some(o),
                    _ => None,
                })
                .ok_or_else(|| format!("`{path}`: type `{}` not found", n.name))?,
            other => {
                return Err(format!(
                    "`{path}`: `{seg}` is `{}`, not an object",
                    type_label(other)
                ));
            }
        };
    }
    Err(format!("`{path}` is empty"))
}

impl Ctx<'_> {
    fn path(
        &mut self,
        root: &Object,
        p: &S<String>,
        types: &[TypeDef],
        what: &str,
        ok: impl Fn(&Type) -> bool,
        want: &str,
    ) -> Option<FieldPath> {
        let pos = self.pos(&p.referenced);
        match resolve(root, &p.value, types) {
            Ok(fp) if ok(&fp.ty) => Some(fp),
            Ok(fp) => {
                self.diags.error(
                    &pos,
                    format!(
                        "{what} `{}` is `{}`; expected {want}",
                        p.value,
                        type_label(&fp.ty)
                    ),
                );
                None
            }
            Err(msg) => {
                self.diags.error(&pos, format!("{what} {msg}"));
                None
            }
        }
    }

    /// Resolves and checks a pagination block against the request and response.
    pub(crate) fn lower_pagination(
        &mut self,
        p: &S<spec::Pagination>,
        req: &Object,
        resp: &Object,
        types: &[TypeDef],
    ) -> Option<Pagination> {
        let pos = self.pos(&p.referenced);
        let s = &p.value;
        let style = s.style.value;
        // Only a token the answer names may be text; the other styles count.
        let text_ok = style == PaginationStyle::NextToken;
        let cursor_ok = |t: &Type| *t == Type::Integer || (text_ok && *t == Type::String);
        let cursor_want = if text_ok {
            "integer or string"
        } else {
            "integer"
        };
        let cursor = self.path(
            req,
            &s.cursor,
            types,
            "pagination cursor",
            cursor_ok,
            cursor_want,
        );
        if let Some(c) = &cursor
            && c.steps[..c.steps.len() - 1].iter().any(|st| !st.required)
        {
            self.diags.error(&pos, format!("pagination cursor `{}` sits inside an optional object; the objects around it must be required", s.cursor.value));
        }
        let size = self.path(
            req,
            &s.size,
            types,
            "pagination size",
            |t| matches!(t, Type::Integer | Type::Int32),
            "integer or int32",
        );
        // The styles whose next page the client computes itself read no `next`.
        let computed_next = match style {
            PaginationStyle::PageNumber => Some("the next page is the page number plus one"),
            PaginationStyle::OffsetHasMore => {
                Some("the next offset is the offset plus the page size")
            }
            PaginationStyle::CursorHasMore
            | PaginationStyle::OffsetNextCursor
            | PaginationStyle::NullableCursor
            | PaginationStyle::NextToken => None,
        };
        let uses_next = computed_next.is_none();
        let uses_has_more = matches!(
            style,
            PaginationStyle::CursorHasMore
                | PaginationStyle::NextToken
                | PaginationStyle::OffsetHasMore
        );
        let next = match (&s.next, uses_next) {
            (Some(n), true) => {
                let next = self.path(resp, n, types, "pagination next", cursor_ok, cursor_want);
                match (&cursor, next) {
                    (Some(c), Some(next)) if c.ty != next.ty => {
                        let np = self.pos(&n.referenced);
                        self.diags.error(
                            &np,
                            format!(
                                "pagination next `{}` is `{}` but the cursor `{}` is `{}`; a next cursor has the cursor's type",
                                n.value,
                                type_label(&next.ty),
                                s.cursor.value,
                                type_label(&c.ty)
                            ),
                        );
                        None
                    }
                    (_, next) => next,
                }
            }
            (None, true) => {
                self.diags.error(
                    &pos,
                    "this pagination style needs `next`: the response path of the next cursor",
                );
                None
            }
            (Some(n), false) => {
                let np = self.pos(&n.referenced);
                self.diags.error(
                    &np,
                    format!(
                        "`{}` pagination has no `next`: {}",
                        style.as_str(),
                        computed_next.unwrap_or_default()
                    ),
                );
                None
            }
            (None, false) => None,
        };
        let has_more = match (&s.has_more, uses_has_more) {
            (Some(h), true) => self.path(
                resp,
                h,
                types,
                "pagination has_more",
                |t| *t == Type::Boolean,
                "boolean",
            ),
            (None, true) => {
                self.diags.error(&pos, "this pagination style needs `has_more`: the response path of the has-more flag");
                None
            }
            (Some(h), false) => {
                let hp = self.pos(&h.referenced);
                self.diags.error(
                    &hp,
                    "this pagination style ends on the cursor alone and does not read `has_more`",
                );
                None
            }
            (None, false) => None,
        };
        let items = self.path(
            resp,
            &s.items,
            types,
            "pagination items",
            |t| matches!(t, Type::Array(_)),
            "an array",
        )?;
        let Type::Array(item_type) = items.ty.clone() else {
            return None;
        };
        Some(Pagination {
            style,
            cursor: cursor?,
            size: size?,
            next,
            has_more,
            items,
            item_type: *item_type,
        })
    }

    /// Resolves and checks a time window against the request.
    pub(crate) fn lower_window(
        &mut self,
        w: &S<spec::Window>,
        req: &Object,
        types: &[TypeDef],
    ) -> Option<Window> {
        let s = &w.value;
        let time = |t: &Type| matches!(t, Type::EpochMs | Type::DateTime);
        let start = self.path(
            req,
            &s.start,
            types,
            "window start",
            time,
            "epoch_ms or datetime",
        );
        let end = self.path(
            req,
            &s.end,
            types,
            "window end",
            time,
            "epoch_ms or datetime",
        );
        let (start, end) = (start?, end?);
        let pos = self.pos(&w.referenced);
        if start.ty != end.ty {
            self.diags.error(
                &pos,
                format!(
                    "window start `{}` and end `{}` have different types",
                    s.start.value, s.end.value
                ),
            );
        }
        let parent = |p: &FieldPath| {
            p.steps[..p.steps.len() - 1]
                .iter()
                .map(|s| s.wire.clone())
                .collect::<Vec<_>>()
        };
        if parent(&start) != parent(&end) {
            self.diags.error(
                &pos,
                "window start and end must be fields of the same object",
            );
        }
        if s.max_days.value == 0 {
            let p = self.pos(&s.max_days.referenced);
            self.diags
                .error(&p, "contradictory limit: a window of 0 days allows nothing");
        }
        let when_many = match &s.when_many {
            Some(m) => {
                let list = self.path(
                    req,
                    &m.value.list,
                    types,
                    "window when_many list",
                    Type::is_list,
                    "a list",
                )?;
                if m.value.max_days.value > s.max_days.value {
                    let p = self.pos(&m.value.max_days.referenced);
                    self.diags.error(
                        &p,
                        format!("contradictory limit: when_many allows {} days, more than the window's {}", m.value.max_days.value, s.max_days.value),
                    );
                }
                Some((list, m.value.max_days.value))
            }
            None => None,
        };
        Some(Window {
            start,
            end,
            max_days: s.max_days.value,
            when_many,
        })
    }
}
