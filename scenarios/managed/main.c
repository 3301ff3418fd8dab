/*
 * managed: frames handed to a garbage-collected runtime (a simulated Dart VM heap), copied into
 * its heap or wrapped as external objects with finalizers, with the collector's figures.
 *
 * Its own options (--young-gen, --app-alloc, --keep) are taken out of argv here; the rest goes
 * to zc_scenario_main like every scenario's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "managed_strategies.h"
#include "options.h"
#include "scenario.h"

struct own_option {
	const char *name;
	unsigned long max;
	unsigned long *value;
};

/* Parses a positive decimal no larger than max. */
static int parse_positive(const char *name, const char *text, unsigned long max,
			  unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v == 0 || v > max) {
		fprintf(stderr, "managed: invalid value '%s' for '%s': expected 1 to %lu\n", text,
			name, max);
		return -1;
	}
	*out = v;
	return 0;
}

/* Takes our options out of argv (keeping argv[0] and the rest in order). Returns argc or -1. */
static int take_own_options(int argc, char **argv, struct own_option *opts, size_t nopts)
{
	int out = 1;
	for (int i = 1; i < argc; i++) {
		size_t k = 0, len = 0;
		for (; k < nopts; k++) {
			len = strlen(opts[k].name);
			if (strncmp(argv[i], opts[k].name, len) == 0 &&
			    (argv[i][len] == '\0' || argv[i][len] == '='))
				break;
		}
		if (k == nopts) {
			argv[out++] = argv[i];
			continue;
		}
		const char *value = argv[i][len] == '=' ? argv[i] + len + 1 : NULL;
		if (!value && i + 1 < argc)
			value = argv[++i];
		if (!value) {
			fprintf(stderr, "managed: option '%s' needs a value\n", opts[k].name);
			return -1;
		}
		if (parse_positive(opts[k].name, value, opts[k].max, opts[k].value) != 0)
			return -1;
	}
	argv[out] = NULL;
	return out;
}

static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long young_mib = 16, app_kib = ZC_MANAGED_APP_BYTES_DEFAULT >> 10,
		      keep = ZC_MANAGED_KEEP_DEFAULT;
	struct own_option opts[] = {
		{"--young-gen", 1u << 16, &young_mib},
		{"--app-alloc", 1u << 20, &app_kib},
		{"--keep", ZC_MANAGED_KEEP_MAX, &keep},
	};
	argc = take_own_options(argc, argv, opts, sizeof(opts) / sizeof(opts[0]));
	if (argc < 0)
		return ZC_EXIT_USAGE;
	struct zc_managed_config cfg = {.young_bytes = (size_t)young_mib << 20,
					.app_bytes_per_frame = (size_t)app_kib << 10,
					.keep = (unsigned)keep};
	zc_managed_configure(&cfg);
	struct zc_scenario sc = {
		.name = "managed",
		.summary = "Hands frames to a simulated garbage-collected runtime: copied into its "
			   "heap or wrapped as external objects with finalizers.",
	};
	sc.strategies = zc_managed_strategies(&sc.nstrategies);
	int rc = zc_scenario_main(&sc, argc, argv);
	if (rc == ZC_EXIT_OK && wants_help(argc, argv))
		printf("\nmanaged options:\n"
		       "  --young-gen MIB    young generation of the simulated heap (default 16)\n"
		       "  --app-alloc KIB    short-lived allocations of the rest of the app per frame\n"
		       "                     (default %u); they cause the unrelated collections\n"
		       "  --keep N           frames the consumer keeps reachable (default %u, max %u)\n",
		       ZC_MANAGED_APP_BYTES_DEFAULT >> 10, ZC_MANAGED_KEEP_DEFAULT,
		       ZC_MANAGED_KEEP_MAX);
	return rc;
}
