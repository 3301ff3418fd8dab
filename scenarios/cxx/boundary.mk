# boundary.mk: cxx is a runtime boundary (the Makefile's RUNTIME_SCENARIOS): a real bridge
# between Rust and C++, cxx 1.0.87, built with Debian's crates offline. Built only where
# Debian's rustc and cargo and its librust-cxx-dev and librust-cxx-build-dev (with what they
# depend on, in /usr/share/cargo/registry) are installed:
#   build/lib/libzccxx_rust.a   the Rust producer and the bridge (rust/), linked into the program
#   build/cargo-cxx/cxxbridge/  the bridge's C++ header cxx-build generated, for consumer.cc
RUNTIME_SCENARIOS += cxx
BRIDGE_SCENARIOS += cxx
cxx_PACKAGES = rustc cargo librust-cxx-dev librust-cxx-build-dev
# Debian's toolchain by path: the crates in its registry are for its rustc 1.63.
CXX_RUSTC = /usr/bin/rustc
CXX_CARGO = /usr/bin/cargo
CXX_REGISTRY = /usr/share/cargo/registry
cxx_PRESENT = test -x $(CXX_RUSTC) && test -x $(CXX_CARGO) && \
	test -d $(CXX_REGISTRY)/cxx-1.0.87 && test -d $(CXX_REGISTRY)/cxx-build-1.0.87
CXX_RUST_LIB = $(BUILD)/lib/libzccxx_rust.a
# The Rust staticlib brings Rust's standard library, which wants these.
cxx_LIBS = $(CXX_RUST_LIB) -lgcc_s -lpthread -ldl -lm -lstdc++

# cargo runs in rust/, where it reads .cargo/config.toml (Debian's registry for crates.io).
CXX_RUST_SRC = $(wildcard scenarios/cxx/rust/src/*) scenarios/cxx/rust/build.rs \
	scenarios/cxx/rust/Cargo.toml scenarios/cxx/rust/Cargo.lock \
	scenarios/cxx/rust/.cargo/config.toml
CXX_BRIDGE_H = $(BUILD)/cargo-cxx/cxxbridge/zccxx_rust/src/lib.rs.h
$(CXX_RUST_LIB): $(CXX_RUST_SRC)
	@mkdir -p $(@D)
	cd scenarios/cxx/rust && RUSTC=$(CXX_RUSTC) $(CXX_CARGO) build --release --offline \
		--locked --quiet --target-dir $(abspath $(BUILD)/cargo-cxx)
	cp $(BUILD)/cargo-cxx/release/libzccxx_rust.a $@
$(CXX_BRIDGE_H): $(CXX_RUST_LIB)
# The bridge's header includes the C++ it names as zccxx_rust/src/frame_vector.h: the crate's
# folder under that name.
$(BUILD)/cxx-include/zccxx_rust: | $(CXX_RUST_LIB)
	@mkdir -p $(@D)
	ln -sfn $(abspath scenarios/cxx/rust) $@

# The C++ consumer: the project's C++ flags, the generated headers as system headers (-isystem:
# the project's warnings are for its own code). The folder's archive holds it too (the
# Makefile collects only its C files).
cxx_CXX_OBJ = $(patsubst %.cc,$(BUILD)/obj/%.o,$(wildcard scenarios/cxx/*.cc))
$(BUILD)/obj/scenarios/cxx/%.o: private ALL_CXXFLAGS += $(INCLUDES) -Iscenarios/cxx \
	-isystem $(BUILD)/cargo-cxx/cxxbridge -isystem $(BUILD)/cxx-include
$(cxx_CXX_OBJ): $(CXX_BRIDGE_H) | $(BUILD)/cxx-include/zccxx_rust
$(cxx_CXX_OBJ): scenarios/cxx/boundary.mk
$(BUILD)/lib/scenario-cxx.a: $(cxx_CXX_OBJ)
$(BUILD)/bin/cxx: $(CXX_RUST_LIB)
