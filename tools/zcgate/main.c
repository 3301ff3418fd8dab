/*
 * zcgate: the CI regression gate.  Compares a current zcbench run with a baseline, prints a
 * table and exits ZC_EXIT_OK (no regression), ZC_EXIT_FAILED (regression) or ZC_EXIT_USAGE
 * (bad input, bad usage, a refused comparison or an output file that cannot be written), with
 * a one-line message naming the file and the problem.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"
#include "error.h"
#include "gate.h"
#include "gate_format.h"
#include "results_load.h"

static const char usage[] =
	"usage: zcgate BASELINE CURRENT [options]\n"
	"  BASELINE, CURRENT     zcbench/1 results files or directories of them\n"
	"  --threshold PCT       timing change that counts, in percent (default 10)\n"
	"  --alpha A             significance level of the Mann-Whitney test (default 0.05)\n"
	"  --invariants-only     compare only the exact figures (verdicts, copies, allocations,\n"
	"                        leaks): for a baseline made on another machine or day\n"
	"  --timing-only         compare only the timing (make gate's head against base: the\n"
	"                        exact figures are gated against the committed baseline)\n"
	"  --allow-missing       a strategy or scenario missing from CURRENT is noted, not failed\n"
	"  --markdown FILE       write a Markdown summary (for a CI job summary)\n"
	"  --json FILE           write the comparison as JSON\n"
	"  --export-github-action-benchmark FILE\n"
	"                        write customSmallerIsBetter entries for github-action-benchmark\n"
	"  --undecided FILE      a look in a sequential gate (make gate): write 'SCENARIO\n"
	"                        STRATEGY CHANGE' for each timing row whose change is not\n"
	"                        decided yet (its 95%% interval reaches past the threshold);\n"
	"                        too few processes are not refused\n"
	"  --same-machine        both sides were measured side by side on this machine,\n"
	"                        interleaved (make gate): compare times per transfer, not\n"
	"                        ratios to reference_memcpy (metric time.ns_per_transfer)\n"
	"  --confirm-base DIR, --confirm-current DIR\n"
	"                        the later rounds of a sequential gate alone (make gate): a\n"
	"                        row slower there by more than the threshold at p < alpha/2\n"
	"                        (one-sided, Holm over the rows they measured) regresses; the\n"
	"                        pooled test then uses alpha/2\n"
	"  --screened            the pooled rounds were a screen (make gate: a few rounds of\n"
	"                        every row chose the suspects): only the confirmation calls a\n"
	"                        timing regression, at alpha; none without one\n"
	"  --all                 print every row, not only those that did not pass\n"
	"  -q, --quiet           print only warnings and the closing line\n"
	"Timing is compared only between runs made side by side on one machine (make gate).\n"
	"exit status:\n";

/* What zcgate exits with: a missing result is a regression; a refused comparison bad input. */
static const enum zc_exit exits[] = { ZC_EXIT_OK, ZC_EXIT_FAILED, ZC_EXIT_USAGE };

static void print_usage(FILE *f)
{
	fputs(usage, f);
	zc_exit_print_help(f, exits, sizeof(exits) / sizeof(exits[0]));
}

struct args {
	const char *base;
	const char *cur;
	const char *markdown;
	const char *json;
	const char *export;
	const char *undecided;
	const char *confirm_base, *confirm_cur;
	int quiet;
	int all;
	struct zc_gate_options opt;
};

enum output { OUT_MARKDOWN, OUT_JSON, OUT_EXPORT, OUT_UNDECIDED };

static int parse_threshold(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end != s && *end == '%')
		end++;
	if (end == s || *end || !isfinite(v) || v < 0) {
		fprintf(stderr, "zcgate: invalid threshold '%s': expected a percentage such as 10\n",
			s);
		return -1;
	}
	*out = v / 100;
	return 0;
}

static int parse_alpha(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v > 0 && v < 1)) {
		fprintf(stderr, "zcgate: invalid alpha '%s': expected a number between 0 and 1\n", s);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option longopts[] = { /* a row an option: alike by design */
		{ "threshold", required_argument, NULL, 't' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "markdown", required_argument, NULL, 'm' },
		{ "json", required_argument, NULL, 'j' },
		{ "export-github-action-benchmark", required_argument, NULL, 'e' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "invariants-only", no_argument, NULL, 'i' },
		{ "timing-only", no_argument, NULL, 'T' },
		{ "allow-missing", no_argument, NULL, 'M' },
		{ "undecided", required_argument, NULL, 'u' },
		{ "all", no_argument, NULL, 'A' },
		{ "same-machine", no_argument, NULL, 'S' },
		{ "confirm-base", required_argument, NULL, 'B' },
		{ "confirm-current", required_argument, NULL, 'C' },
		{ "screened", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	zc_gate_options_init(&a->opt);
	opterr = 0; /* one line of our own, below */
	while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
		switch (c) {
		case 't': if (parse_threshold(optarg, &a->opt.threshold)) return -1; break;
		case 'a': if (parse_alpha(optarg, &a->opt.alpha)) return -1; break;
		case 'm': a->markdown = optarg; break;
		case 'j': a->json = optarg; break;
		case 'e': a->export = optarg; break;
		case 'q': a->quiet = 1; break;
		case 'i': a->opt.invariants_only = true; break;
		case 'T': a->opt.timing_only = true; break;
		case 'M': a->opt.allow_missing = true; break;
		case 'u': a->undecided = optarg; a->opt.interim = true; break;
		case 'A': a->all = 1; break;
		case 'S': a->opt.same_machine = true; break;
		case 'B': a->confirm_base = optarg; break;
		case 'C': a->confirm_cur = optarg; break;
		case 'R': a->opt.screened = true; break;
		case 'h': print_usage(stdout); exit(ZC_EXIT_OK);
		case ':':
			fprintf(stderr, "zcgate: option '%s' needs a value (see zcgate --help)\n",
				argv[optind - 1]);
			return -1;
		default:
			fprintf(stderr, "zcgate: unknown option '%s' (see zcgate --help)\n",
				argv[optind - 1]);
			return -1;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "zcgate: expected BASELINE and CURRENT, got %d operands "
			"(see zcgate --help)\n", argc - optind);
		return -1;
	}
	if (!a->confirm_base != !a->confirm_cur) {
		fprintf(stderr, "zcgate: --confirm-base and --confirm-current go together "
			"(see zcgate --help)\n");
		return -1;
	}
	if (a->opt.invariants_only && a->opt.timing_only) {
		fprintf(stderr, "zcgate: --invariants-only and --timing-only leave nothing to "
			"compare together (see zcgate --help)\n");
		return -1;
	}
	a->base = argv[optind];
	a->cur = argv[optind + 1];
	return 0;
}

/* Write one output file atomically; 0, or -1 with a message printed. */
static int write_output(const struct args *a, const struct zc_gate_report *rep, enum output kind,
			const char *path)
{
	struct zc_atomic_file af;
	json_t *j = NULL;
	int bad = 0;

	if (zc_atomic_file_open(&af, path))
		goto out_error;
	if (kind == OUT_MARKDOWN) {
		zc_gate_format_markdown(af.fp, rep, &a->opt, a->base, a->cur);
	} else if (kind == OUT_UNDECIDED) { /* "SCENARIO STRATEGY CHANGE" a line */
		for (size_t i = 0; i < rep->nrows; i++)
			if (zc_gate_undecided(&rep->rows[i]))
				fprintf(af.fp, "%s %s %+.4f\n", rep->rows[i].scenario,
					rep->rows[i].strategy, rep->rows[i].change);
		bad = ferror(af.fp);
	} else {
		j = kind == OUT_JSON ? zc_gate_report_json(rep, &a->opt, a->base, a->cur)
				     : zc_gate_github_benchmark(rep);
		bad = !j || json_dumpf(j, af.fp, JSON_INDENT(2)) || fputc('\n', af.fp) == EOF;
		json_decref(j);
	}
	if (bad) {
		zc_atomic_file_abort(&af);
		errno = kind != OUT_UNDECIDED && !j ? ENOMEM : EIO;
		goto out_error;
	}
	if (zc_atomic_file_commit(&af))
		goto out_error;
	return 0;

out_error:
	fprintf(stderr, "zcgate: cannot write '%s': %s\n", path, strerror(errno));
	return -1;
}

static void print_report(const struct args *a, const struct zc_gate_report *rep)
{
	char summary[128];

	if (!a->quiet) {
		zc_gate_format_sides(stdout, rep, a->base, a->cur);
		if (a->all)
			zc_gate_format_table(stdout, rep);
		else
			zc_gate_format_failures(stdout, rep);
		for (size_t i = 0; i < rep->notes.n; i++)
			printf("note: %s\n", rep->notes.v[i]);
	}
	fflush(stdout);
	for (size_t i = 0; i < rep->warnings.n; i++)
		fprintf(stderr, "zcgate: warning: %s\n", rep->warnings.v[i]);
	zc_gate_format_summary(summary, sizeof(summary), rep);
	printf("zcgate: %s\n", summary);
}

/*
 * Before any work: every output's folder exists and can be written, so that a typo in a path
 * fails in one line, not after the comparison printed its table. 0, or -1 with a message.
 */
static int check_outputs(const struct args *a)
{
	const char *paths[] = { a->markdown, a->json, a->export, a->undecided };

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		char dir[4096];
		const char *slash;

		if (!paths[i])
			continue;
		slash = strrchr(paths[i], '/');
		snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - paths[i]) + 1 : 1,
			 slash ? paths[i] : ".");
		if (access(dir, W_OK) != 0) {
			fprintf(stderr, "zcgate: cannot write '%s': %s\n", paths[i],
				strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int write_outputs(const struct args *a, const struct zc_gate_report *rep)
{
	int rc = 0;

	if (a->undecided)
		rc |= write_output(a, rep, OUT_UNDECIDED, a->undecided);
	if (a->markdown)
		rc |= write_output(a, rep, OUT_MARKDOWN, a->markdown);
	if (a->json)
		rc |= write_output(a, rep, OUT_JSON, a->json);
	if (a->export)
		rc |= write_output(a, rep, OUT_EXPORT, a->export);
	return rc;
}

static int run(const struct args *a)
{
	struct zc_error err = { 0 };
	struct zc_results_set base, cur, later_base = { 0 }, later_cur = { 0 };
	struct zc_gate_options opt = a->opt;
	struct zc_gate_report rep;
	int rc = ZC_EXIT_USAGE;	/* whatever the loader or the comparison refused */

	if (zc_results_load(&base, a->base, &err))
		goto out_error;
	if (zc_results_load(&cur, a->cur, &err))
		goto out_release_base;
	if (a->confirm_base) {
		if (zc_results_load(&later_base, a->confirm_base, &err) ||
		    zc_results_load(&later_cur, a->confirm_cur, &err))
			goto out_release_cur;
		opt.confirm_base = &later_base;
		opt.confirm_cur = &later_cur;
	}
	if (zc_gate_compare(&base, &cur, &opt, &rep, &err))
		goto out_release_cur;
	print_report(a, &rep);
	rc = rep.regressions ? ZC_EXIT_FAILED : ZC_EXIT_OK;
	if (write_outputs(a, &rep))
		rc = ZC_EXIT_USAGE;
	zc_gate_report_release(&rep);
out_release_cur:
	zc_results_set_release(&later_cur);
	zc_results_set_release(&later_base);
	zc_results_set_release(&cur);
out_release_base:
	zc_results_set_release(&base);
out_error:
	if (err.code != ZC_RESULTS_OK)
		fprintf(stderr, "zcgate: %s\n", err.text);
	return rc;
}

int main(int argc, char **argv)
{
	struct args a = { 0 };

	if (parse_args(argc, argv, &a) || check_outputs(&a))
		return ZC_EXIT_USAGE;
	return run(&a);
}
