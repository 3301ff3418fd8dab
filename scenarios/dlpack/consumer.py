"""consumer.py: the Python side of the dlpack boundary, what an application does with a frame
a library exports through DLPack. It is assembled into build/bin/dlpack (consumer_source.c)
and run by the interpreter embedded there.

Per transfer the program calls take(frame, seq) with the library's object (zcdlpack.Frame,
which has __dlpack__ and __dlpack_device__): the consumer makes its own array of it as its
strategy says (numpy.from_dlpack, or that array copied), checks the frame's stamps through it
and keeps it; read(k) reads one byte through it (the write-through probe); drop() lets it
go. write(frame) says what happens when the consumer writes into its array.
"""
import numpy

STAMP_BYTES = 8  # a little-endian uint64 at each end of the frame (src/core/frame.h)


def _view(frame):
    view = numpy.from_dlpack(frame)
    return view, view


def _copied(frame):
    view = numpy.from_dlpack(frame)
    return view.copy(), view


# How each strategy's consumer turns the library's object into its own array: the array, and
# the from_dlpack array it came from, kept until the drop as well, so that the tensor's
# deleter runs there for both (the producer's frame stays in place while the evidence pass
# compares it with the copy).
RECEIVE = {
    "from_dlpack": _view,
    "from_dlpack_copy": _copied,
}


def version():
    return numpy.__version__


def stamp(flat, at):
    """The stamp at byte offset at, read through the consumer's own array."""
    return int.from_bytes(flat[at:at + STAMP_BYTES].tobytes(), "little")


class Consumer:
    def __init__(self, strategy):
        self.receive = RECEIVE[strategy]
        self.frame = None
        self.flat = None
        self.source = None

    def take(self, frame, seq):
        array, source = self.receive(frame)
        flat = array.reshape(-1)  # a view: the array is C-contiguous
        last = flat.size - STAMP_BYTES
        if stamp(flat, 0) != seq or stamp(flat, last) != seq:
            raise ValueError(f"frame {seq}: the consumer saw the stamps "
                             f"{stamp(flat, 0)} and {stamp(flat, last)}")
        self.frame = array
        self.flat = flat
        self.source = source
        return array

    def read(self, k):
        return int(self.flat[k])

    def drop(self):
        self.frame = None
        self.flat = None
        self.source = None

    def write(self, frame):
        """Writes the first byte back into the array: None, or the exception's words."""
        array, _ = self.receive(frame)
        try:
            array[0, 0, 0] = array[0, 0, 0]
        except ValueError as e:
            return f"{type(e).__name__}: {e}"
        return None
