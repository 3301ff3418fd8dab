/*
 * ZcProbeTest.java: the Java probe module, run by tools/zctrace/e2e_probes.sh under zctrace
 * (whose --expect judges the marks) and without it. One case per run, its name the argument:
 *
 *   shared     one memory marked twice: labels frame (a direct ByteBuffer and its duplicate())
 *              and array (one byte[] marked twice); zctrace --expect LABEL=shared passes
 *   copied     bytes and their copy: labels frame (a byte[] put into allocateDirect()) and
 *              array (Arrays.copyOf); zctrace --expect LABEL=shared fails
 *   arguments  what mark accepts and refuses, under the label check
 *
 * Every case also checks that ZcProbe.available() is true exactly when libzctrace.so is
 * preloaded. Exit 0 when every check passes, 1 when one fails (each said on stderr), 2 for
 * a bad argument. No JUnit: a plain main, run with the classes of zcprobe.jar on the path.
 */
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

import zcprobe.ZcProbe;

public final class ZcProbeTest {
	private static final int MIB = 1 << 20;
	private static int failures;

	private ZcProbeTest() {
	}

	private static void check(boolean ok, String what) {
		if (!ok) {
			System.err.println("ZcProbeTest: FAIL: " + what);
			failures++;
		}
	}

	/** 4 MiB that are not all equal, the same on every run. */
	private static byte[] frame() {
		byte[] b = new byte[4 * MIB];
		new Random(28).nextBytes(b);
		return b;
	}

	private static void available() {
		String preload = System.getenv("LD_PRELOAD");
		boolean traced = preload != null && preload.contains("libzctrace.so");
		check(ZcProbe.available() == traced,
			"available() is " + ZcProbe.available() + " with LD_PRELOAD=" + preload);
	}

	private static void shared() {
		ByteBuffer direct = ByteBuffer.allocateDirect(4 * MIB).put(frame());
		ZcProbe.mark("frame:direct", direct);
		ByteBuffer duplicate = direct.duplicate();
		ZcProbe.mark("frame:duplicate", duplicate);
		direct.put(0, (byte) ~direct.get(0));
		check(duplicate.get(0) == direct.get(0), "a duplicate() does not share its buffer's memory");

		byte[] array = frame();
		ZcProbe.mark("array:first", array);
		ZcProbe.mark("array:again", array);
	}

	private static void copied() {
		byte[] array = frame();
		ZcProbe.mark("frame:array", array);
		ByteBuffer direct = ByteBuffer.allocateDirect(array.length).put(array);
		ZcProbe.mark("frame:direct", direct);

		byte[] copy = Arrays.copyOf(array, array.length);
		ZcProbe.mark("array:original", array);
		ZcProbe.mark("array:copy", copy);
		array[0] = (byte) ~array[0];
		check(copy[0] != array[0] && direct.get(0) != array[0], "a copy shares its source's memory");
	}

	private static void refused(Runnable call, Class<? extends RuntimeException> want, String what) {
		try {
			call.run();
			check(false, what + ": accepted, not " + want.getSimpleName());
		} catch (RuntimeException e) {
			check(want.isInstance(e), what + ": " + e + ", not " + want.getSimpleName());
		}
	}

	private static void arguments() {
		ByteBuffer direct = ByteBuffer.allocateDirect(4096);
		ZcProbe.mark("check:empty_array", new byte[0]);
		ZcProbe.mark("check:empty_direct", ByteBuffer.allocateDirect(0));
		ZcProbe.mark("check:slice", direct.position(100).slice());
		ZcProbe.mark("check:read_only", direct.asReadOnlyBuffer());
		refused(() -> ZcProbe.mark("check:heap", ByteBuffer.allocate(16)), IllegalArgumentException.class,
			"a heap ByteBuffer");
		refused(() -> ZcProbe.mark("check:null", (ByteBuffer) null), NullPointerException.class,
			"a null ByteBuffer");
		refused(() -> ZcProbe.mark("check:null", (byte[]) null), NullPointerException.class,
			"a null byte[]");
		refused(() -> ZcProbe.mark(null, new byte[1]), NullPointerException.class, "a null tag");
	}

	public static void main(String[] args) {
		String mode = args.length == 1 ? args[0] : "";
		switch (mode) {
		case "shared" -> shared();
		case "copied" -> copied();
		case "arguments" -> arguments();
		default -> {
			System.err.println("ZcProbeTest: expected one argument, shared, copied or arguments");
			System.exit(2);
		}
		}
		available();
		if (failures > 0)
			System.exit(1);
		System.out.println("ZcProbeTest " + mode + ": all checks passed");
	}
}
