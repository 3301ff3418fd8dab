"""consumer.py: the Python side of the python boundary, what an application does with the
frame a native extension (pyo3, say) hands it. It is assembled into build/bin/python
(consumer_source.c) and run by the interpreter embedded there.

Per transfer the program calls take(handed, seq): the consumer makes its own object of what it
was handed, as its strategy says (the bytes object as it is, memoryview(), numpy), checks the
frame's stamps through that object and keeps it; read(k) reads one byte through it (the
write-through probe); drop() lets it go.
"""
import gc

try:
    import numpy
except ImportError:  # python3-numpy is not installed, or --no-numpy left it out
    numpy = None

STAMP_BYTES = 8  # a little-endian uint64 at each end of the frame (src/core/frame.h)


def _as_handed(handed):
    return handed


def _frombuffer(handed):
    return numpy.frombuffer(handed, dtype=numpy.uint8)


def _array(handed):
    return numpy.array(handed)


# How each strategy's consumer turns what it was handed into its own object.
RECEIVE = {
    "bytes": _as_handed,
    "bytearray": _as_handed,
    "memoryview": memoryview,
    "numpy_frombuffer": _frombuffer,
    "numpy_array": _array,
}


def stamp(frame, at):
    """The stamp at byte offset at, read through the consumer's own object."""
    return int.from_bytes(frame[at:at + STAMP_BYTES], "little")


class Consumer:
    def __init__(self, strategy):
        self.receive = RECEIVE[strategy]
        self.frame = None

    def take(self, handed, seq):
        frame = self.receive(handed)
        last = len(frame) - STAMP_BYTES
        if stamp(frame, 0) != seq or stamp(frame, last) != seq:
            raise ValueError(f"frame {seq}: the consumer saw the stamps "
                             f"{stamp(frame, 0)} and {stamp(frame, last)}")
        self.frame = frame
        return frame

    def read(self, k):
        return int(self.frame[k])

    def drop(self):
        self.frame = None


def gc_collections():
    """The collections the gc made since the interpreter started, by generation."""
    return [g["collections"] for g in gc.get_stats()]


def numpy_version():
    return numpy.__version__ if numpy is not None else None
