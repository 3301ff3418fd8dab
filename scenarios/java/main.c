/*
 * java: frames handed to Java code in a real JVM (OpenJDK, embedded with JNI_CreateJavaVM).
 * The producer lives in build/lib/libzcproducer.so, as a native library behind JNI would; the
 * consumer is Java code (build/lib/java/Consumer.class), run by a JVM that each measuring
 * process creates first, in the scenario's start hook (java_strategies.c).
 *
 * The frame size is checked here, before anything runs: a frame no Java array can hold is
 * bad input (exit 2), not a strategy that fails in every measuring process. The runner's own
 * checks of the command line, the output path and the memory come first, as they would.
 */
#include <stdio.h>

#include "error.h"
#include "java_strategies.h"
#include "options.h"
#include "preflight.h"
#include "scenario.h"

/* The command line as the runner will read it: a frame a Java array cannot hold is refused. */
static int check_frame(const struct zc_scenario *sc, int argc, char **argv,
		       struct zc_error *err)
{
	const char *names[ZC_MAX_STRATEGIES];
	struct zc_options opt;
	struct zc_error ignored = {0};
	for (size_t i = 0; i < sc->nstrategies; i++)
		names[i] = sc->strategies[i]->name;
	/* A command line that does not parse, or that the runner's checks refuse, is its own. */
	int rc = zc_options_parse(&opt, argc, argv, names, sc->nstrategies, sc->options,
				  &ignored) == 0 && !opt.help && !opt.list &&
			 zc_preflight_out_path(opt.out ? opt.out : "results/java.json", NULL) == 0 &&
			 zc_preflight_memory(&opt.frame, NULL) == 0
		 ? zc_java_check_frame(&opt.frame, err)
		 : 0;
	zc_options_release(&opt);
	return rc;
}

int main(int argc, char **argv)
{
	struct zc_error err = {0};
	if (check_frame(&zc_java_scenario, argc, argv, &err) != 0 || zc_java_open(&err) != 0) {
		fprintf(stderr, "java: %s\n", err.text);
		return err.code;
	}
	int rc = zc_scenario_main(&zc_java_scenario, argc, argv);
	zc_java_close();
	return rc;
}
