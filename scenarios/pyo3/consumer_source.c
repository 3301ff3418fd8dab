/*
 * consumer_source.c: consumer.py, assembled into the program as it is in the folder, so that
 * build/bin/pyo3 needs no file beside it and cannot run a consumer other than the one it
 * was built with (boundary.mk makes this object depend on consumer.py). make runs the
 * compiler from the repository root, the path below is from there.
 */
#include "runtime.h"

__asm__(".section .rodata\n"
	".global zc_py3_consumer_source\n"
	".type zc_py3_consumer_source, @object\n"
	"zc_py3_consumer_source:\n"
	".incbin \"scenarios/pyo3/consumer.py\"\n"
	".byte 0\n"
	".size zc_py3_consumer_source, . - zc_py3_consumer_source\n"
	".previous\n");
