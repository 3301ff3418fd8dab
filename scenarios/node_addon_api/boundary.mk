# boundary.mk: node_addon_api is a runtime boundary (the Makefile's RUNTIME_SCENARIOS): a real
# Node.js runs the consumer, and the addon is written with node-addon-api 8, the C++ wrapper
# over Node-API that npm ships as headers. Built only where node, its headers (node_api.h)
# and node-addon-api's headers are there. The program measures in node processes of its own,
# as node's does, which load:
#   build/lib/node_addon_api/zcnapi.node               the addon (addon/zcnapi.cc)
#   build/lib/node_addon_api/zcnapi_no_externals.node  the same built with
#                                   NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED (the trap row)
#   build/lib/node_addon_api/driver.js                 the timed loop, in JavaScript
#   build/lib/libzchooks.so                            the counting interposers, preloaded
#
# node-addon-api comes from npm, at the version and integrity package-lock.json pins, into
# $(BUILD)/node_addon_api/ with npm ci (no install scripts). The runtimes step tries it
# (node_addon_api_FETCH) before deciding what it can build; once there, nothing is fetched
# again until the lock changes, so a build without the network goes on.
RUNTIME_SCENARIOS += node_addon_api
BRIDGE_SCENARIOS += node_addon_api
node_addon_api_PACKAGES = nodejs libnode-dev npm
NAA_DIR = $(BUILD)/node_addon_api
NAA_HEADERS = $(NAA_DIR)/node_modules/node-addon-api
node_addon_api_FETCH = $(NAA_HEADERS)/napi.h
node_addon_api_BIN = $(shell command -v node 2>/dev/null)
node_addon_api_INCLUDE = $(shell d=$$(dirname "$$(dirname "$$(readlink -f "$$(command -v node)")")") && \
	test -f "$$d/include/node/node_api.h" && echo "$$d/include/node")
node_addon_api_PRESENT = n=$$(command -v node) && command -v npm && \
	test -f "$$(dirname "$$(dirname "$$(readlink -f "$$n")")")/include/node/node_api.h"
node_addon_api_BUILDABLE = n=$$(command -v node) && test -f $(NAA_HEADERS)/napi.h && \
	test -f "$$(dirname "$$(dirname "$$(readlink -f "$$n")")")/include/node/node_api.h"
node_addon_api_LIBS =
# The measure hook, the addon's instrument glue and the driver's common part are the node
# family's (scenarios/runtimes/runtimes.mk).
include scenarios/runtimes/runtimes.mk
$(eval $(call node_family_rules,node_addon_api))
$(BUILD)/obj/scenarios/node_addon_api/main.o: private ALL_CFLAGS += \
	-DZC_NODE_PATH='"$(node_addon_api_BIN)"'

$(NAA_HEADERS)/napi.h: scenarios/node_addon_api/package.json \
		scenarios/node_addon_api/package-lock.json | $(BUILD)/.deps-ok
	@mkdir -p $(NAA_DIR)
	cp $^ $(NAA_DIR)/
	cd $(NAA_DIR) && npm ci --ignore-scripts --no-audit --no-fund --prefer-offline \
		--loglevel=error
	@touch $@

# The addon: the project's C++ flags, node's and node-addon-api's headers as system headers
# (-isystem: the project's warnings are for its own code), C++ exceptions on
# (NAPI_CPP_EXCEPTIONS: a failed Node-API call throws, and reaches JavaScript as an Error);
# frame.c and error.c for the stamps and checksums, written.c and uffd.c for the pages
# written; the interposers' functions it calls are the preloaded library's (undefined here).
# No sanitizer runtime in a library loaded into node.
NAA_CXXFLAGS = $(filter-out $(SANFLAGS),$(ALL_CXXFLAGS)) $(INCLUDES) -Iscenarios/producers \
	-Iscenarios/runtimes \
	-isystem $(node_addon_api_INCLUDE) -isystem $(NAA_HEADERS) -DNAPI_CPP_EXCEPTIONS \
	-fvisibility=hidden
NAA_C_OBJ = $(BUILD)/obj/src/core/frame.o $(BUILD)/obj/src/util/error.o \
	$(BUILD)/obj/src/instrument/written.o $(BUILD)/obj/src/instrument/uffd.o \
	$(NODE_WATCH_OBJ)
$(BUILD)/obj/node_addon_api-addon/zcnapi.o: scenarios/node_addon_api/addon/zcnapi.cc \
		$(NAA_HEADERS)/napi.h $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CXX) $(NAA_CXXFLAGS) -c $< -o $@
$(BUILD)/obj/node_addon_api-addon/zcnapi_no_externals.o: scenarios/node_addon_api/addon/zcnapi.cc \
		$(NAA_HEADERS)/napi.h $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CXX) $(NAA_CXXFLAGS) -DNODE_API_NO_EXTERNAL_BUFFERS_ALLOWED -c $< -o $@
$(BUILD)/lib/node_addon_api/%.node: $(BUILD)/obj/node_addon_api-addon/%.o $(NAA_C_OBJ)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -shared $^ -o $@ -ldl
$(BUILD)/lib/node_addon_api/driver.js: scenarios/node_addon_api/driver.js
	@mkdir -p $(@D)
	cp $< $@
$(BUILD)/bin/node_addon_api: $(BUILD)/lib/node_addon_api/zcnapi.node \
	$(BUILD)/lib/node_addon_api/zcnapi_no_externals.node \
	$(BUILD)/lib/node_addon_api/driver.js $(BUILD)/lib/libzchooks.so
