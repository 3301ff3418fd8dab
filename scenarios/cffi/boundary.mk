# boundary.mk: the cffi boundary is a runtime boundary (the Makefile's contract, near
# RUNTIME_SCENARIOS): Debian's libpython3.11 runs inside build/bin/cffi, and the Python
# consumer reaches the producer library through cffi 1.15 (python3-cffi), in ABI mode.
RUNTIME_SCENARIOS += cffi
BRIDGE_SCENARIOS += cffi
cffi_PACKAGES = python3-dev python3-cffi
cffi_PRESENT = pkg-config --exists python3-embed && /usr/bin/python3 -c 'import cffi'
cffi_LIBS = $(shell pkg-config --libs python3-embed)
# Python's headers pass the project's warnings as they are (3.11). The interpreter's home is
# the prefix those headers and libpython belong to, not a pyenv's python3 found on PATH.
# private: the flags stay these objects' own.
$(BUILD)/obj/scenarios/cffi/%.o: private ALL_CFLAGS += $(shell pkg-config --cflags python3-embed) \
	-DZC_PYTHON_HOME='"$(shell pkg-config --variable=prefix python3-embed)"'
# The consumer's Python source is assembled into the program (consumer_source.c, .incbin).
$(BUILD)/obj/scenarios/cffi/consumer_source.o: scenarios/cffi/consumer.py
# The test drives the strategies in its own process: it links the interpreter too.
$(BUILD)/tests/test_cffi: TEST_LIBS += $(cffi_LIBS)
