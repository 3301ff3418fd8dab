'use strict';
// driver.js: one measuring process of the wasm boundary: a WebAssembly module (the C or the
// Rust producer, compiled to wasm32) makes frames in its linear memory, and JavaScript takes
// them through the raw WebAssembly API, the way a row names:
//
//   Uint8Array_view   new Uint8Array(memory.buffer, ptr, len): a view of the module's bytes
//   slice             the same view's .slice(): an ArrayBuffer of JavaScript's own, a copy
//   view_after_grow   the view taken, then a call into the module that grows its memory:
//                     memory.grow detaches memory.buffer, and the view with it (byteLength 0,
//                     view[k] undefined); counted, and the frame read through a view made again
//   view_recreated    the call that may grow first, the view made after it, as a program must
//   reference_memcpy  a bare memcpy of the frame (the addon's) into one reused block
//
//   node --expose-gc driver.js ADDON MODULE STRATEGY BYTES REPETITIONS MIN_TIME_S TRANSFERS WATCHED
//
// The timed loop, the evidence pass, the memory figures and the answer on file descriptor 3
// are node's (scenarios/node/driver.js), kept here because a boundary includes no file of
// another's. The addon (addon/zcwasm.c) is the instruments only: the interposers' counts,
// the frame checks, addresses and the pages written; the bridge is the lines below. Every
// frame the module hands over goes back to it by zcw_release_frame, and the module counts
// them (taken, released, double releases): what became of the frames is its account.
//
// The answer: {"ok": true, ...} or {"ok": false, "code": N, "error": "one line"}.
const fs = require('fs');
const { PerformanceObserver } = require('perf_hooks');

const EXIT_USAGE = 2;
const EXIT_NOMEM = 4;
const EXIT_RUNTIME = 3;
const VALIDATION_FRAMES = 4;
const WARM_UP_TRANSFERS = 2;
const BATCH = 16; // transfers between two turns of the event loop
const WASM_PAGE = 65536;
const WASM32_MAX_BYTES = 65536 * WASM_PAGE; // 4 GiB: the most a wasm32 memory addresses

function answer(obj) {
  fs.writeSync(3, JSON.stringify(obj));
}

function refuse(code, error) {
  answer({ ok: false, code, error });
  process.exit(0);
}

const [addonPath, modulePath, strategy, bytesArg, repsArg, minTimeArg, transfersArg,
  watchedArg] = process.argv.slice(2);
const bytes = Number(bytesArg);
const repetitions = Number(repsArg);
const minTimeNs = Number(minTimeArg) * 1e9;
// --transfers: exactly this many timed transfers a repetition (0: as many as minTimeNs allows).
const fixedTransfers = Number(transfersArg || 0);
// The module's memory holds its code's data and stack below the frame: a frame must leave it
// room within wasm32's 4 GiB.
if (!(bytes > 0) || bytes > WASM32_MAX_BYTES - 16 * WASM_PAGE)
  refuse(EXIT_USAGE, `a frame of ${bytes} bytes is more than a wasm32 memory holds ` +
    `(${WASM32_MAX_BYTES} bytes, its code's data and stack included)`);
// The rows: each takes a frame from the module and hands JavaScript an object over its bytes.
const ROWS = {
  reference_memcpy: 'memcpy', Uint8Array_view: 'view', slice: 'slice',
  view_after_grow: 'after_grow', view_recreated: 'recreated',
};
const kind = ROWS[strategy.replace(/^rust_/, '')];
if (!kind) refuse(EXIT_USAGE, `no strategy '${strategy}' in driver.js`);

const addon = require(addonPath);
const turn = () => new Promise((resolve) => setImmediate(resolve));

// The module, instantiated with its one import: where its frame code made a frame.
let memory = null;
const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(modulePath)), {
  env: { zcw_made_frame: (ptr, len) => addon.madeFrame(memory.buffer, ptr, len) },
});
const wasm = instance.exports;
memory = wasm.memory;

let seq = 0;
let detached = 0; // view_after_grow: views found detached after the call that grew
let undefinedReads = 0; // and view[k] read as undefined through them
let noMemory = false;

// The bridge: frame seq, as the object JavaScript consumes; frame is the module's offset.
function handOver(frame) {
  switch (kind) {
    case 'view':
      return new Uint8Array(memory.buffer, frame, bytes);
    case 'slice':
      return new Uint8Array(memory.buffer, frame, bytes).slice();
    case 'after_grow': {
      let view = new Uint8Array(memory.buffer, frame, bytes);
      wasm.zcw_allocate_more(); // the producer allocates more: memory.grow
      if (view.byteLength === 0) {
        detached++;
        if (view[bytes >> 1] === undefined) undefinedReads++;
        view = new Uint8Array(memory.buffer, frame, bytes); // what the program must do
      }
      return view;
    }
    case 'recreated':
      wasm.zcw_allocate_more();
      return new Uint8Array(memory.buffer, frame, bytes);
    default: // memcpy
      return addon.memcpyFrame(new Uint8Array(memory.buffer, frame, bytes));
  }
}

// One transfer: the module's frame, the consumer's object checked through its stamps, and
// the frame given back unless keep (the caller gives it back). {frame, obj}.
function transfer(render, keep) {
  seq++;
  const frame = wasm.zcw_take_frame(seq, render ? 1 : 0);
  if (frame === 0) {
    noMemory = true;
    throw new Error(`the module's memory cannot hold another frame of ${bytes} bytes`);
  }
  const obj = handOver(frame);
  if (typeof obj !== 'number' && !addon.stampOk(obj, seq))
    throw new Error('the consumer saw a wrong stamp');
  if (!keep) release(frame);
  return { frame, obj };
}

function release(frame) {
  if (wasm.zcw_release_frame(frame) !== 0) throw new Error('a frame was given back twice');
}

// The write probe: the module changes a byte of the frame it handed over; JavaScript reads it.
function probe(t) {
  if (typeof t.obj === 'number') return false;
  const k = Math.floor(bytes / 2);
  const before = t.obj[k];
  wasm.zcw_probe_write(t.frame + k, before ^ 0xff);
  const seen = t.obj[k] === (before ^ 0xff);
  wasm.zcw_probe_write(t.frame + k, before);
  return seen;
}

function validate() {
  let checksumOk = true;
  let t = null;
  for (let i = 0; i < VALIDATION_FRAMES; i++) {
    if (t) release(t.frame);
    t = transfer(true, true); // given back once checked: the module reuses the block
    if (typeof t.obj !== 'number' && !addon.checksumOk(t.obj, seq)) checksumOk = false;
  }
  const producer = addon.address(new Uint8Array(memory.buffer, t.frame, bytes));
  const consumer = typeof t.obj === 'number' ? addon.referenceAddress() : addon.address(t.obj);
  const seen = probe(t);
  release(t.frame);
  return { producer: producer.toString(), consumer: consumer.toString(),
    aliasing_visible: seen, checksum_ok: checksumOk };
}

// One repetition: batches until minTimeNs has passed; ns per transfer and the transfers made.
async function repetition() {
  let n = 0;
  let sink = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  do {
    const batch = fixedTransfers > 0 ? Math.min(BATCH, fixedTransfers - n) : BATCH;
    for (let i = 0; i < batch; i++) {
      const { obj } = transfer(false, false);
      sink += typeof obj === 'number' ? obj : obj[0];
    }
    n += batch;
    await turn();
    elapsed = Number(process.hrtime.bigint() - t0);
  } while (fixedTransfers > 0 ? n < fixedTransfers : elapsed < minTimeNs);
  if (sink < 0) console.log(sink); // the work escapes
  return { ns: elapsed / n, n };
}

// The evidence pass: pages written by a few rendered transfers, counted while JavaScript
// holds what it got, the module's frame apart (written.h, through the addon). The module's
// memory is a mapping of node's like any other: watched, or listed as unwatched.
async function watchPages(watched) {
  for (let i = 0; i < watched; i++) {
    if (!addon.pagesArm()) break;
    const t = transfer(true, true);
    addon.pagesCount(new Uint8Array(memory.buffer, t.frame, bytes), seq);
    release(t.frame);
    await turn();
  }
  return addon.pagesResult();
}

// The process's memory now: RSS and PSS (smaps_rollup), its peak (maxRSS, the lifetime
// VmHWM) and its page faults since it started.
function memoryNow() {
  const ru = process.resourceUsage();
  const pss = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/smaps_rollup', 'utf8'));
  return { rss_kib: Math.round(process.memoryUsage().rss / 1024), pss_kib: pss ? Number(pss[1]) : -1,
    peak_kib: ru.maxRSS, minor_faults: ru.minorPageFault, major_faults: ru.majorPageFault };
}

// The module's account of its frames, and of its memory.
function frames() {
  return { taken: wasm.zcw_taken(), released: wasm.zcw_released(),
    double_releases: wasm.zcw_double_releases(), frames_out: wasm.zcw_frames_out(),
    grows: wasm.zcw_grows(), detached_views: detached, undefined_reads: undefinedReads,
    memory_bytes: memory.buffer.byteLength };
}

async function main() {
  const atSetup = memoryNow();
  if (wasm.zcw_open(bytes) !== 0)
    refuse(EXIT_USAGE, `the module cannot hold a frame of ${bytes} bytes (2 GiB at most)`);
  addon.open(bytes);
  for (let i = 0; i < WARM_UP_TRANSFERS; i++) transfer(false, false);
  await turn();
  const id = validate();
  await turn();
  // --no-pages: the evidence pass is not run, and the answer says so.
  const watched = Number(watchedArg || 0);
  const pages = watched > 0 ? await watchPages(watched) : { unavailable: 'not watched: --no-pages' };
  const samples = [];
  let loop = null;
  let counts = null;
  // V8's collections during the last repetition, as Node reports them (perf_hooks 'gc').
  const collected = { count: 0, ms: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      collected.count++;
      collected.ms += e.duration;
    }
  });
  for (let r = 0; r < repetitions; r++) {
    const last = r === repetitions - 1;
    let m0;
    if (last) {
      m0 = memoryNow();
      observer.observe({ entryTypes: ['gc'] });
      addon.mark();
    }
    const rep = await repetition();
    samples.push(rep.ns);
    if (last) {
      counts = addon.since();
      await turn(); // the observer's entries arrive on the event loop
      observer.disconnect();
      const m1 = memoryNow();
      loop = { n: rep.n, minor_faults: m1.minor_faults - m0.minor_faults,
        major_faults: m1.major_faults - m0.major_faults };
    }
  }
  const mem = memoryNow();
  mem.setup_rss_kib = atSetup.rss_kib;
  addon.close();
  answer({ ok: true, samples, id, counts, loop, mem, pages,
    gc: { collections_per_100_frames: (100 * collected.count) / loop.n,
      gc_ms_per_100_frames: (100 * collected.ms) / loop.n },
    wasm: frames() });
}

main().catch((e) => refuse(noMemory ? EXIT_NOMEM : EXIT_RUNTIME, `strategy '${strategy}': ${e.message}`));
