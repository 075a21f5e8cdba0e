//! The `cargo-guild` binary: parse, run, turn the result into an exit code.
//! Everything else lives in the library so that benches and tests share it.

// Small pages from the very start, before the first allocation (see
// `cargo_guild::sources::odb::prefer_small_pages`): mimalloc's first arena would otherwise take
// three huge pages, 6 MB of a short run's memory, zeroed whole. Loading a big cache asks for
// huge pages again.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static SMALL_PAGES_FIRST: extern "C" fn() = small_pages_first;

#[cfg(target_os = "linux")]
extern "C" fn small_pages_first() {
    cargo_guild::sources::odb::prefer_small_pages();
}

fn main() {
    // Return freed memory to the system soon (10 ms) rather than after mimalloc's default
    // delay: a first run frees what its reader threads built, and peak memory is one of our
    // targets. Not at once (0): diffing trees frees and reallocates large buffers so often that
    // the kernel spent a fifth of the time zeroing the same pages again (git.git, `domains`).
    // `mi_option_purge_delay` in mimalloc.h (v3).
    const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: setting an option is allowed at any time; an unknown option is ignored.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 10) };
    cargo_guild::exit::end_now(cargo_guild::main_entry())
}

// Loading the ledger cache allocates hundreds of thousands of small objects at once, and a
// first run reads every commit: mimalloc makes a second run about 40% faster (see README, Speed).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;
