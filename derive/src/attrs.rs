//! The `#[wire(...)]` attributes of a struct and of its fields, read once into plain values;
//! anything unknown or malformed is an error at its span.

use syn::{Attribute, LitStr};

/// What `#[wire(...)]` says on a struct.
#[derive(Default)]
pub(crate) struct Container {
    /// `deny_unknown_fields`: refuse keys the struct does not know when read.
    pub(crate) deny_unknown_fields: bool,
    /// `serialize = "feature"`: compile `Serialize` only with that feature.
    pub(crate) serialize: Option<LitStr>,
    /// `deserialize = "feature"`: compile `Deserialize` only with that feature.
    pub(crate) deserialize: Option<LitStr>,
}

/// What `#[wire(...)]` says on a field.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    /// `rename = "wireName"`.
    pub(crate) rename: Option<LitStr>,
    /// `lenient`: an `Option<i64>` that may arrive as a numeric string.
    pub(crate) lenient: bool,
}

pub(crate) fn container(attrs: &[Attribute]) -> syn::Result<Container> {
    let mut out = Container::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("wire")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("deny_unknown_fields") {
                out.deny_unknown_fields = true;
            } else if meta.path.is_ident("serialize") {
                out.serialize = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("deserialize") {
                out.deserialize = Some(meta.value()?.parse()?);
            } else {
                return Err(meta.error(
                    "unknown `wire` attribute; expected `deny_unknown_fields`, `serialize = \"feature\"` or `deserialize = \"feature\"`",
                ));
            }
            Ok(())
        })?;
    }
    Ok(out)
}

pub(crate) fn field(attrs: &[Attribute]) -> syn::Result<FieldAttrs> {
    let mut out = FieldAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("wire")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                out.rename = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("lenient") {
                out.lenient = true;
            } else {
                return Err(meta.error(
                    "unknown `wire` attribute of a field; expected `rename = \"wireName\"` or `lenient`",
                ));
            }
            Ok(())
        })?;
    }
    Ok(out)
}
