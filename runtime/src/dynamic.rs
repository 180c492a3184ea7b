//! Operations reached by id at run time, their request and response types erased.
//!
//! The `dingtalk` command, the fake DingTalk and tests reach every generated operation by id.
//! Through [`OperationVisitor`] that compiles the visitor's
//! generic code once per operation in every crate that visits: on the whole v1.0 API, thousands
//! of copies of the request reader and the call future in each of them. A [`DynOperation`] is
//! built once per operation, in the generated crate (its `dyn_operation(id)`), and holds plain
//! function pointers, so a crate that calls through it compiles nothing per operation.
//!
//! A [`DynRequest`] is still the typed request: reading one runs the request type's own
//! `Deserialize` (unknown fields and wrong types refused, the path of the bad value kept), and
//! sending one is [`Client::execute`] of that type.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::client::Client;
use crate::future::ResponseFuture;
use crate::operation::{Operation, OperationInfo, OperationVisitor};
use crate::upload::FilePart;
use crate::validate::ValidationError;

/// Why "the request" did not read as the typed request: serde's message, and the path (by wire
/// names) of the value it stopped at.
pub type ReadError = serde_path_to_error::Error<serde_json::Error>;

/// One operation with its types erased; see the [module docs](self).
#[derive(Clone, Copy)]
pub struct DynOperation {
    info: &'static OperationInfo,
    read: fn(&Value) -> Result<Box<dyn DynRequest>, ReadError>,
    decodes: fn(&str) -> Result<(), serde_json::Error>,
}

impl DynOperation {
    /// The erased view of the operation whose request type is `O`.
    ///
    /// Generic: call it where the per-operation code should be compiled (the generated crate
    /// does, once per operation, in `dyn_operation`).
    pub fn of<O: Operation + DeserializeOwned>() -> DynOperation {
        DynOperation {
            info: O::INFO,
            read: read::<O>,
            decodes: decodes::<O::Response>,
        }
    }

    /// The operation's static facts.
    pub fn info(&self) -> &'static OperationInfo {
        self.info
    }

    /// Reads "the request" (every parameter by wire name, the credential excepted) as the
    /// typed request.
    pub fn read(&self, request: &Value) -> Result<Box<dyn DynRequest>, ReadError> {
        (self.read)(request)
    }

    /// Whether an answer's text (the envelope taken off) decodes into the typed response.
    pub fn decodes(&self, answer: &str) -> Result<(), serde_json::Error> {
        (self.decodes)(answer)
    }
}

impl fmt::Debug for DynOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynOperation")
            .field("id", &self.info.id)
            .finish_non_exhaustive()
    }
}

/// A typed request behind a pointer, read by [`DynOperation::read`].
pub trait DynRequest: Send + Sync {
    /// The operation's static facts.
    fn info(&self) -> &'static OperationInfo;

    /// The request type's documented limit checks.
    fn validate(&self) -> Result<(), ValidationError>;

    /// The request as the client serializes it ("the request", in its key order).
    fn to_json(&self) -> Result<String, serde_json::Error>;

    /// Sends the request with [`Client::execute`]; the typed answer is decoded, then dropped.
    fn execute(self: Box<Self>, client: &Client) -> ResponseFuture<'_, ()>;

    /// Sends the request with [`Client::execute`], keeping the answer (the envelope taken off)
    /// as the JSON DingTalk sent rather than decoding it.
    fn execute_raw(self: Box<Self>, client: &Client) -> ResponseFuture<'_, Box<RawValue>>;
}

impl fmt::Debug for dyn DynRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The request may hold secrets (a robot's webhook token, a code): only its operation.
        f.debug_struct("DynRequest")
            .field("id", &self.info().id)
            .finish_non_exhaustive()
    }
}

/// Builds a [`DynOperation`] for each visited operation: what the generated `dyn_operation`
/// visits with.
#[derive(Debug, Clone, Copy, Default)]
pub struct DynVisitor;

impl OperationVisitor for DynVisitor {
    type Output = DynOperation;

    fn visit<O: Operation + DeserializeOwned>(self) -> DynOperation {
        DynOperation::of::<O>()
    }
}

fn read<O: Operation + DeserializeOwned>(
    request: &Value,
) -> Result<Box<dyn DynRequest>, ReadError> {
    let typed: O = serde_path_to_error::deserialize(request)?;
    Ok(Box::new(Typed(typed)))
}

fn decodes<R: DeserializeOwned>(answer: &str) -> Result<(), serde_json::Error> {
    serde_json::from_str::<R>(answer).map(drop)
}

/// The typed request `O`, erased.
struct Typed<O>(O);

impl<O: Operation> DynRequest for Typed<O> {
    fn info(&self) -> &'static OperationInfo {
        O::INFO
    }

    fn validate(&self) -> Result<(), ValidationError> {
        self.0.validate()
    }

    fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(&self.0)
    }

    fn execute(self: Box<Self>, client: &Client) -> ResponseFuture<'_, ()> {
        let call = client.execute(self.0);
        ResponseFuture::new(async move { call.await.map(drop) })
    }

    fn execute_raw(self: Box<Self>, client: &Client) -> ResponseFuture<'_, Box<RawValue>> {
        client.execute(AsSent(self.0))
    }
}

/// An operation's request whose answer is kept as raw JSON rather than decoded into the typed
/// response.
#[derive(Serialize, Deserialize)]
#[serde(transparent)]
struct AsSent<O>(O);

impl<O: Operation> Operation for AsSent<O> {
    type Response = Box<RawValue>;
    const INFO: &'static OperationInfo = O::INFO;

    fn validate(&self) -> Result<(), ValidationError> {
        self.0.validate()
    }

    fn files(&self) -> Vec<(&'static str, FilePart)> {
        self.0.files()
    }
}
