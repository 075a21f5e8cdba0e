//! Walks the history reachable from HEAD with gitoxide (`gix`), reading what cargo guild's
//! first run reads of every commit (id, author name, e-mail and time, the trailers of its
//! message) and printing it, like
//! `git log --format='%H%x00%an%x00%ae%x00%at%x00%(trailers:unfold,only)'`.
//! Usage: gix-walk REPOSITORY
use std::io::Write;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let repo = gix::open(&dir).unwrap_or_else(|e| panic!("cannot open {dir}: {e}"));
    let head = repo.head_id().expect("HEAD points at a commit");
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut commits = 0usize;
    for info in head.ancestors().all().expect("the walk starts") {
        let info = info.expect("a readable commit");
        let object = info.object().expect("a readable commit");
        let commit = object.decode().expect("a well-formed commit");
        let author = commit.author();
        let time = author.time().map(|t| t.seconds).unwrap_or(0);
        write!(out, "{}\0{}\0{}\0{}\0", info.id, author.name, author.email, time).unwrap();
        if let Some(body) = commit.message().body() {
            for t in body.trailers() {
                write!(out, "{}: {}\n", t.token, t.value).unwrap();
            }
        }
        writeln!(out).unwrap();
        commits += 1;
    }
    eprintln!("{commits} commits");
}
