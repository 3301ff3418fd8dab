# boundary.mk: the pybind11 boundary is a runtime boundary (the Makefile's contract, near
# RUNTIME_SCENARIOS): Debian's libpython3.11 runs inside build/bin/pybind11, and the frames
# reach it through pybind11 2.10 (pybind11-dev, header-only C++) and numpy (py::array_t).
RUNTIME_SCENARIOS += pybind11
BRIDGE_SCENARIOS += pybind11
pybind11_PACKAGES = pybind11-dev python3-dev python3-numpy
pybind11_PRESENT = pkg-config --exists pybind11 python3-embed && \
	test -f "$$(pkg-config --variable=includedir pybind11)/pybind11/pybind11.h" && \
	/usr/bin/python3 -c 'import numpy'
pybind11_LIBS = $(shell pkg-config --libs python3-embed)
# The bindings are C++ (pybind11 is a C++ library); the strategies and the program are C.
# pybind11's and Python's headers come in as system headers (-isystem): the project's
# warnings are for its own code. The interpreter's home is the prefix of the Python those
# headers belong to. -DNDEBUG as Python's build flags give every extension module (sysconfig's
# CFLAGS): without it pybind11 aborts where its users' modules raise (a list it cannot
# allocate). private: the flags stay these objects' own.
pybind11_CXX_OBJ = $(patsubst %.cc,$(BUILD)/obj/%.o,$(wildcard scenarios/pybind11/*.cc))
# (/usr/include, where Debian puts pybind11, is one already: named again it would break
# libstdc++'s #include_next.)
pybind11_SYSTEM = $(patsubst -I%,-isystem %,$(shell pkg-config --cflags python3-embed)) \
	$(addprefix -isystem ,$(filter-out /usr/include,$(shell pkg-config --variable=includedir pybind11)))
$(BUILD)/obj/scenarios/pybind11/%.o: private ALL_CXXFLAGS += $(INCLUDES) -Iscenarios/pybind11 \
	-Iscenarios/producers -Iscenarios/runtimes $(pybind11_SYSTEM) \
	-DZC_PYTHON_HOME='"$(shell pkg-config --variable=prefix python3-embed)"' -DNDEBUG
# The folder's archive holds the C++ objects too (the Makefile collects only its C files);
# they rebuild when the flags above change.
$(BUILD)/lib/scenario-pybind11.a: $(pybind11_CXX_OBJ)
$(pybind11_CXX_OBJ): scenarios/pybind11/boundary.mk
# The family's shared objects (scenarios/runtimes/python_runtime.mk) go into the archive.
include scenarios/runtimes/python_runtime.mk
$(eval $(call python_runtime_rules,pybind11,$(PYTHON_PROBE_OBJ) $(PYTHON_ROWS_OBJ)))
# The consumer's Python source is assembled into the program (consumer_source.c, .incbin).
$(BUILD)/obj/scenarios/pybind11/consumer_source.o: scenarios/pybind11/consumer.py
# The test drives the strategies in its own process: it links the interpreter too.
$(BUILD)/tests/test_pybind11: TEST_LIBS += $(pybind11_LIBS)
# It reaches into the interpreter itself (a consumer fed a stale frame): Python's headers.
$(BUILD)/obj/scenarios/pybind11/test_pybind11.o: private ALL_CFLAGS += $(pybind11_SYSTEM)
