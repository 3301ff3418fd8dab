/*
 * fuzz_options.c: libFuzzer target for zc_options_parse, the command line every scenario
 * program shares, with a scenario's own table beside it (a flag and two ranges, as a
 * boundary declares them).
 *
 * The input is split at newlines into arguments (argv[0] is "fuzz"). Whatever they are, the
 * parse either succeeds with options that hold together or fails with a one-line reason, and
 * never reads or writes outside the arguments.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

#define MAX_ARGS 32

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {"copy", "copy_into", "serialize", "borrow",
				    "move",  "shared",    "pool"};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static bool own_flag;
static unsigned long own_small, own_large;
static const struct zc_option own[] = {
	{.name = "--own-flag", .kind = ZC_OPT_FLAG, .value = &own_flag, .help = "a flag"},
	{.name = "--small", .arg = "N", .kind = ZC_OPT_RANGE, .max = 16, .value = &own_small,
	 .help = "1 to 16"},
	{.name = "--large", .arg = "N", .kind = ZC_OPT_RANGE, .max = 1ul << 20,
	 .value = &own_large, .help = "1 to 2^20"},
	{0},
};

static void check_parsed(const struct zc_options *o, int argc)
{
	assert(o->frame.width >= 1 && o->frame.height >= 1);
	assert(o->frame.bytes == (size_t)o->frame.width * o->frame.height * ZC_BYTES_PER_PIXEL);
	assert(o->bench_argc >= 1 && o->bench_argc <= argc);
	for (int i = 1; i < o->bench_argc; i++)
		assert(strncmp(o->bench_argv[i], "--benchmark_", 12) == 0);
	assert(o->mmap_threshold >= 0);
	assert(o->processes >= 1 && o->processes <= ZC_MAX_PROCESSES);
	assert(own_small >= 1 && own_small <= 16);
	assert(own_large >= 1 && own_large <= 1ul << 20);
	assert(!o->out || o->out[0] != '\0');
	bool any = false;
	for (size_t k = 0; k < NNAMES; k++)
		any |= o->selected[k];
	assert(any);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	char *argv[MAX_ARGS + 2];
	int argc = 0;
	argv[argc++] = (char *)"fuzz";
	for (char *arg = text; argc <= MAX_ARGS;) {
		char *nl = strchr(arg, '\n');
		argv[argc++] = arg;
		if (!nl)
			break;
		*nl = '\0';
		arg = nl + 1;
	}
	argv[argc] = NULL;
	struct zc_options o;
	struct zc_error err = {0};
	own_flag = false; /* the scenario's defaults */
	own_small = 2;
	own_large = 1024;
	if (zc_options_parse(&o, argc, argv, names, NNAMES, own, &err) == 0) {
		check_parsed(&o, argc);
	} else {
		assert(err.code == ZC_EXIT_USAGE || err.code == ZC_EXIT_NOMEM);
		assert(one_printable_line(err.text));
	}
	zc_options_release(&o);
	free(text);
	return 0;
}
