//! Scale work: synthetic archives of many documents and benchmarks over them
//! (`chartvault bench generate`, `bench indexing`, `bench search`, `bench http`).

pub mod bench;
pub mod generate;
pub mod http_bench;
pub mod index_bench;
pub mod text;

pub use generate::{generate, GenerateOptions, GenerateReport};

/// Bytes in the files under `dir` (index and archive sizes in the benchmarks).
pub fn dir_size(dir: &std::path::Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}
pub use text::TextSource;
