/*
 * content.c: copies found by their content. With --pages, each marked buffer's 64-byte blocks
 * (counted from its first byte) are hashed into a fixed table; at every mark the pages
 * written since the watch began are searched for those blocks at any alignment (a rolling
 * hash over 64-byte windows, a bit filter before the table), so that a copy no hook saw (an
 * inlined or SIMD loop, a JIT's arraycopy, a runtime's own memmove) is found: how many bytes
 * of which mark, in which mapping. A mark's own bytes are not a copy of it.
 *
 * The table, its filter and the maps text it names mappings with live in one mapping of
 * their own, made before the watch is armed and left out of every count: the tracer's
 * bookkeeping is not a page the program wrote. It holds 64 MiB of marked data; a mark past
 * that is hashed in part, and says so. A block whose bytes are all equal (zeros) is not
 * hashed: it is found everywhere. Only blocks wholly inside one written page are found,
 * so a copy shows about 98% of its bytes at worst (63 of 64 blocks of a page).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "trace.h"

#define BLOCK 64
#define MAX_BLOCKS (1u << 20)           /* 64 MiB of marked data */
#define SLOTS (1u << 21)                /* a power of two, half full at most */
#define FILTER_BITS (1u << 23)
#define MAPS_TEXT (1u << 18)
#define MAX_RANGES 2048
#define MAX_ACC 64
#define BASE 0x100000001b3ull           /* the rolling hash's base (odd) */

struct slot {
	uint64_t hash;                   /* 0: free */
	uint32_t mark, block;
};

struct range {
	uintptr_t start, end;
	char name[ZCT_MAPPING_MAX];
};

/* The one mapping of content.c's own: never a page the program wrote. */
struct table {
	struct slot slots[SLOTS];
	uint64_t filter[FILTER_BITS / 64];
	char maps[MAPS_TEXT];
	struct range ranges[MAX_RANGES];
};

static struct table *table;
static uint32_t nblocks;
static uint64_t base_pow63;             /* BASE^63 */
static atomic_flag scanning = ATOMIC_FLAG_INIT;

/* One scan's finds: bytes of a mark in a mapping. */
static struct acc {
	uint32_t mark, range;
	uint64_t bytes;
} acc[MAX_ACC];
static size_t nacc;
static size_t nranges;

static uint64_t mix(uint64_t h)
{
	h ^= h >> 31;
	return h * 0x9e3779b97f4a7c15ull;
}

int zct_content_init(void)
{
	void *p = mmap(NULL, sizeof(struct table), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	table = p;
	base_pow63 = 1;
	for (int i = 0; i < BLOCK - 1; i++)
		base_pow63 *= BASE;
	return 0;
}

void zct_content_range(const void **p, size_t *len)
{
	*p = table;
	*len = table ? sizeof(struct table) : 0;
}

static uint64_t block_hash(const unsigned char *b)
{
	uint64_t h = 0;
	for (int i = 0; i < BLOCK; i++)
		h = h * BASE + b[i];
	return h ? h : 1;
}

static bool uniform(const unsigned char *b)
{
	for (int i = 1; i < BLOCK; i++)
		if (b[i] != b[0])
			return false;
	return true;
}

/* Adds h unless the table has it (the first mark of some bytes keeps them). */
static void insert(uint64_t h, uint32_t mark, uint32_t block)
{
	uint64_t m = mix(h);
	for (uint64_t i = m & (SLOTS - 1);; i = (i + 1) & (SLOTS - 1)) {
		struct slot *s = &table->slots[i];
		if (s->hash == h)
			return;
		if (!s->hash) {
			*s = (struct slot){.hash = h, .mark = mark, .block = block};
			table->filter[(m >> 41) / 64] |= 1ull << ((m >> 41) % 64);
			return;
		}
	}
}

static const struct slot *find(uint64_t h)
{
	uint64_t m = mix(h);
	if (!(table->filter[(m >> 41) / 64] & (1ull << ((m >> 41) % 64))))
		return NULL;
	for (uint64_t i = m & (SLOTS - 1);; i = (i + 1) & (SLOTS - 1)) {
		const struct slot *s = &table->slots[i];
		if (s->hash == h)
			return s;
		if (!s->hash)
			return NULL;
	}
}

/* Hashes the mark's blocks; false when the table was full before its last one. */
static bool add_mark(uint32_t mark, const unsigned char *p, size_t n)
{
	for (size_t off = 0, block = 0; off + BLOCK <= n; off += BLOCK, block++) {
		if (nblocks == MAX_BLOCKS)
			return false;
		if (uniform(p + off))
			continue;
		insert(block_hash(p + off), mark, (uint32_t)block);
		nblocks++;
	}
	return true;
}

/* The mappings, from /proc/self/maps, into the table's ranges. */
static void read_ranges(void)
{
	size_t len = zct_read_maps(table->maps, sizeof(table->maps));
	nranges = 0;
	for (char *line = table->maps, *next; line < table->maps + len && *line; line = next) {
		char *nl = strchr(line, '\n');
		next = nl ? nl + 1 : line + strlen(line);
		if (nl)
			*nl = '\0';
		unsigned long start, end;
		char name[ZCT_MAPPING_MAX] = "";
		if (nranges == MAX_RANGES ||
		    sscanf(line, "%lx-%lx %*s %*s %*s %*s %63[^\n]", &start, &end, name) < 2)
			continue;
		struct range *r = &table->ranges[nranges++];
		r->start = start;
		r->end = end;
		snprintf(r->name, sizeof(r->name), "%s", name[0] ? name : "[anonymous]");
	}
}

/* The index of the mapping holding at; nranges when none does. */
static size_t range_of(uintptr_t at)
{
	size_t lo = 0, hi = nranges;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (at >= table->ranges[mid].end)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nranges && at >= table->ranges[lo].start ? lo : nranges;
}

static void account(uint32_t mark, size_t range, uint64_t bytes)
{
	for (size_t i = 0; i < nacc; i++)
		if (acc[i].mark == mark && acc[i].range == range) {
			acc[i].bytes += bytes;
			return;
		}
	if (nacc < MAX_ACC)
		acc[nacc++] = (struct acc){.mark = mark, .range = (uint32_t)range, .bytes = bytes};
}

/* Whether the block found at `at` lies in the bytes of the mark it belongs to. */
static bool in_own_mark(const struct slot *s, uintptr_t at)
{
	const struct zct_mark *m = &zct.marks[s->mark];
	uintptr_t p = (uintptr_t)m->p;
	return at >= p && at < p + m->bytes;
}

/* zc_written_test: the bytes of a written page that are blocks of marks looked for. */
static size_t test_page(const unsigned char *page, size_t len, uintptr_t at, void *arg)
{
	(void)arg;
	size_t found = 0, range = nranges + 1;
	size_t pos = 0;
	while (pos + BLOCK <= len) {
		uint64_t h = 0;
		for (int i = 0; i < BLOCK; i++)
			h = h * BASE + page[pos + i];
		for (;;) {
			const struct slot *s = find(h ? h : 1);
			if (s && !in_own_mark(s, at + pos)) {
				if (range > nranges)
					range = range_of(at);
				account(s->mark, range, BLOCK);
				found += BLOCK;
				pos += BLOCK; /* a found block is counted once */
				break;
			}
			if (pos + BLOCK >= len) {
				pos = len;
				break;
			}
			h = (h - page[pos] * base_pow63) * BASE + page[pos + BLOCK];
			pos++;
		}
	}
	return found;
}

/* Keeps the scan's finds in the mark. */
static void keep_finds(struct zct_mark *m)
{
	m->nfound = 0;
	for (size_t i = 0; i < nacc && m->nfound < ZCT_MAX_FOUND; i++) {
		struct zct_found *f = &m->found[m->nfound++];
		f->of = acc[i].mark;
		f->bytes = acc[i].bytes;
		snprintf(f->mapping, sizeof(f->mapping), "%s",
			 acc[i].range < nranges ? table->ranges[acc[i].range].name : "[unmapped]");
	}
}

void zct_content_mark(uint32_t index, struct zct_mark *m)
{
	m->content = ZCT_CONTENT_NONE;
	if (!table || m->pages < 0 || !m->p || m->bytes < BLOCK)
		return;
	while (atomic_flag_test_and_set(&scanning))
		;
	m->content = add_mark(index, m->p, m->bytes) ? ZCT_CONTENT_WHOLE : ZCT_CONTENT_PART;
	read_ranges();
	nacc = 0;
	if (zct_pages_scan(test_page, NULL) != 0)
		m->content = ZCT_CONTENT_FAILED;
	keep_finds(m);
	atomic_flag_clear(&scanning);
}

const char *zct_content_state(const struct zct_mark *m)
{
	switch (m->content) {
	case ZCT_CONTENT_WHOLE: return "searched";
	case ZCT_CONTENT_PART: return "searched in part: past 64 MiB of marked data";
	case ZCT_CONTENT_FAILED: return "the search failed";
	default: return "not searched";
	}
}
