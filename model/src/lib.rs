//! What a DingTalk operation is, as data: its method, host, credential style, answer envelope,
//! effect on server state, parameters and pagination.
//!
//! The generator reads these values from the YAML spec (with the `serde` feature, in the spec's
//! spelling), the generated client carries one [`OperationInfo`] per operation, and the
//! runtime, the fake DingTalk and the `dingtalk` command act on it. Defining them once here keeps
//! the three in step.
//!
//! The enums are exhaustive on purpose: every tool that acts on an operation must handle every
//! kind of it, so a new kind (a method, a credential style) is a new release of every crate of
//! the family together (the generated client pins this crate at one exact version).

#![deny(missing_docs)]

mod pagination;
mod param;
mod path;

pub use pagination::{CursorType, Pagination, PaginationStyle};
pub use param::{Encode, Location, Param};
pub use path::{PathSegment, PathTemplateError, path_params, path_segments};

/// The HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Deserialize),
    serde(rename_all = "UPPERCASE")
)]
pub enum Method {
    /// `GET`: every parameter goes to the query string.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `DELETE`.
    Delete,
    /// `PATCH`.
    Patch,
}

impl Method {
    /// The method as written on the request line.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
        }
    }
}

/// Which DingTalk host serves an operation; each can be overridden on the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum Host {
    /// `https://oapi.dingtalk.com`: the older `topapi` endpoints.
    Oapi,
    /// `https://api.dingtalk.com`: the `v1.0` endpoints.
    Api,
    /// The custom group robot's webhook, which lives on the oapi host.
    Robot,
}

impl Host {
    /// The value as the spec and the OpenAPI export spell it (`oapi`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Host::Oapi => "oapi",
            Host::Api => "api",
            Host::Robot => "robot",
        }
    }

    /// The documented base URL of the host (the robot's webhook is on the oapi host).
    pub const fn default_base_url(self) -> &'static str {
        match self {
            Host::Oapi | Host::Robot => "https://oapi.dingtalk.com",
            Host::Api => "https://api.dingtalk.com",
        }
    }
}

/// How an operation carries its credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum Auth {
    /// No credential (the token endpoints themselves).
    None,
    /// `?access_token=` in the query string.
    QueryToken,
    /// The `x-acs-dingtalk-access-token` header (v1.0 endpoints).
    HeaderToken,
    /// The robot's `access_token`, plus `timestamp` and `sign` when the robot has a secret.
    Robot,
    /// The app's signed query of the SNS and login-free calls (oapi): `accessKey` (the AppKey),
    /// `timestamp` (Unix milliseconds) and `signature` (the Base64 HMAC-SHA256 of the timestamp
    /// keyed with the AppSecret), made afresh for every attempt.
    AppSignature,
}

impl Auth {
    /// The value as the spec and the OpenAPI export spell it (`none`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Auth::None => "none",
            Auth::QueryToken => "query_token",
            Auth::HeaderToken => "header_token",
            Auth::Robot => "robot",
            Auth::AppSignature => "app_signature",
        }
    }
}

/// How an operation's answer is wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum Envelope {
    /// `{"errcode": 0, "errmsg": "ok", ...}`: errcode 0 is success, anything else an error.
    Errcode,
    /// v1.0: the bare body on success; errors by HTTP status with `{code, message, requestid}`.
    Bare,
}

impl Envelope {
    /// The value as the spec and the OpenAPI export spell it (`errcode`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Envelope::Errcode => "errcode",
            Envelope::Bare => "bare",
        }
    }
}

/// What an operation does to server state; decides whether an ambiguous failure may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum Effect {
    /// Reads only: always safe to retry.
    Read,
    /// Creates something: retried only when the failure shows it was not processed.
    Create,
    /// Changes something in place.
    Update,
    /// Deletes something.
    Delete,
}

impl Effect {
    /// The value as the spec and the OpenAPI export spell it (`read`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Effect::Read => "read",
            Effect::Create => "create",
            Effect::Update => "update",
            Effect::Delete => "delete",
        }
    }
}

/// What a successful answer's body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum Returns {
    /// A JSON object: the operation's response fields (the usual case).
    #[default]
    Object,
    /// A bare JSON array of objects.
    Array,
    /// A bare `true` or `false`.
    Boolean,
    /// Any JSON value: the source gives the answer no type.
    Json,
    /// Nothing to read: the body of a success is ignored.
    #[cfg_attr(feature = "serde", serde(rename = "none"))]
    Empty,
}

impl Returns {
    /// The value as the spec and the OpenAPI export spell it (`object`, `none`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Returns::Object => "object",
            Returns::Array => "array",
            Returns::Boolean => "boolean",
            Returns::Json => "json",
            Returns::Empty => "none",
        }
    }
}

/// Static facts about one operation, emitted by the generator.
#[derive(Debug)]
#[non_exhaustive]
pub struct OperationInfo {
    /// The operation id: the path segments after the API prefix joined by `.`, e.g. `blackboard.create`.
    pub id: &'static str,
    /// The area (module and cargo feature), e.g. `blackboard`.
    pub area: &'static str,
    /// The one-line Chinese title from the docs.
    pub title: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The host.
    pub host: Host,
    /// The path, e.g. `/topapi/blackboard/create`.
    pub path: &'static str,
    /// The credential style.
    pub auth: Auth,
    /// The response envelope.
    pub envelope: Envelope,
    /// What the call does to server state.
    pub effect: Effect,
    /// Every top-level parameter except the credential.
    pub params: &'static [Param],
    /// How the operation pages, if it does.
    pub pagination: Option<Pagination>,
    /// The documented example request (all parameters by wire name) as JSON.
    pub example_request: &'static str,
    /// The documented example response as JSON.
    pub example_response: &'static str,
    /// The documentation page.
    pub doc_url: &'static str,
    /// DingTalk's own name of the operation, `<api version>/<action>` (`contact_1.0/GetUser`),
    /// for operations imported from DingTalk's API description; empty for curated ones.
    pub action: &'static str,
    /// What a successful answer's body is.
    pub returns: Returns,
}

impl OperationInfo {
    /// Whether every parameter goes into the JSON body (the common case: no splitting needed).
    pub fn all_body(&self) -> bool {
        self.params
            .iter()
            .all(|p| p.location == Location::Body && p.encode == Encode::Plain)
    }

    /// The action name alone (`GetUser` of `contact_1.0/GetUser`); empty for curated operations.
    pub fn action_name(&self) -> &'static str {
        match self.action.rsplit_once('/') {
            Some((_, name)) => name,
            None => self.action,
        }
    }

    /// Whether the body is `multipart/form-data`: some parameter is a form field or a file.
    pub fn is_multipart(&self) -> bool {
        self.params.iter().any(|p| p.location.is_multipart())
    }

    /// The URL this operation is documented at, without host overrides.
    pub fn default_url(&self) -> String {
        format!("{}{}", self.host.default_base_url(), self.path)
    }

    /// Facts for a hand-written operation (an endpoint the generated crate lacks, or a test):
    /// code outside this crate cannot name the fields of this `#[non_exhaustive]` struct.
    ///
    /// Starts as a read that carries the token in the query and answers with an errcode
    /// envelope, with no parameters; the `with_*` methods change that.
    pub const fn new(id: &'static str, method: Method, host: Host, path: &'static str) -> Self {
        OperationInfo {
            id,
            area: "",
            title: "",
            method,
            host,
            path,
            auth: Auth::QueryToken,
            envelope: Envelope::Errcode,
            effect: Effect::Read,
            params: &[],
            pagination: None,
            example_request: "{}",
            example_response: "{}",
            doc_url: "",
            action: "",
            returns: Returns::Object,
        }
    }

    /// Sets the credential style.
    pub const fn with_auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Sets the response envelope.
    pub const fn with_envelope(mut self, envelope: Envelope) -> Self {
        self.envelope = envelope;
        self
    }

    /// Sets what the call does to server state.
    pub const fn with_effect(mut self, effect: Effect) -> Self {
        self.effect = effect;
        self
    }

    /// Sets the one-line title.
    pub const fn with_title(mut self, title: &'static str) -> Self {
        self.title = title;
        self
    }

    /// Sets DingTalk's name of the operation, `<api version>/<action>`, and the area (its
    /// module), as an imported operation has them.
    pub const fn with_action(mut self, area: &'static str, action: &'static str) -> Self {
        self.area = area;
        self.action = action;
        self
    }

    /// Sets what a successful answer's body is.
    pub const fn with_returns(mut self, returns: Returns) -> Self {
        self.returns = returns;
        self
    }

    /// Sets the top-level parameters.
    pub const fn with_params(mut self, params: &'static [Param]) -> Self {
        self.params = params;
        self
    }

    /// Sets the pagination style, with that style's usual field names.
    pub const fn with_pagination(mut self, style: PaginationStyle) -> Self {
        self.pagination = Some(Pagination::usual(style));
        self
    }
}

/// For generated code only: not part of the API, and may change in any release.
#[doc(hidden)]
pub mod __private {
    use super::{Auth, Effect, Envelope, Host, Method, OperationInfo, Pagination, Param, Returns};

    /// Every field of an [`OperationInfo`], for code outside this crate to build one by name
    /// (the struct itself is `#[non_exhaustive]`).
    #[derive(Debug)]
    pub struct OperationParts {
        /// See [`OperationInfo::id`].
        pub id: &'static str,
        /// See [`OperationInfo::area`].
        pub area: &'static str,
        /// See [`OperationInfo::title`].
        pub title: &'static str,
        /// See [`OperationInfo::method`].
        pub method: Method,
        /// See [`OperationInfo::host`].
        pub host: Host,
        /// See [`OperationInfo::path`].
        pub path: &'static str,
        /// See [`OperationInfo::auth`].
        pub auth: Auth,
        /// See [`OperationInfo::envelope`].
        pub envelope: Envelope,
        /// See [`OperationInfo::effect`].
        pub effect: Effect,
        /// See [`OperationInfo::params`].
        pub params: &'static [Param],
        /// See [`OperationInfo::pagination`].
        pub pagination: Option<Pagination>,
        /// See [`OperationInfo::example_request`].
        pub example_request: &'static str,
        /// See [`OperationInfo::example_response`].
        pub example_response: &'static str,
        /// See [`OperationInfo::doc_url`].
        pub doc_url: &'static str,
        /// See [`OperationInfo::action`].
        pub action: &'static str,
        /// See [`OperationInfo::returns`].
        pub returns: Returns,
    }

    impl OperationInfo {
        /// The operation facts from every one of their parts, by name.
        pub const fn from_parts(parts: OperationParts) -> OperationInfo {
            let OperationParts {
                id,
                area,
                title,
                method,
                host,
                path,
                auth,
                envelope,
                effect,
                params,
                pagination,
                example_request,
                example_response,
                doc_url,
                action,
                returns,
            } = parts;
            OperationInfo {
                id,
                area,
                title,
                method,
                host,
                path,
                auth,
                envelope,
                effect,
                params,
                pagination,
                example_request,
                example_response,
                doc_url,
                action,
                returns,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "serde")]
    fn read<'de, T: serde::Deserialize<'de>>(s: &'de str) -> T {
        T::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(s))
            .unwrap()
    }

    /// The spec's spelling (serde) and `as_str` are one spelling.
    #[cfg(feature = "serde")]
    #[test]
    fn as_str_is_the_spec_spelling() {
        for m in [
            Method::Get,
            Method::Post,
            Method::Put,
            Method::Delete,
            Method::Patch,
        ] {
            assert_eq!(read::<Method>(m.as_str()), m);
        }
        for h in [Host::Oapi, Host::Api, Host::Robot] {
            assert_eq!(read::<Host>(h.as_str()), h);
        }
        for a in [
            Auth::None,
            Auth::QueryToken,
            Auth::HeaderToken,
            Auth::Robot,
            Auth::AppSignature,
        ] {
            assert_eq!(read::<Auth>(a.as_str()), a);
        }
        for e in [Envelope::Errcode, Envelope::Bare] {
            assert_eq!(read::<Envelope>(e.as_str()), e);
        }
        for e in [Effect::Read, Effect::Create, Effect::Update, Effect::Delete] {
            assert_eq!(read::<Effect>(e.as_str()), e);
        }
        for l in [
            Location::Query,
            Location::Body,
            Location::Header,
            Location::Form,
            Location::File,
            Location::Path,
            Location::WholeBody,
        ] {
            assert_eq!(read::<Location>(l.as_str()), l);
        }
        for e in [Encode::Plain, Encode::Json, Encode::Repeat] {
            assert_eq!(read::<Encode>(e.as_str()), e);
        }
        for r in [
            Returns::Object,
            Returns::Array,
            Returns::Boolean,
            Returns::Json,
            Returns::Empty,
        ] {
            assert_eq!(read::<Returns>(r.as_str()), r);
        }
        for p in [
            PaginationStyle::CursorHasMore,
            PaginationStyle::OffsetNextCursor,
            PaginationStyle::NullableCursor,
            PaginationStyle::PageNumber,
            PaginationStyle::NextToken,
            PaginationStyle::OffsetHasMore,
        ] {
            assert_eq!(read::<PaginationStyle>(p.as_str()), p);
        }
    }

    #[test]
    fn default_urls_follow_the_host() {
        let info = OperationInfo::new("gettoken", Method::Get, Host::Oapi, "/gettoken");
        assert_eq!(info.default_url(), "https://oapi.dingtalk.com/gettoken");
        assert_eq!(
            Host::Robot.default_base_url(),
            Host::Oapi.default_base_url()
        );
        assert_eq!(Host::Api.default_base_url(), "https://api.dingtalk.com");
    }

    #[test]
    fn facts_of_a_hand_written_operation_are_built_by_name() {
        const PARAMS: &[Param] = &[
            Param::new("userId", Location::Query, true, false),
            Param::new("body", Location::Body, false, false),
        ];
        const INFO: OperationInfo = OperationInfo::new(
            "contact.users",
            Method::Get,
            Host::Api,
            "/v1.0/contact/users",
        )
        .with_auth(Auth::HeaderToken)
        .with_envelope(Envelope::Bare)
        .with_effect(Effect::Read)
        .with_params(PARAMS)
        .with_pagination(PaginationStyle::NextToken);
        assert_eq!(INFO.auth, Auth::HeaderToken);
        assert_eq!(INFO.envelope, Envelope::Bare);
        assert!(!INFO.all_body(), "userId goes to the query");
        let pagination = INFO.pagination.expect("paged");
        assert_eq!(
            (pagination.cursor, pagination.size),
            ("nextToken", "maxResults")
        );
        assert!(OperationInfo::new("x", Method::Post, Host::Oapi, "/x").all_body());
    }
}
