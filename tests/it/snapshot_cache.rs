//! The snapshot cache (`.git/guild/snapshot-*.bin`): a second `reputation`, `network`,
//! `newcomers`, `trends` or `compare` loads the snapshot it built before, and anything the
//! snapshot depends on (a commit, `guild.yml`, the sections asked for) builds it again; a
//! damaged file is rebuilt, never trusted.

use crate::support::Repo;

const ALICE: &str = "Alice <alice@example.com>";
const BOB: &str = "Bob <bob@example.com>";
const CAROL: &str = "Carol <carol@example.com>";

fn community() -> Repo {
    let repo = Repo::new();
    repo.write("src/a.rs", "a\n")
        .commit_by(ALICE, "2024-01-01", "one");
    repo.write("src/b.rs", "b\n").commit_by(
        BOB,
        "2024-01-02",
        &format!("two\n\nReviewed-by: {ALICE}"),
    );
    repo.write("docs/c.md", "c\n").commit_by(
        CAROL,
        "2024-02-01",
        &format!("three\n\nReviewed-by: {BOB}"),
    );
    repo
}

fn snapshot_files(repo: &Repo) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(repo.path().join(".git/guild"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("snapshot-")
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_second_run_loads_the_snapshot_and_a_change_of_input_builds_it_again() {
    let repo = community();
    let first = repo.run(["reputation", "--format", "json"]).ok();
    let again = repo.run(["-vv", "reputation", "--format", "json"]);
    assert_eq!(again.ok(), first);
    let timings = again.stderr();
    assert!(timings.contains("load the snapshot cache"), "{timings}");
    for skipped in ["read history", "load the ledger cache", "timing: snapshot:"] {
        assert!(!timings.contains(skipped), "{skipped}:\n{timings}");
    }
    assert_eq!(snapshot_files(&repo).len(), 1);

    // guild.yml (not committed): Alice opts out, and the next run says so.
    repo.write("guild.yml", "opt_out: [\"alice@example.com\"]\n");
    let opted = repo.run(["reputation", "--format", "json"]).ok();
    assert_ne!(opted, first);
    assert!(!opted.contains("\"alice\""), "{opted}");

    // A new commit.
    repo.write("src/d.rs", "d\n")
        .commit_by(CAROL, "2024-03-01", "four");
    let later = repo.run(["reputation", "--format", "json"]).ok();
    assert_ne!(later, opted);
    let carol = |out: &str| {
        let v: serde_json::Value = serde_json::from_str(out).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == "carol")
            .unwrap()["counts"]["commits"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(carol(&later), carol(&opted) + 1);

    // Other sections are another file; the first is still used.
    let network = repo.run(["network", "--format", "json"]).ok();
    assert_eq!(repo.run(["network", "--format", "json"]).ok(), network);
    assert_eq!(snapshot_files(&repo).len(), 2);
    let r = repo.run(["-vv", "reputation", "--format", "json"]);
    assert_eq!(r.ok(), later);
    assert!(
        r.stderr().contains("load the snapshot cache"),
        "{}",
        r.stderr()
    );
}

/// `--window` is part of what the snapshot was built for: a trends run with another window is
/// never answered from the first one's cache.
#[test]
fn trends_windows_are_cached_apart() {
    let repo = community();
    let ten = repo
        .run(["trends", "--window", "10", "--format", "json"])
        .ok();
    let thirty = repo
        .run(["trends", "--window", "30", "--format", "json"])
        .ok();
    assert_ne!(ten, thirty);
    assert_eq!(
        repo.run(["trends", "--window", "10", "--format", "json"])
            .ok(),
        ten
    );
    assert_eq!(
        repo.run(["trends", "--window", "30", "--format", "json"])
            .ok(),
        thirty
    );
}

/// Flipped bits anywhere in a snapshot file: the output stays right (the file is detected as
/// damaged and the snapshot built again), never a panic or a stale answer.
#[test]
fn a_damaged_snapshot_cache_is_rebuilt_never_trusted() {
    let repo = community();
    let good = repo.run(["reputation", "--format", "json"]).ok();
    let files = snapshot_files(&repo);
    assert_eq!(files.len(), 1);
    let bytes = std::fs::read(&files[0]).unwrap();
    for step in 0..12 {
        let at = bytes.len() * step / 12;
        let mut bad = bytes.clone();
        bad[at] ^= 0x10;
        std::fs::write(&files[0], &bad).unwrap();
        let r = repo.run(["-vv", "reputation", "--format", "json"]);
        assert_eq!(r.ok(), good, "byte {at}");
        // A damaged file is a miss: the run goes on to the ledger.
        assert!(
            r.stderr().contains("load the ledger cache"),
            "byte {at}: the damaged file was used\n{}",
            r.stderr()
        );
    }
}

/// A `.mailmap` the run skips is noted on every run, once, also when the snapshot (or the
/// ledger) comes from a cache and the history is not read again.
#[cfg(unix)]
#[test]
fn a_skipped_mailmap_is_noted_on_every_run_once() {
    let repo = community();
    repo.write(
        "elsewhere",
        "Mapped <mapped@example.com> <alice@example.com>\n",
    );
    std::os::unix::fs::symlink("elsewhere", repo.path().join(".mailmap")).unwrap();
    for run in 0..2 {
        let r = repo.run(["-vv", "reputation", "--format", "json"]);
        r.ok();
        let stderr = r.stderr();
        assert_eq!(
            stderr.matches("symbolic link").count(),
            1,
            "run {run}:\n{stderr}"
        );
        assert_eq!(
            stderr.contains("read history"),
            run == 0,
            "run {run}:\n{stderr}"
        );
    }
    // From the ledger cache (another set of sections, so no snapshot yet): noted too.
    let r = repo.run(["-vv", "network", "--format", "json"]);
    r.ok();
    assert!(!r.stderr().contains("read history"), "{}", r.stderr());
    assert_eq!(
        r.stderr().matches("symbolic link").count(),
        1,
        "{}",
        r.stderr()
    );
}

/// The same history gives the same cache files, byte for byte: built twice from scratch, every
/// file under `.git/guild/` is identical. (The identities' lookup tables were written in hash
/// table order, which differs from run to run.)
#[test]
fn the_caches_built_twice_are_the_same_bytes() {
    let repo = Repo::new();
    for i in 0..40 {
        // Two e-mails per person and a login in a trailer: every lookup table has entries.
        let who = format!("Person {i} <p{i}@example.com>");
        let other = format!("Person {i} <person{i}@users.noreply.github.com>");
        repo.write(&format!("src/f{i}.rs"), "x\n").commit_by(
            &who,
            "2024-01-01",
            &format!("change {i}\n\nCo-authored-by: {other}"),
        );
    }
    let read_all = || {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(repo.path().join(".git/guild"))
            .unwrap()
            .map(|e| {
                let path = e.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(&path).unwrap())
            })
            .collect();
        files.sort();
        files
    };
    let first_out = repo.run(["domains", "--format", "json"]).ok();
    let first = read_all();
    assert!(
        first.iter().any(|(name, _)| name.starts_with("ledger")),
        "{:?}",
        first.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for round in 0..3 {
        std::fs::remove_dir_all(repo.path().join(".git/guild")).unwrap();
        assert_eq!(repo.run(["domains", "--format", "json"]).ok(), first_out);
        let again = read_all();
        assert_eq!(
            again.iter().map(|f| &f.0).collect::<Vec<_>>(),
            first.iter().map(|f| &f.0).collect::<Vec<_>>()
        );
        for ((name, a), (_, b)) in first.iter().zip(&again) {
            assert!(a == b, "round {round}: {name} differs");
        }
    }
}
