# runtimes.mk: what the node-based boundaries (node, node_addon_api, wasm) share, included by
# each one's boundary.mk (once). scenarios/runtimes/ is no boundary (no main.c): its code
# goes into each boundary's program and addon, never into the library (src/).
#   node_runner.c   the measure hook: node started, its answer read into the result
#   node_watch.c    the addons' instrument glue: the counts, the pages-written pass
#   node_common.js  what the drivers share, installed beside each one's driver.js
ifndef NODE_RUNTIMES_MK
NODE_RUNTIMES_MK = 1
NODE_RUNNER_OBJ = $(BUILD)/obj/scenarios/runtimes/node_runner.o

# Wires boundary $(1) to the runner: its archive holds it, its main.c includes node_runner.h,
# and its driver.js finds node_common.js beside it.
define node_family_rules
$$(BUILD)/lib/scenario-$(1).a: $$(NODE_RUNNER_OBJ)
$$(BUILD)/obj/scenarios/$(1)/main.o: private ALL_CFLAGS += -Iscenarios/runtimes
$$(BUILD)/lib/$(1)/node_common.js: scenarios/runtimes/node_common.js
	@mkdir -p $$(@D)
	cp $$< $$@
$$(BUILD)/bin/$(1): $$(BUILD)/lib/$(1)/node_common.js
endef

# The addons' glue: against node's N-API headers, no sanitizer runtime (a library loaded
# into node); each addon links it with written.o and uffd.o.
NODE_INCLUDE = $(shell d=$$(dirname "$$(dirname "$$(readlink -f "$$(command -v node)")")") && \
	test -f "$$d/include/node/node_api.h" && echo "$$d/include/node")
NODE_WATCH_OBJ = $(BUILD)/obj/node-runtimes/node_watch.o
$(NODE_WATCH_OBJ): scenarios/runtimes/node_watch.c $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(filter-out $(SANFLAGS),$(ALL_CFLAGS)) -isystem $(NODE_INCLUDE) -c $< -o $@
endif
