//! A minimal Chrome DevTools Protocol client for the site tests: launches the machine's
//! headless Chromium with a fresh profile, talks to it over a WebSocket (hand-rolled on
//! `std::net`, text frames only) and records, per page, everything that counts as a
//! problem: console errors, uncaught exceptions, log errors (CSP violations land there),
//! failed requests and HTTP errors.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The Chromium binary, if this machine has one (`CHROMIUM` overrides).
pub fn chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("CHROMIUM") {
        return Some(PathBuf::from(p)).filter(|p| p.exists());
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

pub struct Browser {
    child: Child,
    ws: TcpStream,
    next_id: u64,
    /// (sessionId, event) for every event received so far.
    events: Vec<(String, Value)>,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    pub fn launch(binary: &Path) -> Browser {
        let profile = tempfile::tempdir().expect("profile dir");
        let child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--disable-extensions",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromium starts");
        // Chromium writes the port and the browser's WebSocket path once it listens.
        let file = profile.path().join("DevToolsActivePort");
        let deadline = Instant::now() + Duration::from_secs(30);
        let (port, path) = loop {
            if let Ok(text) = std::fs::read_to_string(&file) {
                let mut lines = text.lines();
                if let (Some(p), Some(path)) = (lines.next(), lines.next()) {
                    break (
                        p.trim().parse::<u16>().expect("port"),
                        path.trim().to_string(),
                    );
                }
            }
            assert!(Instant::now() < deadline, "chromium did not start");
            std::thread::sleep(Duration::from_millis(50));
        };
        let ws = handshake(port, &path);
        Browser {
            child,
            ws,
            next_id: 0,
            events: Vec::new(),
            _profile: profile,
        }
    }

    /// Sends a command (to a page session when given) and waits for its answer.
    pub fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        send(&mut self.ws, &msg.to_string());
        loop {
            let v = self.receive();
            if v["id"] == json!(id) {
                assert!(v.get("error").is_none(), "{method} failed: {v}");
                return v["result"].clone();
            }
        }
    }

    fn receive(&mut self) -> Value {
        let text = recv(&mut self.ws);
        let v: Value = serde_json::from_str(&text).expect("CDP sends JSON");
        if v.get("method").is_some() {
            let s = v["sessionId"].as_str().unwrap_or("").to_string();
            self.events.push((s, v.clone()));
        }
        v
    }

    /// A new tab with the runtime, log, network and page domains enabled.
    pub fn new_page(&mut self) -> String {
        let t = self.call(None, "Target.createTarget", json!({"url": "about:blank"}));
        let r = self.call(
            None,
            "Target.attachToTarget",
            json!({"targetId": t["targetId"], "flatten": true}),
        );
        let s = r["sessionId"].as_str().expect("session").to_string();
        for domain in ["Runtime", "Log", "Network", "Page"] {
            self.call(Some(&s), &format!("{domain}.enable"), json!({}));
        }
        s
    }

    /// Loads `url` and waits for its load event.
    pub fn navigate(&mut self, s: &str, url: &str) {
        let seen = self.events.len();
        let r = self.call(Some(s), "Page.navigate", json!({"url": url}));
        assert!(r.get("errorText").is_none(), "cannot load {url}: {r}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if self.events[seen..]
                .iter()
                .any(|(es, e)| es == s && e["method"] == "Page.loadEventFired")
            {
                return;
            }
            assert!(Instant::now() < deadline, "{url} did not finish loading");
            self.receive();
        }
    }

    /// Evaluates a JavaScript expression in the page (promises awaited) and returns its value.
    pub fn eval(&mut self, s: &str, expr: &str) -> Value {
        let r = self.call(
            Some(s),
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(r.get("exceptionDetails").is_none(), "{expr}: {r}");
        r["result"]["value"].clone()
    }

    /// Polls `expr` until it is truthy (or fails after 10 s).
    pub fn wait_for(&mut self, s: &str, expr: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let v = self.eval(s, expr);
            if !(v.is_null() || v == json!(false) || v == json!("") || v == json!(0)) {
                return v;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {expr}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Types text into the focused element as a user would.
    pub fn type_text(&mut self, s: &str, text: &str) {
        self.call(Some(s), "Input.insertText", json!({"text": text}));
    }

    /// Everything that went wrong in the page's session so far, one line each.
    pub fn problems(&self, s: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (es, e) in &self.events {
            if es != s {
                continue;
            }
            let p = &e["params"];
            match e["method"].as_str().unwrap_or("") {
                "Runtime.consoleAPICalled" if p["type"] == "error" || p["type"] == "assert" => {
                    out.push(format!("console error: {}", p["args"]))
                }
                "Runtime.exceptionThrown" => {
                    out.push(format!("exception: {}", p["exceptionDetails"]))
                }
                "Log.entryAdded" if p["entry"]["level"] == "error" => out.push(format!(
                    "log error: {} {}",
                    p["entry"]["text"], p["entry"]["url"]
                )),
                "Network.loadingFailed" => out.push(format!(
                    "failed request: {} {}",
                    p["errorText"], p["blockedReason"]
                )),
                "Network.responseReceived"
                    if p["response"]["status"].as_u64().unwrap_or(0) >= 400 =>
                {
                    out.push(format!(
                        "HTTP {} for {}",
                        p["response"]["status"], p["response"]["url"]
                    ))
                }
                "Network.requestWillBeSent" => {
                    let url = p["request"]["url"].as_str().unwrap_or("");
                    if !url.starts_with("http://127.0.0.1:") && !url.starts_with("about:") {
                        out.push(format!("request to another host: {url}"));
                    }
                }
                _ => {}
            }
        }
        out
    }
}

fn handshake(port: u16, path: &str) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect to chromium");
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    .unwrap();
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        s.read_exact(&mut b).expect("handshake answer");
        head.push(b[0]);
    }
    let head = String::from_utf8_lossy(&head);
    assert!(
        head.starts_with("HTTP/1.1 101"),
        "websocket refused: {head}"
    );
    s
}

fn frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0x80 | opcode];
    let n = payload.len();
    if n < 126 {
        f.push(0x80 | n as u8);
    } else if n < 65536 {
        f.push(0x80 | 126);
        f.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        f.push(0x80 | 127);
        f.extend_from_slice(&(n as u64).to_be_bytes());
    }
    let mask = [0x37, 0xfa, 0x21, 0x3d];
    f.extend_from_slice(&mask);
    f.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    f
}

fn send(s: &mut TcpStream, text: &str) {
    s.write_all(&frame(0x1, text.as_bytes()))
        .expect("send to chromium");
}

fn recv(s: &mut TcpStream) -> String {
    let mut message = Vec::new();
    loop {
        let mut h = [0u8; 2];
        s.read_exact(&mut h).expect("frame from chromium");
        let (fin, opcode) = (h[0] & 0x80 != 0, h[0] & 0x0f);
        let mut len = u64::from(h[1] & 0x7f);
        if len == 126 {
            let mut b = [0u8; 2];
            s.read_exact(&mut b).unwrap();
            len = u64::from(u16::from_be_bytes(b));
        } else if len == 127 {
            let mut b = [0u8; 8];
            s.read_exact(&mut b).unwrap();
            len = u64::from_be_bytes(b);
        }
        let mut mask = None;
        if h[1] & 0x80 != 0 {
            let mut m = [0u8; 4];
            s.read_exact(&mut m).unwrap();
            mask = Some(m);
        }
        let mut payload = vec![0u8; len as usize];
        s.read_exact(&mut payload).unwrap();
        if let Some(m) = mask {
            payload
                .iter_mut()
                .enumerate()
                .for_each(|(i, b)| *b ^= m[i % 4]);
        }
        match opcode {
            0x0..=0x2 => {
                message.extend_from_slice(&payload);
                if fin {
                    return String::from_utf8(message).expect("UTF-8 from chromium");
                }
            }
            0x8 => panic!("chromium closed the DevTools connection"),
            0x9 => s.write_all(&frame(0xA, &payload)).unwrap(),
            _ => {}
        }
    }
}
