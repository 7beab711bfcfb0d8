//! Scale work: synthetic archives of many documents and benchmarks over them
//! (`chartvault bench generate`, `bench indexing`, `bench search`, `bench http`).

pub mod bench;
pub mod generate;
pub mod http_bench;
pub mod index_bench;
pub mod text;

pub use generate::{generate, GenerateOptions, GenerateReport};
pub use text::TextSource;
