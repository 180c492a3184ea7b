//! The gateway's state and the rules that move messages: tickets, live connections, the queue of
//! messages waiting for a connection, the messages in flight (sent, not yet acked with success),
//! their redelivery timers, and what was recorded.
//!
//! A message is queued when pushed; [`Core::pump`] sends each queued message on the newest live
//! connection that subscribed its topic (not a zombie, not being closed) and moves it in flight
//! with a fresh generation. A redelivery timer for that generation fires after the redelivery
//! interval: if the message is still in flight with the same generation (no successful ack, no
//! later reschedule), it is queued again. An ack that is not a success reschedules it.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::gateway::fault::{RecordedAck, StreamFault, SystemReply, parse_data};
use crate::gateway::push::{Kind, Message, fresh_id, random_hex, system_frame};

/// The default redelivery interval, as DingTalk's.
pub(crate) const REDELIVER_AFTER: Duration = Duration::from_secs(60);
/// How many acks, system replies, open requests and session replies are kept (the oldest go).
const MAX_RECORDED: usize = 10_000;
/// How many issued tickets stay valid at once (the oldest go).
const MAX_TICKETS: usize = 1_000;
/// How many message ids [`Core::deliveries`] remembers (the oldest go).
const MAX_TRACKED: usize = 100_000;
/// How many robot sessions stay valid at once (the oldest go).
const MAX_SESSIONS: usize = 10_000;
/// How many ids of SYSTEM frames sent are remembered, to tell their replies from acks.
const MAX_SYSTEM_IDS: usize = 1_000;
/// How many WebSocket connections may be live at once.
pub(crate) const MAX_LIVE: usize = 16;
/// How many connection faults wait for the next connection at most (the control API's limit).
pub(crate) const MAX_NEXT_FAULTS: usize = 100;

/// What a connection's task is told to do.
#[derive(Debug)]
pub(crate) enum Out {
    /// Send this text frame.
    Text(String),
    /// Close with this code (1000 clean, 1008 policy) after this long.
    CloseAfter(Duration, u16),
    /// Drop the TCP connection without a close frame.
    Abort,
}

/// The fixed settings of one gateway.
#[derive(Debug)]
pub(crate) struct Settings {
    pub(crate) app_key: String,
    pub(crate) corp_id: String,
    pub(crate) addr: SocketAddr,
    pub(crate) disconnect_grace: Duration,
}

/// A live WebSocket connection.
#[derive(Debug)]
struct Live {
    index: usize,
    connection_id: String,
    subscriptions: Vec<(String, String)>,
    tx: mpsc::UnboundedSender<Out>,
    zombie: bool,
    closing: bool,
}

impl Live {
    fn takes(&self, message: &Message) -> bool {
        !self.zombie
            && !self.closing
            && self.subscriptions.iter().any(|(kind, topic)| {
                kind == message.kind.wire()
                    && (topic == &message.topic || (message.kind == Kind::Event && topic == "*"))
            })
    }
}

/// A message sent and not yet acked with success.
#[derive(Debug)]
struct InFlight {
    message: Message,
    generation: u64,
}

/// A redelivery timer to start.
#[derive(Debug)]
pub(crate) struct Timer {
    pub(crate) id: String,
    pub(crate) generation: u64,
    pub(crate) after: Duration,
}

/// An open call that is to fail, and how many more times.
#[derive(Debug, Clone)]
pub(crate) struct FailOpen {
    pub(crate) status: u16,
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) times: usize,
}

/// Why an upgrade was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The ticket is unknown or used.
    Ticket,
    /// A [`StreamFault::RefuseTicket`] was queued.
    Refused,
    /// [`MAX_LIVE`] connections are live.
    Busy,
}

/// An accepted connection: its index and what its task reads.
#[derive(Debug)]
pub(crate) struct Accepted {
    pub(crate) index: usize,
    pub(crate) rx: mpsc::UnboundedReceiver<Out>,
}

/// Bounded insertion-ordered records.
fn keep<T>(records: &mut VecDeque<T>, item: T, max: usize) {
    if records.len() >= max {
        records.pop_front();
    }
    records.push_back(item);
}

/// Everything the gateway holds, behind one lock. Its `Debug` shows counts only: tickets and
/// sessions are credentials.
#[derive(Default)]
pub(crate) struct Core {
    pub(crate) redeliver_after: Duration,
    tickets: HashMap<String, Vec<(String, String)>>,
    ticket_order: VecDeque<String>,
    pub(crate) opens: usize,
    pub(crate) open_requests: VecDeque<Value>,
    pub(crate) last_subscriptions: Vec<(String, String)>,
    pub(crate) fail_open: Option<FailOpen>,
    refuse_tickets: usize,
    late_acks: usize,
    pub(crate) next_faults: VecDeque<StreamFault>,
    live: Vec<Live>,
    pub(crate) accepted: usize,
    queue: VecDeque<Message>,
    inflight: HashMap<String, InFlight>,
    next_generation: u64,
    deliveries: HashMap<String, usize>,
    delivery_order: VecDeque<String>,
    pub(crate) acks: VecDeque<RecordedAck>,
    pub(crate) acks_total: usize,
    /// Ids of SYSTEM frames sent, and whether each was a ping.
    system_ids: VecDeque<(String, bool)>,
    pub(crate) system_replies: VecDeque<SystemReply>,
    sessions: HashMap<String, u64>,
    session_order: VecDeque<String>,
    pub(crate) session_replies: VecDeque<Value>,
}

impl fmt::Debug for Core {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Core")
            .field("opens", &self.opens)
            .field("tickets", &self.tickets.len())
            .field("live", &self.live.len())
            .field("accepted", &self.accepted)
            .field("queued", &self.queue.len())
            .field("in_flight", &self.inflight.len())
            .field("acks", &self.acks_total)
            .field("sessions", &self.sessions.len())
            .finish_non_exhaustive()
    }
}

impl Core {
    pub(crate) fn new() -> Core {
        Core {
            redeliver_after: REDELIVER_AFTER,
            ..Core::default()
        }
    }

    /// Forgets everything but the live connections and their count.
    pub(crate) fn reset(&mut self) {
        let live = std::mem::take(&mut self.live);
        let accepted = self.accepted;
        *self = Core::new();
        self.live = live;
        self.accepted = accepted;
    }

    /// Messages queued or in flight.
    pub(crate) fn pending(&self) -> usize {
        self.queue.len() + self.inflight.len()
    }

    pub(crate) fn is_live(&self) -> bool {
        !self.live.is_empty()
    }

    pub(crate) fn deliveries(&self, id: &str) -> usize {
        self.deliveries.get(id).copied().unwrap_or(0)
    }

    /// Issues a ticket for these subscriptions.
    pub(crate) fn issue_ticket(&mut self, subscriptions: Vec<(String, String)>) -> String {
        let ticket = random_hex(40);
        if self.ticket_order.len() >= MAX_TICKETS
            && let Some(oldest) = self.ticket_order.pop_front()
        {
            self.tickets.remove(&oldest);
        }
        self.ticket_order.push_back(ticket.clone());
        self.tickets.insert(ticket.clone(), subscriptions.clone());
        self.last_subscriptions = subscriptions;
        self.opens += 1;
        ticket
    }

    pub(crate) fn record_open(&mut self, body: Value) {
        keep(&mut self.open_requests, body, MAX_RECORDED);
    }

    /// Takes a ticket for a new connection, or says why not.
    pub(crate) fn accept(
        &mut self,
        ticket: &str,
        settings: &Settings,
    ) -> Result<(Accepted, Vec<Timer>), Refusal> {
        if self.live.len() >= MAX_LIVE {
            return Err(Refusal::Busy);
        }
        let subscriptions = self.tickets.remove(ticket).ok_or(Refusal::Ticket)?;
        self.ticket_order.retain(|t| t != ticket);
        if self.refuse_tickets > 0 {
            self.refuse_tickets -= 1;
            return Err(Refusal::Refused);
        }
        self.accepted += 1;
        let (tx, rx) = mpsc::unbounded_channel();
        self.live.push(Live {
            index: self.accepted,
            connection_id: random_hex(32),
            subscriptions,
            tx,
            zombie: false,
            closing: false,
        });
        let last = self.live.len() - 1;
        while let Some(fault) = self.next_faults.pop_front() {
            self.apply_to(last, &fault, settings);
        }
        let timers = self.pump(settings);
        Ok((
            Accepted {
                index: self.accepted,
                rx,
            },
            timers,
        ))
    }

    /// A connection ended.
    pub(crate) fn gone(&mut self, index: usize) {
        self.live.retain(|l| l.index != index);
    }

    /// Queues a message; returns its id.
    pub(crate) fn push(&mut self, message: Message) -> String {
        let id = message.id.clone();
        self.queue.push_back(message);
        id
    }

    /// Applies a fault; connection faults go to the newest live connection not being closed, or
    /// wait for the next one.
    pub(crate) fn fault(&mut self, fault: StreamFault, settings: &Settings) {
        match fault {
            StreamFault::RedeliverAfter(after) => self.redeliver_after = after,
            StreamFault::LateAckRedelivery => self.late_acks += 1,
            StreamFault::RefuseTicket => self.refuse_tickets += 1,
            StreamFault::FailOpen {
                status,
                code,
                message,
                times,
            } => {
                self.fail_open = (times > 0).then_some(FailOpen {
                    status,
                    code,
                    message,
                    times,
                });
            }
            connection_fault => match self.live.iter().rposition(|l| !l.closing) {
                Some(at) => self.apply_to(at, &connection_fault, settings),
                None => self.next_faults.push_back(connection_fault),
            },
        }
    }

    fn apply_to(&mut self, at: usize, fault: &StreamFault, settings: &Settings) {
        let Some(live) = self.live.get(at) else {
            return;
        };
        let (tx, connection_id) = (live.tx.clone(), live.connection_id.clone());
        match fault {
            StreamFault::Disconnect => {
                let id = fresh_id("sys");
                let data = json!({"reason": "the DingTalk fake asks the client to reconnect"});
                let frame =
                    system_frame(&id, "disconnect", &data, &settings.app_key, &connection_id);
                keep(&mut self.system_ids, (id, false), MAX_SYSTEM_IDS);
                let _ = tx.send(Out::Text(frame));
                let _ = tx.send(Out::CloseAfter(settings.disconnect_grace, 1000));
                self.live[at].closing = true;
            }
            StreamFault::Close => {
                let _ = tx.send(Out::CloseAfter(Duration::ZERO, 1000));
                self.live[at].closing = true;
            }
            StreamFault::PolicyClose => {
                let _ = tx.send(Out::CloseAfter(Duration::ZERO, 1008));
                self.live[at].closing = true;
            }
            StreamFault::AbruptClose => {
                let _ = tx.send(Out::Abort);
                self.live[at].closing = true;
            }
            StreamFault::Zombie => self.live[at].zombie = true,
            _ => {}
        }
    }

    /// Sends a SYSTEM ping on the newest live connection that still talks; returns its id.
    pub(crate) fn ping(&mut self, settings: &Settings) -> String {
        let id = fresh_id("ping");
        let data = json!({"opaque": random_hex(16)});
        if let Some(live) = self.live.iter().rev().find(|l| !l.zombie && !l.closing) {
            let frame = system_frame(&id, "ping", &data, &settings.app_key, &live.connection_id);
            let _ = live.tx.send(Out::Text(frame));
        }
        keep(&mut self.system_ids, (id.clone(), true), MAX_SYSTEM_IDS);
        id
    }

    /// Sends every queued message that a live connection takes; returns the timers to start.
    pub(crate) fn pump(&mut self, settings: &Settings) -> Vec<Timer> {
        let mut timers = Vec::new();
        let mut waiting = VecDeque::new();
        while let Some(message) = self.queue.pop_front() {
            let Some(live) = self.live.iter().rev().find(|l| l.takes(&message)) else {
                waiting.push_back(message);
                continue;
            };
            let frame = message.frame(&settings.app_key, &live.connection_id);
            let copies = if self.late_acks > 0 { 2 } else { 1 };
            let mut sent = 0;
            for _ in 0..copies {
                if live.tx.send(Out::Text(frame.clone())).is_ok() {
                    sent += 1;
                }
            }
            if sent == 0 {
                // The connection's task has ended; it is about to be forgotten.
                waiting.push_back(message);
                continue;
            }
            if copies == 2 {
                self.late_acks -= 1;
            }
            self.count_delivery(&message.id, sent);
            self.next_generation += 1;
            timers.push(Timer {
                id: message.id.clone(),
                generation: self.next_generation,
                after: self.redeliver_after,
            });
            self.inflight.insert(
                message.id.clone(),
                InFlight {
                    message,
                    generation: self.next_generation,
                },
            );
        }
        self.queue = waiting;
        timers
    }

    fn count_delivery(&mut self, id: &str, n: usize) {
        if let Some(count) = self.deliveries.get_mut(id) {
            *count += n;
            return;
        }
        if self.delivery_order.len() >= MAX_TRACKED
            && let Some(oldest) = self.delivery_order.pop_front()
        {
            self.deliveries.remove(&oldest);
        }
        self.delivery_order.push_back(id.to_owned());
        self.deliveries.insert(id.to_owned(), n);
    }

    /// A redelivery timer fired: queues the message again if nothing happened to it since.
    pub(crate) fn expire(&mut self, id: &str, generation: u64) -> bool {
        if self
            .inflight
            .get(id)
            .is_none_or(|f| f.generation != generation)
        {
            return false;
        }
        if let Some(flight) = self.inflight.remove(id) {
            self.queue.push_back(flight.message);
        }
        true
    }

    /// A text frame from connection `index`: an ack, a reply to a SYSTEM frame, or something to
    /// ignore. Returns the timers to start.
    pub(crate) fn on_text(&mut self, index: usize, text: &str) -> Vec<Timer> {
        let Ok(Value::Object(reply)) = serde_json::from_str::<Value>(text) else {
            tracing::debug!(
                connection = index,
                "the Stream fake ignored a frame that is not a JSON object"
            );
            return Vec::new();
        };
        let Some(id) = reply
            .get("headers")
            .and_then(|h| h.get("messageId"))
            .and_then(Value::as_str)
        else {
            tracing::debug!(
                connection = index,
                "the Stream fake ignored a frame without headers.messageId"
            );
            return Vec::new();
        };
        let code = reply.get("code").and_then(Value::as_i64).unwrap_or(0);
        let data = parse_data(reply.get("data"));
        if let Some((_, ping)) = self.system_ids.iter().find(|(sys, _)| sys == id) {
            if *ping {
                let reply = SystemReply {
                    message_id: id.to_owned(),
                    code,
                    data,
                };
                keep(&mut self.system_replies, reply, MAX_RECORDED);
            }
            return Vec::new();
        }
        let ack = RecordedAck {
            message_id: id.to_owned(),
            code,
            message: reply
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            data,
            connection: index,
        };
        self.acks_total += 1;
        let success = self
            .inflight
            .get(id)
            .map(|f| succeeded(f.message.kind, &ack));
        keep(&mut self.acks, ack, MAX_RECORDED);
        match success {
            Some(true) => {
                self.inflight.remove(id);
                Vec::new()
            }
            Some(false) => {
                self.next_generation += 1;
                let generation = self.next_generation;
                if let Some(flight) = self.inflight.get_mut(id) {
                    flight.generation = generation;
                }
                vec![Timer {
                    id: id.to_owned(),
                    generation,
                    after: self.redeliver_after,
                }]
            }
            None => Vec::new(),
        }
    }

    /// Opens a robot session valid until `expires` (ms since the epoch); returns its token.
    pub(crate) fn open_session(&mut self, expires: u64) -> String {
        let session = random_hex(32);
        if self.session_order.len() >= MAX_SESSIONS
            && let Some(oldest) = self.session_order.pop_front()
        {
            self.sessions.remove(&oldest);
        }
        self.session_order.push_back(session.clone());
        self.sessions.insert(session.clone(), expires);
        session
    }

    /// When a session expires, if it exists.
    pub(crate) fn session_expiry(&self, session: &str) -> Option<u64> {
        self.sessions.get(session).copied()
    }

    pub(crate) fn record_session_reply(&mut self, body: Value) {
        keep(&mut self.session_replies, body, MAX_RECORDED);
    }
}

/// Whether an ack ends a message's delivery: code 200, and for an EVENT a `status` of
/// `SUCCESS` (or none: the Python SDK echoes the event's data instead of a status).
fn succeeded(kind: Kind, ack: &RecordedAck) -> bool {
    if ack.code != 200 {
        return false;
    }
    match kind {
        Kind::Callback => true,
        Kind::Event => match ack.data.get("status") {
            None => true,
            Some(status) => status == "SUCCESS",
        },
    }
}
