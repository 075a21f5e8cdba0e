//! Damaged and unusual repositories: each gets a clear message naming the object or file and
//! the fix, exit code 2, no panic and no hang (every run here is killed if it hangs); what git
//! reads (a malformed author, replace refs, grafts) is read the same way.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{ids, Repo, Run};

/// Runs `cmd`, killing it if it has not finished in a minute (a hang fails the test, it does
/// not hang the suite).
fn guarded(mut cmd: Command) -> Run {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cargo-guild runs");
    // Drain both pipes on their own threads: a full pipe must not look like a hang.
    let drain = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("cargo-guild hung (killed after a minute): {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run(Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    })
}

fn run(repo: &Repo, args: &[&str]) -> Run {
    guarded(repo.command(args))
}

/// Exit 2 with a message that is not a panic; returns the message.
#[track_caller]
fn fails_clearly(r: &Run) -> String {
    assert!(
        r.0.status.code().is_some(),
        "killed by a signal (a crash): {:?}\n{}",
        r.0.status,
        r.stderr()
    );
    r.fails_with(2)
}

fn history() -> Repo {
    let repo = Repo::new();
    repo.write("src/a.rs", "a\n")
        .commit_by("Alice <alice@example.com>", "2024-01-01", "one");
    repo.write("src/b.rs", "b\n")
        .commit_by("Bob <bob@example.com>", "2024-01-02", "two");
    repo.write("src/a.rs", "a2\n")
        .commit_by("Carol <carol@example.com>", "2024-01-03", "three");
    repo
}

fn head(repo: &Repo) -> String {
    repo.git(&["rev-parse", "HEAD"])
}

fn loose_path(repo: &Repo, id: &str) -> PathBuf {
    repo.path()
        .join(".git/objects")
        .join(&id[..2])
        .join(&id[2..])
}

fn pack_files(repo: &Repo, ext: &str) -> PathBuf {
    let dir = repo.path().join(".git/objects/pack");
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == ext))
        .unwrap_or_else(|| panic!("no .{ext} in {}", dir.display()))
}

/// Writes `bytes` over a file git made read-only.
fn overwrite(path: &Path, bytes: &[u8]) {
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)] // a test file, in a temporary folder
    perms.set_readonly(false);
    std::fs::set_permissions(path, perms).unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn truncated_loose_object_names_the_object_and_git_fsck() {
    let repo = history();
    let id = head(&repo);
    let path = loose_path(&repo, &id);
    let bytes = std::fs::read(&path).unwrap();
    overwrite(&path, &bytes[..bytes.len() / 2]);
    let err = fails_clearly(&run(&repo, &["reputation"]));
    assert!(err.contains(&id) && err.contains("git fsck"), "{err}");
    // Deeper in history too (a parent, not HEAD).
    let repo = history();
    let parent = repo.git(&["rev-parse", "HEAD~1"]);
    let path = loose_path(&repo, &parent);
    let bytes = std::fs::read(&path).unwrap();
    overwrite(&path, &bytes[..bytes.len() - 3]);
    let err = fails_clearly(&run(&repo, &["reputation"]));
    assert!(err.contains(&parent) && err.contains("git fsck"), "{err}");
}

/// Single flipped bits all over a pack index: never a crash or a hang; a wrong answer is
/// never given where the reader could tell (exit 0 only with the right output).
#[test]
fn flipped_bits_in_a_pack_index_never_crash() {
    let repo = history();
    repo.git(&["gc", "-q"]);
    let good = run(&repo, &["context", "--json"]).ok();
    std::fs::remove_dir_all(repo.path().join(".git/guild")).unwrap();
    let idx = pack_files(&repo, "idx");
    let bytes = std::fs::read(&idx).unwrap();
    let count = bytes.len();
    // Fan-out, object ids, CRCs, offsets and both checksums.
    let mut spots: Vec<usize> = vec![8, 8 + 4 * 100 + 3, 8 + 1023, count - 1, count - 30];
    let objects = ((count - 8 - 1024 - 40) / 28).max(1);
    for i in 0..objects {
        spots.push(8 + 1024 + i * 20 + 2); // an id
        spots.push(8 + 1024 + objects * 24 + i * 4 + 3); // an offset
        spots.push(8 + 1024 + objects * 24 + i * 4 + 2); // an offset
    }
    let mut failures = 0;
    for at in spots {
        let mut bad = bytes.clone();
        bad[at] ^= 0x10;
        overwrite(&idx, &bad);
        let r = run(&repo, &["context", "--json"]);
        let _ = std::fs::remove_dir_all(repo.path().join(".git/guild"));
        assert!(
            r.0.status.code().is_some(),
            "crash at byte {at}: {:?}",
            r.0.status
        );
        if r.code() == 0 {
            assert_eq!(r.stdout(), good, "a wrong answer with byte {at} flipped");
        } else {
            let err = fails_clearly(&r);
            assert!(err.contains("git fsck"), "byte {at}: {err}");
            failures += 1;
        }
    }
    overwrite(&idx, &bytes);
    assert!(
        failures > 0,
        "no flipped bit was noticed: the test tests nothing"
    );
}

#[test]
fn truncated_pack_index_or_pack_names_the_file() {
    for ext in ["idx", "pack"] {
        let repo = history();
        repo.git(&["gc", "-q"]);
        let file = pack_files(&repo, ext);
        let bytes = std::fs::read(&file).unwrap();
        overwrite(&file, &bytes[..bytes.len() - 100]);
        let err = fails_clearly(&run(&repo, &["reputation"]));
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let stem = name.trim_end_matches(&format!(".{ext}"));
        assert!(
            err.contains(stem) && err.contains("git fsck"),
            "{ext}: {err}"
        );
    }
}

/// `git log` reads a commit whose author line is malformed; so does cargo guild, at HEAD and
/// deeper in history.
#[test]
fn malformed_author_line_is_read_like_git_reads_it() {
    let repo = history();
    let tree = repo.git(&["rev-parse", "HEAD^{tree}"]);
    let parent = head(&repo);
    let raw = format!(
        "tree {tree}\nparent {parent}\nauthor broken line\ncommitter Dan <dan@example.com> 1704456000 +0000\n\nfour\n"
    );
    std::fs::write(repo.path().join("raw"), raw).unwrap();
    let id = repo.git(&["hash-object", "-t", "commit", "--literally", "-w", "raw"]);
    repo.git(&["update-ref", "refs/heads/main", &id]);
    std::fs::remove_file(repo.path().join("raw")).unwrap();
    repo.git(&["log", "--format=%H %an"]);
    let people = run(&repo, &["reputation", "--format", "json"]).json();
    let who = ids(&people);
    for p in ["alice", "bob", "carol"] {
        assert!(who.contains(&p.to_string()), "{who:?}");
    }
    // And one deeper in history, under a normal HEAD.
    repo.commit_by("Erin <erin@example.com>", "2024-01-06", "five");
    run(&repo, &["reputation", "--format", "json"]).json();
}

#[test]
fn a_commit_without_a_tree_names_the_commit() {
    let repo = history();
    let raw = format!(
        "parent {}\nauthor A <a@example.com> 1704456000 +0000\ncommitter A <a@example.com> 1704456000 +0000\n\nbroken\n",
        head(&repo)
    );
    std::fs::write(repo.path().join("raw"), raw).unwrap();
    let id = repo.git(&["hash-object", "-t", "commit", "--literally", "-w", "raw"]);
    // git refuses to point a branch at it; write the ref by hand.
    repo.git(&["pack-refs", "--all"]);
    std::fs::write(repo.path().join(".git/refs/heads/main"), format!("{id}\n")).unwrap();
    let err = fails_clearly(&run(&repo, &["reputation"]));
    assert!(err.contains(&id) && err.contains("malformed"), "{err}");
}

#[test]
fn sha256_repository_says_it_is_not_supported_yet() {
    let repo = Repo::new();
    let dir = repo.path().join("sha256");
    repo.git(&[
        "init",
        "-q",
        "--object-format=sha256",
        dir.to_str().unwrap(),
    ]);
    let git = |args: &[&str]| {
        let mut all = vec!["-C", dir.to_str().unwrap()];
        all.extend_from_slice(args);
        repo.git(&all)
    };
    git(&[
        "-c",
        "user.name=A",
        "-c",
        "user.email=a@x",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "x",
    ]);
    let r = guarded({
        let mut c = repo.command(["reputation"]);
        c.current_dir(&dir);
        c
    });
    let err = fails_clearly(&r);
    assert!(
        err.contains("SHA-256 repositories are not supported yet"),
        "{err}"
    );
}

/// git refuses a repository another user owns unless it is in `safe.directory`; so does
/// cargo guild, saying so. Needs root to give the repository away (skipped otherwise).
#[test]
fn repository_owned_by_another_user_names_safe_directory() {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !root {
        eprintln!("skipped: only root can give a repository to another user");
        return;
    }
    let repo = history();
    let chown = Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(repo.path())
        .status()
        .unwrap();
    assert!(chown.success());
    let err = fails_clearly(&run(&repo, &["reputation"]));
    assert!(
        err.contains("safe.directory") && err.contains("owned by another user"),
        "{err}"
    );
    // Back to us, so that the temporary folder is removed like any other.
    Command::new("chown")
        .args(["-R", "0:0"])
        .arg(repo.path())
        .status()
        .unwrap();
}

/// A partial clone leaves trees (or blobs) out; what needs them says so and how to fetch them.
#[test]
fn partial_clone_says_what_is_left_out_and_how_to_fetch_it() {
    let repo = history();
    repo.write(
        ".mailmap",
        "Alice <alice@example.com> <alice@old.example.com>\n",
    )
    .commit_by("Alice <alice@example.com>", "2024-01-04", "four");
    repo.git(&["config", "uploadpack.allowFilter", "true"]);
    // The configuration lives outside the clones (a clone without blobs could not read it).
    let config_dir = tempfile::tempdir().unwrap();
    let config = config_dir.path().join("guild.yml");
    std::fs::write(&config, "domains:\n  src: [\"src/\"]\n").unwrap();
    let url = format!("file://{}", repo.path().display());
    let dir = tempfile::tempdir().unwrap();
    // Trees left out: history reads, changed paths cannot.
    let trees = dir.path().join("trees");
    repo.git(&[
        "clone",
        "-q",
        "--no-checkout",
        "--filter=tree:0",
        &url,
        trees.to_str().unwrap(),
    ]);
    let clone_cmd = |dir: &Path, args: &[&str]| {
        let mut c = repo.command(args);
        c.current_dir(dir);
        guarded(c)
    };
    let config = config.to_str().unwrap();
    clone_cmd(&trees, &["reputation", "--format", "json"]).json();
    let err = fails_clearly(&clone_cmd(&trees, &["--config", config, "domains"]));
    assert!(
        err.contains("partial clone") && err.contains("git fetch --refetch"),
        "{err}"
    );
    // A bare clone without blobs: `.mailmap` at HEAD is left out.
    let blobs = dir.path().join("blobs.git");
    repo.git(&[
        "clone",
        "-q",
        "--bare",
        "--filter=blob:none",
        &url,
        blobs.to_str().unwrap(),
    ]);
    let err = fails_clearly(&clone_cmd(&blobs, &["reputation"]));
    assert!(
        err.contains(".mailmap") && err.contains("git fetch --refetch"),
        "{err}"
    );
}

/// `git replace` and `info/grafts` change what `git log` shows; they change what cargo guild
/// reads the same way.
#[test]
fn replace_refs_and_grafts_are_honoured_like_git_log() {
    let repo = history();
    let bob = repo.git(&["rev-parse", "HEAD~1"]);
    let raw = repo.git(&["cat-file", "commit", &bob]);
    let raw = raw.replace("Bob <bob@example.com>", "Dave <dave@example.com>") + "\n";
    std::fs::write(repo.path().join("raw"), raw).unwrap();
    let dave = repo.git(&["hash-object", "-t", "commit", "-w", "raw"]);
    std::fs::remove_file(repo.path().join("raw")).unwrap();
    let before = ids(&run(&repo, &["reputation", "--format", "json"]).json());
    assert!(before.contains(&"bob".to_string()), "{before:?}");
    repo.git(&["replace", &bob, &dave]);
    let after = ids(&run(&repo, &["reputation", "--format", "json"]).json());
    assert!(
        after.contains(&"dave".to_string()) && !after.contains(&"bob".to_string()),
        "{after:?}"
    );
    // Packed into `packed-refs` (no loose ref left), it still counts; read afresh.
    repo.git(&["pack-refs", "--all"]);
    let loose = repo.path().join(".git/refs/replace");
    assert!(std::fs::read_dir(&loose).map_or(true, |mut d| d.next().is_none()));
    std::fs::remove_dir_all(repo.path().join(".git/guild")).unwrap();
    let packed = ids(&run(&repo, &["reputation", "--format", "json"]).json());
    assert_eq!(packed, after);
    // git does not see the replacement with GIT_NO_REPLACE_OBJECTS; neither do we.
    let mut cmd = repo.command(["reputation", "--format", "json"]);
    cmd.env("GIT_NO_REPLACE_OBJECTS", "1");
    let plain = ids(&guarded(cmd).json());
    assert!(plain.contains(&"bob".to_string()), "{plain:?}");
    repo.git(&["replace", "-d", &bob]);

    // A graft cuts history at HEAD~1: Alice's commit is no longer reachable.
    let cut = repo.git(&["rev-parse", "HEAD~1"]);
    std::fs::create_dir_all(repo.path().join(".git/info")).unwrap();
    std::fs::write(repo.path().join(".git/info/grafts"), format!("{cut}\n")).unwrap();
    let grafted = ids(&run(&repo, &["reputation", "--format", "json"]).json());
    assert!(
        !grafted.contains(&"alice".to_string()) && grafted.contains(&"carol".to_string()),
        "{grafted:?}"
    );
}

/// Flipped bits in every cache under `.git/guild/`: the output stays right (the cache is
/// detected as damaged and rebuilt), never a panic.
#[test]
fn damaged_caches_are_rebuilt_never_trusted() {
    let repo = history();
    repo.write("guild.yml", "domains:\n  src: [\"src/\"]\n")
        .commit_by("Alice <alice@example.com>", "2024-01-04", "four");
    let good = run(&repo, &["context", "--json"]).ok();
    let good_domains = run(&repo, &["domains", "--format", "json"]).ok();
    let dir = repo.path().join(".git/guild");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{files:?}");
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        for step in 1..8 {
            let at = bytes.len() * step / 8;
            let mut bad = bytes.clone();
            bad[at] ^= 0x04;
            std::fs::write(file, &bad).unwrap();
            let r = run(&repo, &["context", "--json"]);
            assert_eq!(r.ok(), good, "{} byte {at}", file.display());
            std::fs::write(file, &bad).unwrap();
            let r = run(&repo, &["domains", "--format", "json"]);
            assert_eq!(r.ok(), good_domains, "{} byte {at}", file.display());
        }
        std::fs::write(file, &bytes).unwrap();
    }
}

/// A commit missing from the middle of history (not a shallow clone, no graft) is an error
/// that names it and the commit that needs it, not a silently shorter history.
#[test]
fn missing_parent_names_both_commits() {
    let repo = history();
    let parent = repo.git(&["rev-parse", "HEAD~1"]);
    std::fs::remove_file(loose_path(&repo, &parent)).unwrap();
    let err = fails_clearly(&run(&repo, &["reputation"]));
    assert!(
        err.contains(&parent) && err.contains(&head(&repo)) && err.contains("git fsck"),
        "{err}"
    );
}

/// Objects borrowed from another repository (`git clone --shared`, `objects/info/alternates`)
/// are read from there, packed or loose, with the same result.
#[test]
fn alternates_are_read_like_local_objects() {
    let repo = history();
    repo.write("guild.yml", "domains:\n  src: [\"src/\"]\n")
        .commit_by("Alice <alice@example.com>", "2024-01-04", "four");
    let want = run(&repo, &["domains", "--format", "json"]).ok();
    let want_people = ids(&run(&repo, &["context", "--json"]).json());
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    repo.git(&[
        "clone",
        "-q",
        "--shared",
        repo.path().to_str().unwrap(),
        shared.to_str().unwrap(),
    ]);
    assert!(shared.join(".git/objects/info/alternates").exists());
    let in_shared = |args: &[&str]| {
        let mut c = repo.command(args);
        c.current_dir(&shared);
        guarded(c).ok()
    };
    assert_eq!(in_shared(&["domains", "--format", "json"]), want);
    // Packed in the source: still found through the alternate.
    repo.git(&["gc", "-q"]);
    let _ = std::fs::remove_dir_all(shared.join(".git/guild"));
    assert_eq!(in_shared(&["domains", "--format", "json"]), want);
    let ctx: serde_json::Value = serde_json::from_str(&in_shared(&["context", "--json"])).unwrap();
    assert_eq!(ids(&ctx), want_people);
}

/// A history of `n` commits by a few people written with `git fast-import`, repacked the
/// way `git gc` and GitHub leave it, with a reverse index (`.rev`).
fn repacked(n: usize) -> Repo {
    let repo = Repo::new();
    let mut stream = String::new();
    for i in 1..=n {
        let who = [
            "Alice <alice@example.com>",
            "Bob <bob@example.com>",
            "Carol <carol@example.com>",
        ][i % 3];
        let t = 1_700_000_000 + i * 3600;
        let msg = format!(
            "change {i}\n\nReviewed-by: {}\n",
            ["Dan <dan@example.com>", "Eve <eve@example.com>"][i % 2]
        );
        stream.push_str(&format!(
            "commit refs/heads/main\nmark :{i}\nauthor {who} {t} +0000\ncommitter {who} {t} +0000\ndata {}\n{msg}\n",
            msg.len()
        ));
        if i > 1 {
            stream.push_str(&format!("from :{}\n", i - 1));
        }
        stream.push_str(&format!(
            "M 644 inline src/f{}.rs\ndata 2\n{}\n\n",
            i % 7,
            i % 10
        ));
    }
    repo.fast_import(stream.as_bytes());
    repo.git(&["reset", "--hard", "-q", "main"]);
    repo.git(&[
        "-c",
        "pack.writeReverseIndex=true",
        "repack",
        "-a",
        "-d",
        "-f",
        "-q",
    ]);
    repo
}

/// The reverse index only guides reading ahead of the walk: good, shuffled, cut short or
/// missing, what is read is the same.
#[test]
fn a_damaged_reverse_index_changes_nothing_that_is_read() {
    let repo = repacked(600);
    let rev = pack_files(&repo, "rev");
    let good = std::fs::read(&rev).unwrap();
    let expected = repo.run(["reputation", "--format", "json"]).ok();
    assert!(expected.contains("\"alice\""), "{expected}");
    // The entries in reverse order (every position valid, none where it should be), every
    // position out of range, then a file cut short, then none at all.
    let body = &good[12..good.len() - 40];
    let mut reversed = good[..12].to_vec();
    for chunk in body.chunks(4).rev() {
        reversed.extend_from_slice(chunk);
    }
    reversed.extend_from_slice(&good[good.len() - 40..]);
    let mut out_of_range = good.clone();
    for b in &mut out_of_range[12..good.len() - 40] {
        *b = 0xff;
    }
    for damaged in [reversed, out_of_range, good[..good.len() / 2].to_vec()] {
        overwrite(&rev, &damaged);
        let _ = std::fs::remove_dir_all(repo.path().join(".git/guild"));
        assert_eq!(
            run(&repo, &["reputation", "--format", "json"]).ok(),
            expected
        );
    }
    std::fs::remove_file(&rev).unwrap();
    let _ = std::fs::remove_dir_all(repo.path().join(".git/guild"));
    assert_eq!(
        run(&repo, &["reputation", "--format", "json"]).ok(),
        expected
    );
}
