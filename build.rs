//! Release builds for x86_64 Linux with the pinned toolchain link the functions a run executes
//! next to each other (`release/hot-functions.txt`, written by `bench/hot-functions.sh`).
//!
//! The kernel maps a program's code 64 KiB around every page it first runs, so code spread over
//! the whole 11 MB text costs memory on every run: a `domains` run on tokio-rs/tokio had 7–8 MB
//! of our binary resident although the functions it executes add up to about 2 MB. With them
//! placed first, that is the resident part.
//!
//! The list names functions by their mangled symbols, which differ with the compiler's version,
//! so it is only used with the toolchain in `release/TOOLCHAIN` and with Rust's own linker
//! (`rust-lld`, the default for this target since Rust 1.90): another linker would reject the
//! option. A stale list only costs memory: names the linker does not find are skipped.
use std::env;
use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=release/hot-functions.txt");
    println!("cargo:rerun-if-changed=release/TOOLCHAIN");
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    let manifest = env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let list = Path::new(&manifest).join("release/hot-functions.txt");
    let pinned =
        std::fs::read_to_string(Path::new(&manifest).join("release/TOOLCHAIN")).unwrap_or_default();
    if env::var("PROFILE").as_deref() != Ok("release")
        || env::var("TARGET").as_deref() != Ok("x86_64-unknown-linux-gnu")
        || env::var_os("RUSTC_LINKER").is_some()
        || chooses_linker(&env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default())
        || !list.is_file()
        || rustc_release().as_deref() != Some(pinned.trim())
        || !linker_takes_the_list(&list)
    {
        return;
    }
    println!(
        "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
        list.display()
    );
    println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
}

/// Whether the flags pick a linker themselves (then it may not be lld).
fn chooses_linker(flags: &str) -> bool {
    flags.split('\x1f').any(|flag| {
        ["linker", "link-self-contained", "fuse-ld"]
            .iter()
            .any(|word| flag.contains(word))
    })
}

/// Whether the linker this compiler uses takes the options: a compiler built without its
/// own linker (some distributions' packages) calls the system's, which would fail the build.
/// Links an empty program with them once (the script runs again only when its inputs change).
fn linker_takes_the_list(list: &Path) -> bool {
    let (Some(rustc), Some(out)) = (env::var_os("RUSTC"), env::var_os("OUT_DIR")) else {
        return false;
    };
    let out = Path::new(&out);
    let source = out.join("probe.rs");
    if std::fs::write(&source, "fn main() {}\n").is_err() {
        return false;
    }
    Command::new(rustc)
        .arg("--target=x86_64-unknown-linux-gnu")
        .arg("--crate-type=bin")
        .arg("-Cdebuginfo=0")
        .arg(format!(
            "-Clink-arg=-Wl,--symbol-ordering-file={}",
            list.display()
        ))
        .arg("-Clink-arg=-Wl,--no-warn-symbol-ordering")
        .arg("-o")
        .arg(out.join("probe"))
        .arg(&source)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The compiler's version, "1.95.0", from `rustc -vV`.
fn rustc_release() -> Option<String> {
    let rustc = env::var_os("RUSTC")?;
    let out = Command::new(rustc).arg("-vV").output().ok()?;
    String::from_utf8(out.stdout)
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix("release: "))
        .map(str::to_owned)
}
