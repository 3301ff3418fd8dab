"""consumer.py: the Python side of the pyo3 boundary, what an application does with the frame
a pyo3 module hands it. It is assembled into build/bin/pyo3 (consumer_source.c) and run by
the interpreter embedded there.

Per transfer the program calls take(seq, render): the consumer calls the module's method of
its strategy (zcpyo3.Source.PyBytes_new, .Vec_u8...), keeps what it returns as its own object
(pyclass_buffer's object is looked at through memoryview(obj)), checks the frame's stamps
through it and keeps it; read(k) reads one byte through it (the write-through probe); drop()
lets it go.
"""
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


def stamp(frame, at):
    """The stamp at byte offset at, read through the consumer's own object."""
    return int.from_bytes(bytes(frame[at:at + STAMP_BYTES]), "little")


class Consumer:
    def __init__(self, source, strategy):
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
