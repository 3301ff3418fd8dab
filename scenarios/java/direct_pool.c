/*
 * direct_pool.c: frames lent to Java as direct buffers, given back by the Cleaner
 * (direct_pool.h).
 *
 * The producer's pool is not thread-safe and the Cleaner runs on a thread of its own: every
 * use of the producer's pool is under one lock. A token names the pool's generation and the
 * slot, so that a call for a pool closed since (none should come: closing drains first) is
 * counted and ignored rather than freeing another pool's frame.
 */
#include "direct_pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

/* A wait for the Cleaner lasts this long; a frame that needs more collections is lost. */
#define WAIT_MS 1000
#define MAX_COLLECTIONS 10

struct zc_direct_pool {
	const struct zc_producer_api *api;
	struct zcp_producer *producer;
	uint32_t generation;
	uint64_t outstanding;
	struct zc_direct_stats st;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t back; /* a frame came back */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct zc_direct_pool *current; /* the open pool, under lock */
static uint32_t generations;

static void init_cond(void)
{
	pthread_condattr_t a;
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&back, &a);
	pthread_condattr_destroy(&a);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

struct zc_direct_pool *zc_direct_pool_open(const struct zc_producer_api *api, size_t bytes,
					   unsigned slots)
{
	pthread_once(&once, init_cond);
	struct zc_direct_pool *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->api = api;
	p->producer = api->open(bytes, slots);
	if (!p->producer) {
		free(p);
		errno = ENOMEM;
		return NULL;
	}
	p->st.frames = slots;
	pthread_mutex_lock(&lock);
	p->generation = ++generations;
	current = p;
	pthread_mutex_unlock(&lock);
	return p;
}

/* Under lock: waits up to WAIT_MS for the frames given back to pass seen. */
static void wait_back(struct zc_direct_pool *p, uint64_t seen)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += WAIT_MS / 1000;
	while (p->st.given_back == seen &&
	       pthread_cond_timedwait(&back, &lock, &until) != ETIMEDOUT)
		;
}

/* Under lock: asks for a collection (the lock let go meanwhile) and waits for the Cleaner. */
static int collect_and_wait(struct zc_direct_pool *p, zc_direct_collect_fn collect, void *ctx)
{
	uint64_t seen = p->st.given_back;
	double t0 = now_ms();
	p->st.collections_forced++;
	pthread_mutex_unlock(&lock); /* the Cleaner takes it to give frames back */
	int rc = collect(ctx);
	pthread_mutex_lock(&lock);
	if (rc == 0)
		wait_back(p, seen);
	p->st.wait_ms += now_ms() - t0;
	return rc;
}

unsigned char *zc_direct_pool_take(struct zc_direct_pool *p, uint64_t seq, bool render,
				   int64_t *token, zc_direct_collect_fn collect, void *ctx)
{
	unsigned char *data = NULL;
	int slot, tries = 0;
	pthread_mutex_lock(&lock);
	while ((slot = p->api->pool_fill(p->producer, seq, render, &data)) < 0) {
		if (tries++ == MAX_COLLECTIONS || collect_and_wait(p, collect, ctx) != 0) {
			pthread_mutex_unlock(&lock);
			if (tries > MAX_COLLECTIONS)
				errno = ETIMEDOUT;
			return NULL;
		}
	}
	p->st.handed_over++;
	if (++p->outstanding > p->st.most_outstanding)
		p->st.most_outstanding = p->outstanding;
	*token = (int64_t)p->generation << 32 | slot;
	pthread_mutex_unlock(&lock);
	return data;
}

void zc_direct_pool_give_back(int64_t token)
{
	pthread_mutex_lock(&lock);
	struct zc_direct_pool *p = current;
	int slot = (int)(token & 0xffffffff);
	if (p && (uint32_t)(token >> 32) == p->generation && slot >= 0 &&
	    (unsigned)slot < p->st.frames && p->outstanding > 0) {
		p->api->pool_return(p->producer, slot);
		p->outstanding--;
		p->st.given_back++;
		pthread_cond_broadcast(&back);
	}
	pthread_mutex_unlock(&lock);
}

int zc_direct_pool_drain(struct zc_direct_pool *p, zc_direct_collect_fn collect, void *ctx)
{
	int rc = 0;
	pthread_mutex_lock(&lock);
	for (int tries = 0; p->outstanding > 0 && rc == 0; tries++) {
		if (tries == MAX_COLLECTIONS) {
			errno = ETIMEDOUT;
			rc = -1;
		} else {
			rc = collect_and_wait(p, collect, ctx);
		}
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

void zc_direct_pool_stats(struct zc_direct_pool *p, struct zc_direct_stats *out)
{
	pthread_mutex_lock(&lock);
	*out = p->st;
	pthread_mutex_unlock(&lock);
}

void zc_direct_pool_close(struct zc_direct_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&lock);
	if (current == p)
		current = NULL;
	bool all_back = p->outstanding == 0;
	pthread_mutex_unlock(&lock);
	if (all_back)
		p->api->close(p->producer);
	free(p);
}
