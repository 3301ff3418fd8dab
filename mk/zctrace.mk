# zctrace.mk: the copy tracer, build/lib/libzctrace.so (LD_PRELOAD) and its test program.
# The wing is tools/zctrace/: main.c and the files it names below are the wrapper
# build/bin/zctrace, the other files the preloaded library; out.c is in both.
#
#   make zctrace        the library, the wrapper and the test programs in tools/zctrace/progs/
#   make zctrace-bench  wall time of a copy-heavy program: native, zctrace, DHAT, heaptrack
#
# The library holds the same interposers as the scenario programs
# (src/instrument/hooks/counting_hooks.c); the sink they report to is the recorder's
# (tools/zctrace/record.c), not the counters' (src/instrument/counting_sink.c).
# Everything is hidden except the interposed functions and zc_probe_mark.

ZCTRACE_LIB = $(BUILD)/lib/libzctrace.so
# The wrapper's files (and out.c); the other files are the preloaded library's.
ZCTRACE_WRAPPER_SRC = $(addprefix tools/zctrace/,main.c cli.c tree.c pairs.c expect.c)
ZCTRACE_SRC = $(filter-out $(ZCTRACE_WRAPPER_SRC) tools/zctrace/test_%.c,$(wildcard tools/zctrace/*.c))
ZCTRACE_OBJ = $(ZCTRACE_SRC:%.c=$(BUILD)/obj/zctrace/%.o) \
              $(BUILD)/obj/zctrace/src/instrument/hooks/counting_hooks.o \
              $(BUILD)/obj/zctrace/src/core/frame.o $(BUILD)/obj/zctrace/src/util/error.o \
              $(BUILD)/obj/zctrace/src/instrument/written.o $(BUILD)/obj/zctrace/src/instrument/uffd.o \
              $(BUILD)/obj/zctrace/src/instrument/pagemap.o
ZCTRACE_CFLAGS = $(filter-out $(SANFLAGS),$(ALL_CFLAGS)) -Itools/zctrace -fvisibility=hidden
PROBE_DEMO = $(BUILD)/tests/progs/probe_demo
COPY_KINDS = $(BUILD)/tests/progs/copy_kinds
HANDOVER = $(BUILD)/tests/progs/handover

.PHONY: zctrace zctrace-bench
all: $(ZCTRACE_LIB) $(PROBE_DEMO) $(COPY_KINDS) $(HANDOVER)
zctrace: $(ZCTRACE_LIB) $(BUILD)/bin/zctrace $(PROBE_DEMO) $(COPY_KINDS) $(HANDOVER)
test: zctrace

$(BUILD)/obj/zctrace/%.o: %.c $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(ZCTRACE_CFLAGS) -c $< -o $@

# gcc must not turn the hooks' byte loop, or the recorder's loops, into calls to memcpy.
$(BUILD)/obj/zctrace/src/instrument/hooks/counting_hooks.o $(BUILD)/obj/zctrace/tools/zctrace/%.o: \
	ZCTRACE_CFLAGS += -fno-builtin -fno-tree-loop-distribute-patterns

# No sanitizer runtime in a library preloaded into other programs; -z defs: a symbol the
# library needs and lacks fails the link, not the traced program.
$(ZCTRACE_LIB): $(ZCTRACE_OBJ)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -shared -Wl,-z,now -Wl,-z,defs $^ -o $@ -ldl -lpthread

# A user's program: plain libc and the probe header, none of zcbench's hooks.
$(PROBE_DEMO): tools/zctrace/progs/probe_demo.c include/zc_probe.h $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) $(WERROR) -Iinclude $< -o $@

# Another: copies row by row, through every copy function, and a realloc served by mremap.
# -fno-builtin: gcc must call the functions, not inline them; -rdynamic: its call sites are named.
$(COPY_KINDS): tools/zctrace/progs/copy_kinds.c $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) $(WERROR) -fno-builtin -rdynamic -pthread $< -o $@

# A frame handed from one process to another: a pipe, a memfd both map, a file sendfile'd.
$(HANDOVER): tools/zctrace/progs/handover.c include/zc_probe.h $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) $(WERROR) -Iinclude $< -o $@

$(BUILD)/bin/zctrace: $(ZCTRACE_WRAPPER_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/tools/zctrace/out.o \
		$(BUILD)/lib/libzcbench.a | $(ZCTRACE_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) $(filter %.o,$^) -o $@ $(BUILD)/lib/libzcbench.a $(PKG_LIBS) -lstdc++ -lm -ldl -lpthread

zctrace-bench: zctrace
	@BUILD=$(BUILD) scripts/zctrace_bench.sh

# The wing's unit test reaches the wrapper's checks without running a program.
$(BUILD)/tests/test_expect: $(addprefix $(BUILD)/obj/tools/zctrace/,expect.o pairs.o tree.o out.o)
