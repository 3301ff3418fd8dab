/*
 * java_strategies.c: byte_array, array_elements, critical and direct_buffer: the ways JNI code
 * hands a frame from native memory (the producer library) to Java code running in a real JVM
 * (jvm.h), and the Java consumer (Consumer.java) that checks each frame through its own object.
 *
 * Nothing here says whether a frame was copied: HotSpot's own copies are seen by the
 * instruments (libjvm.so calls the interposed malloc and memmove; its loops show in the pages
 * written). Only the copy this file makes itself, into a pointer JNI returned, is declared with
 * zc_copy. Where the bytes live is asked of the runtime (GetPrimitiveArrayCritical,
 * GetDirectBufferAddress), never taken from the producer.
 */
#include "java_strategies.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "beside.h"
#include "direct_pool.h"
#include "instrument.h"
#include "jvm.h"

enum kind { BYTE_ARRAY, ARRAY_ELEMENTS, CRITICAL, DIRECT_BUFFER };

#define POOL_DEFAULT 4
#define POOL_MAX 64

/*
 * What every row runs on: the producer library, loaded once by the program (zc_java_open)
 * before any strategy is set up, and --pool, written by the option table. The strategies
 * reach it only through their argument (struct row).
 */
struct context {
	struct zc_producer_api producer;
	void *library;
	unsigned long pool_frames; /* --pool */
};
static struct context context = {.pool_frames = POOL_DEFAULT};

/* A row's argument (struct zc_strategy.arg): its kind and the context it runs on. */
struct row {
	enum kind kind;
	const struct context *ctx;
};

struct state {
	enum kind kind;
	const struct zc_producer_api *api;
	struct zc_jvm *jvm;
	JNIEnv *env;
	size_t bytes;
	uint64_t seq;
	uint64_t transfers;
	struct zcp_producer *producer; /* byte_array, array_elements, critical */
	jbyteArray array;              /* array_elements, critical: the consumer's, reused */
	struct zc_direct_pool *pool;   /* direct_buffer */
	uint64_t is_copy[2];           /* what GetByteArrayElements / Critical said: false, true */
	struct zc_jvm_gc gc_at_setup;
};

/*
 * Known repetition: java, python and inproc (zc_inproc_open) load the producer library in
 * the same ten lines; one loader beside the producer ABI (scenarios/producers/) is to come.
 */
int zc_java_open(struct zc_error *err)
{
	union {
		void *obj;
		zcp_get_api_fn fn;
	} sym;
	void *h = zc_beside_load("../lib/libzcproducer.so", ZCP_GET_API_SYMBOL, &sym.obj, err);
	if (!h)
		return -1;
	if (sym.fn(ZC_PRODUCER_ABI, &context.producer) != 0) {
		dlclose(h);
		return zc_error_set(err, ZC_EXIT_RUNTIME, "the producer library is not of ABI %d",
				    ZC_PRODUCER_ABI);
	}
	context.library = h;
	return 0;
}

void zc_java_close(void)
{
	if (context.library)
		dlclose(context.library);
	context.library = NULL;
}

int zc_java_check_frame(const struct zc_frame_geom *g, struct zc_error *err)
{
	if (g->bytes > ZC_JAVA_MAX_FRAME_BYTES)
		return zc_error_set(err, ZC_EXIT_USAGE, "frame '%ux%u' is %zu bytes: a Java array "
				    "or buffer holds at most %llu (2^31-1)", g->width, g->height,
				    g->bytes, ZC_JAVA_MAX_FRAME_BYTES);
	return 0;
}

/* The consumer's array for array_elements and critical: a global reference. */
static int make_array(struct state *s)
{
	jbyteArray local = (*s->env)->NewByteArray(s->env, (jsize)s->bytes);
	if (zc_jvm_check(s->jvm) != 0)
		return -1;
	s->array = (*s->env)->NewGlobalRef(s->env, local);
	(*s->env)->DeleteLocalRef(s->env, local);
	return s->array ? 0 : -1;
}

/* setup for every row: arg is its struct row. NULL with err (the JVM's reason). */
static void *setup(const struct zc_frame_geom *g, const void *arg, struct zc_error *err)
{
	const struct row *row = arg;
	const enum kind kind = row->kind;
	const struct zc_producer_api *api = &row->ctx->producer;
	struct state *s = zc_calloc(sizeof(*s), err);
	if (!s)
		return NULL;
	*s = (struct state){.kind = kind, .api = api, .bytes = g->bytes};
	if (zc_java_check_frame(g, err) != 0 ||
	    !(s->jvm = zc_jvm_get(g->bytes, zc_direct_pool_give_back, err))) {
		free(s);
		return NULL;
	}
	s->env = s->jvm->env;
	int rc;
	if (kind == DIRECT_BUFFER)
		rc = (s->pool = zc_direct_pool_open(api, g->bytes,
						    (unsigned)row->ctx->pool_frames)) ? 0 : -1;
	else
		rc = (s->producer = api->open(g->bytes, 0)) ? 0 : -1;
	if (rc == 0 && (kind == ARRAY_ELEMENTS || kind == CRITICAL))
		rc = make_array(s);
	if (rc == 0)
		rc = zc_jvm_gc_read(s->jvm, &s->gc_at_setup);
	if (rc != 0) {
		int e = errno ? errno : ENOMEM;
		zc_direct_pool_close(s->pool);
		api->close(s->producer);
		if (s->array)
			(*s->env)->DeleteGlobalRef(s->env, s->array);
		free(s);
		zc_error_errno(err, e);
		return NULL;
	}
	return s;
}

/* The collection direct_buffer's pool asks for when no frame is free. */
static int collect(void *ctx)
{
	struct state *s = ctx;
	(*s->env)->CallStaticVoidMethod(s->env, s->jvm->consumer, s->jvm->collect);
	return zc_jvm_check(s->jvm);
}

static void teardown(void *st)
{
	struct state *s = st;
	if (s->pool && zc_direct_pool_drain(s->pool, collect, s) != 0)
		fprintf(stderr, "java: direct_buffer: frames lent to Java never came back from "
			"the Cleaner; their memory is left allocated\n");
	zc_direct_pool_close(s->pool);
	s->api->close(s->producer);
	if (s->array)
		(*s->env)->DeleteGlobalRef(s->env, s->array);
	free(s);
}

/*
 * Where the bytes of the Java array a live now, as the runtime says (a pinned view, at once
 * released). NULL with errno when the runtime answers with a copy: then it does not say.
 */
static const unsigned char *array_bytes(struct state *s, jbyteArray a)
{
	jboolean copy = JNI_FALSE;
	void *p = (*s->env)->GetPrimitiveArrayCritical(s->env, a, &copy);
	if (!p) {
		zc_jvm_check(s->jvm);
		return NULL;
	}
	(*s->env)->ReleasePrimitiveArrayCritical(s->env, a, p, JNI_ABORT);
	if (copy) {
		errno = ENOTSUP;
		return NULL;
	}
	return p;
}

/* The Java consumer checks the frame in its array: 0, or -1 with errno. */
static int receive_array(struct state *s, jbyteArray a)
{
	jboolean ok = (*s->env)->CallStaticBooleanMethod(s->env, s->jvm->consumer,
							 s->jvm->receive_array, a, (jlong)s->seq);
	if (zc_jvm_check(s->jvm) != 0)
		return -1;
	if (!ok)
		errno = EBADMSG; /* the consumer saw a wrong stamp */
	return ok ? 0 : -1;
}

/* The view of a frame the consumer holds in array a: its bytes as the runtime says. */
static int deliver(struct state *s, jbyteArray a, unsigned char *src, struct zc_view *v)
{
	const unsigned char *data = receive_array(s, a) == 0 ? array_bytes(s, a) : NULL;
	if (!data)
		return -1;
	s->transfers++;
	*v = (struct zc_view){.data = data, .bytes = s->bytes, .seq = s->seq, .producer = src,
			      .token = s->array ? NULL : a};
	return 0;
}

/* byte_array: a new Java array per frame, filled by SetByteArrayRegion. */
static int byte_array_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	JNIEnv *env = s->env;
	unsigned char *src = s->api->next_frame(s->producer, ++s->seq, render);
	if (!src)
		return zc_error_errno(err, errno);
	jbyteArray a = (*env)->NewByteArray(env, (jsize)s->bytes);
	if (zc_jvm_check(s->jvm) != 0)
		return zc_error_errno(err, errno);
	(*env)->SetByteArrayRegion(env, a, 0, (jsize)s->bytes, (const jbyte *)src);
	zc_count_copy(s->bytes); /* declared, as JNI documents it: the region is copied */
	if (zc_jvm_check(s->jvm) != 0 || deliver(s, a, src, v) != 0) {
		(*env)->DeleteLocalRef(env, a);
		return zc_error_errno(err, errno);
	}
	return 0;
}

/*
 * The frame written into the consumer's array through a view of its elements: pinned
 * (GetPrimitiveArrayCritical, no JNI call and no Java code in between) when critical, else
 * GetByteArrayElements, whose release with mode 0 copies back and frees.
 */
static int elements_transfer(struct state *s, bool critical, bool render, struct zc_view *v,
			     struct zc_error *err)
{
	JNIEnv *env = s->env;
	unsigned char *src = s->api->next_frame(s->producer, ++s->seq, render);
	if (!src)
		return zc_error_errno(err, errno);
	jboolean copy = JNI_FALSE;
	void *p = critical ? (*env)->GetPrimitiveArrayCritical(env, s->array, &copy)
			   : (void *)(*env)->GetByteArrayElements(env, s->array, &copy);
	if (!p) {
		zc_jvm_check(s->jvm);
		return zc_error_errno(err, errno);
	}
	s->is_copy[copy ? 1 : 0]++;
	zc_copy(p, src, s->bytes);
	if (critical)
		(*env)->ReleasePrimitiveArrayCritical(env, s->array, p, 0);
	else
		(*env)->ReleaseByteArrayElements(env, s->array, p, 0);
	return deliver(s, s->array, src, v);
}

/* array_elements: the frame written through GetByteArrayElements into the consumer's array. */
static int array_elements_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	return elements_transfer(st, false, render, v, err);
}

/* critical: the frame written into the consumer's array through a critical (pinned) view. */
static int critical_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	return elements_transfer(st, true, render, v, err);
}

static int receive_buffer(struct state *s, jobject buf, int64_t token)
{
	jboolean ok = (*s->env)->CallStaticBooleanMethod(s->env, s->jvm->consumer,
							 s->jvm->receive_buffer, buf, (jlong)s->seq,
							 (jlong)token);
	if (zc_jvm_check(s->jvm) != 0)
		return -1;
	if (!ok)
		errno = EBADMSG;
	return ok ? 0 : -1;
}

/*
 * direct_buffer: a DirectByteBuffer over the producer's frame; the frame comes back when the
 * Cleaner runs for the collected buffer. A frame no buffer could be made for goes back at
 * once; one whose consumer failed may have its Cleaner or not (a failure ends the run).
 */
static int direct_buffer_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	JNIEnv *env = s->env;
	int64_t token;
	unsigned char *p = zc_direct_pool_take(s->pool, ++s->seq, render, &token, collect, s);
	if (!p)
		return zc_error_errno(err, errno);
	jobject buf = (*env)->NewDirectByteBuffer(env, p, (jlong)s->bytes);
	if (zc_jvm_check(s->jvm) != 0 || !buf) {
		zc_direct_pool_give_back(token);
		return zc_error_errno(err, errno);
	}
	const unsigned char *data = receive_buffer(s, buf, token) == 0
					    ? (*env)->GetDirectBufferAddress(env, buf)
					    : NULL;
	if (!data) {
		(*env)->DeleteLocalRef(env, buf);
		return zc_error_errno(err, errno);
	}
	s->transfers++;
	*v = (struct zc_view){.data = data, .bytes = s->bytes, .seq = s->seq, .producer = p,
			      .token = buf};
	return 0;
}

/* The consumer drops the frame: its local reference goes (array_elements, critical: none). */
static void release(void *st, struct zc_view *v)
{
	struct state *s = st;
	if (v->token)
		(*s->env)->DeleteLocalRef(s->env, v->token);
}

/* The write-through probe's reading: Java reads the byte through its own object. */
static int probe_read(void *st, const struct zc_view *v, size_t offset, unsigned char *value,
		      struct zc_error *err)
{
	struct state *s = st;
	JNIEnv *env = s->env;
	jobject obj = v->token ? v->token : s->array;
	jmethodID at = s->kind == DIRECT_BUFFER ? s->jvm->at_buffer : s->jvm->at_array;
	jint b = (*env)->CallStaticIntMethod(env, s->jvm->consumer, at, obj, (jint)offset);
	if (zc_jvm_check(s->jvm) != 0)
		return zc_error_errno(err, errno);
	*value = (unsigned char)b;
	return 0;
}

/* What the pool of direct_buffer saw. */
static json_t *direct_json(struct state *s)
{
	struct zc_direct_stats d;
	zc_direct_pool_stats(s->pool, &d);
	double per100 = s->transfers ? 100.0 * (double)d.collections_forced /
					       (double)s->transfers : 0.0;
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:f, s:I, s:f}",
			 "pool_frames", (json_int_t)d.frames,
			 "frames_handed_over", (json_int_t)d.handed_over,
			 "frames_given_back", (json_int_t)d.given_back,
			 "cleaner_runs", (json_int_t)d.given_back,
			 "most_outstanding", (json_int_t)d.most_outstanding,
			 "collections_forced_per_100_frames", per100,
			 "collections_forced", (json_int_t)d.collections_forced,
			 "wait_for_cleaner_ms", d.wait_ms);
}

/* "jvm": the runtime's options and collections over this state's transfers, and more. */
static void extras(void *st, const struct zc_result *res, json_t *extra)
{
	struct state *s = st;
	struct zc_jvm_gc now;
	(void)res;
	json_t *j = zc_jvm_json(s->jvm);
	if (!j)
		return;
	json_object_set_new(j, "frames", json_integer((json_int_t)s->transfers));
	if (zc_jvm_gc_read(s->jvm, &now) == 0)
		json_object_set_new(j, "gc", zc_jvm_gc_json(&s->gc_at_setup, &now));
	if (s->kind == ARRAY_ELEMENTS || s->kind == CRITICAL)
		json_object_set_new(j, "jni_is_copy",
				    json_pack("{s:I, s:I}", "true", (json_int_t)s->is_copy[1],
					      "false", (json_int_t)s->is_copy[0]));
	if (s->kind == DIRECT_BUFFER)
		json_object_set_new(j, "direct_buffer", direct_json(s));
	json_object_set_new(extra, "jvm", j);
}

/* The Java consumer checks every stamp: receive_array and receive_buffer say no. */
static const struct zc_probe_ops probe = {.read = probe_read};
static const struct row rows[] = {
	{BYTE_ARRAY, &context}, {ARRAY_ELEMENTS, &context}, {CRITICAL, &context},
	{DIRECT_BUFFER, &context},
};

/* One descriptor a strategy: the rows below look alike by design, each is data. */
#define JAVA_STRATEGY(id, kind, zero_copy, what)                                             \
	static const struct zc_strategy id = {                                               \
		.name = #id, .mirrors = what, .expect_zero_copy = zero_copy,                  \
		.consumer_checks_stamp = true, .arg = &rows[kind], .setup = setup,           \
		.transfer = id##_transfer, .release = release, .teardown = teardown,          \
		.probe = &probe, .extras = extras,                                            \
	}

JAVA_STRATEGY(byte_array, BYTE_ARRAY, false,
	      "JNI NewByteArray + SetByteArrayRegion: a native method returns a new byte[] "
	      "holding the frame");
JAVA_STRATEGY(array_elements, ARRAY_ELEMENTS, false,
	      "JNI GetByteArrayElements on the consumer's byte[], the frame written through the "
	      "pointer, ReleaseByteArrayElements(mode 0)");
JAVA_STRATEGY(critical, CRITICAL, false,
	      "JNI GetPrimitiveArrayCritical on the consumer's byte[] (a view borrowed during "
	      "the call), the frame written through it, released");
JAVA_STRATEGY(direct_buffer, DIRECT_BUFFER, true,
	      "JNI NewDirectByteBuffer over the native frame, given back by a "
	      "java.lang.ref.Cleaner when the buffer is collected");

static const struct zc_strategy *const all[] = {&byte_array, &array_elements, &critical,
						 &direct_buffer};

/* The help text's default and limit are those above. */
_Static_assert(POOL_DEFAULT == 4 && POOL_MAX == 64, "--pool's help text is out of date");
static const struct zc_option options[] = {
	{.name = "--pool", .arg = "N", .kind = ZC_OPT_RANGE, .max = POOL_MAX, .value = &context.pool_frames,
	 .help = "frames direct_buffer lends to Java at most at once (default 4,\n"
		 "max 64); when none is free it asks for System.gc()"},
	{0},
};

/*
 * The start hook: the JVM is created first in every measuring process, before the runner
 * counts anything, so that the blocks it keeps (about 7,400) are not a strategy's leak. Then
 * every strategy runs WARM_TRANSFERS times on a small frame, so that what the JVM sets up
 * once on first use (classes loaded, the Cleaner's thread, the first collections, the
 * compiled consumer) is done before the counting starts too.
 */
#define WARM_TRANSFERS 16
#define WARM_DIRECT 16

static int start_jvm(const struct zc_options *opt, struct zc_error *err)
{
	if (!zc_jvm_get(opt->frame.bytes, zc_direct_pool_give_back, err))
		return -1;
	for (size_t i = 0; i < ZC_COUNT(all); i++) {
		struct zc_error why = {0}; /* the message says warming up failed, as it always did */
		void *st = all[i]->setup(&opt->frame, all[i]->arg, &why);
		if (!st)
			return zc_error_set(err, ZC_EXIT_RUNTIME, "strategy '%s': warming up failed",
					    all[i]->name);
		int rc = 0;
		int n = all[i] == &direct_buffer ? WARM_DIRECT : WARM_TRANSFERS;
		for (int k = 0; k < n && rc == 0; k++) {
			struct zc_view v;
			rc = all[i]->transfer(st, k == 0, &v, &why);
			if (rc == 0)
				all[i]->release(st, &v);
		}
		all[i]->teardown(st);
		if (rc != 0)
			return zc_error_set(err, ZC_EXIT_RUNTIME, "strategy '%s': warming up failed",
					    all[i]->name);
	}
	return 0;
}

const struct zc_scenario zc_java_scenario = {
	.name = "java", .strategies = all, .nstrategies = ZC_COUNT(all), .options = options,
	.start = start_jvm,
	.summary = "Hands frames from a producer library to Java code in a real JVM (JNI): "
		   "byte[] copies, a critical view, a direct buffer.",
};
