# boundary.mk: the cffi boundary is a runtime boundary (the Makefile's contract, near
# RUNTIME_SCENARIOS): Debian's libpython3.11 runs inside build/bin/cffi, and the Python
# consumer reaches the producer library through cffi 1.15 (python3-cffi), in ABI mode.
RUNTIME_SCENARIOS += cffi
BRIDGE_SCENARIOS += cffi
cffi_PACKAGES = python3-dev python3-cffi
cffi_PRESENT = pkg-config --exists python3-embed && /usr/bin/python3 -c 'import cffi'
cffi_LIBS = $(shell pkg-config --libs python3-embed)
# Python's headers and the interpreter's home: python_runtime.mk's. private: the flags stay
# these objects' own.
$(BUILD)/obj/scenarios/cffi/%.o: private ALL_CFLAGS += $(PYTHON_CFLAGS)
# The family's shared objects (scenarios/runtimes/python_runtime.mk) go into the archive.
include scenarios/runtimes/python_runtime.mk
$(eval $(call python_runtime_rules,cffi,$(PYTHON_EMBED_OBJ) $(PYTHON_CONSUMER_OBJ) \
	$(PYTHON_PROBE_OBJ) $(PYTHON_ROWS_OBJ)))
# The consumer's Python source is assembled into the program (consumer_source.c, .incbin).
$(BUILD)/obj/scenarios/cffi/consumer_source.o: scenarios/cffi/consumer.py
# The test drives the strategies in its own process: it links the interpreter too.
$(BUILD)/tests/test_cffi: TEST_LIBS += $(cffi_LIBS)
