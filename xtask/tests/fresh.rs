//! `generated/` must be what `cargo xtask gen` makes from `spec/` today.

#[test]
fn generated_crate_is_fresh() {
    let root = xtask::workspace_root();
    let output = match xtask::generate(&root.join("spec"), &root.join("generated")) {
        Ok(o) => o,
        Err(e) => panic!("the spec does not generate: {e:?}"),
    };
    let stale = xtask::stale(&root.join("generated"), &output).expect("read generated/");
    assert!(
        stale.is_empty(),
        "generated/ is stale ({stale:?}); run `cargo xtask gen`"
    );
}
