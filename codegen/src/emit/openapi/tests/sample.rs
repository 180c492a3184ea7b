//! A small API in IR form that exercises every shape the OpenAPI export handles: body, query
//! and header parameters, both hosts, pagination, windows, open enums and a flattened union.

use serde_json::json;

use crate::diag::Pos;
use crate::ir::{
    Api, Area, Auth, Bound, Effect, Encode, Enum, EnumValue, Envelope, Field, FieldPath, Host,
    Limits, Location, Method, NamedKind, NamedRef, Object, Operation, Pagination, PaginationStyle,
    PathStep, Returns, Type, TypeDef, Union, UnionVariant, Usage, Window,
};

/// A position in the sample spec (the sample has no file; every node points at its start).
pub(super) fn pos() -> Pos {
    Pos::new("sample.yaml", 1, 1)
}

pub(super) const REQUEST: Usage = Usage {
    request: true,
    response: false,
};
pub(super) const RESPONSE: Usage = Usage {
    request: false,
    response: true,
};

pub(super) fn field(wire: &str, ty: Type, required: bool) -> Field {
    Field {
        pos: pos(),
        wire: wire.into(),
        rust: wire.to_lowercase(),
        ty,
        required,
        description: format!("{wire}的说明。"),
        example: None,
        default: None,
        secret: false,
        flatten: false,
        lenient: false,
        location: None,
        encode: Encode::Plain,
        limits: Limits::default(),
    }
}

pub(super) fn param(wire: &str, ty: Type, required: bool, location: Location) -> Field {
    Field {
        pos: pos(),
        location: Some(location),
        ..field(wire, ty, required)
    }
}

pub(super) fn named(name: &str, kind: NamedKind) -> Type {
    Type::Named(NamedRef {
        name: name.into(),
        kind,
        checked: false,
    })
}

pub(super) fn object(name: &str, fields: Vec<Field>, usage: Usage) -> Object {
    Object {
        pos: pos(),
        name: name.into(),
        doc_name: None,
        description: format!("{name}。"),
        fields,
        usage,
        has_checks: false,
    }
}

pub(super) fn path(wires: &[&str], ty: Type) -> FieldPath {
    FieldPath {
        steps: wires
            .iter()
            .map(|w| PathStep {
                wire: (*w).into(),
                rust: (*w).into(),
                required: false,
            })
            .collect(),
        ty,
    }
}

pub(super) fn operation(
    id: &str,
    method: Method,
    host: Host,
    path: &str,
    auth: Auth,
    envelope: Envelope,
) -> Operation {
    Operation {
        pos: pos(),
        id: id.into(),
        title: format!("{id}标题"),
        description: None,
        doc_url: format!("https://open.dingtalk.com/document/{id}"),
        method,
        host,
        path: path.into(),
        auth,
        envelope,
        effect: Effect::Read,
        fn_name: id.replace('.', "_"),
        request: object("Req", vec![], REQUEST),
        response: object("Resp", vec![], RESPONSE),
        pagination: None,
        windows: vec![],
        requires_one_of: vec![],
        example_request: json!({}),
        example_response: json!({}),
        action: None,
        returns: Returns::Object,
    }
}

/// An area with a body operation (nested object, enum, window, page numbers), a v1.0 GET with
/// query parameters and header auth (next-token pagination), and a robot operation with a
/// flattened union; plus an auth area to check area order.
pub(super) fn sample() -> Api {
    let mut receiver = field("deptid_list", Type::Array(Box::new(Type::Integer)), false);
    receiver.limits.max_items = Some(20);
    receiver.example = Some(json!([1]));
    let mut level = field(
        "private_level",
        named("PrivateLevel", NamedKind::IntEnum),
        false,
    );
    level.example = Some(json!(0));
    let mut page_size = field("page_size", Type::Integer, true);
    page_size.limits = Limits {
        min: Some(Bound::Int(1)),
        max: Some(Bound::Int(30)),
        ..Limits::default()
    };
    let vo = object(
        "BlackboardCreateVo",
        vec![
            field("title", Type::String, true),
            level,
            field(
                "blackboard_receiver",
                named("BlackboardReceiver", NamedKind::Object),
                true,
            ),
            field("start_time", Type::DateTime, false),
            field("end_time", Type::DateTime, false),
            page_size,
            field("page", Type::Integer, true),
        ],
        REQUEST,
    );
    let receiver_obj = object("BlackboardReceiver", vec![receiver], REQUEST);
    let detail = Object {
        doc_name: Some("OapiBlackboardVo".into()),
        ..object(
            "BlackboardDetail",
            vec![
                field("id", Type::String, true),
                field("gmt_create", Type::DateTime, false),
            ],
            RESPONSE,
        )
    };
    let private_level = Enum {
        pos: pos(),
        name: "PrivateLevel".into(),
        description: "保密等级".into(),
        string_values: false,
        values: vec![
            EnumValue {
                value: json!(0),
                rust: "Normal".into(),
                description: "普通公告".into(),
            },
            EnumValue {
                value: json!(20),
                rust: "Confidential".into(),
                description: "保密公告".into(),
            },
        ],
        usage: Usage {
            request: true,
            response: true,
        },
    };
    let mut create = operation(
        "blackboard.create",
        Method::Post,
        Host::Oapi,
        "/topapi/blackboard/create",
        Auth::QueryToken,
        Envelope::Errcode,
    );
    create.effect = Effect::Create;
    create.description = Some("创建一条公告。".into());
    create.request.fields = vec![param(
        "create_request",
        named("BlackboardCreateVo", NamedKind::Object),
        true,
        Location::Body,
    )];
    create.response.fields = vec![
        field("errcode", Type::Integer, false),
        field(
            "result",
            named("BlackboardDetail", NamedKind::Object),
            false,
        ),
        field("request_id", Type::String, true),
    ];
    create.pagination = Some(Pagination {
        style: PaginationStyle::PageNumber,
        cursor: path(&["create_request", "page"], Type::Integer),
        size: path(&["create_request", "page_size"], Type::Integer),
        next: None,
        has_more: None,
        items: path(&["result"], Type::Array(Box::new(Type::String))),
        item_type: Type::String,
    });
    create.windows = vec![Window {
        start: path(&["create_request", "start_time"], Type::DateTime),
        end: path(&["create_request", "end_time"], Type::DateTime),
        max_days: 180,
        when_many: None,
    }];
    create.example_request =
        json!({ "create_request": { "title": "入职须知", "private_level": 0 } });
    create.example_response = json!({ "errcode": 0, "request_id": "abc" });

    let mut next_token = param("nextToken", Type::Integer, false, Location::Query);
    next_token.example = Some(json!(0));
    let mut max_results = param("maxResults", Type::Int32, true, Location::Query);
    max_results.default = Some(json!(30));
    max_results.limits.max = Some(Bound::Int(50));
    let mut status = param(
        "status_list",
        Type::Csv(Box::new(Type::Integer)),
        false,
        Location::Query,
    );
    status.limits.max_items = Some(20);
    let mut dismissions = operation(
        "hrm.employees.dismissions",
        Method::Get,
        Host::Api,
        "/v1.0/hrm/employees/dismissions",
        Auth::HeaderToken,
        Envelope::Bare,
    );
    dismissions.request.fields = vec![next_token, max_results, status];
    dismissions.response.fields = vec![
        field("nextToken", Type::Integer, false),
        field("hasMore", Type::Boolean, false),
        field("userIdList", Type::Array(Box::new(Type::String)), false),
        field("checkin_time", Type::EpochMs, false),
    ];
    dismissions.pagination = Some(Pagination {
        style: PaginationStyle::NextToken,
        cursor: path(&["nextToken"], Type::Integer),
        size: path(&["maxResults"], Type::Int32),
        next: Some(path(&["nextToken"], Type::Integer)),
        has_more: Some(path(&["hasMore"], Type::Boolean)),
        items: path(&["userIdList"], Type::Array(Box::new(Type::String))),
        item_type: Type::String,
    });

    let mut message = param(
        "message",
        named("RobotMessage", NamedKind::Union),
        true,
        Location::Body,
    );
    message.flatten = true;
    let mut send = operation(
        "robot.send",
        Method::Post,
        Host::Robot,
        "/robot/send",
        Auth::Robot,
        Envelope::Errcode,
    );
    send.effect = Effect::Create;
    send.request.fields = vec![
        message,
        param(
            "at",
            named("RobotAt", NamedKind::Object),
            false,
            Location::Body,
        ),
    ];
    send.response.fields = vec![
        Field {
            pos: pos(),
            lenient: true,
            ..field("errcode", Type::Integer, false)
        },
        field("errmsg", Type::String, false),
    ];
    send.example_request =
        json!({ "msgtype": "text", "text": { "content": "你好" }, "at": { "isAtAll": false } });
    let union = Union {
        pos: pos(),
        name: "RobotMessage".into(),
        description: "机器人消息".into(),
        tag: "msgtype".into(),
        variants: vec![
            UnionVariant {
                value: "text".into(),
                rust: "Text".into(),
                ty: "RobotText".into(),
                checked: false,
                description: "文本消息".into(),
            },
            UnionVariant {
                value: "link".into(),
                rust: "Link".into(),
                ty: "RobotLink".into(),
                checked: false,
                description: "链接消息".into(),
            },
        ],
        usage: REQUEST,
        has_checks: false,
    };

    let mut appsecret = param("appsecret", Type::String, false, Location::Query);
    appsecret.secret = true;
    let mut gettoken = operation(
        "gettoken",
        Method::Get,
        Host::Oapi,
        "/gettoken",
        Auth::None,
        Envelope::Errcode,
    );
    gettoken.request.fields = vec![
        param("appkey", Type::String, false, Location::Query),
        appsecret,
    ];
    gettoken.requires_one_of = vec![vec!["appkey".into(), "appsecret".into()]];

    let area = |name: &str, operations: Vec<Operation>, types: Vec<TypeDef>| Area {
        pos: pos(),
        name: name.into(),
        file: format!("{name}.yaml"),
        title: format!("{name}标题"),
        description: Some(format!("{name}说明。")),
        curated: true,
        client_type: format!("{name}Client"),
        operations,
        types,
    };
    let areas = [
        area(
            "blackboard",
            vec![create, dismissions],
            vec![
                TypeDef::Object(vo),
                TypeDef::Object(receiver_obj),
                TypeDef::Object(detail),
                TypeDef::Enum(private_level),
            ],
        ),
        area(
            "robot",
            vec![send],
            vec![
                TypeDef::Object(object(
                    "RobotText",
                    vec![field("content", Type::String, true)],
                    REQUEST,
                )),
                TypeDef::Object(object(
                    "RobotLink",
                    vec![field("title", Type::String, true)],
                    REQUEST,
                )),
                TypeDef::Object(object(
                    "RobotAt",
                    vec![field("isAtAll", Type::Boolean, false)],
                    REQUEST,
                )),
                TypeDef::Union(union),
            ],
        ),
        area("auth", vec![gettoken], vec![]),
    ];
    Api {
        areas: areas.into_iter().map(|a| (a.name.clone(), a)).collect(),
    }
}
