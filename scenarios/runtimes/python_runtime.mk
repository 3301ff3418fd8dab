# python_runtime.mk: the Python family's shared objects (scenarios/runtimes/python_*.c), read
# by the boundary.mk of each boundary that uses them (python, cffi, dlpack, pyo3, pybind11); this
# folder has no main.c, so it is no program. python_embed.o starts the interpreter and
# python_consumer.o holds a row's consumer (consumer.py, its object of the frame), both on
# Python's headers; python_probe.o is the program's probe and main; python_rows.o the row
# every strategy is (its hooks around the boundary's bridge, the producer library, the
# warm-up, the frames by phase, the report's line); python_test.o the checks the family's
# cmocka tests share, linked into those tests only. python_phase.h, a header alone, names
# the phases C and C++ count frames by.
ifndef PYTHON_RUNTIME_MK
PYTHON_RUNTIME_MK = 1
PYTHON_EMBED_OBJ = $(BUILD)/obj/scenarios/runtimes/python_embed.o
PYTHON_CONSUMER_OBJ = $(BUILD)/obj/scenarios/runtimes/python_consumer.o
PYTHON_PROBE_OBJ = $(BUILD)/obj/scenarios/runtimes/python_probe.o
PYTHON_ROWS_OBJ = $(BUILD)/obj/scenarios/runtimes/python_rows.o
PYTHON_TEST_OBJ = $(BUILD)/obj/scenarios/runtimes/python_test.o
# Python's headers pass the project's warnings as they are (3.11). The interpreter's home is
# the prefix those headers and libpython belong to, not a pyenv's python3 found on PATH.
# private: the flags stay these objects' own.
PYTHON_CFLAGS = $(shell pkg-config --cflags python3-embed) \
	-DZC_PYTHON_HOME='"$(shell pkg-config --variable=prefix python3-embed)"'
$(BUILD)/obj/scenarios/runtimes/python_%.o: private ALL_CFLAGS += -Iscenarios/runtimes
$(PYTHON_EMBED_OBJ) $(PYTHON_CONSUMER_OBJ): private ALL_CFLAGS += $(PYTHON_CFLAGS)
$(PYTHON_TEST_OBJ): private ALL_CFLAGS += -Itests $(PYTHON_CFLAGS)
# python_runtime_rules(NAME, OBJECTS): boundary NAME's archive holds OBJECTS, its tests link
# the shared checks, and its own objects include this folder's headers.
define python_runtime_rules
$$(BUILD)/lib/scenario-$(1).a: $(2)
$$(BUILD)/tests/test_$(1): $$(PYTHON_TEST_OBJ)
$$(BUILD)/obj/scenarios/$(1)/%.o: private ALL_CFLAGS += -Iscenarios/runtimes
endef
endif
