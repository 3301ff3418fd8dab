// The bridge's C++ half: cxx-build generates it from src/lib.rs and compiles it into the
// staticlib, with the C++ the bridge names (src/frame_vector.h).
fn main() {
    cxx_build::bridge("src/lib.rs")
        .flag_if_supported("-std=c++17")
        .compile("zccxx-bridge");
    println!("cargo:rerun-if-changed=src/lib.rs");
    println!("cargo:rerun-if-changed=src/frame_vector.h");
}
