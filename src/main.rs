//! The `cargo-guild` binary: parse, run, turn the result into an exit code.
//! Everything else lives in the library so that benches and tests share it.

fn main() -> std::process::ExitCode {
    cargo_guild::main_entry()
}
