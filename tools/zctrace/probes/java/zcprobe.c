/*
 * zcprobe.c: the JNI half of zcprobe.ZcProbe (ZcProbe.java), the probe API for Java. The
 * Java class checks the arguments and calls here only under zctrace; the prototypes come from
 * the header javac -h writes from the class, so they cannot drift from it.
 *
 *   markDirect  a direct ByteBuffer: GetDirectBufferAddress, its capacity
 *   markArray   a byte[]: GetPrimitiveArrayCritical, marked inside the critical region and
 *               released with JNI_ABORT (nothing was written; a copy is not copied back)
 */
#include <jni.h>

#include "zcprobe_ZcProbe.h"
#include "zcprobe_lookup.h"

/* Looked up once, when the library is loaded; NULL without zctrace. */
static zcprobe_mark_fn *mark_fn;

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved);

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved)
{
	(void)vm;
	(void)reserved;
	mark_fn = zcprobe_lookup();
	return JNI_VERSION_1_8;
}

JNIEXPORT jboolean JNICALL Java_zcprobe_ZcProbe_available0(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	return mark_fn ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT void JNICALL Java_zcprobe_ZcProbe_markDirect(JNIEnv *env, jclass cls, jstring tag,
							jobject buffer)
{
	(void)cls;
	void *p = (*env)->GetDirectBufferAddress(env, buffer);
	jlong n = (*env)->GetDirectBufferCapacity(env, buffer);
	const char *t = (*env)->GetStringUTFChars(env, tag, NULL);
	if (!t)
		return; /* OutOfMemoryError is pending */
	if (mark_fn && p && n >= 0)
		mark_fn(t, p, (size_t)n);
	(*env)->ReleaseStringUTFChars(env, tag, t);
}

JNIEXPORT void JNICALL Java_zcprobe_ZcProbe_markArray(JNIEnv *env, jclass cls, jstring tag,
						       jbyteArray array)
{
	(void)cls;
	jsize n = (*env)->GetArrayLength(env, array);
	const char *t = (*env)->GetStringUTFChars(env, tag, NULL);
	if (!t)
		return;
	/* no JNI call between Get and Release: the critical region's rule */
	void *p = (*env)->GetPrimitiveArrayCritical(env, array, NULL);
	if (p) {
		if (mark_fn)
			mark_fn(t, p, (size_t)n);
		(*env)->ReleasePrimitiveArrayCritical(env, array, p, JNI_ABORT);
	}
	(*env)->ReleaseStringUTFChars(env, tag, t);
}
