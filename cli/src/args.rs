//! The command line as clap parses it: flags, subcommands and their help, and nothing else.

use std::time::Duration;

use clap::parser::ValueSource;
use clap::{Args, CommandFactory, Parser, Subcommand};
use clap_complete::Shell;

use crate::{CallError, Catalog, output};

const EXAMPLES: &str = "\
Examples:
  dingtalk list                                  every operation: id, method, URL, title
  dingtalk list report                           only the ids that contain `report`
  dingtalk list --area contact                   one area (--action GetUser: one DingTalk action)
  dingtalk describe blackboard.create            parameters, limits, examples, response fields
  dingtalk --mock call blackboard.category.list --body '{\"operation_userid\":\"manager01\"}'
                                                 try any operation offline, no credentials needed
  dingtalk call gettoken --body '{\"appkey\":\"…\",\"appsecret\":\"…\"}'
  dingtalk call report.getunreadcount --body @request.json
  dingtalk call media.upload --body '{\"type\":\"image\"}' --file media=@logo.png
  echo '{\"msgtype\":\"text\",\"text\":{\"content\":\"hi\"}}' | dingtalk call robot.send --body -
  dingtalk mock serve --port 8080                a fake DingTalk for your own programs
  dingtalk completions bash > ~/.local/share/bash-completion/completions/dingtalk

Configuration comes from the environment (DINGTALK_APP_KEY, DINGTALK_APP_SECRET,
DINGTALK_OAPI_BASE_URL, DINGTALK_API_BASE_URL, DINGTALK_ROBOT_TOKEN, DINGTALK_ROBOT_SECRET,
DINGTALK_REDIS_URL); the flags override it. With DINGTALK_REDIS_URL, every `dingtalk` process
(and every service) on that Redis shares one access token and one rate budget per operation. Flags are seen by other users of the machine (`ps`): prefer the
variables for secrets.

Tracing goes to stderr, with every credential masked: -v shows each HTTP attempt (method, URL,
status, attempt, time taken) and each retry with its reason; -vv adds the debug events. RUST_LOG,
when set, replaces both with its own filter (e.g. RUST_LOG=dingtalk_openapi_runtime=debug).

Exit status: 0 success; 1 the call was sent and failed (DingTalk's error, HTTP, network);
2 nothing was sent (unknown operation, bad JSON, a field or limit the request breaks,
missing credentials).";

const CALL_EXAMPLES: &str = "\
Examples:
  dingtalk --mock call blackboard.create --body '{\"create_request\":{\"operation_userid\":\"manager01\",\
\"blackboard_receiver\":{\"userid_list\":[\"manager02\"]},\"title\":\"入职须知\",\"content\":\"欢迎\"}}'
  dingtalk call report.list --body @report-list.json
  dingtalk call gettoken --body '{\"appkey\":\"dingxxxx\",\"appsecret\":\"…\"}'
  dingtalk call hrm.employees.dismissions --body '{\"maxResults\":50}' | jq '.userIdList[]'

The body is every parameter of the operation as one JSON object by wire name, query and header
parameters included (`dingtalk describe OP` lists them); the client adds the access token. It is
checked against the operation's Rust type and documented limits before anything is sent. The
token operations (gettoken, sso.gettoken, oauth2.accessToken) take their key and secret in the
body and need no configured credentials.";

const DESCRIBE_EXAMPLES: &str = "\
Examples:
  dingtalk describe blackboard.create
  dingtalk describe hrm.employees.dismissions
  dingtalk describe GetUser                 by DingTalk's action name (or contact_1.0/GetUser)
  dingtalk describe robot.send --json       the operation's OpenAPI object";

const SERVE_EXAMPLES: &str = "\
Examples:
  dingtalk mock serve                      on any free port
  dingtalk mock serve --port 8080

Prints `export NAME=value` lines for DINGTALK_OAPI_BASE_URL, DINGTALK_API_BASE_URL,
DINGTALK_APP_KEY, DINGTALK_APP_SECRET, DINGTALK_ROBOT_TOKEN and DINGTALK_ROBOT_SECRET: run them
in another shell and `dingtalk call …` (or any program that reads the client's environment)
talks to the fake. Its control API under /__mock/ injects faults and lists the requests it
received. It also serves the Stream gateway that `dingtalk stream listen` connects to; push a
message to it with POST /__mock/stream/push {\"type\":\"EVENT\",\"topic\":\"…\",\"data\":{…}} (see
the line it prints) and read the acks at GET /__mock/stream/acks. Serves until interrupted (ctrl-c).";

/// `dingtalk [GLOBAL FLAGS] COMMAND`.
#[derive(Debug, Parser)]
#[command(
    name = "dingtalk",
    version,
    about = "List, describe and call every DingTalk (钉钉) open-platform operation",
    long_about = "List, describe and call every DingTalk (钉钉) open-platform operation of this \
                  build of dingtalk-openapi, against DingTalk or against a built-in fake (--mock).",
    after_help = EXAMPLES,
    max_term_width = 100
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Flags every subcommand accepts.
#[derive(Debug, Args)]
pub(crate) struct Global {
    /// Send calls to a fake DingTalk started inside this process on 127.0.0.1, with its own
    /// credentials: nothing leaves the machine and nothing needs configuring
    #[arg(long, global = true)]
    pub(crate) mock: bool,

    /// Trace to stderr: -v each HTTP attempt (method, URL, status, attempt, time) and retry,
    /// -vv the debug events too; RUST_LOG, when set, wins. Credentials are masked
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,

    /// The app's AppKey (for the access token of every operation that needs one)
    #[arg(
        long,
        global = true,
        env = "DINGTALK_APP_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    pub(crate) app_key: Option<String>,

    /// The app's AppSecret
    #[arg(
        long,
        global = true,
        env = "DINGTALK_APP_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub(crate) app_secret: Option<String>,

    /// The oapi host; the group robot's webhook moves with it [default: https://oapi.dingtalk.com]
    #[arg(
        long,
        global = true,
        env = "DINGTALK_OAPI_BASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub(crate) oapi_base_url: Option<String>,

    /// The v1.0 host [default: https://api.dingtalk.com]
    #[arg(
        long,
        global = true,
        env = "DINGTALK_API_BASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub(crate) api_base_url: Option<String>,

    /// The group robot's webhook access_token (for robot.send)
    #[arg(
        long,
        global = true,
        env = "DINGTALK_ROBOT_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub(crate) robot_token: Option<String>,

    /// The group robot's signing secret (SEC…), when the robot has signing turned on
    #[arg(
        long,
        global = true,
        env = "DINGTALK_ROBOT_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub(crate) robot_secret: Option<String>,

    /// Share the access token and the rate budget with every other process using this Redis
    /// (redis:// or rediss://; `stream listen` also shares its dedup window)
    #[arg(
        long,
        global = true,
        env = "DINGTALK_REDIS_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub(crate) redis_url: Option<String>,

    /// Accept plain http:// base URLs for hosts other than loopback (tokens then travel unencrypted)
    #[arg(long, global = true)]
    pub(crate) allow_insecure_http: bool,

    /// How long one attempt may take, answer included: 30s, 500ms, 2m, or seconds
    #[arg(long, global = true, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub(crate) timeout: Duration,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List every operation: id, method, URL and title
    #[command(
        after_help = "Examples:\n  dingtalk list\n  dingtalk list blackboard\n  dingtalk list --area contact\n  \
                      dingtalk list --action GetUser          every area's GetUser\n  \
                      dingtalk list --json | jq -r '.[].id'"
    )]
    List(ListArgs),
    /// Show an operation: URL, auth, pagination, parameters (where, type, required, limits,
    /// example) and response fields
    #[command(after_help = DESCRIBE_EXAMPLES)]
    Describe(DescribeArgs),
    /// Check a request against the operation's type and limits, send it, print the response JSON
    #[command(after_help = CALL_EXAMPLES)]
    Call(CallArgs),
    /// The fake DingTalk: every operation of this build, answering with its documented example
    #[command(subcommand)]
    Mock(MockCommand),
    /// Stream mode: receive events, robot messages and card callbacks over one outbound WebSocket
    #[command(subcommand)]
    Stream(StreamCommand),
    /// Print a completion script for a shell (operation ids included for bash, zsh and fish)
    #[command(
        after_help = "Examples:\n  dingtalk completions bash > ~/.local/share/bash-completion/completions/dingtalk\n  \
                            dingtalk completions zsh > ~/.zfunc/_dingtalk\n  \
                            dingtalk completions fish > ~/.config/fish/completions/dingtalk.fish"
    )]
    Completions(CompletionsArgs),
}

/// `dingtalk list`.
#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Only operations whose id or DingTalk action contains this text (case-insensitive)
    #[arg(value_name = "FILTER")]
    pub(crate) filter: Option<String>,
    /// Only the operations of this area, e.g. contact or blackboard (the id's first segment)
    #[arg(long, value_name = "AREA")]
    pub(crate) area: Option<String>,
    /// Only the operations with this DingTalk action: a name (GetUser), which several areas may
    /// share, or a full action (contact_1.0/GetUser); case-insensitive when nothing matches as
    /// written
    #[arg(long, value_name = "ACTION")]
    pub(crate) action: Option<String>,
    /// Print a JSON array of {id, method, url, title, area, action, returns, auth, envelope,
    /// effect, paginated, doc_url}
    #[arg(long)]
    pub(crate) json: bool,
}

/// `dingtalk describe`.
#[derive(Debug, Args)]
pub(crate) struct DescribeArgs {
    /// The operation: its id (blackboard.create, contact.GetUser), or DingTalk's action name
    /// (GetUser) or full action (contact_1.0/GetUser); an action several areas share lists
    /// their ids. `dingtalk list` shows them all
    #[arg(value_name = "OPERATION")]
    pub(crate) operation: String,
    /// Print the operation's OpenAPI object (with `servers`, `parameters`, `requestBody`,
    /// `responses`) as JSON instead
    #[arg(long)]
    pub(crate) json: bool,
}

/// `dingtalk call`.
#[derive(Debug, Args)]
pub(crate) struct CallArgs {
    /// The operation: its id (blackboard.create), or DingTalk's action name (GetUser) or full
    /// action (contact_1.0/GetUser) when that names one operation (`dingtalk list` shows them all)
    #[arg(value_name = "OPERATION")]
    pub(crate) operation: String,
    /// The request: JSON text, @FILE to read it from a file, or - to read standard input
    #[arg(long, short, value_name = "JSON|@FILE|-", default_value = "{}")]
    pub(crate) body: String,
    /// A file for a multipart operation's file part, e.g. `--file media=@logo.png` for
    /// media.upload; repeat for several parts
    #[arg(long = "file", value_name = "NAME=@PATH")]
    pub(crate) files: Vec<String>,
}

/// `dingtalk mock …`.
#[derive(Debug, Subcommand)]
pub(crate) enum MockCommand {
    /// Run the fake DingTalk on 127.0.0.1 until interrupted, printing its base URL and credentials
    #[command(after_help = SERVE_EXAMPLES)]
    Serve(ServeArgs),
}

/// `dingtalk mock serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The port to listen on (0: any free port)
    #[arg(long, short, default_value_t = 0)]
    pub(crate) port: u16,
}

/// `dingtalk stream …`.
#[derive(Debug, Subcommand)]
pub(crate) enum StreamCommand {
    /// Connect in Stream mode and print one JSON line per delivered message, acking each
    #[command(after_help = LISTEN_EXAMPLES)]
    Listen(ListenArgs),
}

const LISTEN_EXAMPLES: &str = "\
Examples:
  dingtalk stream listen                                every event (topic *)
  dingtalk stream listen --bot --max-messages 1         wait for one robot message
  dingtalk stream listen --topic user_add_org --topic user_leave_org --card

Stdout carries one line per delivered EVENT or CALLBACK message, each messageId once:
  {\"type\":\"EVENT\",\"topic\":\"user_add_org\",\"messageId\":\"…\",\"data\":{…}}
`data` is the message's data parsed as JSON (kept as a string when it is not JSON). Every
message is acked after its line is written. Logs go to stderr (-v, RUST_LOG). Reconnects
(a `disconnect` frame, a close, a dropped socket, a silent connection) open a new ticket and
never end the command; it exits 0 after --max-messages lines, or on ctrl-c.
DINGTALK_API_BASE_URL moves the open endpoint (ws:// endpoints are accepted on loopback only).";

/// `dingtalk stream listen`.
#[derive(Debug, Args)]
pub(crate) struct ListenArgs {
    /// Subscribe this EVENT topic (an event type, or * for all); repeatable. Without --topic,
    /// --bot or --card, every event is subscribed (*)
    #[arg(long, value_name = "TOPIC")]
    pub(crate) topic: Vec<String>,
    /// Subscribe robot messages (CALLBACK /v1.0/im/bot/messages/get)
    #[arg(long)]
    pub(crate) bot: bool,
    /// Subscribe card callbacks (CALLBACK /v1.0/card/instances/callback)
    #[arg(long)]
    pub(crate) card: bool,
    /// Exit 0 after printing this many messages (the last one acked first)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) max_messages: Option<u64>,
    /// Replace a connection that sent no frame for this long (pongs do not count): 30s, 2m, or
    /// seconds [default: 3 times the ping interval]
    #[arg(long, value_name = "SECONDS", value_parser = parse_duration)]
    pub(crate) idle_timeout: Option<Duration>,
}

/// `dingtalk completions`.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub(crate) shell: Shell,
}

/// Where each base URL came from, for messages that name the flag or variable to change.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sources {
    pub(crate) oapi_base_url: &'static str,
    pub(crate) api_base_url: &'static str,
}

impl Sources {
    /// Reads the sources from clap's matches.
    pub(crate) fn from_matches(matches: &clap::ArgMatches) -> Sources {
        let source =
            |id: &str, flag: &'static str, var: &'static str| match matches.value_source(id) {
                Some(ValueSource::EnvVariable) => var,
                _ => flag,
            };
        Sources {
            oapi_base_url: source("oapi_base_url", "--oapi-base-url", "DINGTALK_OAPI_BASE_URL"),
            api_base_url: source("api_base_url", "--api-base-url", "DINGTALK_API_BASE_URL"),
        }
    }
}

/// `30s`, `500ms`, `2m`, or a number of seconds (fractions allowed).
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (e.g. 30s, 500ms, 2m)"))?;
    let seconds = match unit.trim() {
        "" | "s" => value,
        "ms" => value / 1000.0,
        "m" | "min" => value * 60.0,
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{text}` (use ms, s or m)"
            ));
        }
    };
    match Duration::try_from_secs_f64(seconds) {
        Ok(d) if !d.is_zero() => Ok(d),
        _ => Err(format!("`{text}` is not a positive duration")),
    }
}

/// `dingtalk completions SHELL`: the script, with the operation ids as values of OPERATION.
pub(crate) fn completions(catalog: &Catalog, args: &CompletionsArgs) -> Result<(), CallError> {
    let ids: Vec<&'static str> = catalog.operations.iter().map(|op| op.id).collect();
    let with_ids = |cmd: clap::Command| {
        cmd.mut_arg("operation", |a| {
            a.value_parser(clap::builder::PossibleValuesParser::new(ids.clone()))
        })
    };
    let mut command = Cli::command()
        .mut_subcommand("describe", with_ids)
        .mut_subcommand("call", with_ids);
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "dingtalk", &mut script);
    if args.shell == Shell::Fish {
        // clap_complete's fish script does not offer the values of positional arguments.
        let ids = ids.join(" ");
        for sub in ["describe", "call"] {
            let line = format!(
                "complete -c dingtalk -n \"__fish_dingtalk_using_subcommand {sub}\" -a \"{ids}\"\n"
            );
            script.extend_from_slice(line.as_bytes());
        }
    }
    output::write_stdout(&script)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("5h").is_err());
        assert!(parse_duration("1e400").is_err());
    }

    #[test]
    fn the_command_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn help_never_shows_the_value_of_a_variable() {
        fn check(command: &clap::Command) {
            for arg in command.get_arguments() {
                if let Some(var) = arg.get_env() {
                    assert!(arg.is_hide_env_values_set(), "{var:?} shown by --help");
                }
            }
            command.get_subcommands().for_each(check);
        }
        let command = Cli::command();
        assert_eq!(
            command
                .get_arguments()
                .filter(|a| a.get_env().is_some())
                .count(),
            7
        );
        check(&command);
    }
}
