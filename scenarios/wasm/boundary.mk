# boundary.mk: wasm is a runtime boundary (the Makefile's RUNTIME_SCENARIOS): a WebAssembly
# module makes the frames in its linear memory and a real Node.js takes them through the raw
# WebAssembly API. Built only where node and its N-API headers, clang and lld (wasm32), and
# Debian's rustc and cargo with the wasm32 standard library (libstd-rust-dev-wasm32, for
# Debian's rustc 1.63 only) are there. The program measures in node processes of its own, as
# node's does, which load:
#   build/lib/wasm/zcwasm_c.wasm     the C producer (wasm_c/producer.c + src/core/frame.c)
#   build/lib/wasm/zcwasm_rust.wasm  the Rust producer (wasm_rust/, + frame.c for wasm32)
#   build/lib/wasm/zcwasm.node       the instruments' addon (addon/zcwasm.c)
#   build/lib/wasm/driver.js         the bridge and the timed loop, in JavaScript
#   build/lib/libzchooks.so          the counting interposers, preloaded into node
RUNTIME_SCENARIOS += wasm
BRIDGE_SCENARIOS += wasm
wasm_PACKAGES = nodejs libnode-dev clang lld rustc cargo libstd-rust-dev-wasm32
wasm_BIN = $(shell command -v node 2>/dev/null)
wasm_INCLUDE = $(shell d=$$(dirname "$$(dirname "$$(readlink -f "$$(command -v node)")")") && \
	test -f "$$d/include/node/node_api.h" && echo "$$d/include/node")
# Debian's toolchain by path: a rustup toolchain earlier on PATH has no wasm32 std of Debian's.
WASM_RUSTC = /usr/bin/rustc
WASM_CARGO = /usr/bin/cargo
WASM_CC = clang
wasm_PRESENT = n=$$(command -v node) && \
	test -f "$$(dirname "$$(dirname "$$(readlink -f "$$n")")")/include/node/node_api.h" && \
	command -v $(WASM_CC) && command -v wasm-ld && test -x $(WASM_RUSTC) && \
	test -x $(WASM_CARGO) && test -d /usr/lib/rustlib/wasm32-unknown-unknown
wasm_LIBS =
# The measure hook, the addon's instrument glue and the driver's common part are the node
# family's (scenarios/runtimes/runtimes.mk).
include scenarios/runtimes/runtimes.mk
$(eval $(call node_family_rules,wasm))
$(BUILD)/obj/scenarios/wasm/main.o: private ALL_CFLAGS += -DZC_NODE_PATH='"$(wasm_BIN)"'

# The producers' C for wasm32, no libc: the project's warnings, the frame code's libc
# headers from wasm_c/libc (what frame.c's declarations need), bulk memory (memcpy is
# memory.copy; Node 20 has it).
WASM_CFLAGS = --target=wasm32 -std=c17 -O2 -ffreestanding -nostdlib -mbulk-memory $(WARN) \
	$(WERROR) -isystem scenarios/wasm/wasm_c/libc -Isrc/core -Isrc/util
WASM_EXPORTS = open take_frame release_frame allocate_more probe_write frames_out taken \
	released double_releases grows
$(BUILD)/wasm/%.o: src/core/%.c $(BUILD)/.flags
	@mkdir -p $(@D)
	$(WASM_CC) $(WASM_CFLAGS) -c $< -o $@
$(BUILD)/wasm/producer.o: scenarios/wasm/wasm_c/producer.c $(BUILD)/.flags \
		$(wildcard scenarios/wasm/wasm_c/libc/*.h)
	@mkdir -p $(@D)
	$(WASM_CC) $(WASM_CFLAGS) -c $< -o $@
$(BUILD)/lib/wasm/zcwasm_c.wasm: $(BUILD)/wasm/producer.o $(BUILD)/wasm/frame.o
	@mkdir -p $(@D)
	$(WASM_CC) --target=wasm32 -nostdlib -Wl,--no-entry -Wl,--strip-all \
		$(WASM_EXPORTS:%=-Wl,--export=zcw_%) $^ -o $@

# The Rust producer: Debian's cargo and rustc, offline, the frame code linked in.
WASM_RUST_SRC = $(wildcard scenarios/wasm/wasm_rust/src/*.rs) \
	scenarios/wasm/wasm_rust/Cargo.toml scenarios/wasm/wasm_rust/Cargo.lock
$(BUILD)/lib/wasm/zcwasm_rust.wasm: $(WASM_RUST_SRC) $(BUILD)/wasm/frame.o
	@mkdir -p $(@D)
	RUSTC=$(WASM_RUSTC) RUSTFLAGS="-C link-arg=$(abspath $(BUILD)/wasm/frame.o)" \
		$(WASM_CARGO) build --release --offline --locked --quiet \
		--target wasm32-unknown-unknown --manifest-path scenarios/wasm/wasm_rust/Cargo.toml \
		--target-dir $(BUILD)/cargo-wasm
	cp $(BUILD)/cargo-wasm/wasm32-unknown-unknown/release/zcwasm_rust.wasm $@

# The addon: N-API only, frame.c and error.c for the stamps and checksums, written.c and
# uffd.c for the pages written; the interposers' functions it calls are the preloaded
# library's (undefined here). No sanitizer runtime in a library loaded into node.
WASM_ADDON_CFLAGS = $(filter-out $(SANFLAGS),$(ALL_CFLAGS)) -Iscenarios/runtimes \
	-isystem $(wasm_INCLUDE)
$(BUILD)/obj/wasm-addon/%.o: scenarios/wasm/addon/%.c $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(WASM_ADDON_CFLAGS) -c $< -o $@
$(BUILD)/lib/wasm/zcwasm.node: $(BUILD)/obj/wasm-addon/zcwasm.o $(BUILD)/obj/src/core/frame.o \
		$(BUILD)/obj/src/util/error.o $(BUILD)/obj/src/instrument/written.o \
		$(BUILD)/obj/src/instrument/uffd.o $(NODE_WATCH_OBJ)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -shared $^ -o $@ -ldl
$(BUILD)/lib/wasm/driver.js: scenarios/wasm/driver.js
	@mkdir -p $(@D)
	cp $< $@
$(BUILD)/bin/wasm: $(BUILD)/lib/wasm/zcwasm.node $(BUILD)/lib/wasm/driver.js \
	$(BUILD)/lib/wasm/zcwasm_c.wasm $(BUILD)/lib/wasm/zcwasm_rust.wasm $(BUILD)/lib/libzchooks.so
