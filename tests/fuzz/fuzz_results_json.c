/*
 * fuzz_results_json.c: libFuzzer target for the results reader zcgate and the report trust
 * (tools/zcgate/results_load.c): any bytes must be either a valid zcbench/1 file or a one-line error,
 * never a crash, a leak or an error without a reason.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "results_load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zc_results_file file;
	struct zc_error err = {0};
	if (zc_results_parse(&file, "fuzz.json", (const char *)data, size, &err) == 0) {
		zc_results_file_release(&file);
		return 0;
	}
	assert(err.code != ZC_RESULTS_OK);
	assert(err.text[0] != '\0' && strchr(err.text, '\n') == NULL);
	return 0;
}
