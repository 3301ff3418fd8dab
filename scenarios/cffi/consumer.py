"""consumer.py: the Python side of the cffi boundary, what an application using cffi does with
the producer library. It is assembled into build/bin/cffi (consumer_source.c) and run by the
interpreter embedded there.

The consumer drives the producer itself, as a cffi user does in ABI mode: ffi.dlopen of the
library, its one exported function (zcp_get_api) called to fill the table of function
pointers, then the producer's functions called through it. Per transfer the program calls
take(seq, render): the consumer asks the producer for frame seq and makes its own object of
it as its strategy says (ffi.unpack, ffi.buffer, ffi.buffer over an ffi.gc pointer, a slice
of an ffi.buffer), checks the frame's stamps through that object and keeps it; read(k) reads
one byte through it (the write-through probe); drop() lets it go.
"""
import cffi

STAMP_BYTES = 8  # a little-endian uint64 at each end of the frame (src/core/frame.h)

# scenarios/producers/producer_api.h, the members in its order (those unused as void *).
ffi = cffi.FFI()
ffi.cdef("""
typedef void (*zcp_release_fn)(void *ctx, unsigned char *data);
struct zc_producer_api {
    void *(*open)(size_t bytes, unsigned pool_slots);
    void (*close)(void *p);
    unsigned char *(*next_frame)(void *p, uint64_t seq, int render);
    unsigned char *(*take_frame)(void *p, uint64_t seq, int render,
                                 zcp_release_fn *release, void **ctx);
    void *encode_frame, *free_message, *share_frame, *arc_data, *arc_drop;
    void *lend_frame, *end_lend, *pool_fill, *pool_return, *take_vec;
    void *release_vec, *take_shrunk;
    long (*frames_out)(void *p);
};
int zcp_get_api(unsigned abi, struct zc_producer_api *api);
""")
ABI = 2  # ZC_PRODUCER_ABI

_apis = {}


def api(library):
    """The producer's table of functions, from the library at path library (loaded once)."""
    if library not in _apis:
        lib = ffi.dlopen(library)
        table = ffi.new("struct zc_producer_api *")
        if lib.zcp_get_api(ABI, table) != 0:
            raise RuntimeError(f"{library} is not a zcbench producer of ABI {ABI}")
        _apis[library] = (lib, table)
    return _apis[library][1]


# Where the consumer is when an owned frame goes back to the producer (its ffi.gc destructor).
TAKING, DROPPING, OUTSIDE = "while_taking", "at_drop", "later"
phase = OUTSIDE
frames = {"taken": 0, TAKING: 0, DROPPING: 0, OUTSIDE: 0}


def _unpack(c, p):
    # As char *: ffi.unpack of an unsigned char * returns a list of ints, not bytes.
    return ffi.unpack(ffi.cast("char *", p), c.bytes)


def _buffer(c, p):
    return ffi.buffer(p, c.bytes)


def _buffer_slice(c, p):
    return ffi.buffer(p, c.bytes)[:]


def _give_back(release, ctx):
    def destructor(p):
        release(ctx, p)
        frames[phase] += 1
    return destructor


def _buffer_gc(c, p):
    owned = ffi.gc(p, _give_back(c.release[0], c.ctx[0]))
    return ffi.buffer(owned, c.bytes)


# Each strategy: whether it takes the frame (the move contract), and its object of it.
RECEIVE = {
    "unpack": (False, _unpack),
    "buffer": (False, _buffer),
    "buffer_slice": (False, _buffer_slice),
    "buffer_gc": (True, _buffer_gc),
}


def stamp(frame, at):
    """The stamp at byte offset at, read through the consumer's own object."""
    return int.from_bytes(frame[at:at + STAMP_BYTES], "little")


class Consumer:
    def __init__(self, library, strategy, nbytes):
        self.api = api(library)
        self.takes, self.receive = RECEIVE[strategy]
        self.bytes = nbytes
        self.release = ffi.new("zcp_release_fn *")
        self.ctx = ffi.new("void **")
        self.producer = self.api.open(nbytes, 0)
        if self.producer == ffi.NULL:
            raise MemoryError(f"the producer cannot open {nbytes}-byte frames")
        self.frame = None
        self.address = 0  # the producer's frame handed over last

    def _next(self, seq, render):
        if self.takes:
            p = self.api.take_frame(self.producer, seq, render, self.release, self.ctx)
        else:
            p = self.api.next_frame(self.producer, seq, render)
        if p == ffi.NULL:
            raise MemoryError(f"no frame {seq}")
        if self.takes:
            frames["taken"] += 1
        self.address = int(ffi.cast("uintptr_t", p))
        return p

    def take(self, seq, render):
        global phase
        phase = TAKING
        try:
            frame = self.receive(self, self._next(seq, render))
        finally:
            phase = OUTSIDE
        last = len(frame) - STAMP_BYTES
        if stamp(frame, 0) != seq or stamp(frame, last) != seq:
            raise ValueError(f"frame {seq}: the consumer saw the stamps "
                             f"{stamp(frame, 0)} and {stamp(frame, last)}")
        self.frame = frame
        return frame

    def read(self, k):
        return self.frame[k:k + 1][0]

    def drop(self):
        global phase
        phase = DROPPING
        try:
            self.frame = None
        finally:
            phase = OUTSIDE

    def frames_out(self):
        return self.api.frames_out(self.producer)

    def close(self):
        self.drop()
        self.api.close(self.producer)
        self.producer = ffi.NULL


def version():
    return cffi.__version__
