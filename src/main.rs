//! The `scalesim` binary: see [`scalesim::cli`].

fn main() -> std::process::ExitCode {
    restore_sigpipe();
    scalesim::cli::main()
}

/// Rust ignores SIGPIPE, so `scalesim ... | head` would panic on the first write after `head`
/// exits; with the default disposition the process ends quietly, as Unix tools do.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any thread exists; setting a signal's
    // disposition to SIG_DFL has no other precondition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
