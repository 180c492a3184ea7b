//! The offline DingTalk fake, driven over real HTTP on 127.0.0.1 with the generated typed
//! operations of `dingtalk-openapi` (`dingtalk_openapi_fake::operations()` serves them all):
//! sent raw where the exact wire answer matters, through `dingtalk_openapi::Client` where the
//! typed client is the point. Run with `cargo test -p dingtalk-openapi-fake --test fake`.
//!
//! | module | covers |
//! | --- | --- |
//! | `tokens` | the token endpoints, where each host reads the token, expiry and time-to-live |
//! | `checks` | the typed check of "the request", content types, methods, unknown paths |
//! | `forms` | topapi operations taking HTML forms |
//! | `faults` | fault injection and call counters |
//! | `control` | the `/__mock/` control API |
//! | `limits` | connection limits: header-read and idle timeouts, slow bodies, the connection cap |
//! | `robot` | the group robot's token, signature, size and rate limits |
//! | `blackboards` | the blackboard state |
//! | `reports` | the report state |
//! | `paging` | the five pagination styles |
//! | `custom` | a hand-written operation, for a shape no generated operation has |
//! | `templates` | hand-written v1.0 operations: path templates and methods, path and whole-body parameters, JSON-text and numbered-key values, answer shapes |
//! | `stream` | the Stream gateway: open call, tickets, delivery, acks, topics, redelivery, pings |
//! | `stream_faults` | the Stream gateway's faults, the robot session webhook, its control API |
//! | `stream_client` | a raw Stream client for the two above |

mod blackboards;
mod checks;
mod common;
mod control;
mod custom;
mod faults;
mod forms;
mod limits;
mod paging;
mod reports;
mod robot;
mod stream;
mod stream_client;
mod stream_faults;
mod templates;
mod tokens;
