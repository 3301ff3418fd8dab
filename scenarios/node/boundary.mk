# boundary.mk: node is a runtime boundary (the Makefile's RUNTIME_SCENARIOS): a real Node.js
# runs the consumer, built only where node and its N-API headers (node_api.h) are installed.
# The program measures in node processes of its own (main.c says why), which load:
#   build/lib/node/zcnode.node   the addon (addon/zcnode.c), against node's headers
#   build/lib/node/driver.js     the timed loop, in JavaScript
#   build/lib/libzchooks.so      the counting interposers, preloaded into node (Makefile)
RUNTIME_SCENARIOS += node
node_PACKAGES = nodejs libnode-dev
node_BIN = $(shell command -v node 2>/dev/null)
node_INCLUDE = $(shell d=$$(dirname "$$(dirname "$$(readlink -f "$$(command -v node)")")") && \
	test -f "$$d/include/node/node_api.h" && echo "$$d/include/node")
node_PRESENT = n=$$(command -v node) && \
	test -f "$$(dirname "$$(dirname "$$(readlink -f "$$n")")")/include/node/node_api.h"
node_LIBS =
# The measure hook, the addon's instrument glue and the driver's common part are the node
# family's (scenarios/runtimes/runtimes.mk).
include scenarios/runtimes/runtimes.mk
$(eval $(call node_family_rules,node))
$(BUILD)/obj/scenarios/node/main.o: private ALL_CFLAGS += -DZC_NODE_PATH='"$(node_BIN)"'

# The addon: N-API only (no V8 or libuv headers), frame.c and error.c for the stamps and
# checksums, written.c and uffd.c for the pages written; the interposers' functions it calls
# are the preloaded library's (undefined here).
# No sanitizer runtime in a library loaded into node.
NODE_ADDON_CFLAGS = $(filter-out $(SANFLAGS),$(ALL_CFLAGS)) -Iscenarios/producers \
	-Iscenarios/runtimes -isystem $(node_INCLUDE)
$(BUILD)/obj/node-addon/%.o: scenarios/node/addon/%.c $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(NODE_ADDON_CFLAGS) -c $< -o $@
$(BUILD)/lib/node/zcnode.node: $(BUILD)/obj/node-addon/zcnode.o $(BUILD)/obj/src/core/frame.o \
		$(BUILD)/obj/src/util/error.o $(BUILD)/obj/src/instrument/written.o \
		$(BUILD)/obj/src/instrument/uffd.o $(NODE_WATCH_OBJ)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -shared $^ -o $@ -ldl
$(BUILD)/lib/node/driver.js: scenarios/node/driver.js
	@mkdir -p $(@D)
	cp $< $@
$(BUILD)/bin/node: $(BUILD)/lib/node/zcnode.node $(BUILD)/lib/node/driver.js \
	$(BUILD)/lib/libzchooks.so
