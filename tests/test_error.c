/*
 * test_error.c: the error convention (src/util/error.h): the first error recorded wins, its
 * text stays on one line, and the exit table gives every status its meaning and --help line.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

static void first_error_wins(void **unused)
{
	(void)unused;
	struct zc_error err = {0};
	assert_int_equal(zc_error_set(&err, ZC_EXIT_USAGE, "cannot parse frame size '%s'", "1920x"),
			 -1);
	assert_int_equal(zc_error_set(&err, ZC_EXIT_RUNTIME, "a later failure"), -1);
	assert_int_equal(err.code, ZC_EXIT_USAGE);
	assert_string_equal(err.text, "cannot parse frame size '1920x'");
	assert_int_equal(zc_error_set(NULL, ZC_EXIT_NOMEM, "nobody listens"), -1);
}

/* Names and paths quoted from the input may hold any byte: the text stays one line. */
static void control_characters_are_escaped(void **unused)
{
	(void)unused;
	struct zc_error err = {0};
	zc_error_set(&err, ZC_EXIT_USAGE, "cannot read '%s'", "a\nb\tc\x1b[0m\x7f\xc3\xa9");
	assert_string_equal(err.text, "cannot read 'a\\nb\\tc\\x1b[0m\\x7f\xc3\xa9'");
}

/* What does not fit is cut, never an escape in the middle. */
static void long_text_is_cut_whole(void **unused)
{
	(void)unused;
	char long_name[600];
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	struct zc_error err = {0};
	zc_error_set(&err, ZC_EXIT_USAGE, "%s", long_name);
	assert_int_equal(strlen(err.text), sizeof(err.text) - 1);

	long_name[508] = '\n'; /* its escape would need text[508] and text[509]: it fits */
	long_name[509] = '\x01'; /* "\x01" needs 4 of the 2 left: cut before it */
	err = (struct zc_error){0};
	zc_error_set(&err, ZC_EXIT_USAGE, "%s", long_name);
	assert_int_equal(strlen(err.text), 510);
	assert_string_equal(err.text + 508, "\\n");
}

/* A full disk is its own status, not bad input; an unwritable path is bad input. */
static void write_failures(void **unused)
{
	(void)unused;
	struct zc_error err = {0};
	assert_int_equal(zc_error_write(&err, "results/inproc.json", ENOSPC), -1);
	assert_int_equal(err.code, ZC_EXIT_NOSPACE);
	assert_string_equal(err.text, "no space left on device writing 'results/inproc.json'");
	err = (struct zc_error){0};
	zc_error_write(&err, "r/x.json", EDQUOT);
	assert_int_equal(err.code, ZC_EXIT_NOSPACE);
	err = (struct zc_error){0};
	zc_error_write(&err, "/nope/x.json", ENOENT);
	assert_int_equal(err.code, ZC_EXIT_USAGE);
	assert_string_equal(err.text, "cannot write '/nope/x.json': No such file or directory");
}

static void exit_statuses_keep_their_numbers(void **unused)
{
	(void)unused;
	assert_int_equal(ZC_EXIT_OK, 0);
	assert_int_equal(ZC_EXIT_FAILED, 1);
	assert_int_equal(ZC_EXIT_USAGE, 2);
	assert_int_equal(ZC_EXIT_RUNTIME, 3);
	assert_int_equal(ZC_EXIT_NOMEM, 4);
	assert_int_equal(ZC_EXIT_SIGNAL, 130);
	assert_string_equal(zc_exit_meaning(ZC_EXIT_NOMEM), "out of memory");
	assert_non_null(strstr(zc_exit_meaning(ZC_EXIT_FAILED), "--strict"));
	assert_int_equal(ZC_EXIT_NOSPACE, 5);
	assert_null(zc_exit_meaning(6));
	assert_int_equal(zc_exit_for_errno(ENOMEM), ZC_EXIT_NOMEM);
	assert_int_equal(zc_exit_for_errno(EACCES), ZC_EXIT_RUNTIME);
}

/* The lines of --help: every status with its meaning, lowercase, within 80 columns. */
static void help_lists_every_status(void **unused)
{
	(void)unused;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	zc_exit_print_help(f, NULL, 0);
	assert_int_equal(fclose(f), 0);
	int lines = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"), lines++) {
		int code, at;
		assert_true(strlen(line) < 80);
		assert_int_equal(sscanf(line, " %d %n", &code, &at), 1);
		assert_string_equal(line + at, zc_exit_meaning(code));
		assert_true(line[at] >= 'a' && line[at] <= 'z');
	}
	assert_int_equal(lines, 7);
	free(text);

	static const enum zc_exit some[] = {ZC_EXIT_USAGE, ZC_EXIT_SIGNAL};
	f = open_memstream(&text, &len);
	assert_non_null(f);
	zc_exit_print_help(f, some, 2);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(text, "  2   bad input: options, files, frame sizes, output paths, "
				  "refused comparisons\n"
				  "  130 interrupted by SIGINT or SIGTERM\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_error_wins),
		cmocka_unit_test(control_characters_are_escaped),
		cmocka_unit_test(long_text_is_cut_whole),
		cmocka_unit_test(exit_statuses_keep_their_numbers),
		cmocka_unit_test(write_failures),
		cmocka_unit_test(help_lists_every_status),
	};
	return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
