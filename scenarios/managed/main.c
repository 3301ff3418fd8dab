/*
 * managed: frames handed to a garbage-collected runtime (a simulated Dart VM heap), copied into
 * its heap or wrapped as external objects with finalizers, with the collector's figures.
 *
 * Its own options (--young-gen, --app-alloc, --keep) are a table parsed with the shared
 * options; they write into the configuration the strategies read when they are set up.
 */
#include "managed_strategies.h"
#include "scenario.h"

static struct zc_managed_config config = {
	.young_gen_mib = 16,
	.app_alloc_kib = ZC_MANAGED_APP_BYTES_DEFAULT >> 10,
	.keep = ZC_MANAGED_KEEP_DEFAULT,
};

/* The help text's defaults and limits are those above. */
_Static_assert((ZC_MANAGED_APP_BYTES_DEFAULT >> 10) == 1024 && ZC_MANAGED_KEEP_DEFAULT == 2 &&
		       ZC_MANAGED_KEEP_MAX == 16,
	       "the managed options' help text is out of date");
static const struct zc_option options[] = {
	{.name = "--young-gen", .arg = "MIB", .kind = ZC_OPT_RANGE, .max = 1u << 16,
	 .value = &config.young_gen_mib,
	 .help = "young generation of the simulated heap (default 16)"},
	{.name = "--app-alloc", .arg = "KIB", .kind = ZC_OPT_RANGE, .max = 1u << 20,
	 .value = &config.app_alloc_kib,
	 .help = "short-lived allocations of the rest of the app per frame\n"
		 "(default 1024); they cause the unrelated collections"},
	{.name = "--keep", .arg = "N", .kind = ZC_OPT_RANGE, .max = ZC_MANAGED_KEEP_MAX,
	 .value = &config.keep,
	 .help = "frames the consumer keeps reachable (default 2, max 16)"},
	{0},
};

int main(int argc, char **argv)
{
	zc_managed_configure(&config);
	struct zc_scenario sc = {
		.name = "managed",
		.summary = "Hands frames to a simulated garbage-collected runtime: copied into its "
			   "heap or wrapped as external objects with finalizers.",
		.options = options,
	};
	sc.strategies = zc_managed_strategies(&sc.nstrategies);
	return zc_scenario_main(&sc, argc, argv);
}
