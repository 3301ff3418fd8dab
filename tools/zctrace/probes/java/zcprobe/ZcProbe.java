/*
 * ZcProbe.java: the probe API for Java (docs/zctrace.md, "Probe modules"), over the JNI
 * library libzcprobe.so (zcprobe.c), both built by make zctrace into build/lib/probes/java/:
 *
 *   ZcProbe.mark("frame:java", directBuffer);  // a direct ByteBuffer's memory
 *   ZcProbe.mark("frame:java", bytes);         // a byte[] as the JVM shows it to native code
 *   ZcProbe.available();                       // true under zctrace
 *
 * Under zctrace a mark fingerprints the bytes for zctrace to pair with another mark of the
 * same label ("frame") and judge shared or copied; without it, a mark checks its arguments
 * and does nothing else. The library is loaded from the system property zcprobe.library (a
 * path) when it is set, else from java.library.path.
 */
package zcprobe;

import java.nio.ByteBuffer;
import java.util.Objects;

public final class ZcProbe {
	private static final boolean AVAILABLE;

	static {
		String path = System.getProperty("zcprobe.library");
		if (path != null)
			System.load(path);
		else
			System.loadLibrary("zcprobe");
		AVAILABLE = available0();
	}

	private ZcProbe() {
	}

	/** True when zctrace runs this JVM (libzctrace.so defines zc_probe_mark). */
	public static boolean available() {
		return AVAILABLE;
	}

	/**
	 * Marks the memory of a direct buffer under tag: its capacity from the address
	 * GetDirectBufferAddress gives native code (position and limit play no part; mark a
	 * slice() for part of it). A heap buffer has no such address: mark its array().
	 *
	 * @throws IllegalArgumentException when buffer is not direct
	 */
	public static void mark(String tag, ByteBuffer buffer) {
		Objects.requireNonNull(tag, "tag");
		Objects.requireNonNull(buffer, "buffer");
		if (!buffer.isDirect())
			throw new IllegalArgumentException(
				"zcprobe: mark(tag, ByteBuffer) needs a direct buffer; mark a heap buffer's array()");
		if (AVAILABLE)
			markDirect(tag, buffer);
	}

	/**
	 * Marks the elements of array under tag, at the address GetPrimitiveArrayCritical gives
	 * native code, inside the critical region: the address a JNI bridge would read. A JVM may
	 * give a copy there (HotSpot gives the array itself); then the mark is of that copy, which
	 * is what a bridge that reads the array this way hands over.
	 */
	public static void mark(String tag, byte[] array) {
		Objects.requireNonNull(tag, "tag");
		Objects.requireNonNull(array, "array");
		if (AVAILABLE)
			markArray(tag, array);
	}

	private static native boolean available0();

	private static native void markDirect(String tag, ByteBuffer buffer);

	private static native void markArray(String tag, byte[] array);
}
