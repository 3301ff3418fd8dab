/*
 * vanish.c: memory read before it goes, during an evidence watch (vanish.h).
 */
#include "vanish.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hooks/hook_sink.h"

static _Atomic(zc_vanish_test) watch_test;
static void *watch_arg;
static uintptr_t exclude_lo, exclude_hi;
static _Atomic uint64_t vanished;

/* Freed ranges read during the watch (they stay mapped: the pages count skips them). */
static struct {
	uintptr_t lo, hi;
} seen[ZC_VANISH_RANGES];
static unsigned nseen;
static atomic_flag seen_lock = ATOMIC_FLAG_INIT;

ZC_NO_SANITIZE void zc_vanish_watch(zc_vanish_test test, void *arg)
{
	watch_arg = arg;
	exclude_lo = exclude_hi = 0;
	atomic_store(&vanished, 0);
	atomic_store(&watch_test, test);
}

ZC_NO_SANITIZE void zc_vanish_exclude(const void *p, size_t len)
{
	exclude_lo = (uintptr_t)p;
	exclude_hi = exclude_lo + len;
	atomic_thread_fence(memory_order_seq_cst);
}

ZC_NO_SANITIZE uint64_t zc_vanish_stop(void)
{
	atomic_store(&watch_test, NULL);
	return atomic_load(&vanished);
}

ZC_NO_SANITIZE void zc_vanish_clear(void)
{
	while (atomic_flag_test_and_set(&seen_lock))
		;
	nseen = 0;
	atomic_flag_clear(&seen_lock);
}

ZC_NO_SANITIZE bool zc_vanish_seen(const void *p, size_t len)
{
	uintptr_t lo = (uintptr_t)p, hi = lo + len;
	bool hit = false;
	while (atomic_flag_test_and_set(&seen_lock))
		;
	for (unsigned i = 0; i < nseen && !hit; i++)
		hit = seen[i].lo < hi && lo < seen[i].hi;
	atomic_flag_clear(&seen_lock);
	return hit;
}

/*
 * The test over the resident pages of [lo, hi) (mincore): a page never touched holds no
 * frame, and reading it would map it (a fault the pass would count as the transfer's).
 */
ZC_NO_SANITIZE static uint64_t read_resident(zc_vanish_test test, uintptr_t lo, uintptr_t hi)
{
	enum { BATCH = 256 };
	const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	unsigned char vec[BATCH];
	uint64_t sum = 0;
	uintptr_t run = 0; /* start of the resident run being gathered; 0: none */
	for (uintptr_t a = lo & ~(page - 1); a < hi; a += BATCH * page) {
		uintptr_t span = hi - a < BATCH * page ? (hi - a + page - 1) & ~(page - 1) : BATCH * page;
		bool known = mincore((void *)a, span, vec) == 0;
		for (uintptr_t k = 0; k < span / page; k++) {
			uintptr_t at = a + k * page;
			bool resident = known && (vec[k] & 1);
			if (resident && !run)
				run = at > lo ? at : lo;
			if (!resident && run) {
				sum += test((const unsigned char *)run, at - run, watch_arg);
				run = 0;
			}
		}
	}
	if (run)
		sum += test((const unsigned char *)run, hi - run, watch_arg);
	return sum;
}

/* The test over [lo, hi), the excluded range apart. */
ZC_NO_SANITIZE static uint64_t read_range(zc_vanish_test test, uintptr_t lo, uintptr_t hi)
{
	uint64_t sum = 0;
	if (lo < exclude_lo)
		sum += read_resident(test, lo, hi < exclude_lo ? hi : exclude_lo);
	if (hi > exclude_hi)
		sum += read_resident(test, lo > exclude_hi ? lo : exclude_hi, hi);
	return sum;
}

/*
 * The test over [lo, hi) but the freed blocks read already: an allocator that discards a
 * block it was handed by free (a decommit, at once or later in the transfer) would otherwise
 * have its frame bytes counted twice.
 */
ZC_NO_SANITIZE static uint64_t read_unseen(zc_vanish_test test, uintptr_t lo, uintptr_t hi)
{
	struct {
		uintptr_t lo, hi;
	} cut[ZC_VANISH_RANGES];
	unsigned n = 0;
	while (atomic_flag_test_and_set(&seen_lock))
		;
	for (unsigned i = 0; i < nseen; i++)
		if (seen[i].lo < hi && lo < seen[i].hi) {
			cut[n].lo = seen[i].lo > lo ? seen[i].lo : lo;
			cut[n].hi = seen[i].hi < hi ? seen[i].hi : hi;
			n++;
		}
	atomic_flag_clear(&seen_lock);
	for (unsigned i = 1; i < n; i++) /* by start: a few ranges, insertion sort */
		for (unsigned k = i; k > 0 && cut[k - 1].lo > cut[k].lo; k--) {
			uintptr_t l = cut[k].lo, h = cut[k].hi;
			cut[k] = cut[k - 1];
			cut[k - 1].lo = l;
			cut[k - 1].hi = h;
		}
	uint64_t sum = 0;
	uintptr_t at = lo;
	for (unsigned i = 0; i < n; i++) {
		if (cut[i].lo > at)
			sum += read_range(test, at, cut[i].lo);
		if (cut[i].hi > at)
			at = cut[i].hi;
	}
	if (at < hi)
		sum += read_range(test, at, hi);
	return sum;
}

/*
 * zc__vanish_check in a watch: apart, so that the check every free makes outside one (the
 * timed loops') is a load and a test, without the frame this part needs.
 */
ZC_NO_SANITIZE __attribute__((noinline)) static void vanish_read(zc_vanish_test test,
								  const char *how, const void *p,
								  size_t len)
{
	uintptr_t lo = (uintptr_t)p, hi = lo + len;
	uint64_t f = read_unseen(test, lo, hi);
	if (!f)
		return;
	if (strcmp(how, "free") != 0) { /* unmapped, discarded, wiped: nothing left to count twice */
		atomic_fetch_add_explicit(&vanished, f, memory_order_relaxed);
		return;
	}
	/*
	 * A freed block the pages count will read again unless it skips it; with no room left
	 * to say so, it is left to that count (its frame bytes were written in this transfer).
	 */
	while (atomic_flag_test_and_set(&seen_lock))
		;
	if (nseen < ZC_VANISH_RANGES) {
		seen[nseen].lo = lo;
		seen[nseen].hi = hi;
		nseen++;
		atomic_fetch_add_explicit(&vanished, f, memory_order_relaxed);
	}
	atomic_flag_clear(&seen_lock);
}

ZC_NO_SANITIZE void zc__vanish_check(const char *how, const void *p, size_t len)
{
	zc_vanish_test test = atomic_load_explicit(&watch_test, memory_order_acquire);
	if (test && p && len >= ZC_VANISH_MIN_BYTES)
		vanish_read(test, how, p, len);
}
