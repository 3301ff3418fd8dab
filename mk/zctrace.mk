# zctrace.mk: the copy tracer, build/lib/libzctrace.so (LD_PRELOAD) and its test program.
# The wing is tools/zctrace/: main.c and the files it names below are the wrapper
# build/bin/zctrace, the other files the preloaded library; out.c is in both.
#
#   make zctrace        the library, the wrapper and the test programs in tools/zctrace/progs/
#   make zctrace-bench  zctrace's overhead on five programs: native, zctrace, --pages, DHAT
#   make probes         the probe modules for Python, Node.js and Java (part of make zctrace;
#                       tools/zctrace/probes/probes.mk)
#
# The library holds the same interposers as the scenario programs
# (src/instrument/hooks/counting_hooks.c); the sink they report to is the recorder's
# (tools/zctrace/record.c), not the counters' (src/instrument/counting_sink.c).
# Everything is hidden except the interposed functions and zc_probe_mark. The wrapper names
# the call sites once the program has exited, with elfutils' libdw (pkg-config libdw,
# installed by scripts/deps.sh): the traced process never loads it.

ZCTRACE_LIB = $(BUILD)/lib/libzctrace.so
# The wrapper's files (and out.c): main.c, the options, the tree, the pairs, the checks and
# the naming (names.c, symbolize.c); the other files are the preloaded library's; test_*.c
# the unit tests'.
ZCTRACE_WRAPPER_SRC = $(addprefix tools/zctrace/,main.c cli.c tree.c pairs.c expect.c names.c symbolize.c)
# Both the wrapper and the library: out.c, untraced.c.
ZCTRACE_SHARED_OBJ = $(addprefix $(BUILD)/obj/tools/zctrace/,out.o untraced.o)
ZCTRACE_SRC = $(filter-out $(ZCTRACE_WRAPPER_SRC) tools/zctrace/test_%.c,$(wildcard tools/zctrace/*.c))
# Expanded when a recipe runs, after scripts/deps.sh has installed libdw-dev.
LIBDW_CFLAGS = $(shell pkg-config --cflags libdw)
LIBDW_LIBS = $(shell pkg-config --libs libdw)
ZCTRACE_OBJ = $(ZCTRACE_SRC:%.c=$(BUILD)/obj/zctrace/%.o) \
              $(BUILD)/obj/zctrace/src/instrument/hooks/counting_hooks.o \
              $(BUILD)/obj/zctrace/src/core/frame.o $(BUILD)/obj/zctrace/src/util/error.o \
              $(BUILD)/obj/zctrace/src/instrument/written.o $(BUILD)/obj/zctrace/src/instrument/uffd.o \
              $(BUILD)/obj/zctrace/src/instrument/pagemap.o $(BUILD)/obj/zctrace/src/instrument/group.o
ZCTRACE_CFLAGS = $(filter-out $(SANFLAGS),$(ALL_CFLAGS)) -Itools/zctrace -fvisibility=hidden
PROBE_DEMO = $(BUILD)/tests/progs/probe_demo
COPY_KINDS = $(BUILD)/tests/progs/copy_kinds
CONTENT_COPY = $(BUILD)/tests/progs/content_copy
HANDOVER = $(BUILD)/tests/progs/handover
NAMES_LIB = $(BUILD)/tests/progs/libzcnames.so
NAMES = $(addprefix $(BUILD)/tests/progs/names-,nopie pie stripped)
SILENT = $(addprefix $(BUILD)/tests/progs/,silent silent-static)

.PHONY: zctrace zctrace-bench
all: $(ZCTRACE_LIB) $(PROBE_DEMO) $(COPY_KINDS) $(CONTENT_COPY) $(HANDOVER) $(NAMES) $(SILENT)
zctrace: $(ZCTRACE_LIB) $(BUILD)/bin/zctrace $(PROBE_DEMO) $(COPY_KINDS) $(CONTENT_COPY) $(HANDOVER) \
	$(NAMES) $(SILENT)
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

# A copy no hook sees (a word loop into a misaligned destination), for the search by content.
$(CONTENT_COPY): tools/zctrace/progs/content_copy.c include/zc_probe.h $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) $(WERROR) -fno-builtin -Iinclude $< -o $@

# A frame handed from one process to another: a pipe, a memfd both map, a file sendfile'd.
$(HANDOVER): tools/zctrace/progs/handover.c include/zc_probe.h $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) $(WERROR) -Iinclude $< -o $@

# The program whose call sites must be named (names.c), with its library: debug information
# whatever OPT says; a non-PIE executable (loaded at its link address), a PIE one, and the PIE
# one stripped (no .symtab, no DWARF), each finding the library beside itself.
$(NAMES_LIB): tools/zctrace/progs/names_lib.c tools/zctrace/progs/names_lib.h $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) -std=c17 -D_GNU_SOURCE -O2 -g $(WARN) $(WERROR) -fPIC -shared $< -o $@
NAMES_BUILD = $(CC) -std=c17 -D_GNU_SOURCE -O2 -g $(WARN) $(WERROR) $< -o $@ \
	-L$(@D) -lzcnames -Wl,-rpath,'$$ORIGIN'
$(BUILD)/tests/progs/names-nopie: tools/zctrace/progs/names.c tools/zctrace/progs/names_lib.h $(NAMES_LIB)
	$(NAMES_BUILD) -fno-pie -no-pie
$(BUILD)/tests/progs/names-pie: tools/zctrace/progs/names.c tools/zctrace/progs/names_lib.h $(NAMES_LIB)
	$(NAMES_BUILD) -fPIE -pie
$(BUILD)/tests/progs/names-stripped: $(BUILD)/tests/progs/names-pie
	strip -o $@ $<

# What zctrace must not pass over in silence: a crash, stdio, and the same program static.
# -fno-builtin: its memcpy is a call the hooks see.
$(BUILD)/tests/progs/silent: tools/zctrace/progs/silent.c $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) $(WERROR) -fno-builtin $< -o $@
$(BUILD)/tests/progs/silent-static: tools/zctrace/progs/silent.c $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) $(WERROR) -fno-builtin -static $< -o $@

$(BUILD)/obj/tools/zctrace/symbolize.o $(BUILD)/obj/tools/zctrace/names.o: \
	private ALL_CFLAGS += $(LIBDW_CFLAGS)

# -lstdc++ also demangles C++ names (__cxa_demangle).
$(BUILD)/bin/zctrace: $(ZCTRACE_WRAPPER_SRC:%.c=$(BUILD)/obj/%.o) $(ZCTRACE_SHARED_OBJ) \
		$(BUILD)/lib/libzcbench.a | $(ZCTRACE_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) $(filter %.o,$^) -o $@ $(BUILD)/lib/libzcbench.a $(PKG_LIBS) $(LIBDW_LIBS) \
		-lstdc++ -lm -ldl -lpthread

zctrace-bench: zctrace
	@scripts/deps.sh bench
	@BUILD=$(BUILD) scripts/zctrace_bench.sh

# The wing's unit test reaches the wrapper's checks without running a program.
$(BUILD)/tests/test_expect: $(addprefix $(BUILD)/obj/tools/zctrace/,expect.o pairs.o tree.o out.o \
	names.o symbolize.o)
$(BUILD)/tests/test_expect: TEST_LIBS += $(LIBDW_LIBS)
# The naming's unit test links the wrapper's naming and libdw, and names its own code: it
# has debug information whatever OPT says.
$(BUILD)/obj/tools/zctrace/test_symbolize.o: private ALL_CFLAGS += -g
$(BUILD)/tests/test_symbolize: $(BUILD)/obj/tools/zctrace/symbolize.o $(BUILD)/obj/tools/zctrace/names.o
$(BUILD)/tests/test_symbolize: TEST_LIBS += $(LIBDW_LIBS)

# The probe modules: tools/zctrace/probes/, with their own rules.
include tools/zctrace/probes/probes.mk
