//! A small static file server for previewing the site on 127.0.0.1, and a watcher that
//! polls modification times and calls back to rebuild. Plain `std::net`: one thread per
//! connection, GET and HEAD only, `Connection: close`. It is a preview server, not a
//! production one: it never listens on anything but the loopback address.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::Context as _;

/// Binds 127.0.0.1:`port` (0 picks a free port) and serves `root` on a background thread.
/// Returns the bound port.
pub fn start(root: PathBuf, port: u16) -> anyhow::Result<u16> {
    let listener = TcpListener::bind(("127.0.0.1", port)).with_context(|| {
        format!(
            "cannot listen on 127.0.0.1:{port}\n  fix: pick another --port (0 picks a free one)"
        )
    })?;
    let port = listener.local_addr()?.port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || {
                let _ = handle(stream, &root);
            });
        }
    });
    Ok(port)
}

fn handle(mut stream: TcpStream, root: &Path) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    // Skip the headers.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut parts = request.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    if method != "GET" && method != "HEAD" {
        return respond(
            &mut stream,
            405,
            "text/plain",
            b"method not allowed\n",
            true,
        );
    }
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let Some(file) = resolve(root, &percent_decode(path)) else {
        return respond(
            &mut stream,
            404,
            "text/plain",
            b"not found\n",
            method == "GET",
        );
    };
    match std::fs::read(&file) {
        Ok(bytes) => respond(
            &mut stream,
            200,
            content_type(&file),
            &bytes,
            method == "GET",
        ),
        Err(_) => respond(
            &mut stream,
            404,
            "text/plain",
            b"not found\n",
            method == "GET",
        ),
    }
}

/// The file for a URL path: `/` and folders serve their `index.html`; no `..`, no hidden files.
fn resolve(root: &Path, path: &str) -> Option<PathBuf> {
    let mut p = root.to_path_buf();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            s if s.starts_with('.') || s.contains('\\') => return None,
            s => p.push(s),
        }
    }
    if p.is_dir() {
        p.push("index.html");
    }
    p.is_file().then_some(p)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn content_type(p: &Path) -> &'static str {
    match p.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        _ => "application/octet-stream",
    }
}

fn respond(
    stream: &mut TcpStream,
    code: u16,
    ctype: &str,
    body: &[u8],
    with_body: bool,
) -> std::io::Result<()> {
    let reason = match code {
        200 => "OK",
        404 => "Not Found",
        _ => "Method Not Allowed",
    };
    write!(
        stream,
        "HTTP/1.1 {code} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    if with_body {
        stream.write_all(body)?;
    }
    stream.flush()
}

/// A fingerprint of the watched paths: every file's path, size and modification time.
pub fn fingerprint(paths: &[PathBuf]) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let mut out = Vec::new();
    for p in paths {
        for e in walkdir::WalkDir::new(p)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
        {
            if let Ok(m) = e.metadata() {
                if m.is_file() {
                    out.push((e.path().to_path_buf(), m.len(), m.modified().ok()));
                }
            }
        }
    }
    out
}

/// Polls `paths` every `every` and calls `rebuild` when anything changed; never returns.
pub fn watch(paths: &[PathBuf], every: Duration, mut rebuild: impl FnMut()) -> ! {
    let mut last = fingerprint(paths);
    loop {
        std::thread::sleep(every);
        let now = fingerprint(paths);
        if now != last {
            last = now;
            rebuild();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_stay_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), "x").unwrap();
        std::fs::create_dir(dir.path().join("people")).unwrap();
        std::fs::write(dir.path().join("people/index.html"), "p").unwrap();
        assert!(resolve(dir.path(), "/").is_some());
        assert!(resolve(dir.path(), "/people/")
            .unwrap()
            .ends_with("people/index.html"));
        assert!(resolve(dir.path(), "/../etc/passwd").is_none());
        assert!(resolve(dir.path(), "/.guild-site").is_none());
        assert_eq!(percent_decode("/a%20b%2"), "/a b%2");
    }
}
