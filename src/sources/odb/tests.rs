//! The reader against libgit2 on a real repository, and against damage.

use super::pack::OFS_DELTA;
use super::*;

/// Every object of a repository with packed (deltified) and loose objects reads back
/// exactly as libgit2 reads it.
#[test]
fn reads_what_libgit2_reads() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let st = std::process::Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
            .output()
            .unwrap();
        assert!(st.status.success(), "{:?}", st);
    };
    git(&["init", "-q"]);
    git(&["config", "user.name", "T"]);
    git(&["config", "user.email", "t@x"]);
    let mut text = String::new();
    for i in 0..60 {
        // A growing file makes blob and tree deltas; folders make nested trees.
        text.push_str(&format!("line {i} {}\n", "x".repeat(i % 7)));
        std::fs::create_dir_all(dir.path().join(format!("d{}", i % 3))).unwrap();
        std::fs::write(dir.path().join(format!("d{}/f.txt", i % 3)), &text).unwrap();
        git(&["add", "-A"]);
        git(&["commit", "-q", "-m", &format!("commit {i}")]);
        if i == 40 {
            git(&["gc", "-q", "--aggressive"]);
        }
    }
    let repo = git2::Repository::open(dir.path()).unwrap();
    let objects = Objects::open(&repo);
    assert_eq!(objects.packs.len(), 1);
    let pack = &objects.packs[0];
    let deltas = (0..pack.count)
        .filter(|&i| pack.header(pack.offset(i).unwrap()).unwrap().0 == OFS_DELTA)
        .count();
    assert!(
        deltas > 20,
        "only {deltas} deltas: the test would not test them"
    );
    let odb = repo.odb().unwrap();
    let mut all = Vec::new();
    odb.foreach(|oid| {
        all.push(*oid);
        true
    })
    .unwrap();
    let mut reader = objects.reader();
    let (mut packed, mut loose) = (0, 0);
    for oid in &all {
        let id: Id = oid.as_bytes().try_into().unwrap();
        if objects.find(&id).is_some() {
            packed += 1;
        } else {
            loose += 1;
        }
        let (kind, data) = reader.read(&id).unwrap().unwrap();
        let theirs = odb.read(*oid).unwrap();
        assert_eq!(data.as_slice(), theirs.data(), "{oid}");
        assert_eq!(format!("{kind:?}").to_lowercase(), theirs.kind().str());
    }
    assert!(packed > 100 && loose > 10, "{packed} packed, {loose} loose");
    assert!(reader.read(&[7; 20]).unwrap().is_none());
}

/// Flipped bits anywhere in a pack's data (the index still matching) are read as damage
/// or, where zlib cannot tell, as other bytes: never a panic, never a hang.
#[test]
fn flipped_bits_in_pack_data_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    git(&["init", "-q"]);
    git(&["config", "user.name", "T"]);
    git(&["config", "user.email", "t@x"]);
    let mut text = String::new();
    for i in 0..30 {
        text.push_str(&format!("line {i}\n"));
        std::fs::write(dir.path().join("f.txt"), &text).unwrap();
        git(&["add", "-A"]);
        git(&["commit", "-q", "-m", &format!("commit {i}")]);
    }
    git(&["gc", "-q", "--aggressive"]);
    let ids: Vec<Id> = git(&["rev-list", "--objects", "--all"])
        .lines()
        .map(|l| super::super::git::parse_hex(l.as_bytes()).unwrap())
        .collect();
    let pack_dir = dir.path().join(".git/objects/pack");
    let pack = std::fs::read_dir(&pack_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "pack"))
        .unwrap();
    let good = std::fs::read(&pack).unwrap();
    let mut perms = std::fs::metadata(&pack).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)] // a test file in a temporary folder
    perms.set_readonly(false);
    std::fs::set_permissions(&pack, perms).unwrap();
    let repo = git2::Repository::open(dir.path()).unwrap();
    // Past the 12-byte header, short of the 20-byte checksum (which the index repeats).
    for at in (12..good.len() - 20).step_by(7) {
        for bit in [0x01, 0x80] {
            let mut bad = good.clone();
            bad[at] ^= bit;
            std::fs::write(&pack, &bad).unwrap();
            let objects = Objects::open(&repo);
            let mut reader = objects.reader();
            for id in &ids {
                let _ = reader.read(id);
            }
        }
    }
}
