"""test_zcprobe.py: the Python probe module, run by tools/zctrace/e2e_probes.sh under zctrace
(whose --expect judges the marks) and without it. Each class is one case, chosen on the
command line (python3 test_zcprobe.py Available Shared):

  Available  zcprobe.available() is True exactly when libzctrace.so is preloaded
  Shared     one buffer marked twice through two objects: labels frame, ro (read-only bytes)
             and, with numpy, array; zctrace --expect LABEL=shared must pass
  Copied     a buffer and its copy: labels frame (bytes(bytearray)) and slice
             (memoryview.tobytes()); zctrace --expect LABEL=shared must fail
  Arguments  what mark accepts and refuses, under the label check

Run with the interpreter the module was built for (/usr/bin/python3), the module on
PYTHONPATH (build/lib/probes/python).
"""
import os
import random
import unittest

import zcprobe

try:
    import numpy
except ImportError:
    numpy = None

MIB = 1 << 20


def frame(n=4 * MIB):
    """n bytes that are not all equal, the same on every run."""
    return bytearray(random.Random(28).randbytes(n))


def traced():
    return "libzctrace.so" in os.environ.get("LD_PRELOAD", "")


class Available(unittest.TestCase):
    def test_available_exactly_under_zctrace(self):
        self.assertIs(zcprobe.available(), traced())


class Shared(unittest.TestCase):
    def test_bytearray_then_memoryview_of_it(self):
        b = frame()
        zcprobe.mark("frame:bytearray", b)
        v = memoryview(b)
        zcprobe.mark("frame:memoryview", v)
        b[0] ^= 0xFF  # the premise: the view is the bytearray's memory
        self.assertEqual(v[0], b[0])

    def test_read_only_bytes_then_memoryview_of_it(self):
        r = bytes(frame())
        zcprobe.mark("ro:bytes", r)
        zcprobe.mark("ro:memoryview", memoryview(r).cast("B"))

    @unittest.skipUnless(numpy, "numpy is not installed (python3-numpy)")
    def test_numpy_array_then_reshaped_view(self):
        a = numpy.frombuffer(frame(), dtype=numpy.uint32).copy()
        zcprobe.mark("array:numpy", a)
        v = a.reshape(1024, -1)
        self.assertTrue(numpy.shares_memory(a, v))
        zcprobe.mark("array:reshaped", v)


class Copied(unittest.TestCase):
    def test_bytes_of_bytearray(self):
        b = frame()
        zcprobe.mark("frame:bytearray", b)
        c = bytes(b)
        zcprobe.mark("frame:bytes", c)
        b[0] ^= 0xFF  # the premise: bytes() made a copy
        self.assertNotEqual(c[0], b[0])

    def test_tobytes_of_memoryview(self):
        v = memoryview(frame())
        zcprobe.mark("slice:memoryview", v)
        zcprobe.mark("slice:tobytes", v.tobytes())


class Arguments(unittest.TestCase):
    def test_accepts_every_contiguous_buffer(self):
        import array
        import mmap

        for buf in (b"", bytearray(1), memoryview(b"abc")[1:], array.array("d", [1.0, 2.0]),
                    mmap.mmap(-1, 4096)):
            self.assertIsNone(zcprobe.mark("check:" + type(buf).__name__, buf))

    def test_refuses_what_has_no_buffer(self):
        for obj in ("text", 42, None, [1, 2]):
            with self.assertRaises(TypeError):
                zcprobe.mark("check:bad", obj)

    def test_refuses_a_buffer_that_is_not_contiguous(self):
        with self.assertRaises(BufferError):
            zcprobe.mark("check:strided", memoryview(bytearray(64))[::2])

    def test_refuses_a_tag_that_is_not_text(self):
        with self.assertRaises(TypeError):
            zcprobe.mark(b"check:bytes", b"x")
        with self.assertRaises(TypeError):
            zcprobe.mark("check:one")


if __name__ == "__main__":
    unittest.main()
