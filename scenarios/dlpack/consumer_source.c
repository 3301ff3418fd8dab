/*
 * consumer_source.c: consumer.py, assembled into the program as it is in the folder, so that
 * build/bin/dlpack needs no file beside it and cannot run a consumer other than the one it
 * was built with (boundary.mk makes this object depend on consumer.py). make runs the
 * compiler from the repository root, the path below is from there.
 */
#include "runtime.h"

__asm__(".section .rodata\n"
	".global zc_dl_consumer_source\n"
	".type zc_dl_consumer_source, @object\n"
	"zc_dl_consumer_source:\n"
	".incbin \"scenarios/dlpack/consumer.py\"\n"
	".byte 0\n"
	".size zc_dl_consumer_source, . - zc_dl_consumer_source\n"
	".previous\n");
