//! Named types of one imported file: which model classes the operations reach, from which side,
//! in first-use order, and their names.
//!
//! A class is named `UpperCamel(area + SDK class name)`, the first `ResponseBody` of the class
//! name shortened to `Response`: `storage_v2` + `ListRecentsResponseBodyRecentDentryList` gives
//! `StorageV2ListRecentsResponseRecentDentryList`. The SDK's class names are unique within a
//! module, so the names are unique within an area; [`super::check_names`] checks the whole
//! import. `required` is kept on the fields of classes reached only from requests: in a
//! response it would mean DingTalk guarantees the field, which the SDK does not claim.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;

use super::models::Model;
use super::pattern::Problems;
use super::pytype::PyType;
use super::yaml::{Field, TypeDef};

/// The side of an operation a type is reached from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Side {
    Request,
    Response,
}

/// The type name of SDK class `class` in `area`.
pub(crate) fn type_name(area: &str, class: &str) -> String {
    let short = class.replacen("ResponseBody", "Response", 1);
    let mut name = format!("{area} {short}").to_upper_camel_case();
    // heck is not always idempotent (`EC` + `Connection` reads back as `Ec`, `Connection`):
    // settle on the name that heck leaves as it is.
    for _ in 0..3 {
        let again = name.to_upper_camel_case();
        if again == name {
            break;
        }
        name = again;
    }
    name
}

/// The classes reached so far, in first-use order, with the sides they are reached from.
pub(crate) struct Types<'m> {
    area: String,
    models: &'m BTreeMap<String, Model>,
    order: Vec<String>,
    sides: BTreeMap<String, BTreeSet<Side>>,
    missing: BTreeSet<String>,
}

impl<'m> Types<'m> {
    pub(crate) fn new(area: &str, models: &'m BTreeMap<String, Model>) -> Self {
        Types {
            area: area.to_owned(),
            models,
            order: Vec::new(),
            sides: BTreeMap::new(),
            missing: BTreeSet::new(),
        }
    }

    /// The spec spelling of `ty`, registering the class it names (and every class that one
    /// reaches) as used from `side`. A class the module does not define is a problem at `line`
    /// of models.py (or of client.py, as `problems` says).
    pub(crate) fn spell(
        &mut self,
        ty: &PyType,
        side: Side,
        line: usize,
        problems: &mut Problems,
    ) -> String {
        if let Some(class) = ty.model() {
            self.visit(class, side, line, problems);
        }
        let area = self.area.clone();
        ty.spec(&|c| type_name(&area, c))
    }

    fn visit(&mut self, class: &str, side: Side, line: usize, problems: &mut Problems) {
        let Some(model) = self.models.get(class) else {
            if self.missing.insert(class.to_owned()) {
                problems.at(line, format!("class `{class}` is not defined in models.py"));
            }
            return;
        };
        let sides = self.sides.entry(class.to_owned()).or_default();
        if sides.is_empty() {
            self.order.push(class.to_owned());
        }
        if !sides.insert(side) {
            return;
        }
        for f in &model.fields {
            if let Some(child) = f.ty.model() {
                self.visit(child, side, f.line, problems);
            }
        }
    }

    /// Whether `class` has been reached from a response.
    pub(crate) fn in_response(&self, class: &str) -> bool {
        self.sides
            .get(class)
            .is_some_and(|s| s.contains(&Side::Response))
    }

    /// The type definitions in first-use order, and how many were reached from both a request
    /// and a response (their `required` marks dropped).
    pub(crate) fn defs(&self) -> (Vec<TypeDef>, usize) {
        let mut both = 0;
        let defs = self
            .order
            .iter()
            .map(|class| {
                let model = &self.models[class];
                let request_only = !self.in_response(class);
                both += usize::from(self.sides[class].len() == 2);
                let fields = model
                    .fields
                    .iter()
                    .map(|f| Field {
                        name: f.wire.clone(),
                        ty: f.ty.spec(&|c| type_name(&self.area, c)),
                        required: f.required && request_only,
                        ..Field::default()
                    })
                    .collect();
                TypeDef {
                    name: type_name(&self.area, class),
                    fields,
                }
            })
            .collect();
        (defs, both)
    }
}

/// Whether any type reached from `roots` (their own fields included) satisfies `pred`.
pub(crate) fn tree_has(
    models: &BTreeMap<String, Model>,
    roots: &[&PyType],
    pred: &dyn Fn(&PyType) -> bool,
) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&PyType> = roots.to_vec();
    while let Some(ty) = stack.pop() {
        if pred(ty) {
            return true;
        }
        if let Some(class) = ty.model()
            && seen.insert(class)
            && let Some(m) = models.get(class)
        {
            stack.extend(m.fields.iter().map(|f| &f.ty));
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_take_the_area_and_shorten_response_body() {
        assert_eq!(
            type_name("storage_v2", "ListRecentsResponseBodyRecentDentryList"),
            "StorageV2ListRecentsResponseRecentDentryList"
        );
        assert_eq!(type_name("doc", "CriteriaValue"), "DocCriteriaValue");
        assert_eq!(type_name("doc_v2", "SpaceVO"), "DocV2SpaceVo");
        assert_eq!(
            type_name("hrm", "MasterDataSaveRequestBody"),
            "HrmMasterDataSaveRequestBody"
        );
    }
}
