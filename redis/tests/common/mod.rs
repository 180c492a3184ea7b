//! A real `redis-server` for tests: started from PATH on a free loopback port, with no
//! persistence (`--save "" --appendonly no`) in a temporary directory, killed on drop. Without
//! `redis-server` on PATH a test is skipped with a message, or fails when
//! `DINGTALK_REQUIRE_REDIS=1` (as CI sets it).
#![allow(dead_code)]

use std::io::Write as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running redis-server.
pub struct RedisServer {
    binary: PathBuf,
    port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

/// `redis-server` from PATH, if any.
fn find_binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("redis-server"))
        .find(|candidate| candidate.is_file())
}

impl RedisServer {
    /// A fresh server, or `None` (after saying why) when there is no redis-server and
    /// `DINGTALK_REQUIRE_REDIS` is not `1`; panics when it is.
    pub fn start(test: &str) -> Option<RedisServer> {
        let Some(binary) = find_binary() else {
            let required = std::env::var("DINGTALK_REQUIRE_REDIS").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "{test}: redis-server is not on PATH, and DINGTALK_REQUIRE_REDIS=1 requires it"
            );
            // Straight to stderr, past the test harness's capture, so that it shows.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test}: redis-server is not on PATH (install Redis to run it; \
                 set DINGTALK_REQUIRE_REDIS=1 to make this a failure)"
            );
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free loopback port");
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut server = RedisServer {
            binary,
            port,
            dir,
            child: None,
        };
        server.restart();
        Some(server)
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Stops the server (its data is gone: nothing is persisted).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server (again) on the same port and waits until it accepts connections.
    pub fn restart(&mut self) {
        self.stop();
        let child = Command::new(&self.binary)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .args(["--dir", &self.dir.path().display().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not start on {addr}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Every key in the server (for checks on key names).
    pub fn keys(&self) -> Vec<String> {
        let client = redis::Client::open(self.url()).expect("url");
        let mut conn = client.get_connection().expect("connect");
        redis::cmd("KEYS").arg("*").query(&mut conn).expect("KEYS")
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A loopback address that accepts connections and never answers: a Redis that hangs.
pub fn silent_server() -> (SocketAddr, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let handle = std::thread::spawn(move || {
        let mut held = Vec::new();
        // A bounded number of connections, then the thread ends (and drops them).
        for stream in listener.incoming().take(16) {
            match stream {
                Ok(stream) => held.push(stream),
                Err(_) => break,
            }
        }
    });
    (addr, handle)
}
