//! Ctrl-C during `site build` (issue 14): the temporary `.NAME.tmp-PID` folder is removed and
//! the previous site stays.

use super::*;

#[cfg(unix)]
#[test]
fn an_interrupted_build_leaves_no_temporary_folder_and_keeps_the_previous_site() {
    let repo = community();
    repo.run(["site", "build", "--out", "site"]).ok();
    let before = std::fs::read(repo.path().join("site/index.html")).unwrap();
    // Enough docs that writing the site takes a while.
    for i in 0..3000 {
        repo.write(
            &format!("community/micro-teach/2024-05-01-note-{i}.md"),
            &format!("---\ntitle: Note {i}\nkind: micro-teach\ndate: 2024-05-01\nauthors: [Alice]\n---\n\nA note about lifetimes, number {i}.\n"),
        );
    }
    let mut child = guild()
        .args(["site", "build", "--out", "site"])
        .current_dir(repo.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let tmp = repo.path().join(format!(".site.tmp-{}", child.id()));
    // Wait for the write to start (or the build to end first on a very fast machine).
    let finished = loop {
        if tmp.exists() {
            break false;
        }
        if child.try_wait().unwrap().is_some() {
            break true;
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    if finished {
        eprintln!("skipped: the build ended before it could be interrupted");
        return;
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let leftovers: Vec<String> = std::fs::read_dir(repo.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".site."))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    if status.code() == Some(130) {
        assert!(stderr.contains("interrupted"), "{stderr}");
        assert_eq!(
            std::fs::read(repo.path().join("site/index.html")).unwrap(),
            before,
            "the previous site stays"
        );
    } else {
        // The signal came after the new site was in place: the build completed.
        assert!(status.success(), "{status:?}\n{stderr}");
    }
}
