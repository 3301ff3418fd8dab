"""consumer.py: the Python side of the pyo3 boundary, what an application does with the frame
a pyo3 module hands it. It is assembled into build/bin/pyo3 (consumer_source.c) and run by
the interpreter embedded there.

load(path) imports the module (zcpyo3, a pyo3 extension module beside the program). Per
transfer the program calls take(seq, render): the consumer calls the module's method of
its strategy (zcpyo3.Source.PyBytes_new, .Vec_u8...), keeps what it returns as its own object
(pyclass_buffer's object is looked at through memoryview(obj)), checks the frame's stamps
through it and keeps it; read(k) reads one byte through it (the write-through probe); drop()
lets it go.
"""
import importlib.util
import sys

STAMP_BYTES = 8  # a little-endian uint64 at each end of the frame (src/core/frame.h)


def _as_returned(returned):
    return returned


# How each strategy's consumer turns what the module returned into its own object.
RECEIVE = {
    "PyBytes_new": _as_returned,
    "PyBytes_new_with": _as_returned,
    "Vec_u8": _as_returned,
    "pyclass_buffer": memoryview,
}


def load(path):
    """Imports the module zcpyo3, an extension module, from path."""
    spec = importlib.util.spec_from_file_location("zcpyo3", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["zcpyo3"] = module
    spec.loader.exec_module(module)
    return module


def stamp(frame, at):
    """The stamp at byte offset at, read through the consumer's own object."""
    return int.from_bytes(bytes(frame[at:at + STAMP_BYTES]), "little")


class Consumer:
    def __init__(self, source, strategy):
        """source: a zcpyo3.Source, or the address of the program's source to make one of."""
        if isinstance(source, int):
            source = sys.modules["zcpyo3"].Source(source)
        self.get = getattr(source, strategy)
        self.receive = RECEIVE[strategy]
        self.frame = None

    def take(self, seq, render):
        frame = self.receive(self.get(seq, render))
        last = len(frame) - STAMP_BYTES
        if stamp(frame, 0) != seq or stamp(frame, last) != seq:
            raise ValueError(f"frame {seq}: the consumer saw the stamps "
                             f"{stamp(frame, 0)} and {stamp(frame, last)}")
        self.frame = frame
        return frame

    def read(self, k):
        return int(self.frame[k])

    def drop(self):
        if isinstance(self.frame, memoryview):
            self.frame.release()  # the view lets the Frame go now, not at a collection
        self.frame = None
