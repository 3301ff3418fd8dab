/*
 * Consumer.java: the Java side of the java boundary. The C program (the producer, embedding
 * the JVM) hands each frame to one of the receive methods; the consumer checks the frame's
 * stamps through its own object (the byte[] or the ByteBuffer) and drops it. The probe
 * methods read one byte through that same object, so that the write-through probe sees what
 * Java sees, not what C sees.
 *
 * A direct buffer over the producer's frame is given back through a Cleaner: when the buffer
 * becomes unreachable and the collector finds it, the Cleaner's thread calls the native
 * release method that the C program registered (RegisterNatives).
 */
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

final class Consumer {
	private static final int STAMP_BYTES = 8;
	private static final Cleaner CLEANER = Cleaner.create();

	private Consumer() {
	}

	/* The little-endian 64-bit stamp at off of a byte[]. */
	private static long stamp(byte[] a, int off) {
		long v = 0;
		for (int i = STAMP_BYTES - 1; i >= 0; i--)
			v = (v << 8) | (a[off + i] & 0xffL);
		return v;
	}

	/* A frame in a Java array: true when both stamps read seq. */
	static boolean receive(byte[] frame, long seq) {
		return stamp(frame, 0) == seq && stamp(frame, frame.length - STAMP_BYTES) == seq;
	}

	/*
	 * A frame in a direct buffer over the producer's memory: true when both stamps read seq.
	 * The buffer is given back as token through the Cleaner once it is unreachable.
	 */
	static boolean receive(ByteBuffer frame, long seq, long token) {
		CLEANER.register(frame, new Release(token));
		ByteBuffer le = frame.order(ByteOrder.LITTLE_ENDIAN);
		return le.getLong(0) == seq && le.getLong(le.capacity() - STAMP_BYTES) == seq;
	}

	/* The byte at k, read by Java through its own array. */
	static int at(byte[] frame, int k) {
		return frame[k] & 0xff;
	}

	/* The byte at k, read by Java through its own buffer. */
	static int at(ByteBuffer frame, int k) {
		return frame.get(k) & 0xff;
	}

	/* Asks for a collection, so that unreachable buffers reach the Cleaner. */
	static void collect() {
		System.gc();
	}

	/* The collectors' names, in the order gcCounts reports them. */
	static String[] gcNames() {
		List<GarbageCollectorMXBean> beans = ManagementFactory.getGarbageCollectorMXBeans();
		String[] names = new String[beans.size()];
		for (int i = 0; i < names.length; i++)
			names[i] = beans.get(i).getName();
		return names;
	}

	/* For each collector: its collections so far, then its accumulated time in ms. */
	static long[] gcCounts() {
		List<GarbageCollectorMXBean> beans = ManagementFactory.getGarbageCollectorMXBeans();
		long[] v = new long[2 * beans.size()];
		for (int i = 0; i < beans.size(); i++) {
			v[2 * i] = beans.get(i).getCollectionCount();
			v[2 * i + 1] = beans.get(i).getCollectionTime();
		}
		return v;
	}

	/* Gives the frame behind a collected buffer back to the producer (the C program). */
	private static native void release(long token);

	/* The Cleaner's action: holds only the token, never the buffer it cleans up after. */
	private static final class Release implements Runnable {
		private final long token;

		Release(long token) {
			this.token = token;
		}

		@Override
		public void run() {
			release(token);
		}
	}
}
