/*
 * instrument.c: per-thread counters without locks on the hot path, summed on demand.
 *
 * Every thread takes a slot the first time it counts. Only the owner writes a slot (relaxed
 * atomic load + store, no read-modify-write), readers sum all slots: a snapshot is exact once
 * the counting threads are quiet, which is when scenarios take one.
 *
 * The slots live in the counting group (group.h): the processes a measuring process starts
 * (forked, or exec'd with the hooks preloaded) count in slots of their own beside its
 * threads', so a snapshot sums them too. A thread takes a new slot when its process changed
 * group or is a forked child (zc__group_generation moved).
 */
#include "instrument.h"
#include "group.h"
#include "provenance.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_SLOTS 256

struct slot {
	_Atomic uint64_t v[sizeof(struct zc_counts) / sizeof(uint64_t)];
	_Atomic pid_t owner; /* the process whose thread counts here */
} __attribute__((aligned(64)));

enum { NFIELDS = sizeof(struct zc_counts) / sizeof(uint64_t) };
enum {
	F_ALLOCS = offsetof(struct zc_counts, allocs) / 8,
	F_ALLOC_BYTES = offsetof(struct zc_counts, alloc_bytes) / 8,
	F_FREES = offsetof(struct zc_counts, frees) / 8,
	F_FRAME_ALLOCS = offsetof(struct zc_counts, frame_allocs) / 8,
	F_FRAME_FREES = offsetof(struct zc_counts, frame_frees) / 8,
	F_REALLOC_MOVES = offsetof(struct zc_counts, realloc_moves) / 8,
	F_COPIES = offsetof(struct zc_counts, copies) / 8,
	F_COPY_BYTES = offsetof(struct zc_counts, copy_bytes) / 8,
	F_MEMCPY_BYTES = offsetof(struct zc_counts, memcpy_bytes) / 8,
	F_HOOK_COPIES = offsetof(struct zc_counts, hook_copies) / 8,
	F_HOOK_COPY_BYTES = offsetof(struct zc_counts, hook_copy_bytes) / 8,
	F_USER_COPIES = offsetof(struct zc_counts, user_copies) / 8,
	F_USER_COPY_BYTES = offsetof(struct zc_counts, user_copy_bytes) / 8,
	F_REALLOC_COPY_BYTES = offsetof(struct zc_counts, realloc_copy_bytes) / 8,
	F_REALLOC_REMAPS = offsetof(struct zc_counts, realloc_remaps) / 8,
	F_KERNEL_READS = offsetof(struct zc_counts, kernel_reads) / 8,
	F_USER_FRAME_BYTES = offsetof(struct zc_counts, user_frame_bytes) / 8,
	F_KERNEL_FRAME_BYTES = offsetof(struct zc_counts, kernel_frame_bytes) / 8,
	F_KERNEL_FRAME_MOVE_BYTES = offsetof(struct zc_counts, kernel_frame_move_bytes) / 8,
};
/* zc__count_kernel finds an op's calls at F_KERNEL_READS + 2 * op, its bytes right after. */
_Static_assert(offsetof(struct zc_counts, kernel_writes) / 8 == F_KERNEL_READS + 2 * ZC_KERNEL_WRITE &&
		       offsetof(struct zc_counts, kernel_moves) / 8 == F_KERNEL_READS + 2 * ZC_KERNEL_MOVE &&
		       offsetof(struct zc_counts, kernel_handover_bytes) / 8 ==
			       F_KERNEL_READS + 2 * ZC_KERNEL_HANDOVER + 1,
	       "kernel counters are (calls, bytes) pairs in enum zc_kernel_op order");

/* The counters' part of the group. */
struct counts_part {
	atomic_uint nslots;
	struct slot shared_slot; /* for threads beyond MAX_SLOTS: atomic adds */
	struct slot slots[MAX_SLOTS];
};
_Static_assert(sizeof(struct counts_part) <= ZC_GROUP_COUNTS_BYTES,
	       "the counters fit their part of the group");
static struct counts_part alone; /* when no group could be mapped */

/* initial-exec: reading them must never allocate, since the allocator itself counts here */
static _Thread_local struct slot *my_slot __attribute__((tls_model("initial-exec")));
static _Thread_local unsigned my_generation __attribute__((tls_model("initial-exec")));
static _Thread_local bool my_slot_shared __attribute__((tls_model("initial-exec")));
static atomic_size_t frame_half = SIZE_MAX;

bool zc__allocator_linked;

ZC_NO_SANITIZE static struct counts_part *part(void)
{
	struct counts_part *c = zc_group_part(ZC_GROUP_COUNTS);
	return c ? c : &alone;
}

/*
 * A thread's first count, or its first since its process changed group (gen): it takes a
 * slot. Apart from slot_get, so that every other count finds its slot without a frame.
 */
ZC_NO_SANITIZE __attribute__((noinline, cold)) static struct slot *slot_take(unsigned gen)
{
	struct counts_part *c = part();
	unsigned i = atomic_fetch_add(&c->nslots, 1);
	my_slot = i < MAX_SLOTS ? &c->slots[i] : &c->shared_slot;
	my_slot_shared = i >= MAX_SLOTS;
	my_generation = gen;
	atomic_store_explicit(&my_slot->owner, (pid_t)syscall(SYS_getpid), memory_order_relaxed);
	return my_slot;
}

ZC_NO_SANITIZE static inline struct slot *slot_get(void)
{
	unsigned gen = atomic_load_explicit(&zc__group_generation, memory_order_relaxed);
	if (__builtin_expect(my_slot == NULL || my_generation != gen, 0))
		return slot_take(gen);
	return my_slot;
}

ZC_NO_SANITIZE static inline void add(struct slot *s, int field, uint64_t n)
{
	if (my_slot_shared) { /* s is this thread's slot (slot_get) */
		atomic_fetch_add_explicit(&s->v[field], n, memory_order_relaxed);
		return;
	}
	uint64_t v = atomic_load_explicit(&s->v[field], memory_order_relaxed);
	atomic_store_explicit(&s->v[field], v + n, memory_order_relaxed);
}

/* Sums the slots of the group, or only those of process owner (0: every process). */
static void sum_slots(struct zc_counts *out, pid_t owner)
{
	const struct counts_part *c = part();
	uint64_t sum[NFIELDS] = {0};
	unsigned n = atomic_load(&c->nslots);
	if (n > MAX_SLOTS)
		n = MAX_SLOTS;
	for (unsigned i = 0; i < n + 1; i++) {
		const struct slot *s = i < n ? &c->slots[i] : &c->shared_slot;
		if (owner && i < n && atomic_load_explicit(&s->owner, memory_order_relaxed) != owner)
			continue;
		for (int f = 0; f < NFIELDS; f++)
			sum[f] += atomic_load_explicit(&s->v[f], memory_order_relaxed);
	}
	memcpy(out, sum, sizeof(*out));
	out->provenance_lost = zc_provenance_lost(); /* not per thread: the tables' own count */
}

void zc_counts_snapshot(struct zc_counts *out)
{
	sum_slots(out, 0);
}

void zc_counts_snapshot_process(struct zc_counts *out)
{
	sum_slots(out, getpid());
}

void zc_threads_mark(struct zc_threads_mark *m)
{
	struct slot *mine = slot_get();
	const struct counts_part *c = part();
	unsigned n = atomic_load(&c->nslots);
	m->before = n < MAX_SLOTS ? n : MAX_SLOTS;
	m->self = mine == &c->shared_slot ? MAX_SLOTS : (unsigned)(mine - c->slots);
}

/* A slot's field, read by another thread than its owner. */
static int64_t slot_field(const struct slot *s, int field)
{
	return (int64_t)atomic_load_explicit(&s->v[field], memory_order_relaxed);
}

struct zc_net_blocks zc_threads_net_blocks(const struct zc_threads_mark *m)
{
	const struct counts_part *c = part();
	struct zc_net_blocks net = {0};
	for (unsigned i = 0; i < m->before; i++) {
		if (i == m->self)
			continue;
		net.blocks += slot_field(&c->slots[i], F_ALLOCS) - slot_field(&c->slots[i], F_FREES);
		net.frame_blocks += slot_field(&c->slots[i], F_FRAME_ALLOCS) -
				    slot_field(&c->slots[i], F_FRAME_FREES);
	}
	return net;
}

void zc_counts_diff(struct zc_counts *out, const struct zc_counts *after,
		    const struct zc_counts *before)
{
	const uint64_t *a = (const uint64_t *)after, *b = (const uint64_t *)before;
	uint64_t d[NFIELDS];
	for (int f = 0; f < NFIELDS; f++)
		d[f] = a[f] - b[f];
	memcpy(out, d, sizeof(*out));
}

void zc_counts_accumulate(struct zc_counts *sum, const struct zc_counts *after,
			  const struct zc_counts *before)
{
	uint64_t *s = (uint64_t *)sum;
	const uint64_t *a = (const uint64_t *)after, *b = (const uint64_t *)before;
	for (int f = 0; f < NFIELDS; f++)
		s[f] += a[f] - b[f];
}

void zc_instrument_set_frame_bytes(size_t bytes)
{
	atomic_store(&frame_half, bytes / 2);
}

bool zc_instrument_allocator_linked(void)
{
	return zc__allocator_linked;
}

void *zc_copy(void *dst, const void *src, size_t n)
{
	struct slot *s = slot_get();
	add(s, F_COPIES, 1);
	add(s, F_COPY_BYTES, n);
	add(s, F_MEMCPY_BYTES, n);
	return memcpy(dst, src, n);
}

void zc_count_copy(size_t n)
{
	struct slot *s = slot_get();
	add(s, F_COPIES, 1);
	add(s, F_COPY_BYTES, n);
}

ZC_NO_SANITIZE void zc__count_alloc(size_t bytes)
{
	struct slot *s = slot_get();
	add(s, F_ALLOCS, 1);
	add(s, F_ALLOC_BYTES, bytes);
	if (bytes >= atomic_load_explicit(&frame_half, memory_order_relaxed))
		add(s, F_FRAME_ALLOCS, 1);
}

ZC_NO_SANITIZE void zc__count_free(size_t bytes)
{
	struct slot *s = slot_get();
	add(s, F_FREES, 1);
	if (bytes >= atomic_load_explicit(&frame_half, memory_order_relaxed))
		add(s, F_FRAME_FREES, 1);
}

ZC_NO_SANITIZE void zc__count_realloc_move(size_t old_bytes, size_t new_bytes, bool remapped)
{
	struct slot *s = slot_get();
	add(s, F_REALLOC_MOVES, 1);
	if (remapped)
		add(s, F_REALLOC_REMAPS, 1);
	else
		add(s, F_REALLOC_COPY_BYTES, old_bytes < new_bytes ? old_bytes : new_bytes);
}

/* One copy of n bytes counted in the fields copies and bytes of this thread's slot. */
ZC_NO_SANITIZE static void count_copy(int copies, int bytes, size_t n)
{
	struct slot *s = slot_get();
	add(s, copies, 1);
	add(s, bytes, n);
}

ZC_NO_SANITIZE void zc__count_user_copy(size_t n)
{
	count_copy(F_USER_COPIES, F_USER_COPY_BYTES, n);
}

uint64_t zc_counts_user_copy_bytes(const struct zc_counts *c)
{
	return c->user_copy_bytes + c->realloc_copy_bytes;
}

ZC_NO_SANITIZE void zc__count_hook_copy(size_t n)
{
	count_copy(F_HOOK_COPIES, F_HOOK_COPY_BYTES, n);
}

uint64_t zc_counts_kernel_copy_bytes(const struct zc_counts *c)
{
	return c->kernel_read_bytes + c->kernel_write_bytes;
}

ZC_NO_SANITIZE void zc__count_frame(size_t user, size_t kernel, size_t moved)
{
	struct slot *s = slot_get();
	if (user)
		add(s, F_USER_FRAME_BYTES, user);
	if (kernel)
		add(s, F_KERNEL_FRAME_BYTES, kernel);
	if (moved)
		add(s, F_KERNEL_FRAME_MOVE_BYTES, moved);
}

uint64_t zc_counts_user_frame_bytes(const struct zc_counts *c)
{
	return c->user_frame_bytes;
}

uint64_t zc_counts_kernel_frame_bytes(const struct zc_counts *c)
{
	return c->kernel_frame_bytes + c->kernel_frame_move_bytes;
}

uint64_t zc_counts_other_bytes(const struct zc_counts *c)
{
	return zc_counts_user_copy_bytes(c) - c->user_frame_bytes +
	       zc_counts_kernel_copy_bytes(c) - c->kernel_frame_bytes;
}

uint64_t zc_counts_kernel_calls(const struct zc_counts *c)
{
	return c->kernel_reads + c->kernel_writes + c->kernel_moves + c->kernel_handovers;
}

/* Each op has a pair of fields, calls then bytes, in enum order from kernel_reads. */
ZC_NO_SANITIZE void zc__count_kernel(enum zc_kernel_op op, size_t bytes)
{
	struct slot *s = slot_get();
	add(s, F_KERNEL_READS + 2 * (int)op, 1);
	add(s, F_KERNEL_READS + 2 * (int)op + 1, bytes);
}
