//! The `scalesim` binary: see [`scalesim::cli`].

fn main() -> std::process::ExitCode {
    scalesim::cli::main()
}
