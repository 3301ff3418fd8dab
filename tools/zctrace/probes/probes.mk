# probes.mk (included by mk/zctrace.mk): the probe modules, thin bindings of zc_probe_mark
# for Python, Node.js and Java (tools/zctrace/probes/), each built into build/lib/probes/ where
# its runtime is installed:
#
#   make probes   (make zctrace and make test make it too)
#     python/zcprobe.cpython-*.so        import zcprobe   (PYTHONPATH=build/lib/probes/python)
#     node/zcprobe.js, node/zcprobe.node  require('zcprobe')  (NODE_PATH=build/lib/probes/node)
#     java/zcprobe.jar, java/libzcprobe.so  zcprobe.ZcProbe  (-Djava.library.path=...)
#
# and the Java test's class in build/tests/probes/. A runtime that is missing is skipped with
# one line naming its Debian packages, kept in build/lib/probes/NAME.skipped for
# tools/zctrace/e2e_probes.sh (as the Makefile skips runtime boundaries). NAME_PRESENT is the
# shell test that a runtime is there, with what its module compiles against.

PROBES = $(BUILD)/lib/probes
PROBE_RUNTIMES = python node java
probe_python_PACKAGES = python3-dev
probe_python_PRESENT = pkg-config --exists python3 && \
	test -x "$$(pkg-config --variable=prefix python3)/bin/python3"
probe_node_PACKAGES = nodejs libnode-dev
probe_node_PRESENT = n=$$(command -v node) && \
	test -f "$$(dirname "$$(dirname "$$(readlink -f "$$n")")")/include/node/node_api.h"
probe_java_PACKAGES = default-jdk-headless
probe_java_PRESENT = j=$$(command -v javac) && h=$$(dirname "$$(dirname "$$(readlink -f "$$j")")") && \
	test -f "$$h/include/jni.h" && test -f "$$h/include/linux/jni_md.h" && test -x "$$h/bin/jar"
PROBES_PRESENT := $(foreach r,$(PROBE_RUNTIMES),$(if $(shell { $(probe_$(r)_PRESENT); } \
	>/dev/null 2>&1 && echo y),$(r)))

# The Python module is named for the interpreter the headers belong to (Debian's
# /usr/bin/python3, not a pyenv's python3 found on PATH): another Python does not load it.
probe_python_HOME := $(if $(filter python,$(PROBES_PRESENT)),$(shell pkg-config --variable=prefix python3))
probe_python_SUFFIX := $(if $(probe_python_HOME),$(shell $(probe_python_HOME)/bin/python3 -c \
	'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))' 2>/dev/null))
probe_python_FILES = $(PROBES)/python/zcprobe$(probe_python_SUFFIX)
probe_node_FILES = $(PROBES)/node/zcprobe.node $(PROBES)/node/zcprobe.js
probe_java_FILES = $(PROBES)/java/zcprobe.jar $(PROBES)/java/libzcprobe.so \
	$(BUILD)/tests/probes/ZcProbeTest.class
probe_node_INCLUDE = $(shell d=$$(dirname "$$(dirname "$$(readlink -f "$$(command -v node)")")") && \
	echo "$$d/include/node")
probe_java_HOME = $(shell j=$$(command -v javac) && dirname "$$(dirname "$$(readlink -f "$$j")")")

.PHONY: probes
zctrace: probes
test-run: probes
probes: $(foreach r,$(PROBES_PRESENT),$(probe_$(r)_FILES))
	@mkdir -p $(PROBES)
	@$(foreach r,$(PROBES_PRESENT),rm -f $(PROBES)/$(r).skipped;)
	@$(foreach r,$(filter-out $(PROBES_PRESENT),$(PROBE_RUNTIMES)),\
		echo "$(r) probe module: skipped, its runtime is not installed (Debian packages:" \
		     "$(probe_$(r)_PACKAGES))" | tee $(PROBES)/$(r).skipped;)

# Each module is a library loaded into its runtime: the project's warnings, no sanitizer
# runtime, only its entry point exported. The runtime's headers come in per folder.
PROBE_CFLAGS = $(filter-out $(SANFLAGS),$(ALL_CFLAGS)) -fvisibility=hidden -Itools/zctrace/probes
$(BUILD)/obj/probes/%.o: tools/zctrace/probes/%.c $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(PROBE_CFLAGS) $(PROBE_INCLUDES) -c $< -o $@
$(BUILD)/obj/probes/python/%.o: PROBE_INCLUDES = $(shell pkg-config --cflags python3)
$(BUILD)/obj/probes/node/%.o: PROBE_INCLUDES = -isystem $(probe_node_INCLUDE)
$(BUILD)/obj/probes/java/%.o: PROBE_INCLUDES = -isystem $(probe_java_HOME)/include \
	-isystem $(probe_java_HOME)/include/linux -I$(BUILD)/obj/probes/java

$(probe_python_FILES): $(BUILD)/obj/probes/python/zcprobe.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -shared $^ -o $@ -ldl

$(PROBES)/node/zcprobe.node: $(BUILD)/obj/probes/node/zcprobe.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -shared $^ -o $@ -ldl
$(PROBES)/node/zcprobe.js: tools/zctrace/probes/node/zcprobe.js
	@mkdir -p $(@D)
	cp $< $@

# javac writes the class and, with -h, the header of its native methods that zcprobe.c
# includes: the C prototypes follow the Java declarations.
PROBE_JAVA_OBJ = $(BUILD)/obj/probes/java
$(PROBE_JAVA_OBJ)/zcprobe_ZcProbe.h: tools/zctrace/probes/java/zcprobe/ZcProbe.java
	@rm -rf $(PROBE_JAVA_OBJ)/classes
	@mkdir -p $(PROBE_JAVA_OBJ)/classes
	javac -Xlint:all $(WERROR) -h $(PROBE_JAVA_OBJ) -d $(PROBE_JAVA_OBJ)/classes $<
$(PROBE_JAVA_OBJ)/zcprobe.o: $(PROBE_JAVA_OBJ)/zcprobe_ZcProbe.h
$(PROBES)/java/zcprobe.jar: $(PROBE_JAVA_OBJ)/zcprobe_ZcProbe.h
	@mkdir -p $(@D)
	$(probe_java_HOME)/bin/jar --create --file $@ -C $(PROBE_JAVA_OBJ)/classes .
$(PROBES)/java/libzcprobe.so: $(PROBE_JAVA_OBJ)/zcprobe.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -shared $^ -o $@ -ldl
$(BUILD)/tests/probes/ZcProbeTest.class: tools/zctrace/probes/java/ZcProbeTest.java \
		$(PROBES)/java/zcprobe.jar
	@mkdir -p $(@D)
	javac -Xlint:all $(WERROR) -cp $(PROBES)/java/zcprobe.jar -d $(@D) $<
