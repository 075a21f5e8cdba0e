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
//!
//! They also pack the relative relocations (`-z pack-relative-relocs`, DT_RELR) where the
//! linker takes the option and the C library runs what it links (glibc 2.36 or later).
use std::env;
use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=release/hot-functions.txt");
    println!("cargo:rerun-if-changed=release/TOOLCHAIN");
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    if env::var("PROFILE").as_deref() != Ok("release")
        || env::var("TARGET").as_deref() != Ok("x86_64-unknown-linux-gnu")
        || env::var_os("RUSTC_LINKER").is_some()
        || chooses_linker(&env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default())
    {
        return;
    }
    let manifest = env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let list = Path::new(&manifest).join("release/hot-functions.txt");
    let pinned =
        std::fs::read_to_string(Path::new(&manifest).join("release/TOOLCHAIN")).unwrap_or_default();
    let ordering = [
        format!("-Wl,--symbol-ordering-file={}", list.display()),
        "-Wl,--no-warn-symbol-ordering".to_string(),
    ];
    if list.is_file()
        && rustc_release().as_deref() == Some(pinned.trim())
        && probe(&ordering, false)
    {
        for arg in &ordering {
            println!("cargo:rustc-link-arg-bins={arg}");
        }
    }
    // Relative relocations packed (DT_RELR): the 14,000 the loader applies at start took
    // 340 KB of the binary, resident for the whole run; packed they take a few. Needs glibc
    // 2.36 where the program runs, so the probe runs what it linked.
    let relr = ["-Wl,-z,pack-relative-relocs".to_string()];
    if probe(&relr, true) {
        println!("cargo:rustc-link-arg-bins={}", relr[0]);
    }
}

/// Whether the flags pick a linker themselves (then it may not be lld).
fn chooses_linker(flags: &str) -> bool {
    flags.split('\x1f').any(|flag| {
        ["linker", "link-self-contained", "fuse-ld"]
            .iter()
            .any(|word| flag.contains(word))
    })
}

/// Whether the linker this compiler uses takes the link options (and, with `run`, whether
/// what it links runs here): a compiler built without its own linker (some distributions'
/// packages) calls the system's, which may reject them and fail the build. Links an empty
/// program once (the script runs again only when its inputs change).
fn probe(link_args: &[String], run: bool) -> bool {
    let (Some(rustc), Some(out)) = (env::var_os("RUSTC"), env::var_os("OUT_DIR")) else {
        return false;
    };
    let out = Path::new(&out);
    let source = out.join("probe.rs");
    let program = out.join("probe");
    if std::fs::write(&source, "fn main() {}\n").is_err() {
        return false;
    }
    let quiet = |c: &mut Command| {
        c.stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let mut link = Command::new(rustc);
    link.arg("--target=x86_64-unknown-linux-gnu")
        .arg("--crate-type=bin")
        .arg("-Cdebuginfo=0");
    for arg in link_args {
        link.arg(format!("-Clink-arg={arg}"));
    }
    link.arg("-o").arg(&program).arg(&source);
    quiet(&mut link) && (!run || quiet(&mut Command::new(&program)))
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
