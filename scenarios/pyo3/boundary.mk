# boundary.mk: the pyo3 boundary is a runtime boundary (the Makefile's contract, near
# RUNTIME_SCENARIOS): Debian's libpython3.11 runs inside build/bin/pyo3, and the Rust
# producer's frames reach it through an extension module written with pyo3 0.17 (module/,
# build/lib/pyo3/zcpyo3.so), which the embedded interpreter imports. It builds offline with
# Debian's cargo and rustc 1.63 from Debian's packaged crates (librust-pyo3-dev,
# /usr/share/cargo/registry): a rustup toolchain on PATH is not used, so that the crates and
# the compiler are the ones Debian tested together.
RUNTIME_SCENARIOS += pyo3
BRIDGE_SCENARIOS += pyo3
pyo3_PACKAGES = librust-pyo3-dev cargo python3-dev
PYO3_REGISTRY = /usr/share/cargo/registry
PYO3_CRATE = scenarios/pyo3/module
PYO3_VERSION = $(shell sed -n '/^name = "pyo3"$$/{n;s/^version = "\(.*\)"$$/\1/p;}' \
	$(PYO3_CRATE)/Cargo.lock)
pyo3_PRESENT = test -x /usr/bin/cargo && test -x /usr/bin/rustc && \
	test -d $(PYO3_REGISTRY)/pyo3-$(PYO3_VERSION) && pkg-config --exists python3-embed
pyo3_LIBS = $(shell pkg-config --libs python3-embed)
PYO3_MODULE = $(BUILD)/lib/pyo3/zcpyo3.so
# Built once into $(BUILD)/cargo/pyo3 (about 80 s of CPU with rustc 1.63: pyo3's macros) and
# skipped while the crate's files are older than the module; cargo's lock is version 3,
# which cargo 1.65 reads and writes. PYO3_PYTHON names the interpreter whose configuration
# pyo3's build script reads: the one python3-embed links. The crate's .cargo/config.toml
# points crates.io at Debian's registry, offline; cargo runs from there to read it.
$(PYO3_MODULE): $(wildcard $(PYO3_CRATE)/src/*.rs) $(PYO3_CRATE)/Cargo.toml \
		$(PYO3_CRATE)/Cargo.lock $(PYO3_CRATE)/.cargo/config.toml | $(BUILD)/.deps-ok
	@mkdir -p $(@D) $(BUILD)/cargo/pyo3
	cd $(PYO3_CRATE) && RUSTC=/usr/bin/rustc PYO3_PYTHON=/usr/bin/python3 \
		/usr/bin/cargo build --release --offline --locked --quiet \
		--target-dir $(abspath $(BUILD))/cargo/pyo3
	cp $(BUILD)/cargo/pyo3/release/libzcpyo3.so $@
# The module, and the Rust producer whose frames it hands over, beside the program.
$(BUILD)/bin/pyo3: | $(PYO3_MODULE) $(BUILD)/lib/libzcproducer_rust.so
# Python's headers and the interpreter's home: python_runtime.mk's. private: the flags stay
# these objects' own.
$(BUILD)/obj/scenarios/pyo3/%.o: private ALL_CFLAGS += $(PYTHON_CFLAGS) \
	-DZC_PYO3_VERSION='"$(PYO3_VERSION)"'
# The family's shared objects (scenarios/runtimes/python_runtime.mk) go into the archive.
include scenarios/runtimes/python_runtime.mk
$(eval $(call python_runtime_rules,pyo3,$(PYTHON_EMBED_OBJ) $(PYTHON_CONSUMER_OBJ) \
	$(PYTHON_PROBE_OBJ) $(PYTHON_ROWS_OBJ)))
# The consumer's Python source is assembled into the program (consumer_source.c, .incbin).
$(BUILD)/obj/scenarios/pyo3/consumer_source.o: scenarios/pyo3/consumer.py
# The test drives the strategies in its own process: it links the interpreter, and imports
# the module from beside it (../lib/pyo3/zcpyo3.so) as the program does.
$(BUILD)/tests/test_pyo3: TEST_LIBS += $(pyo3_LIBS)
$(BUILD)/tests/test_pyo3: | $(PYO3_MODULE) $(BUILD)/lib/libzcproducer_rust.so
