/*
 * port.c: the bounded message queue: a ring of messages under one mutex, with one condition
 * variable for "not empty" and one for "not full", both timed on CLOCK_MONOTONIC.
 */
#include "port.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

struct zc_port {
	pthread_mutex_t lock;
	pthread_cond_t not_empty;
	pthread_cond_t not_full;
	struct zc_port_msg *ring;
	size_t capacity, head, count;
	bool closed;
};

static void deadline_after(struct timespec *ts, int timeout_ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += timeout_ms / 1000;
	ts->tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static int init_cond(pthread_cond_t *c)
{
	pthread_condattr_t a;
	if (pthread_condattr_init(&a) != 0)
		return -1;
	int rc = pthread_condattr_setclock(&a, CLOCK_MONOTONIC) || pthread_cond_init(c, &a);
	pthread_condattr_destroy(&a);
	return rc ? -1 : 0;
}

struct zc_port *zc_port_open(size_t capacity)
{
	struct zc_port *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->capacity = capacity ? capacity : 1;
	p->ring = calloc(p->capacity, sizeof(*p->ring));
	if (!p->ring)
		goto out_free;
	if (pthread_mutex_init(&p->lock, NULL) != 0)
		goto out_free_ring;
	if (init_cond(&p->not_empty) != 0)
		goto out_mutex;
	if (init_cond(&p->not_full) != 0)
		goto out_not_empty;
	return p;
out_not_empty:
	pthread_cond_destroy(&p->not_empty);
out_mutex:
	pthread_mutex_destroy(&p->lock);
out_free_ring:
	free(p->ring);
out_free:
	free(p);
	errno = ENOMEM;
	return NULL;
}

/* Waits on c until ready() or the deadline; called and returns with the lock held. */
static int wait_until(struct zc_port *p, pthread_cond_t *c, bool (*ready)(const struct zc_port *),
		      int timeout_ms)
{
	struct timespec deadline;
	if (timeout_ms >= 0)
		deadline_after(&deadline, timeout_ms);
	while (!ready(p) && !p->closed) {
		int rc = timeout_ms < 0 ? pthread_cond_wait(c, &p->lock)
					: pthread_cond_timedwait(c, &p->lock, &deadline);
		if (rc == ETIMEDOUT && !ready(p))
			return ETIMEDOUT;
	}
	return 0;
}

static bool has_room(const struct zc_port *p)
{
	return p->count < p->capacity;
}

static bool has_message(const struct zc_port *p)
{
	return p->count > 0;
}

int zc_port_post(struct zc_port *p, const struct zc_port_msg *m, int timeout_ms)
{
	pthread_mutex_lock(&p->lock);
	int err = wait_until(p, &p->not_full, has_room, timeout_ms);
	if (!err && p->closed)
		err = EPIPE;
	if (!err) {
		p->ring[(p->head + p->count) % p->capacity] = *m;
		p->count++;
		pthread_cond_signal(&p->not_empty);
	}
	pthread_mutex_unlock(&p->lock);
	errno = err;
	return err ? -1 : 0;
}

int zc_port_receive(struct zc_port *p, struct zc_port_msg *m, int timeout_ms)
{
	pthread_mutex_lock(&p->lock);
	int err = wait_until(p, &p->not_empty, has_message, timeout_ms);
	if (!err && p->count == 0)
		err = EPIPE; /* closed and drained */
	if (!err) {
		*m = p->ring[p->head];
		p->head = (p->head + 1) % p->capacity;
		p->count--;
		pthread_cond_signal(&p->not_full);
	}
	pthread_mutex_unlock(&p->lock);
	errno = err;
	return err ? -1 : 0;
}

void zc_port_close(struct zc_port *p)
{
	pthread_mutex_lock(&p->lock);
	p->closed = true;
	pthread_cond_broadcast(&p->not_empty);
	pthread_cond_broadcast(&p->not_full);
	pthread_mutex_unlock(&p->lock);
}

void zc_port_free(struct zc_port *p)
{
	if (!p)
		return;
	pthread_cond_destroy(&p->not_full);
	pthread_cond_destroy(&p->not_empty);
	pthread_mutex_destroy(&p->lock);
	free(p->ring);
	free(p);
}
