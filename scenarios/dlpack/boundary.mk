# boundary.mk: the dlpack boundary is a runtime boundary (the Makefile's contract, near
# RUNTIME_SCENARIOS): Debian's libpython3.11 runs inside build/bin/dlpack, and numpy 1.24
# (python3-numpy) takes the producer's frame through np.from_dlpack, from a DLManagedTensor
# built with DLPack 0.6's header (libdlpack-dev, dlpack/dlpack.h).
RUNTIME_SCENARIOS += dlpack
BRIDGE_SCENARIOS += dlpack
dlpack_PACKAGES = libdlpack-dev python3-dev python3-numpy
dlpack_PRESENT = pkg-config --exists python3-embed && test -f /usr/include/dlpack/dlpack.h && \
	/usr/bin/python3 -c 'import numpy'
dlpack_LIBS = $(shell pkg-config --libs python3-embed)
# Python's headers and the interpreter's home: python_runtime.mk's. private: the flags stay
# these objects' own.
$(BUILD)/obj/scenarios/dlpack/%.o: private ALL_CFLAGS += $(PYTHON_CFLAGS)
# The family's shared objects (scenarios/runtimes/python_runtime.mk) go into the archive.
include scenarios/runtimes/python_runtime.mk
$(eval $(call python_runtime_rules,dlpack,$(PYTHON_EMBED_OBJ) $(PYTHON_CONSUMER_OBJ) \
	$(PYTHON_PROBE_OBJ) $(PYTHON_ROWS_OBJ)))
# The consumer's Python source is assembled into the program (consumer_source.c, .incbin).
$(BUILD)/obj/scenarios/dlpack/consumer_source.o: scenarios/dlpack/consumer.py
# The test drives the strategies in its own process: it links the interpreter too.
$(BUILD)/tests/test_dlpack: TEST_LIBS += $(dlpack_LIBS)
