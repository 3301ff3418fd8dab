/*
 * java_strategies.h: the strategies of the java boundary: frames from the producer library
 * (producer_api.h) handed to Java code in a real JVM through JNI.
 */
#ifndef ZC_JAVA_STRATEGIES_H
#define ZC_JAVA_STRATEGIES_H

#include <stddef.h>

#include "error.h"
#include "frame.h"
#include "producer_api.h"
#include "scenario.h"

/* The largest frame a Java byte[] holds: a jsize length. */
#define ZC_JAVA_MAX_FRAME_BYTES 2147483647ull

/*
 * Loads the producer library the strategies run on, beside the program
 * (../lib/libzcproducer.so); it stays loaded until zc_java_close. 0, or -1 with the reason
 * in err (ZC_EXIT_RUNTIME).
 */
int zc_java_open(struct zc_error *err);
void zc_java_close(void);

/*
 * 0 when a Java array can hold frames of g; else -1 with the reason in err (ZC_EXIT_USAGE):
 * checked before anything runs, since every strategy here hands the frame to a byte[] or a
 * ByteBuffer, both indexed by an int.
 */
int zc_java_check_frame(const struct zc_frame_geom *g, struct zc_error *err);

/* The boundary's descriptor, its options (--pool) among it. */
extern const struct zc_scenario zc_java_scenario;

#endif
