//! `dingtalk call OP --body …`: the body is read, checked as JSON, deserialized into the
//! operation's request type (unknown or ill-typed fields are errors naming their path), checked
//! against the documented limits, and only then sent through the [`Client`]. The answer is
//! printed as DingTalk sent it, keys in order.
//!
//! The request type is reached through the generated `dyn_operation`, which gives every
//! operation by id with its types erased: the command covers every operation without a
//! hand-written list, and compiles nothing per operation.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use serde_json::value::RawValue;

use crate::args::{CallArgs, Global, Sources};
use crate::body::Body;
#[cfg(test)]
use crate::body::Origin;
use crate::{CallError, Catalog, output, redact, serve, shared, trace};
use dingtalk_openapi::error::Error;
use dingtalk_openapi::operation::{Auth, OperationInfo};
use dingtalk_openapi::runtime::dynamic::DynOperation;
use dingtalk_openapi_runtime::client::{Client, ClientBuilder};

/// The answer of one call, or why there is none; what [`CallVisitor`] gives back.
pub type CallFuture = Pin<Box<dyn Future<Output = Result<CallOutput, CallError>> + Send>>;

/// A successful answer.
#[derive(Debug)]
pub struct CallOutput {
    body: Box<RawValue>,
    mismatch: Option<String>,
}

impl CallOutput {
    /// The answer's JSON as DingTalk sent it (success envelope included).
    pub fn json(&self) -> &str {
        self.body.get()
    }

    /// Why the answer does not fit the operation's typed response, if it does not: a sign that
    /// the spec and DingTalk disagree. The answer is printed anyway.
    pub fn type_mismatch(&self) -> Option<&str> {
        self.mismatch.as_deref()
    }
}

/// Calls one operation with a JSON request, through the operation as the generated
/// `dyn_operation` gives it.
pub struct CallVisitor {
    body: Body,
    client: Result<Client, CallError>,
}

impl CallVisitor {
    /// A call that sends `body` (JSON text) through `client`, or, when the client could not be
    /// configured, reports that error once the body has been checked.
    pub(crate) fn new(body: Body, client: Result<Client, CallError>) -> CallVisitor {
        CallVisitor { body, client }
    }

    /// Reads the body as the request of `operation`, checks its limits and sends it; the answer
    /// is kept as sent, and checked against the typed response.
    pub(crate) fn call(self, operation: DynOperation) -> CallFuture {
        let id = operation.info().id;
        let checked = self.body.parse(id, &operation).and_then(|request| {
            request
                .validate()
                .map_err(|e| CallError::usage(e.to_string()))?;
            Ok(request)
        });
        let (request, client) = match (checked, self.client) {
            (Ok(request), Ok(client)) => (request, client),
            (Err(e), _) | (_, Err(e)) => return Box::pin(std::future::ready(Err(e))),
        };
        Box::pin(async move {
            let body = request.execute_raw(&client).await.map_err(runtime_error)?;
            let mismatch = operation.decodes(body.get()).err().map(|e| e.to_string());
            Ok(CallOutput { body, mismatch })
        })
    }
}

impl fmt::Debug for CallVisitor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallVisitor")
            .field("body", &self.body.origin)
            .finish_non_exhaustive()
    }
}

/// A runtime error as the command reports it: nothing sent (exit 2) or a failed call (exit 1).
fn runtime_error(error: Error) -> CallError {
    // Refused before sending: the request or the configuration must change.
    let refused_locally = matches!(
        error,
        Error::Validation(_) | Error::Config(_) | Error::RobotGuard { .. }
    );
    if refused_locally {
        return CallError::usage(error.to_string());
    }
    let mut message = error.to_string();
    if let Error::Transport { source, .. } = &error {
        // "connecting failed" alone does not say why; the innermost cause does.
        let mut cause: &dyn std::error::Error = source;
        while let Some(next) = cause.source() {
            cause = next;
        }
        let cause = cause.to_string();
        if !cause.is_empty() && !message.contains(&cause) {
            message = format!("{message}: {cause}");
        }
    }
    CallError::failed(message)
}

/// `dingtalk call`: runs the call and prints the answer.
pub(crate) fn run(
    catalog: &Catalog,
    global: &Global,
    sources: &Sources,
    args: &CallArgs,
) -> Result<(), CallError> {
    let info = catalog.find(&args.operation)?;
    let body = Body::read(&args.body)?;
    body.check_syntax(info.id)?;
    let body = body.with_files(info, &args.files)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CallError::failed(format!("cannot start the async runtime: {e}")))?;
    let answer = runtime.block_on(async {
        let fake = if global.mock {
            Some(serve::start(catalog).await?)
        } else {
            None
        };
        let mut settings = match &fake {
            Some(fake) => fake.settings(global),
            None => Settings::from_flags(global, sources),
        };
        // A fake of this process's own has tokens no other process knows: nothing to share.
        if fake.is_none()
            && let Some(url) = shared::url(&global.redis_url)
        {
            settings.shared = Some(shared::connect(url).await?);
        }
        let client = settings.client(info);
        let future = (catalog.call)(info.id)
            .map(|operation| CallVisitor::new(body, client).call(operation))
            .ok_or_else(|| {
                CallError::usage(format!(
                    "{}: this build has no request type for it",
                    info.id
                ))
            })?;
        let answer = future.await;
        drop(fake);
        answer
    })?;
    if let Some(mismatch) = answer.type_mismatch() {
        let warning = format!(
            "{}: the answer does not fit the typed response ({mismatch}); printed as received",
            info.id
        );
        eprintln!("warning: {}", redact::scrub(&warning));
    }
    let text =
        output::pretty_json(answer.json()).unwrap_or_else(|_| format!("{}\n", answer.json()));
    output::write_stdout(text.as_bytes())
}

/// What a client is built from: flags and environment, or the in-process fake.
#[derive(Clone)]
pub(crate) struct Settings {
    pub(crate) app_key: Option<String>,
    pub(crate) app_secret: Option<String>,
    pub(crate) robot_token: Option<String>,
    pub(crate) robot_secret: Option<String>,
    /// The base URL and where it was set (flag or variable name), for messages.
    pub(crate) oapi_base_url: Option<(String, &'static str)>,
    pub(crate) api_base_url: Option<(String, &'static str)>,
    pub(crate) allow_insecure_http: bool,
    pub(crate) timeout: std::time::Duration,
    /// The token store and limiter shared through Redis (`--redis-url`), if any.
    pub(crate) shared: Option<dingtalk_openapi_redis::SharedState>,
}

impl Settings {
    /// The settings of the command line and environment; blank values count as unset.
    pub(crate) fn from_flags(global: &Global, sources: &Sources) -> Settings {
        let set = |v: &Option<String>| v.as_ref().filter(|v| !v.trim().is_empty()).cloned();
        Settings {
            app_key: set(&global.app_key),
            app_secret: set(&global.app_secret),
            robot_token: set(&global.robot_token),
            robot_secret: set(&global.robot_secret),
            oapi_base_url: set(&global.oapi_base_url).map(|u| (u, sources.oapi_base_url)),
            api_base_url: set(&global.api_base_url).map(|u| (u, sources.api_base_url)),
            allow_insecure_http: global.allow_insecure_http,
            timeout: global.timeout,
            shared: None,
        }
    }

    /// The app key and secret, or what to set to give them.
    pub(crate) fn app_credentials(&self) -> Result<(String, String), &'static str> {
        match (&self.app_key, &self.app_secret) {
            (Some(key), Some(secret)) => Ok((key.clone(), secret.clone())),
            (None, None) => {
                Err("set DINGTALK_APP_KEY and DINGTALK_APP_SECRET, or pass --app-key/--app-secret")
            }
            (Some(_), None) => {
                Err("set DINGTALK_APP_SECRET or pass --app-secret (the app key is set)")
            }
            (None, Some(_)) => {
                Err("set DINGTALK_APP_KEY or pass --app-key (the app secret is set)")
            }
        }
    }

    /// A client for `info`, given only the credentials that operation uses; the error says
    /// which variable or flag to set.
    pub(crate) fn client(&self, info: &OperationInfo) -> Result<Client, CallError> {
        for secret in [&self.app_secret, &self.robot_token, &self.robot_secret] {
            redact::register(secret.as_deref().unwrap_or_default());
        }
        let mut builder = ClientBuilder::new()
            .timeout(self.timeout)
            .allow_insecure_http(self.allow_insecure_http);
        if trace::enabled() {
            builder = builder.interceptor(trace::HttpLog::default());
        }
        if let Some(shared) = &self.shared {
            builder = shared.install(builder);
        }
        for (host, setting) in [("oapi", &self.oapi_base_url), ("api", &self.api_base_url)] {
            if let Some((url, source)) = setting {
                check_plain_http(host, url, source, self.allow_insecure_http)?;
            }
        }
        if let Some((url, _)) = &self.oapi_base_url {
            builder = builder.oapi_base_url(url);
        }
        if let Some((url, _)) = &self.api_base_url {
            builder = builder.api_base_url(url);
        }
        let id = info.id;
        match info.auth {
            Auth::QueryToken | Auth::HeaderToken => {
                let (key, secret) = self.app_credentials().map_err(|fix| {
                    CallError::usage(format!("{id} needs an access token: {fix}, or use --mock"))
                })?;
                builder = builder.app_credentials(key, secret);
            }
            Auth::AppSignature => {
                let (key, secret) = self.app_credentials().map_err(|fix| {
                    CallError::usage(format!(
                        "{id} is signed with the app's key and secret: {fix}, or use --mock"
                    ))
                })?;
                builder = builder.app_credentials(key, secret);
            }
            Auth::Robot => {
                let Some(token) = &self.robot_token else {
                    return Err(CallError::usage(format!(
                        "{id} needs the group robot's webhook token: set DINGTALK_ROBOT_TOKEN (and \
                         DINGTALK_ROBOT_SECRET if the robot signs), or pass --robot-token/--robot-secret, or use --mock"
                    )));
                };
                builder = builder.robot_token(token.clone());
                if let Some(secret) = &self.robot_secret {
                    builder = builder.robot_secret(secret.clone());
                }
            }
            Auth::None => {}
        }
        builder.build().map_err(|e| CallError::usage(e.to_string()))
    }
}

/// Plain http only for loopback unless `--allow-insecure-http`; other URL problems are left to
/// the client, which names them. `host` (oapi, api) names the URL in traces.
pub(crate) fn check_plain_http(
    host: &str,
    url: &str,
    source: &str,
    allow: bool,
) -> Result<(), CallError> {
    let Ok(parsed) = reqwest::Url::parse(url.trim()) else {
        return Ok(());
    };
    let name = parsed.host_str().unwrap_or_default();
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    let loopback = name.is_empty()
        || name.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if parsed.scheme() == "http" && !loopback && !allow {
        return Err(CallError::usage(format!(
            "{source} `{}` uses plain http for a host that is not loopback; \
             pass --allow-insecure-http to send credentials unencrypted",
            redact::shown_url(url, &parsed)
        )));
    }
    let shown = redact::shown_url(url, &parsed);
    tracing::debug!(target: "dingtalk", "{host} base URL {shown} (from {source})");
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use dingtalk_openapi::operation::{Host, Method, Operation};
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Req {
        create_request: Inner,
    }

    impl Operation for Req {
        type Response = serde_json::Value;
        const INFO: &'static OperationInfo =
            &OperationInfo::new("x.create", Method::Post, Host::Oapi, "/x/create");
    }

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        title: String,
        ding: Option<bool>,
        list: Option<Vec<i64>>,
    }

    fn error(text: &str) -> String {
        Body::text(text)
            .parse("x.create", &DynOperation::of::<Req>())
            .unwrap_err()
            .message()
            .to_owned()
    }

    #[test]
    fn body_errors_name_the_field() {
        assert_eq!(
            error(r#"{"create_request":{"titel":"a"}}"#),
            "x.create: unknown field `create_request.titel`; did you mean `title`?"
        );
        assert_eq!(
            error(r#"{"create_request":{"zzz":"a"}}"#),
            "x.create: unknown field `create_request.zzz`; expected one of `title`, `ding`, `list`"
        );
        assert_eq!(
            error(r#"{"create_request":{}}"#),
            "x.create: missing field `create_request.title`"
        );
        assert_eq!(error(r#"{}"#), "x.create: missing field `create_request`");
        assert_eq!(
            error(r#"{"create_request":{"title":"a","ding":"yes"}}"#),
            "x.create: `create_request.ding`: invalid type: string \"yes\", expected a boolean"
        );
        assert_eq!(
            error(r#"{"create_request":{"title":"a","list":[1,"2"]}}"#),
            "x.create: `create_request.list[1]`: invalid type: string \"2\", expected i64"
        );
        assert_eq!(
            error("{\n  \"a\": 1,\n}"),
            "x.create: --body is not valid JSON: key must be a string at line 3 column 1"
        );
        assert_eq!(
            error("[]"),
            "x.create: --body must be a JSON object of the operation's parameters by wire name"
        );
        assert_eq!(
            error(""),
            "x.create: --body is not valid JSON: EOF while parsing a value at line 1 column 0"
        );
    }

    #[test]
    fn body_sources() {
        assert!(
            Body::read("@/nonexistent/x.json")
                .unwrap_err()
                .message()
                .starts_with("cannot read the body file `/nonexistent/x.json`: ")
        );
        assert_eq!(Body::read("{}").unwrap().origin, Origin::Flag);
    }

    fn settings() -> Settings {
        Settings {
            app_key: None,
            app_secret: None,
            robot_token: None,
            robot_secret: None,
            oapi_base_url: None,
            api_base_url: None,
            allow_insecure_http: false,
            timeout: Duration::from_secs(1),
            shared: None,
        }
    }

    #[test]
    fn credentials_are_asked_for_by_name() {
        static TOKEN: OperationInfo =
            OperationInfo::new("x.create", Method::Post, Host::Oapi, "/topapi/x/create");
        static ROBOT: OperationInfo =
            OperationInfo::new("robot.send", Method::Post, Host::Robot, "/robot/send")
                .with_auth(Auth::Robot);
        static NONE: OperationInfo =
            OperationInfo::new("gettoken", Method::Get, Host::Oapi, "/gettoken")
                .with_auth(Auth::None);
        static SIGNED: OperationInfo = OperationInfo::new(
            "sns.getuserinfo_bycode",
            Method::Post,
            Host::Oapi,
            "/sns/getuserinfo_bycode",
        )
        .with_auth(Auth::AppSignature);
        let message = |s: &Settings, info| s.client(info).unwrap_err().message().to_owned();
        assert_eq!(
            message(&settings(), &TOKEN),
            "x.create needs an access token: set DINGTALK_APP_KEY and DINGTALK_APP_SECRET, or pass --app-key/--app-secret, or use --mock"
        );
        let key_only = Settings {
            app_key: Some("k".into()),
            ..settings()
        };
        assert_eq!(
            message(&key_only, &TOKEN),
            "x.create needs an access token: set DINGTALK_APP_SECRET or pass --app-secret (the app key is set), or use --mock"
        );
        assert_eq!(
            message(&settings(), &SIGNED),
            "sns.getuserinfo_bycode is signed with the app's key and secret: set DINGTALK_APP_KEY and \
             DINGTALK_APP_SECRET, or pass --app-key/--app-secret, or use --mock"
        );
        let both = Settings {
            app_key: Some("k".into()),
            app_secret: Some("s".into()),
            ..settings()
        };
        assert!(both.client(&SIGNED).is_ok());
        assert!(message(&settings(), &ROBOT).starts_with(
            "robot.send needs the group robot's webhook token: set DINGTALK_ROBOT_TOKEN"
        ));
        assert!(settings().client(&NONE).is_ok());
        let insecure = Settings {
            oapi_base_url: Some(("http://10.0.0.1".into(), "DINGTALK_OAPI_BASE_URL")),
            ..settings()
        };
        assert_eq!(
            message(&insecure, &NONE),
            "DINGTALK_OAPI_BASE_URL `http://10.0.0.1` uses plain http for a host that is not loopback; \
             pass --allow-insecure-http to send credentials unencrypted"
        );
        assert!(
            Settings {
                allow_insecure_http: true,
                ..insecure
            }
            .client(&NONE)
            .is_ok()
        );
        let local = Settings {
            api_base_url: Some(("http://[::1]:9".into(), "--api-base-url")),
            ..settings()
        };
        assert!(local.client(&NONE).is_ok());
    }
}
