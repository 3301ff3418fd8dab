/*
 * jvm.c: the process's one JVM (jvm.h): its options, the consumer class and its methods, the
 * native release method the Cleaner calls, and the collectors' figures.
 *
 * Options, and why: -Xrs leaves SIGINT and SIGTERM to the program (the runner's handlers kill
 * the measuring child and remove temporaries); a small -Xmx keeps the heap, and what the
 * collector writes of it during the evidence pass, small (measured with a 6 GiB heap, which
 * the pass watches as a reserve: 8,625 pages a transfer in direct_buffer's, about 100 with
 * this one); -Xms equal to -Xmx commits that heap once: left to grow and shrink, G1
 * committed and gave back memory around the 8 MB arrays, and each timed transfer paid a
 * varying number of page faults for it (byte_array, --quick: 5.2-7.2 ms, cv 38-64%, 33-443
 * faults a transfer, faster only in a process the evidence pass had warmed; with a fixed heap
 * 1.3 ms, cv 4-15%, no fault: the gate saw two speeds, docs/gate.md); G1 is named rather than
 * left to the ergonomics (the default on a 2-core machine, not on a smaller one);
 * -XX:-UsePerfData spares a shared file in /tmp per measuring process, written all the time;
 * -XX:-UseDynamicNumberOfCompilerThreads and -XX:-UseDynamicNumberOfGCThreads start every
 * compiler and collector thread with the VM, so that
 * none starts while a strategy is counted and passes for one of its threads (their blocks
 * are the runtime's: allocations.runtime_live_at_end); the VM's warnings go to stderr, so that stdout stays the table. JAVA_TOOL_OPTIONS, which
 * JNI_CreateJavaVM reads before these, is recorded beside them when set.
 *
 * libjvm.so is loaded with dlopen when the JVM is created, not linked: only the measuring
 * processes of the java strategies map it and run its initialisers (not the parent, nor
 * reference_memcpy's process), and a program under an address-space limit too small for it
 * starts and says "out of memory" rather than failing in the dynamic loader. It resolves
 * malloc and memmove to the program's counting hooks (exported with -rdynamic) all the same.
 */
#include "jvm.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "beside.h"
#include "instrument.h"

#define BASE_HEAP_MIB 256ul
#define FRAMES_IN_HEAP 4ul

static struct zc_jvm jvm;
static pid_t created_in;
static zc_jvm_release_fn on_release;

/* Consumer.release(long): a collected buffer's frame goes back to the producer. */
static void JNICALL native_release(JNIEnv *env, jclass cls, jlong token)
{
	(void)env;
	(void)cls;
	on_release(token);
}

/* The option strings, in storage of their own that lives as long as the process. */
static int set_options(struct zc_jvm *j, size_t frame_bytes, struct zc_error *err)
{
	static char class_path[PATH_MAX + 32], heap[32], initial_heap[32];
	char dir[PATH_MAX];
	if (zc_beside_program("../lib/java", dir, sizeof(dir), err) != 0)
		return -1;
	if (access(dir, R_OK) != 0)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "no Java classes in '%s': %s", dir,
				    strerror(errno));
	unsigned long frame_mib = (unsigned long)((frame_bytes + (1u << 20) - 1) >> 20);
	j->heap_mib = BASE_HEAP_MIB + FRAMES_IN_HEAP * frame_mib;
	snprintf(class_path, sizeof(class_path), "-Djava.class.path=%s", dir);
	snprintf(heap, sizeof(heap), "-Xmx%lum", j->heap_mib);
	snprintf(initial_heap, sizeof(initial_heap), "-Xms%lum", j->heap_mib);
	const char *all[] = {class_path, "-Xrs", heap, initial_heap, "-XX:+UseG1GC", "-XX:-UsePerfData",
			     "-XX:-UseDynamicNumberOfCompilerThreads", "-XX:-UseDynamicNumberOfGCThreads",
			     "-XX:+DisplayVMOutputToStderr", "-Xlog:all=warning:stderr"};
	_Static_assert(sizeof(all) / sizeof(all[0]) <= ZC_JVM_MAX_OPTIONS, "too many options");
	j->noptions = (int)(sizeof(all) / sizeof(all[0]));
	for (int i = 0; i < j->noptions; i++)
		j->options[i] = all[i];
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

typedef jint(JNICALL *create_fn)(JavaVM **vm, void **env, void *args);

/* JNI_CreateJavaVM of the JDK this program was built with (ZC_JAVA_LIBJVM, boundary.mk). */
static int load_libjvm(create_fn *fn, struct zc_error *err)
{
	void *h = dlopen(ZC_JAVA_LIBJVM, RTLD_NOW | RTLD_LOCAL); /* never closed: the JVM stays */
	if (!h) {
		const char *why = dlerror();
		bool nomem = strstr(why, "map") || strstr(why, "memory");
		return zc_error_set(err, nomem ? ZC_EXIT_NOMEM : ZC_EXIT_RUNTIME,
				    "cannot load the Java VM: %s%s", why, nomem ? " (out of memory)"
									 : "");
	}
	union {
		void *obj;
		create_fn fn;
	} sym = {.obj = dlsym(h, "JNI_CreateJavaVM")};
	if (!sym.obj)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "'%s' has no JNI_CreateJavaVM",
				    ZC_JAVA_LIBJVM);
	*fn = sym.fn;
	return 0;
}

/*
 * The address space HotSpot reserves to start, beyond the heap: the compressed class space
 * (1 GiB), the code cache (240 MiB) and about 512 MiB of libraries, stacks and metadata.
 * Under a smaller limit (ulimit -v) it does not fail cleanly: measured, it calls exit(1) from
 * inside JNI_CreateJavaVM at 2,000,000 KiB, and crashes in libjimage at 30,000 KiB.
 */
#define JVM_RESERVE_MIB (1024 + 240 + 512)

/* Out of memory, in one line, when the address-space limit cannot hold the JVM j starts. */
static int check_address_space(const struct zc_jvm *j, struct zc_error *err)
{
	struct rlimit lim;
	unsigned long need_mib = j->heap_mib + JVM_RESERVE_MIB;
	if (getrlimit(RLIMIT_AS, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY ||
	    lim.rlim_cur >> 20 >= need_mib)
		return 0;
	return zc_error_set(err, ZC_EXIT_NOMEM, "out of memory: the address-space limit (%llu "
			    "KiB) is below the %lu MiB a Java VM with a %lu MiB heap reserves",
			    (unsigned long long)(lim.rlim_cur >> 10), need_mib, j->heap_mib);
}

static int create(struct zc_jvm *j, struct zc_error *err)
{
	create_fn create_vm = NULL;
	if (check_address_space(j, err) != 0 || load_libjvm(&create_vm, err) != 0)
		return -1;
	JavaVMOption opts[ZC_JVM_MAX_OPTIONS];
	for (int i = 0; i < j->noptions; i++)
		opts[i] = (JavaVMOption){.optionString = (char *)j->options[i]};
	JavaVMInitArgs args = {.version = JNI_VERSION_10, .nOptions = j->noptions,
			       .options = opts, .ignoreUnrecognized = JNI_FALSE};
	void *env;
	jint rc = create_vm(&j->vm, &env, &args);
	if (rc != JNI_OK)
		return zc_error_set(err, rc == JNI_ENOMEM ? ZC_EXIT_NOMEM : ZC_EXIT_RUNTIME,
				    "cannot create the Java VM (JNI_CreateJavaVM returned %d)",
				    (int)rc);
	j->env = env;
	return 0;
}

static jmethodID method(struct zc_jvm *j, const char *name, const char *sig, int *missing)
{
	jmethodID m = (*j->env)->GetStaticMethodID(j->env, j->consumer, name, sig);
	*missing |= m == NULL;
	return m;
}

/* The consumer class, its methods and the native method it declares. */
static int bind_consumer(struct zc_jvm *j, struct zc_error *err)
{
	JNIEnv *env = j->env;
	jclass local = (*env)->FindClass(env, "Consumer");
	jclass oom = (*env)->FindClass(env, "java/lang/OutOfMemoryError");
	if (!local || !oom) {
		(*env)->ExceptionDescribe(env);
		return zc_error_set(err, ZC_EXIT_RUNTIME, "the Java class 'Consumer' cannot be loaded");
	}
	j->consumer = (*env)->NewGlobalRef(env, local);
	j->out_of_memory = (*env)->NewGlobalRef(env, oom);
	(*env)->DeleteLocalRef(env, local);
	(*env)->DeleteLocalRef(env, oom);
	int missing = 0;
	j->receive_array = method(j, "receive", "([BJ)Z", &missing);
	j->receive_buffer = method(j, "receive", "(Ljava/nio/ByteBuffer;JJ)Z", &missing);
	j->at_array = method(j, "at", "([BI)I", &missing);
	j->at_buffer = method(j, "at", "(Ljava/nio/ByteBuffer;I)I", &missing);
	j->collect = method(j, "collect", "()V", &missing);
	j->gc_names = method(j, "gcNames", "()[Ljava/lang/String;", &missing);
	j->gc_counts = method(j, "gcCounts", "()[J", &missing);
	static char name[] = "release", sig[] = "(J)V"; /* JNINativeMethod's are not const */
	union {
		void (JNICALL *fn)(JNIEnv *, jclass, jlong);
		void *obj;
	} impl = {.fn = native_release};
	const JNINativeMethod natives[] = {{.name = name, .signature = sig, .fnPtr = impl.obj}};
	if (missing || (*env)->RegisterNatives(env, j->consumer, natives, 1) != 0) {
		(*env)->ExceptionDescribe(env);
		return zc_error_set(err, ZC_EXIT_RUNTIME,
				    "the Java class 'Consumer' lacks a method this program calls");
	}
	return 0;
}

struct zc_jvm *zc_jvm_get(size_t frame_bytes, zc_jvm_release_fn release, struct zc_error *err)
{
	if (jvm.vm && created_in != getpid()) {
		zc_error_set(err, ZC_EXIT_RUNTIME, "the Java VM was created in process %d before a "
			     "fork: this one cannot use it", (int)created_in);
		return NULL;
	}
	if (jvm.vm && !jvm.consumer) {
		zc_error_set(err, ZC_EXIT_RUNTIME, "the Java VM of this process could not load "
			     "its consumer class");
		return NULL;
	}
	if (jvm.vm)
		return &jvm;
	on_release = release;
	struct zc_counts c0, c1;
	double t0 = now_ms();
	zc_counts_snapshot(&c0);
	if (set_options(&jvm, frame_bytes, err) != 0 || create(&jvm, err) != 0)
		return NULL;
	created_in = getpid();
	/*
	 * A JVM whose class cannot be bound stays created: a process gets only one. The first
	 * reading of the collectors loads the management classes: part of the creation too.
	 */
	struct zc_jvm_gc gc;
	if (bind_consumer(&jvm, err) != 0 || zc_jvm_gc_read(&jvm, &gc) != 0) {
		zc_error_set(err, ZC_EXIT_RUNTIME, "the Java class 'Consumer' cannot be used");
		jvm.consumer = NULL;
		return NULL;
	}
	zc_counts_snapshot(&c1);
	jvm.creation_ms = now_ms() - t0;
	jvm.creation_blocks = (int64_t)(c1.allocs - c0.allocs) - (int64_t)(c1.frees - c0.frees);
	jvm.tool_options = getenv("JAVA_TOOL_OPTIONS");
	return &jvm;
}

int zc_jvm_check(struct zc_jvm *j)
{
	JNIEnv *env = j->env;
	jthrowable t = (*env)->ExceptionOccurred(env);
	if (!t)
		return 0;
	(*env)->ExceptionDescribe(env); /* and clears it */
	errno = (*env)->IsInstanceOf(env, t, j->out_of_memory) ? ENOMEM : EIO;
	(*env)->DeleteLocalRef(env, t);
	return -1;
}

/* The collectors' names into out. Returns 0 or -1. */
static int read_names(struct zc_jvm *j, struct zc_jvm_gc *out)
{
	JNIEnv *env = j->env;
	jobjectArray names = (*env)->CallStaticObjectMethod(env, j->consumer, j->gc_names);
	if (zc_jvm_check(j) != 0)
		return -1;
	jsize n = (*env)->GetArrayLength(env, names);
	out->n = n < ZC_JVM_MAX_COLLECTORS ? (int)n : ZC_JVM_MAX_COLLECTORS;
	for (int i = 0; i < out->n; i++) {
		jstring s = (*env)->GetObjectArrayElement(env, names, i);
		const char *c = s ? (*env)->GetStringUTFChars(env, s, NULL) : NULL;
		snprintf(out->name[i], sizeof(out->name[i]), "%s", c ? c : "?");
		if (c)
			(*env)->ReleaseStringUTFChars(env, s, c);
		(*env)->DeleteLocalRef(env, s);
	}
	(*env)->DeleteLocalRef(env, names);
	return zc_jvm_check(j);
}

int zc_jvm_gc_read(struct zc_jvm *j, struct zc_jvm_gc *out)
{
	JNIEnv *env = j->env;
	*out = (struct zc_jvm_gc){0};
	if (read_names(j, out) != 0)
		return -1;
	jlongArray counts = (*env)->CallStaticObjectMethod(env, j->consumer, j->gc_counts);
	if (zc_jvm_check(j) != 0)
		return -1;
	jlong v[2 * ZC_JVM_MAX_COLLECTORS] = {0};
	jsize len = (*env)->GetArrayLength(env, counts);
	(*env)->GetLongArrayRegion(env, counts, 0, len < 2 * out->n ? len : 2 * out->n, v);
	(*env)->DeleteLocalRef(env, counts);
	for (int i = 0; i < out->n; i++) {
		out->collections[i] = v[2 * i];
		out->time_ms[i] = v[2 * i + 1];
	}
	return zc_jvm_check(j);
}

json_t *zc_jvm_gc_json(const struct zc_jvm_gc *before, const struct zc_jvm_gc *after)
{
	json_t *list = json_array();
	for (int i = 0; list && i < after->n; i++) {
		int64_t c0 = i < before->n ? before->collections[i] : 0;
		int64_t t0 = i < before->n ? before->time_ms[i] : 0;
		json_array_append_new(list, json_pack("{s:s, s:I, s:I}", "name", after->name[i],
						      "collections",
						      (json_int_t)(after->collections[i] - c0),
						      "time_ms", (json_int_t)(after->time_ms[i] - t0)));
	}
	return list ? json_pack("{s:o}", "collectors", list) : NULL;
}

json_t *zc_jvm_json(const struct zc_jvm *j)
{
	json_t *a = json_array();
	for (int i = 0; a && i < j->noptions; i++)
		json_array_append_new(a, json_string(j->options[i]));
	json_t *o = a ? json_pack("{s:o, s:I, s:f, s:I}", "options", a,
				  "heap_max_mib", (json_int_t)j->heap_mib,
				  "creation_ms", j->creation_ms,
				  "creation_blocks", (json_int_t)j->creation_blocks)
		      : NULL;
	if (o && j->tool_options)
		json_object_set_new(o, "java_tool_options", json_string(j->tool_options));
	return o;
}
