# boundary.mk: the python boundary is a runtime boundary (the Makefile's contract, near
# RUNTIME_SCENARIOS): a real CPython, Debian's libpython3.11, runs inside build/bin/python, with
# numpy when python3-numpy is installed (without it the numpy strategies are left out).
RUNTIME_SCENARIOS += python
python_PACKAGES = python3-dev python3-numpy
python_PRESENT = pkg-config --exists python3-embed && /usr/bin/python3 -c 'import numpy'
python_BUILDABLE = pkg-config --exists python3-embed
python_LIBS = $(shell pkg-config --libs python3-embed)
# Python's headers and the interpreter's home: python_runtime.mk's. private: the flags stay
# these objects' own.
$(BUILD)/obj/scenarios/python/%.o: private ALL_CFLAGS += $(PYTHON_CFLAGS)
# The family's shared objects (scenarios/runtimes/python_runtime.mk) go into the archive.
include scenarios/runtimes/python_runtime.mk
$(eval $(call python_runtime_rules,python,$(PYTHON_EMBED_OBJ) $(PYTHON_CONSUMER_OBJ) \
	$(PYTHON_PROBE_OBJ) $(PYTHON_ROWS_OBJ)))
# The consumer's Python source is assembled into the program (consumer_source.c, .incbin).
$(BUILD)/obj/scenarios/python/consumer_source.o: scenarios/python/consumer.py
# The test drives the strategies in its own process: it links the interpreter too.
$(BUILD)/tests/test_python: TEST_LIBS += $(python_LIBS)
