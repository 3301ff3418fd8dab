/*
 * zcnapi.cc: a native addon written with node-addon-api 8 (the C++ wrapper over Node-API,
 * Napi::Buffer, Napi::ArrayBuffer), as its users write one: it loads the producer library
 * (build/lib/libzcproducer.so) and hands each frame to JavaScript the way a row names:
 *
 *   Buffer_New_external       Napi::Buffer<uint8_t>::New(env, data, len, finalizer): a view;
 *                             the finalizer gives the frame back when V8 collects the Buffer
 *   Buffer_Copy               Napi::Buffer<uint8_t>::Copy(env, data, len): Node's own copy
 *   Buffer_NewOrCopy          Napi::Buffer<uint8_t>::NewOrCopy(env, data, len, finalizer): a
 *                             view where the runtime allows external buffers, else a copy and
 *                             the finalizer run at once, inside the call
 *   ArrayBuffer_New_external  Napi::ArrayBuffer::New(env, data, len, finalizer), read through
 *                             a Napi::Uint8Array over it
 *   reference_memcpy          a bare memcpy of the producer's frame into one reused block
 *
 * Built twice: build/lib/node_addon_api/zcnapi.node as is, and zcnapi_no_externals.node with
 * NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED (node-addon-api's switch for runtimes that refuse
 * external buffers, Electron's V8 sandbox), where Buffer::New and ArrayBuffer::New over
 * external data do not exist and NewOrCopy takes its copy branch.
 *
 * It decides nothing about copies: the counting interposers (build/lib/libzchooks.so,
 * preloaded into node) see what node and V8 copied and allocated; since() reads them. What it
 * records is what happened to each frame: handed over, given back (by whom, once), and
 * whether the Buffer's bytes are the frame's (an address, not a verdict).
 *
 * The JavaScript side is driver.js, one strategy per process.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <string>
#include <utility>
#include <vector>

#include <napi.h>

/*
 * The library's headers are C: a function named like the struct it fills (zc_threads_mark)
 * is C's usage, which C++'s -Wshadow calls hiding a constructor.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
extern "C" {
#include "frame.h"
#include "instrument.h"
#include "producer_api.h"
}
#include "node_watch.h"
#pragma GCC diagnostic pop

namespace {

enum Kind {
	BUFFER_NEW_EXTERNAL,
	BUFFER_COPY,
	BUFFER_NEW_OR_COPY,
	ARRAYBUFFER_NEW_EXTERNAL,
	REFERENCE_MEMCPY,
};

struct KindName {
	const char *name;
	Kind kind;
};

/* The rows this build can run (main.c's table picks the build a row loads). */
const KindName kinds[] = {
#ifndef NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED
	{"Buffer_New_external", BUFFER_NEW_EXTERNAL},
	{"ArrayBuffer_New_external", ARRAYBUFFER_NEW_EXTERNAL},
	{"Buffer_NewOrCopy", BUFFER_NEW_OR_COPY},
#else
	{"Buffer_NewOrCopy_no_externals", BUFFER_NEW_OR_COPY},
#endif
	{"Buffer_Copy", BUFFER_COPY},
	{"reference_memcpy", REFERENCE_MEMCPY},
};

/* How the producer takes a frame back (zcp_take_frame's release contract). */
struct Lent {
	zcp_release_fn release;
	void *ctx;
};

struct Addon {
	struct zc_producer_api api;
	struct zcp_producer *producer = nullptr;
	void *lib = nullptr;
	Kind kind = REFERENCE_MEMCPY;
	size_t bytes = 0;
	uint64_t seq = 0;
	unsigned char *dst = nullptr;     /* reference_memcpy's reused block */
	unsigned char *scratch = nullptr; /* the expected content, for checksums */
	unsigned char *last = nullptr;    /* the producer's bytes of the last transfer */
	/*
	 * Frames handed over and not given back, by address: a second release is seen. A
	 * vector reserved at open, so that the bookkeeping allocates nothing per transfer.
	 */
	std::vector<std::pair<unsigned char *, Lent>> out;
	/*
	 * The frame given back inside the call that handed it over (Buffer_Copy after its copy,
	 * NewOrCopy's copy branch): kept until the next transfer, so the probe writes a live
	 * frame, then given back.
	 */
	unsigned char *held = nullptr;
	unsigned char *in_call = nullptr; /* the frame the call under way hands over */
	long taken = 0, given_back = 0, double_releases = 0;
	long finalizers_run = 0, finalizers_in_call = 0;
	long views = 0, copies = 0; /* transfers whose object's bytes are / are not the frame */
} zn;

/* Gives frame data back to the producer, once; a second time is only counted. */
void give_back(unsigned char *data)
{
	size_t i = zn.out.size();
	while (i > 0 && zn.out[i - 1].first != data)
		i--;
	if (i == 0) {
		zn.double_releases++;
		return;
	}
	Lent l = zn.out[i - 1].second;
	zn.out[i - 1] = zn.out.back();
	zn.out.pop_back();
	l.release(l.ctx, data);
	zn.given_back++;
}

void give_back_held()
{
	if (zn.held)
		give_back(zn.held);
	zn.held = nullptr;
}

/*
 * The finalizer every external row passes: what a node-addon-api user writes to give the
 * native memory back. Run for the frame the call under way hands over (NewOrCopy's copy
 * branch), it is counted apart and the frame held until the next transfer, for the probe.
 */
void finalize(Napi::Env, unsigned char *data)
{
	zn.finalizers_run++;
	if (data != zn.in_call) {
		give_back(data);
		return;
	}
	zn.finalizers_in_call++;
	give_back_held();
	zn.held = data;
}

[[noreturn]] void fail(Napi::Env env, const std::string &text)
{
	throw Napi::Error::New(env, text);
}

/* open(strategy, bytes, producerPath): loads the producer and readies the strategy. */
Napi::Value Open(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	if (info.Length() != 3 || !info[0].IsString() || !info[1].IsNumber() ||
	    !info[2].IsString())
		fail(env, "open(strategy, bytes, producer) expected");
	if (zn.producer)
		fail(env, "open: already open");
	std::string name = info[0].As<Napi::String>();
	const KindName *k = nullptr;
	for (const KindName &c : kinds)
		if (name == c.name)
			k = &c;
	if (!k)
		fail(env, "open: this build of the addon has no strategy '" + name + "'");
	if (!dlsym(RTLD_DEFAULT, "zc_counts_snapshot"))
		fail(env, "the counting interposers are not preloaded (LD_PRELOAD="
				 "build/lib/libzchooks.so)");
	std::string path = info[2].As<Napi::String>();
	zn.lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
	zcp_get_api_fn get_api =
		zn.lib ? reinterpret_cast<zcp_get_api_fn>(dlsym(zn.lib, ZCP_GET_API_SYMBOL)) : nullptr;
	if (!get_api || get_api(ZC_PRODUCER_ABI, &zn.api) != 0)
		fail(env, "cannot load the producer library '" + path + "'");
	zn.kind = k->kind;
	zn.bytes = (size_t)info[1].As<Napi::Number>().DoubleValue();
	zc_instrument_set_frame_bytes(zn.bytes);
	zn.producer = zn.api.open(zn.bytes, 0);
	zn.scratch = static_cast<unsigned char *>(malloc(zn.bytes));
	zn.dst = zn.kind == REFERENCE_MEMCPY ? static_cast<unsigned char *>(malloc(zn.bytes))
					     : nullptr;
	if (!zn.producer || !zn.scratch || (zn.kind == REFERENCE_MEMCPY && !zn.dst))
		fail(env, "open: out of memory");
	zn.out.reserve(4096);
	memset(zn.scratch, 0, zn.bytes);
	if (zn.dst)
		memset(zn.dst, 0, zn.bytes); /* first touch outside the timed loop */
	return env.Undefined();
}

/* A frame of the producer's, handed over: it owes one release. */
unsigned char *take(Napi::Env env, bool render)
{
	Lent l;
	unsigned char *data = zn.api.take_frame(zn.producer, ++zn.seq, render, &l.release, &l.ctx);
	if (!data)
		fail(env, "transfer: the producer has no frame");
	zn.out.emplace_back(data, l);
	zn.taken++;
	zn.last = data;
	return data;
}

/* The object's bytes are the frame's (a view) or not (a copy): counted, not judged. */
void note(const void *bytes)
{
	if (bytes == zn.last)
		zn.views++;
	else
		zn.copies++;
}

/* The bridge's own lines: what a node-addon-api user writes for each row. */
Napi::Value hand_over(Napi::Env env, unsigned char *frame)
{
	switch (zn.kind) {
#ifndef NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED
	case BUFFER_NEW_EXTERNAL: {
		Napi::Buffer<uint8_t> b = Napi::Buffer<uint8_t>::New(env, frame, zn.bytes, finalize);
		note(b.Data());
		return b;
	}
	case ARRAYBUFFER_NEW_EXTERNAL: {
		Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(
			env, frame, zn.bytes, [](Napi::Env e, void *data) {
				finalize(e, static_cast<unsigned char *>(data));
			});
		Napi::Uint8Array view = Napi::Uint8Array::New(env, zn.bytes, ab, 0);
		note(view.Data());
		return view;
	}
#endif
	case BUFFER_NEW_OR_COPY: {
		Napi::Buffer<uint8_t> b =
			Napi::Buffer<uint8_t>::NewOrCopy(env, frame, zn.bytes, finalize);
		note(b.Data());
		return b;
	}
	case BUFFER_COPY: {
		Napi::Buffer<uint8_t> b = Napi::Buffer<uint8_t>::Copy(env, frame, zn.bytes);
		note(b.Data());
		give_back_held(); /* the previous frame: kept until now for the probe */
		zn.held = frame;
		return b;
	}
	default:
		fail(env, "transfer: no such strategy");
	}
}

/* transfer(render): the next frame, handed to JavaScript the strategy's way. */
Napi::Value Transfer(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	bool render = info.Length() == 1 && info[0].ToBoolean().Value();
	if (!zn.producer)
		fail(env, "transfer: not open");
	if (zn.kind == REFERENCE_MEMCPY) {
		zn.last = zn.api.next_frame(zn.producer, ++zn.seq, render);
		memcpy(zn.dst, zn.last, zn.bytes);
		return Napi::Number::New(env, zn.dst[0]);
	}
	unsigned char *frame = take(env, render);
	zn.in_call = frame;
	try {
		Napi::Value v = hand_over(env, frame);
		zn.in_call = nullptr;
		return v;
	} catch (...) {
		zn.in_call = nullptr;
		throw;
	}
}

/* The bytes behind a Buffer, an ArrayBuffer or a typed array over one; NULL when none. */
const unsigned char *bytes_of(const Napi::Value &v, size_t *len)
{
	if (v.IsTypedArray()) {
		Napi::TypedArray t = v.As<Napi::TypedArray>();
		*len = t.ByteLength();
		return static_cast<const unsigned char *>(t.ArrayBuffer().Data()) + t.ByteOffset();
	}
	if (v.IsArrayBuffer()) {
		Napi::ArrayBuffer ab = v.As<Napi::ArrayBuffer>();
		*len = ab.ByteLength();
		return static_cast<const unsigned char *>(ab.Data());
	}
	*len = 0;
	return nullptr;
}

/* The frame the call's one argument holds; NULL when it holds none of the frame's size. */
const unsigned char *frame_arg(const Napi::CallbackInfo &info)
{
	size_t len = 0;
	const unsigned char *p = info.Length() == 1 ? bytes_of(info[0], &len) : nullptr;
	return len == zn.bytes ? p : nullptr;
}

/* stampOk(obj): the stamps of the frame the object holds read the last sequence number. */
Napi::Value StampOk(const Napi::CallbackInfo &info)
{
	const unsigned char *p = frame_arg(info);
	return Napi::Boolean::New(info.Env(), p && zc_frame_stamp_ok(p, zn.bytes, zn.seq));
}

/* checksumOk(obj): every byte the object holds is the content rendered for the last frame. */
Napi::Value ChecksumOk(const Napi::CallbackInfo &info)
{
	const unsigned char *p = frame_arg(info);
	bool ok = false;
	if (p) {
		zc_frame_render(zn.scratch, zn.bytes, zn.seq);
		ok = zc_frame_checksum(p, zn.bytes) == zc_frame_checksum(zn.scratch, zn.bytes);
	}
	return Napi::Boolean::New(info.Env(), ok);
}

/* addresses(obj): [the producer's address of the last frame, the object's own bytes]. */
Napi::Value Addresses(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	size_t len = 0;
	const unsigned char *p = info.Length() == 1 ? bytes_of(info[0], &len) : nullptr;
	const unsigned char *consumer = zn.kind == REFERENCE_MEMCPY ? zn.dst : p;
	Napi::Array out = Napi::Array::New(env, 2);
	out.Set(0u, Napi::BigInt::New(env, (uint64_t)(uintptr_t)zn.last));
	out.Set(1u, Napi::BigInt::New(env, (uint64_t)(uintptr_t)consumer));
	return out;
}

/* probeWrite(offset, value): the producer writes a byte of the frame it handed over last. */
Napi::Value ProbeWrite(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	if (info.Length() != 2 || !info[0].IsNumber() || !info[1].IsNumber() || !zn.last)
		fail(env, "probeWrite(offset, value) expected, after a transfer");
	uint32_t offset = info[0].As<Napi::Number>().Uint32Value();
	if (offset >= zn.bytes)
		fail(env, "probeWrite: offset past the frame");
	zn.last[offset] = (unsigned char)info[1].As<Napi::Number>().Uint32Value();
	return env.Undefined();
}

/* mark(): the interposers' counts now, for since(). */
Napi::Value Mark(const Napi::CallbackInfo &info)
{
	zc_node_counts_mark();
	return info.Env().Undefined();
}

/* since(): what the interposers saw since mark(), in every thread of this process. */
Napi::Value Since(const Napi::CallbackInfo &info)
{
	struct zc_counts d;
	zc_node_counts_since(&d);
	return Napi::Value(info.Env(), zc_node_counts(info.Env(), &d));
}

/*
 * What became of the frames: frames_out (the producer's count, but the one held for the
 * probe), taken, given_back, double_releases, finalizers_run, finalizers_in_call, and views
 * / copies (transfers whose object's bytes were / were not the frame's).
 */
Napi::Object frames_state(Napi::Env env)
{
	Napi::Object o = Napi::Object::New(env);
	long out = zn.producer ? zn.api.frames_out(zn.producer) - (zn.held != nullptr) : 0;
	o.Set("frames_out", (double)out);
	o.Set("taken", (double)zn.taken);
	o.Set("given_back", (double)zn.given_back);
	o.Set("double_releases", (double)zn.double_releases);
	o.Set("finalizers_run", (double)zn.finalizers_run);
	o.Set("finalizers_in_call", (double)zn.finalizers_in_call);
	o.Set("views", (double)zn.views);
	o.Set("copies", (double)zn.copies);
	return o;
}

/* state(): the frames' state now (frames_state). */
Napi::Value GetState(const Napi::CallbackInfo &info)
{
	return frames_state(info.Env());
}

/*
 * pagesArm(), pagesCount(), pagesResult(): the evidence pass in this process (node_watch.h),
 * pagesCount after a rendered transfer, JavaScript still holding its object.
 */
Napi::Value PagesArm(const Napi::CallbackInfo &info)
{
	return Napi::Value(info.Env(), zc_node_pages_arm(info.Env()));
}

Napi::Value PagesCount(const Napi::CallbackInfo &info)
{
	zc_node_pages_count(zn.last, zn.bytes, zn.seq);
	return info.Env().Undefined();
}

Napi::Value PagesResult(const Napi::CallbackInfo &info)
{
	return Napi::Value(info.Env(), zc_node_pages_result(info.Env()));
}

/*
 * close(): gives back the frame held for the probe, closes the producer; returns the frames'
 * state before the producer closed (frames_state), every frame accounted for.
 */
Napi::Value Close(const Napi::CallbackInfo &info)
{
	give_back_held();
	Napi::Object state = frames_state(info.Env());
	if (zn.producer)
		zn.api.close(zn.producer);
	zn.producer = nullptr;
	free(zn.dst);
	free(zn.scratch);
	zn.dst = zn.scratch = nullptr;
	return state;
}

Napi::Object Init(Napi::Env env, Napi::Object exports)
{
	exports.Set("open", Napi::Function::New(env, Open, "open"));
	exports.Set("transfer", Napi::Function::New(env, Transfer, "transfer"));
	exports.Set("stampOk", Napi::Function::New(env, StampOk, "stampOk"));
	exports.Set("checksumOk", Napi::Function::New(env, ChecksumOk, "checksumOk"));
	exports.Set("addresses", Napi::Function::New(env, Addresses, "addresses"));
	exports.Set("probeWrite", Napi::Function::New(env, ProbeWrite, "probeWrite"));
	exports.Set("mark", Napi::Function::New(env, Mark, "mark"));
	exports.Set("since", Napi::Function::New(env, Since, "since"));
	exports.Set("state", Napi::Function::New(env, GetState, "state"));
	exports.Set("close", Napi::Function::New(env, Close, "close"));
	exports.Set("pagesArm", Napi::Function::New(env, PagesArm, "pagesArm"));
	exports.Set("pagesCount", Napi::Function::New(env, PagesCount, "pagesCount"));
	exports.Set("pagesResult", Napi::Function::New(env, PagesResult, "pagesResult"));
	return exports;
}

} // namespace

NODE_API_MODULE(zcnapi, Init)
