"""consumer.py: the Python side of the pybind11 boundary, what an application does with the
frame a pybind11 module hands it. It is assembled into build/bin/pybind11 (consumer_source.c)
and run by the interpreter embedded there.

Per transfer the program calls take(seq): the consumer calls the bindings' function of its
strategy (zcbridge.Source.bytes, .array_t_capsule...), keeps what it returns as its own object
(buffer_protocol's object is looked at through numpy.array(obj, copy=False), as pybind11's
documentation shows), checks the frame's stamps through it and keeps it; read(k) reads one
byte through it (the write-through probe); drop() lets it go.
"""
import numpy

STAMP_BYTES = 8  # a little-endian uint64 at each end of the frame (src/core/frame.h)


def _as_returned(returned):
    return returned


def _numpy_view(returned):
    return numpy.array(returned, copy=False)


# How each strategy's consumer turns what the bindings returned into its own object.
RECEIVE = {
    "bytes": _as_returned,
    "array_t_capsule": _as_returned,
    "array_t_no_base": _as_returned,
    "memoryview_from_memory": _as_returned,
    "vector_list": _as_returned,
    "buffer_protocol": _numpy_view,
}


def stamp(frame, at):
    """The stamp at byte offset at, read through the consumer's own object."""
    return int.from_bytes(bytes(frame[at:at + STAMP_BYTES]), "little")


class Consumer:
    def __init__(self, source, strategy):
        self.get = getattr(source, strategy)
        self.receive = RECEIVE[strategy]
        self.frame = None

    def take(self, seq):
        frame = self.receive(self.get(seq))
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
