/*
 * jvm.h: the one Java virtual machine of a measuring process, embedded with JNI_CreateJavaVM,
 * and the Java consumer class it runs (Consumer.java, compiled beside the program).
 *
 * A process can create a JVM once, and a JVM does not survive a fork: the runner measures each
 * strategy in a forked child, so the JVM is created there, on the first setup, and lives until
 * the process exits (never destroyed in a teardown). The thread that created it is the only
 * one that may call zc_jvm_env.
 */
#ifndef ZC_JAVA_JVM_H
#define ZC_JAVA_JVM_H

#include <stddef.h>
#include <stdint.h>

#include <jni.h>
#include <jansson.h>

#include "error.h"

#define ZC_JVM_MAX_OPTIONS 12
#define ZC_JVM_MAX_COLLECTORS 4

/* The Java side: the consumer class (a global reference) and the methods called on it. */
struct zc_jvm {
	JavaVM *vm;
	JNIEnv *env;          /* the creating thread's */
	jclass consumer;
	jclass out_of_memory; /* java.lang.OutOfMemoryError: a failure that exits 4 */
	jmethodID receive_array, receive_buffer, at_array, at_buffer, collect, gc_names, gc_counts;
	unsigned long heap_mib; /* -Xmx */
	const char *options[ZC_JVM_MAX_OPTIONS];
	int noptions;
	const char *tool_options; /* $JAVA_TOOL_OPTIONS, read by the JVM too; NULL when unset */
	/*
	 * The creation's cost: its time, and the blocks it left allocated through the counting
	 * allocator (they are in the live_at_end of the first setup of each measuring process).
	 */
	double creation_ms;
	int64_t creation_blocks;
};

/* Called on the Cleaner's thread with the token a direct buffer was registered with. */
typedef void (*zc_jvm_release_fn)(jlong token);

/*
 * The process's JVM, created on the first call with a heap sized for frames of frame_bytes
 * (256 MiB plus four frames) and release as the native behind Consumer.release. NULL with err
 * when it cannot be created: no class beside the program, a JVM made before a fork (of
 * another process), or no memory (ZC_EXIT_NOMEM).
 */
struct zc_jvm *zc_jvm_get(size_t frame_bytes, zc_jvm_release_fn release, struct zc_error *err);

/*
 * After a JNI call: 0 when no Java exception is pending; else -1, the exception described on
 * stderr and cleared, and errno ENOMEM for an OutOfMemoryError, EIO for any other.
 */
int zc_jvm_check(struct zc_jvm *j);

/* Collections and their accumulated time, per collector, as the GC's MXBeans count them. */
struct zc_jvm_gc {
	int n;
	char name[ZC_JVM_MAX_COLLECTORS][48];
	int64_t collections[ZC_JVM_MAX_COLLECTORS];
	int64_t time_ms[ZC_JVM_MAX_COLLECTORS];
};

/* Reads the collectors' counts now. Returns 0, or -1 (a Java exception, cleared). */
int zc_jvm_gc_read(struct zc_jvm *j, struct zc_jvm_gc *out);

/* {"collectors": [{"name", "collections", "time_ms"}...]} of after - before; NULL: no memory. */
json_t *zc_jvm_gc_json(const struct zc_jvm_gc *before, const struct zc_jvm_gc *after);

/*
 * {"options": ["-Xrs", "-Xmx288m", ...], "heap_max_mib", "creation_ms", "creation_blocks"}:
 * how the JVM was created (and "java_tool_options" when set). NULL: no memory.
 */
json_t *zc_jvm_json(const struct zc_jvm *j);

#endif
