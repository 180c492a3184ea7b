// The derives of generated types refuse a misspelt attribute, a `lenient` field that is not an
// `Option<i64>`, an open enum without a variant for unknown values, and a listed variant without
// its wire value, each with an error at the mistake.
use dingtalk_openapi::primitives::OpenEnum;
use dingtalk_openapi::runtime::__private::Wire;

#[derive(Wire)]
#[wire(deny_unknown)]
struct Misspelt {
    id: i64,
}

#[derive(Wire)]
struct NotOptional {
    #[wire(lenient)]
    errcode: i64,
}

#[derive(OpenEnum)]
enum Closed {
    #[open_enum(1)]
    One,
}

#[derive(OpenEnum)]
enum NoValue {
    One,
    Unknown(i64),
}

fn main() {}
