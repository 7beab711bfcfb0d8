//! Links the faster libtesseract built by `tools/build-tesseract.sh` when it is installed
//! (its folder searched first and set as the binary's run path); otherwise cargo links
//! Debian's libtesseract through tesseract-sys's pkg-config probe.

use std::path::Path;

const OPTIMISED_TESSERACT: &str = "/opt/chartvault/tesseract";

fn main() {
    let lib = Path::new(OPTIMISED_TESSERACT).join("lib");
    let stamp = Path::new(OPTIMISED_TESSERACT).join(".chartvault-build");
    if lib.join("libtesseract.so").exists() && stamp.exists() {
        println!("cargo:rustc-link-search=native={}", lib.display());
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
        println!("cargo:rerun-if-changed={}", stamp.display());
    }
    println!("cargo:rerun-if-changed=build.rs");
}
