/*
 * names.h: the wrapper names the call sites of a traced process's record (schema zctrace/1)
 * once the program has exited: the process wrote each site as "module+0xOFFSET" with its
 * "module" and "offset" (callsite.h); here the sites the summary shows and the first ones of
 * each list get their function and source line (symbolize.h).
 */
#ifndef ZC_TRACE_NAMES_H
#define ZC_TRACE_NAMES_H

#include <stddef.h>

#include <jansson.h>

#include "symbolize.h"

/* How many distinct call sites of each list of a record are named: the largest call sites
 * and kernel sites, the first large copies' and allocations' callers. */
#define ZCT_NAMED_PER_LIST 64

/*
 * Names the call sites of doc with s: each named entry's "caller" becomes "module:function"
 * (unchanged when no symbol covers it) and gets "source" ("file:line", or null) and
 * "inlined_into" (or null); the probe pairs' copies and the summary lines follow. Returns how
 * many entries were named: doc changed when it is not 0.
 */
size_t zct_names_apply(json_t *doc, struct zct_symbolizer *s);

#endif
