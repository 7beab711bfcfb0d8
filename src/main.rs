fn main() -> std::process::ExitCode {
    chartvault::cli::main()
}
