//! action.yml's install step, run with bash as the runner would: a `version` is a release
//! tag and nothing else, the archive is checked against the checksum committed in the
//! action, and nothing that cannot be honoured falls back silently. Downloads come from a
//! fake server on 127.0.0.1 standing in for `GITHUB_SERVER_URL`.

use super::action_yml::Steps;
use super::*;

const ASSET: &str = "v9.9.9/cargo-guild-x86_64-unknown-linux-musl.tar.gz";

/// The action's folder as the runner has it, with `release/SHA256SUMS` saying `sums`.
fn action_dir(sums: &str) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(dir.path().join("release")).unwrap();
    std::fs::copy(src.join("Cargo.lock"), dir.path().join("Cargo.lock")).unwrap();
    std::fs::copy(
        src.join("release/TOOLCHAIN"),
        dir.path().join("release/TOOLCHAIN"),
    )
    .unwrap();
    std::fs::write(dir.path().join("release/SHA256SUMS"), sums).unwrap();
    dir
}

/// A release archive holding the test binary as `cargo-guild`, and its SHA-256.
fn archive(work: &Path) -> (Vec<u8>, String) {
    let stage = work.join("stage");
    std::fs::create_dir_all(&stage).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_cargo-guild"), stage.join("cargo-guild")).unwrap();
    let tgz = work.join("asset.tar.gz");
    let ok = Command::new("tar")
        .arg("-czf")
        .arg(&tgz)
        .arg("-C")
        .arg(&stage)
        .arg("cargo-guild")
        .status()
        .unwrap();
    assert!(ok.success());
    let sum = Command::new("sha256sum").arg(&tgz).output().unwrap();
    let sum = String::from_utf8_lossy(&sum.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    (std::fs::read(&tgz).unwrap(), sum)
}

/// Runs the steps up to the install with `version`; returns (exit code, output, the
/// binary the install step reports).
fn install(gh: &FakeGithub, version: &str, action: &Path, work: &Path) -> (i32, String, String) {
    let steps = Steps {
        binary: false,
        context: vec![
            ("github.action_path", action.display().to_string()),
            ("github.action_repository", "octo/cargo-guild".to_string()),
        ],
        until: Some("install"),
    };
    let job_env = vec![
        ("GITHUB_SERVER_URL".to_string(), gh.url()),
        ("RUNNER_OS".to_string(), "Linux".to_string()),
        ("RUNNER_ARCH".to_string(), "X64".to_string()),
    ];
    let repo = Repo::new();
    let (code, out, _) = steps.run(&repo, &[("version", version)], &job_env, work);
    let bin = work.join("cargo-guild/bin/cargo-guild");
    (code, out, bin.display().to_string())
}

#[test]
fn a_hostile_version_is_refused_before_any_download() {
    let gh = FakeGithub::start();
    let work = tempfile::tempdir().unwrap();
    let action = action_dir("");
    for bad in [
        "../../evil/cargo-guild",
        "v1.0.0/../../x",
        "latest",
        "v1.0",
        "v1.0.0\n::error::x",
    ] {
        let (code, out, bin) = install(&gh, bad, action.path(), work.path());
        assert_eq!(code, 1, "{bad:?}: {out}");
        assert!(out.contains("must be a release tag"), "{bad:?}: {out}");
        assert!(!Path::new(&bin).exists());
    }
    assert!(gh.requests().is_empty(), "nothing was downloaded");
}

#[test]
fn the_download_is_checked_against_the_committed_checksum() {
    let gh = FakeGithub::start();
    let work = tempfile::tempdir().unwrap();
    let (bytes, sum) = archive(work.path());
    gh.with(|s| {
        s.assets.insert(
            format!("/octo/cargo-guild/releases/download/{ASSET}"),
            bytes,
        )
    });

    // Not listed: refused without a download.
    let action = action_dir("");
    let (code, out, _) = install(&gh, "v9.9.9", action.path(), work.path());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("no checksum for v9.9.9/"), "{out}");
    assert!(gh.requests().is_empty());

    // Listed with another checksum: downloaded, refused, never unpacked.
    let wrong = format!("{}  {ASSET}\n", "0".repeat(64));
    let action = action_dir(&wrong);
    let (code, out, bin) = install(&gh, "v9.9.9", action.path(), work.path());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("checksum mismatch"), "{out}");
    assert!(
        !Path::new(&bin).exists(),
        "a binary that failed the check is not unpacked"
    );

    // Listed with its checksum: installed and run.
    let right = format!("# comment\n{sum}  {ASSET}\n");
    let action = action_dir(&right);
    let (code, out, bin) = install(&gh, "v9.9.9", action.path(), work.path());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("cargo-guild"), "prints its version: {out}");
    assert!(Path::new(&bin).is_file());

    // A version listed but not downloadable fails loudly: no build from source instead.
    let other = format!("{sum}  v9.9.8/cargo-guild-x86_64-unknown-linux-musl.tar.gz\n");
    let action = action_dir(&other);
    let (code, out, _) = install(&gh, "v9.9.8", action.path(), work.path());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("cannot download"), "{out}");
    assert!(!out.contains("Compiling"), "{out}");
}
