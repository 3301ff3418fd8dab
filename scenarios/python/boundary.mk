# boundary.mk: the python boundary is a runtime boundary (the Makefile's contract, near
# RUNTIME_SCENARIOS): a real CPython, Debian's libpython3.11, runs inside build/bin/python, with
# numpy when python3-numpy is installed (without it the numpy strategies are left out).
RUNTIME_SCENARIOS += python
python_PACKAGES = python3-dev python3-numpy
python_PRESENT = pkg-config --exists python3-embed && /usr/bin/python3 -c 'import numpy'
python_BUILDABLE = pkg-config --exists python3-embed
python_LIBS = $(shell pkg-config --libs python3-embed)
# Python's headers pass the project's warnings as they are (3.11). The interpreter's home is
# the prefix those headers and libpython belong to, not a pyenv's python3 found on PATH.
# private: the flags stay these objects' own, not those of $(BUILD)/.flags, their prerequisite.
$(BUILD)/obj/scenarios/python/%.o: private ALL_CFLAGS += $(shell pkg-config --cflags python3-embed) \
	-DZC_PYTHON_HOME='"$(shell pkg-config --variable=prefix python3-embed)"'
# The consumer's Python source is assembled into the program (consumer_source.c, .incbin).
$(BUILD)/obj/scenarios/python/consumer_source.o: scenarios/python/consumer.py
# The test drives the strategies in its own process: it links the interpreter too.
$(BUILD)/tests/test_python: TEST_LIBS += $(python_LIBS)
