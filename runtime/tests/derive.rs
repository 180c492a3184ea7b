//! `#[derive(OpenEnum)]` as the generated enums use it: wire values both ways, unknown values
//! kept and written back unchanged, equality and hashing by wire value, negative values, and
//! string-valued enums.

use std::collections::HashSet;

use dingtalk_openapi_runtime::primitives::OpenEnum;

/// An integer value set with a negative value, as DingTalk's `-1` for "the root department".
#[derive(Debug, Clone, Copy, OpenEnum)]
enum Scope {
    #[open_enum(-1)]
    Root,
    #[open_enum(0)]
    Normal,
    #[open_enum(20)]
    Confidential,
    Unknown(i64),
}

/// A string value set.
#[derive(Debug, Clone, OpenEnum)]
enum Format {
    #[open_enum("markdown")]
    Markdown,
    #[open_enum("text")]
    Text,
    Unknown(String),
}

#[test]
fn integer_values_map_both_ways_and_unknown_ones_are_kept() {
    assert!(matches!(Scope::from_repr(-1), Scope::Root));
    assert!(matches!(Scope::from_repr(20), Scope::Confidential));
    assert!(matches!(Scope::from_repr(7), Scope::Unknown(7)));
    assert_eq!(Scope::Root.to_repr(), -1);
    assert_eq!(Scope::Unknown(7).to_repr(), 7);
    assert_eq!(Scope::from(0), Scope::Normal);
    assert_eq!(serde_json::to_string(&Scope::Root).unwrap(), "-1");
    assert_eq!(serde_json::to_string(&Scope::Unknown(99)).unwrap(), "99");
    let read: Vec<Scope> = serde_json::from_str("[-1, 20, 99]").unwrap();
    assert_eq!(read, [Scope::Root, Scope::Confidential, Scope::Unknown(99)]);
    assert!(serde_json::from_str::<Scope>("\"20\"").is_err());
}

#[test]
fn equality_and_hashing_go_by_the_wire_value() {
    // An `Unknown` holding a listed value is that variant.
    assert_eq!(Scope::Unknown(20), Scope::Confidential);
    assert_ne!(Scope::Unknown(21), Scope::Confidential);
    let set: HashSet<Scope> = [Scope::Unknown(0), Scope::Normal, Scope::Root].into();
    assert_eq!(set.len(), 2);
}

#[test]
fn string_values_map_both_ways_and_unknown_ones_are_kept() {
    assert!(matches!(Format::from_repr("text".into()), Format::Text));
    let other = Format::from_repr("html".into());
    assert!(matches!(&other, Format::Unknown(v) if v == "html"));
    assert_eq!(other.to_repr(), "html");
    assert_eq!(Format::Markdown.to_repr(), "markdown");
    assert_eq!(Format::Unknown("markdown".into()), Format::Markdown);
    assert_eq!(
        serde_json::to_string(&[Format::Markdown, other]).unwrap(),
        r#"["markdown","html"]"#
    );
    let read: Format = serde_json::from_str(r#""text""#).unwrap();
    assert_eq!(read, Format::Text);
}
