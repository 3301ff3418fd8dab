/*
 * provenance.c: the frame's bytes, followed through copies (provenance.h).
 *
 * The ranges holding frame bytes are a small table of disjoint [lo, hi), packed at its start
 * (entries [0, nused) are all in use: a removal moves the last entry into the hole), so that
 * a lookup scans only the ranges alive, usually one or two: the hooks of a timed transfer (a
 * frame freed, the next one stamped, other memory freed) cost a few comparisons each.
 * Readers never lock (a copy hook looks up two ranges per call): the generation is the
 * writers' lock and a sequence count at once; a writer makes it odd with one compare-and-swap,
 * changes the table and makes it even again with a plain store, and a reader that saw it move
 * (or odd) reads again. Objects (pipes, files...) and the descriptor cache change only on
 * calls that carry frame bytes, under their own lock.
 */
#include "provenance.h"

#include <errno.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include "group.h"
#include "hooks/hook_sink.h"

struct range {
	_Atomic uintptr_t lo, hi; /* hi == 0: free */
};

static struct range ranges[ZC_PROVENANCE_RANGES];
static atomic_uint nused;                 /* entries [0, nused) are in use */
static atomic_uint generation;            /* odd while a writer changes the table */
static _Atomic uint64_t lost;
static _Atomic(zc_content_test) recogniser;

ZC_NO_SANITIZE static void lock(atomic_flag *f)
{
	while (atomic_flag_test_and_set_explicit(f, memory_order_acquire))
		;
}

ZC_NO_SANITIZE static void unlock(atomic_flag *f)
{
	atomic_flag_clear_explicit(f, memory_order_release);
}

ZC_NO_SANITIZE void zc_provenance_recognise(zc_content_test test)
{
	zc_content_test none = NULL;
	atomic_compare_exchange_strong(&recogniser, &none, test);
}

ZC_NO_SANITIZE uint64_t zc_provenance_lost(void)
{
	return atomic_load_explicit(&lost, memory_order_relaxed);
}

/* Bytes of [lo, hi) inside the table's ranges (they are disjoint: the sum is exact). */
ZC_NO_SANITIZE static size_t held(uintptr_t lo, uintptr_t hi)
{
	for (;;) {
		unsigned g = atomic_load_explicit(&generation, memory_order_acquire);
		if (g & 1)
			continue;
		size_t sum = 0;
		unsigned n = atomic_load_explicit(&nused, memory_order_acquire);
		for (unsigned i = 0; i < n; i++) {
			uintptr_t a = atomic_load_explicit(&ranges[i].lo, memory_order_relaxed);
			uintptr_t b = atomic_load_explicit(&ranges[i].hi, memory_order_relaxed);
			uintptr_t from = a > lo ? a : lo, to = b < hi ? b : hi;
			if (from < to)
				sum += to - from;
		}
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&generation, memory_order_relaxed) == g)
			return sum;
	}
}

/*
 * Writers: between begin_change and end_change, one at a time. Taking the table is turning
 * the generation from even to odd (the only read-modify-write of a change); the release
 * fence orders that before the entries' stores, for the readers' acquire fence (held).
 */
ZC_NO_SANITIZE static void begin_change(void)
{
	for (;;) {
		unsigned g = atomic_load_explicit(&generation, memory_order_relaxed);
		if (!(g & 1) && atomic_compare_exchange_weak_explicit(&generation, &g, g + 1,
								      memory_order_acquire,
								      memory_order_relaxed))
			break;
	}
	atomic_thread_fence(memory_order_release);
}

/* Only the writer holding the table changes the generation: a store gives it back. */
ZC_NO_SANITIZE static void end_change(void)
{
	unsigned g = atomic_load_explicit(&generation, memory_order_relaxed);
	atomic_store_explicit(&generation, g + 1, memory_order_release);
}

ZC_NO_SANITIZE static inline void set(unsigned i, uintptr_t lo, uintptr_t hi)
{
	atomic_store_explicit(&ranges[i].lo, lo, memory_order_relaxed);
	atomic_store_explicit(&ranges[i].hi, hi, memory_order_relaxed);
}

/* Appends [lo, hi) to the table, or counts it lost when the table is full. */
ZC_NO_SANITIZE static inline void append(uintptr_t lo, uintptr_t hi)
{
	unsigned n = atomic_load_explicit(&nused, memory_order_relaxed);
	if (n == ZC_PROVENANCE_RANGES) {
		atomic_fetch_add_explicit(&lost, 1, memory_order_relaxed);
		return;
	}
	set(n, lo, hi);
	atomic_store_explicit(&nused, n + 1, memory_order_relaxed);
}

/* Drops entry i: the last entry takes its place, so that the used ones stay packed. */
ZC_NO_SANITIZE static inline void drop(unsigned i)
{
	unsigned last = atomic_load_explicit(&nused, memory_order_relaxed) - 1;
	if (i != last)
		set(i, atomic_load_explicit(&ranges[last].lo, memory_order_relaxed),
		    atomic_load_explicit(&ranges[last].hi, memory_order_relaxed));
	set(last, 0, 0);
	atomic_store_explicit(&nused, last, memory_order_relaxed);
}

/*
 * Adds [lo, hi), merged with every range it overlaps or touches. By a writer. Entry i is
 * looked at again after a drop: the last entry moved there.
 */
ZC_NO_SANITIZE static void add_locked(uintptr_t lo, uintptr_t hi)
{
	for (unsigned i = 0; i < atomic_load_explicit(&nused, memory_order_relaxed);) {
		uintptr_t a = atomic_load_explicit(&ranges[i].lo, memory_order_relaxed);
		uintptr_t b = atomic_load_explicit(&ranges[i].hi, memory_order_relaxed);
		if (b < lo || a > hi) {
			i++;
			continue;
		}
		lo = a < lo ? a : lo;
		hi = b > hi ? b : hi;
		drop(i);
	}
	append(lo, hi);
}

/*
 * Removes [lo, hi) from every range, splitting one it falls inside (its upper part goes to
 * the end, where it is looked at again and left alone: it does not meet [lo, hi)). By a
 * writer.
 */
ZC_NO_SANITIZE static void remove_locked(uintptr_t lo, uintptr_t hi)
{
	for (unsigned i = 0; i < atomic_load_explicit(&nused, memory_order_relaxed);) {
		uintptr_t a = atomic_load_explicit(&ranges[i].lo, memory_order_relaxed);
		uintptr_t b = atomic_load_explicit(&ranges[i].hi, memory_order_relaxed);
		if (b <= lo || a >= hi) {
			i++;
			continue;
		}
		if (a >= lo && b <= hi) { /* all of it goes */
			drop(i);
			continue;
		}
		if (a < lo && b > hi) /* the hole is inside: two ranges remain */
			append(hi, b);
		if (a < lo)
			set(i, a, lo);
		else
			set(i, hi, b);
		i++;
	}
}

ZC_NO_SANITIZE void zc_provenance_frame(const void *p, size_t len)
{
	uintptr_t lo = (uintptr_t)p;
	if (!len || held(lo, lo + len) == len) /* a stamp on a known frame: nothing to do */
		return;
	begin_change();
	add_locked(lo, lo + len);
	end_change();
}

ZC_NO_SANITIZE void zc_provenance_forget(const void *p, size_t len)
{
	uintptr_t lo = (uintptr_t)p;
	if (!len || !atomic_load_explicit(&nused, memory_order_relaxed) || !held(lo, lo + len))
		return;
	begin_change();
	remove_locked(lo, lo + len);
	end_change();
}

/* The content recogniser's count for [p, p + len); 0 below the minimum or without one. */
ZC_NO_SANITIZE static size_t by_content(const void *p, size_t len)
{
	zc_content_test test = atomic_load_explicit(&recogniser, memory_order_relaxed);
	if (!test || !p || len < ZC_PROVENANCE_CONTENT_MIN)
		return 0;
	return test(p, len);
}

/*
 * dst received len bytes from src: with whole, all of them the frame's (recognised by
 * content); else the parts of dst at the offsets of src's frame ranges are tainted. The rest
 * of dst is cleared.
 */
ZC_NO_SANITIZE static void retaint(uintptr_t dst, uintptr_t src, size_t len, bool whole)
{
	uintptr_t spans[16][2];
	unsigned nspans = 0;
	begin_change();
	if (whole) {
		spans[nspans][0] = dst;
		spans[nspans++][1] = dst + len;
	} else {
		/* Taken before dst is cleared: a memmove's source and destination may overlap. */
		unsigned n = atomic_load_explicit(&nused, memory_order_relaxed);
		for (unsigned i = 0; i < n; i++) {
			uintptr_t a = atomic_load_explicit(&ranges[i].lo, memory_order_relaxed);
			uintptr_t b = atomic_load_explicit(&ranges[i].hi, memory_order_relaxed);
			uintptr_t from = a > src ? a : src, to = b < src + len ? b : src + len;
			if (from >= to)
				continue;
			if (nspans == 16) { /* more pieces than kept: what is left is lost */
				atomic_fetch_add_explicit(&lost, 1, memory_order_relaxed);
				break;
			}
			spans[nspans][0] = dst + (from - src);
			spans[nspans++][1] = dst + (to - src);
		}
	}
	remove_locked(dst, dst + len);
	for (unsigned i = 0; i < nspans; i++)
		add_locked(spans[i][0], spans[i][1]);
	end_change();
}

/*
 * Whether a copy of len bytes into dst, f of them the frame's (whole: recognised by content,
 * all of dst tainted), leaves the table as it is: all of the source was the frame's and all of
 * dst holds frame bytes already (a copy_into-like transfer into the same buffer every time).
 */
ZC_NO_SANITIZE static bool already_tainted(uintptr_t dst, size_t len, size_t f, bool whole)
{
	return (whole || f == len) && held(dst, dst + len) == len;
}

ZC_NO_SANITIZE size_t zc_provenance_copy(void *dst, const void *src, size_t len)
{
	uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;
	if (!len)
		return 0;
	size_t f = src ? held(s, s + len) : 0;
	bool whole = false;
	if (!f) {
		f = by_content(src, len);
		whole = f > 0;
	}
	if (!f) {
		if (held(d, d + len)) /* overwritten by something else */
			zc_provenance_forget(dst, len);
	} else if (!already_tainted(d, len, f, whole)) {
		retaint(d, s, len, whole);
	}
	return f;
}

ZC_NO_SANITIZE size_t zc_provenance_moved_block(const void *old, size_t old_len, const void *p)
{
	uintptr_t o = (uintptr_t)old;
	size_t f = old_len ? held(o, o + old_len) : 0;
	if (!f)
		return 0;
	/* The block's frame bytes are at the same offsets in the new block. */
	retaint((uintptr_t)p, o, old_len, false);
	zc_provenance_forget(old, old_len);
	return f;
}

/* Calls fn(base, len, arg) over the first bytes of mem, in order; the sum of what it returns. */
ZC_NO_SANITIZE static size_t over_mem(const struct zc_kernel_mem *mem, size_t bytes,
				      size_t (*fn)(const void *, size_t))
{
	if (!mem)
		return 0;
	if (mem->buf)
		return fn(mem->buf, bytes);
	size_t sum = 0;
	for (size_t i = 0; i < mem->iovcnt && bytes; i++) {
		size_t n = mem->iov[i].iov_len < bytes ? mem->iov[i].iov_len : bytes;
		sum += fn(mem->iov[i].iov_base, n);
		bytes -= n;
	}
	return sum;
}

ZC_NO_SANITIZE static size_t frame_bytes_at(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p;
	size_t f = held(a, a + len);
	return f ? f : by_content(p, len);
}

ZC_NO_SANITIZE static size_t content_landed(const void *p, size_t len)
{
	size_t f = by_content(p, len);
	if (f)
		retaint((uintptr_t)p, (uintptr_t)p, len, true);
	else if (held((uintptr_t)p, (uintptr_t)p + len))
		zc_provenance_forget(p, len);
	return f;
}

/*
 * Objects holding frame bytes, by device and inode, and the descriptors last seen naming
 * each object (so that a pipe written many times costs one fstat).
 */
struct object {
	dev_t dev;
	ino_t ino;
	bool pipe;
	uint64_t pending; /* a pipe: frame bytes written and not read yet */
};
/*
 * The objects are the counting group's (group.h): a pipe written with frame bytes in one
 * process gives them back to a read in another one of the group, in order. The descriptors
 * are this process's own.
 */
struct objects {
	atomic_flag lock; /* over the objects and this process's descriptors */
	atomic_bool any_pipe; /* a pipe holds frame bytes: reads have to look */
	unsigned ntainted;
	struct object tainted[ZC_PROVENANCE_OBJECTS];
};
_Static_assert(sizeof(struct objects) <= ZC_GROUP_OBJECTS_BYTES,
	       "the objects fit their part of the group");
static struct objects alone; /* when no group could be mapped */
static struct {
	int fd; /* -1: free */
	struct object o;
} fds[ZC_PROVENANCE_OBJECTS];
static unsigned nfds;
static atomic_bool any_fd; /* something is cached: close() has to look */

ZC_NO_SANITIZE static struct objects *objects(void)
{
	struct objects *o = zc_group_part(ZC_GROUP_OBJECTS);
	return o ? o : &alone;
}

/* fd's object; false when fstat fails. Under the objects' lock. */
ZC_NO_SANITIZE static bool object_of(int fd, struct object *o)
{
	for (unsigned i = 0; i < nfds; i++) {
		if (fds[i].fd == fd) {
			*o = fds[i].o;
			return true;
		}
	}
	struct stat st;
	int saved = errno;
	bool ok = fstat(fd, &st) == 0;
	errno = saved;
	if (!ok)
		return false;
	*o = (struct object){.dev = st.st_dev, .ino = st.st_ino, .pipe = S_ISFIFO(st.st_mode)};
	unsigned slot = nfds;
	for (unsigned i = 0; i < nfds; i++)
		if (fds[i].fd < 0)
			slot = i;
	if (slot == nfds && nfds < ZC_PROVENANCE_OBJECTS)
		nfds++;
	if (slot < nfds) {
		fds[slot].fd = fd;
		fds[slot].o = *o;
		atomic_store(&any_fd, true);
	}
	return true;
}

ZC_NO_SANITIZE static struct object *find_tainted(const struct object *o)
{
	struct objects *t = objects();
	for (unsigned i = 0; i < t->ntainted; i++)
		if (t->tainted[i].dev == o->dev && t->tainted[i].ino == o->ino)
			return &t->tainted[i];
	return NULL;
}

ZC_NO_SANITIZE static bool is_tainted(const struct object *o)
{
	return find_tainted(o) != NULL;
}

/*
 * A pipe that gave back every frame byte written into it holds none: its entry goes (a pipe
 * per transfer would fill the table otherwise). Under the objects' lock.
 */
ZC_NO_SANITIZE static void untaint(struct object *t)
{
	struct objects *all = objects();
	*t = all->tainted[--all->ntainted];
}

/* o holds frame bytes from now on; a pipe, frame more of them to give back. */
ZC_NO_SANITIZE static void taint(const struct object *o, size_t frame)
{
	struct objects *all = objects();
	struct object *t = find_tainted(o);
	if (!t && all->ntainted < ZC_PROVENANCE_OBJECTS) {
		t = &all->tainted[all->ntainted++];
		*t = *o;
		t->pending = 0;
	}
	if (!t) {
		atomic_fetch_add_explicit(&lost, 1, memory_order_relaxed);
		return;
	}
	if (t->pipe) {
		t->pending += frame;
		atomic_store(&all->any_pipe, true);
	}
}

ZC_NO_SANITIZE static size_t drain(int fd, size_t bytes)
{
	struct objects *all = objects();
	if (!atomic_load_explicit(&all->any_pipe, memory_order_relaxed))
		return 0;
	struct object o;
	size_t f = 0;
	lock(&objects()->lock);
	struct object *t = object_of(fd, &o) && o.pipe ? find_tainted(&o) : NULL;
	if (t) {
		f = t->pending < bytes ? (size_t)t->pending : bytes;
		t->pending -= f;
		if (!t->pending)
			untaint(t);
	}
	unlock(&objects()->lock);
	return f;
}

/*
 * A write into a pipe in flight: its frame bytes are in the pipe before the call returns (a
 * reader in another process of the group may take them meanwhile), so they are put in when
 * it starts, and what it did not send taken out when it returns.
 */
static _Thread_local struct {
	int fd;
	size_t frame; /* 0: none in flight */
} sending __attribute__((tls_model("initial-exec")));

ZC_NO_SANITIZE void zc_provenance_sending(int fd, const struct zc_kernel_mem *mem)
{
	sending.frame = 0;
	if (mem->process)
		return;
	size_t asked = mem->buf ? mem->len : SIZE_MAX; /* iovecs: all of them */
	size_t f = over_mem(mem, asked, frame_bytes_at);
	if (!f)
		return;
	struct object o;
	lock(&objects()->lock);
	if (object_of(fd, &o) && o.pipe) {
		taint(&o, f);
		sending.fd = fd;
		sending.frame = f;
	}
	unlock(&objects()->lock);
}

ZC_NO_SANITIZE size_t zc_provenance_sent(int fd, const struct zc_kernel_mem *mem, size_t bytes)
{
	size_t f = over_mem(mem, bytes, frame_bytes_at);
	size_t early = sending.fd == fd ? sending.frame : 0;
	sending.frame = 0;
	if (f || early) {
		struct object o;
		lock(&objects()->lock);
		struct object *t;
		if (early) { /* put in when it started; gone when a reader took them all */
			if (object_of(fd, &o) && (t = find_tainted(&o)) != NULL) {
				size_t unsent = early > f ? early - f : 0; /* a short write */
				t->pending -= unsent < t->pending ? unsent : t->pending;
				if (!t->pending)
					untaint(t);
			}
		} else if (object_of(fd, &o)) {
			taint(&o, f);
		}
		unlock(&objects()->lock);
	}
	return f;
}

/* The frame bytes of the first bytes of remote memory (process_vm_readv on this process). */
ZC_NO_SANITIZE static size_t held_remote(const struct zc_kernel_mem *mem, size_t bytes)
{
	size_t sum = 0;
	for (size_t i = 0; i < mem->remotecnt && bytes; i++) {
		size_t n = mem->remote[i].iov_len < bytes ? mem->remote[i].iov_len : bytes;
		uintptr_t a = (uintptr_t)mem->remote[i].iov_base;
		sum += held(a, a + n);
		bytes -= n;
	}
	return sum;
}

ZC_NO_SANITIZE static size_t taint_landed(const void *p, size_t len)
{
	retaint((uintptr_t)p, (uintptr_t)p, len, true);
	return len;
}

/* Takes up to bytes of the frame bytes a pipe fd holds; 0 when it holds none. */
ZC_NO_SANITIZE static size_t drain(int fd, size_t bytes);

/* The process this one was forked from: its ranges were this one's at the fork. */
static pid_t forked_from;

ZC_NO_SANITIZE void zc_provenance_forked(void)
{
	forked_from = getppid();
}

ZC_NO_SANITIZE size_t zc_provenance_received(int fd, const struct zc_kernel_mem *mem, size_t bytes)
{
	size_t known = 0;
	if (mem->process && (fd == getpid() || (forked_from && fd == forked_from)))
		known = held_remote(mem, bytes);
	else if (!mem->process)
		known = drain(fd, bytes);
	if (!known)
		return over_mem(mem, bytes, content_landed);
	/* Known to be the frame's: tainted wherever they landed, without reading them. */
	over_mem(mem, known, taint_landed);
	return known;
}

ZC_NO_SANITIZE size_t zc_provenance_carried(int in, int out, size_t bytes, bool *copied)
{
	struct object from, to;
	size_t f = 0;
	*copied = false;
	lock(&objects()->lock);
	if (objects()->ntainted && object_of(in, &from) && is_tainted(&from) && object_of(out, &to)) {
		f = bytes;
		*copied = !to.pipe;
		taint(&to, f);
	}
	unlock(&objects()->lock);
	return f;
}

ZC_NO_SANITIZE void zc_provenance_closed(int fd)
{
	if (!atomic_load_explicit(&any_fd, memory_order_relaxed))
		return;
	lock(&objects()->lock);
	for (unsigned i = 0; i < nfds; i++)
		if (fds[i].fd == fd)
			fds[i].fd = -1;
	unlock(&objects()->lock);
}
