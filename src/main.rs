fn main() -> std::process::ExitCode {
    chartvault::cli::ensure_single_threaded_openmp();
    chartvault::cli::tune_allocator();
    chartvault::cli::main()
}
