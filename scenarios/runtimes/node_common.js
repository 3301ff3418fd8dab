'use strict';
// node_common.js: what the node family's driver.js files share (scenarios/node/,
// scenarios/node_addon_api/, scenarios/wasm/): the command line, the answer on file
// descriptor 3, the timed repetitions with the interposers' counts over the last one, the
// memory figures and the collections at the end. Installed beside each driver.js
// (build/lib/NAME/node_common.js, scenarios/runtimes/runtimes.mk).
//
//   node --expose-gc driver.js ADDON MODULE STRATEGY BYTES REPETITIONS MIN_TIME_S TRANSFERS WATCHED
//
// MODULE: the producer library, or the wasm module. WATCHED: the rendered transfers the
// evidence pass watches (main.c's; 0 for --no-pages or a later measuring process).
//
// The timed loop is JavaScript's: batches of transfers, timed with process.hrtime.bigint();
// between batches the event loop turns (setImmediate), and that turn is timed too, since it
// is when Node runs the finalizers that give external frames back. One sample per
// repetition: its time per transfer. What the process copied and allocated is counted by the
// interposers preloaded into node, over the last repetition.
//
// The answer is one JSON object: {"ok": true, ...} or {"ok": false, "code": N, "error": "one
// line"}.
const fs = require('fs');
const { PerformanceObserver } = require('perf_hooks');

const EXIT_USAGE = 2;
const EXIT_RUNTIME = 3;
const EXIT_NOMEM = 4;
const VALIDATION_FRAMES = 4;
const WARM_UP_TRANSFERS = 2;
const BATCH = 16; // frames in flight at most before the event loop turns

function answer(obj) {
  fs.writeSync(3, JSON.stringify(obj));
}

function refuse(code, error) {
  answer({ ok: false, code, error });
  process.exit(0);
}

// The command line, as numbers where it holds numbers.
function args() {
  const [addonPath, modulePath, strategy, bytesArg, repsArg, minTimeArg, transfersArg,
    watchedArg] = process.argv.slice(2);
  return { addonPath, modulePath, strategy, bytes: Number(bytesArg),
    repetitions: Number(repsArg), minTimeNs: Number(minTimeArg) * 1e9,
    // --transfers: exactly this many timed transfers a repetition (0: as many as time allows).
    fixedTransfers: Number(transfersArg || 0), watched: Number(watchedArg || 0) };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

// The process's memory now: RSS and PSS (smaps_rollup), its peak (maxRSS, the lifetime
// VmHWM) and its page faults since it started.
function memoryNow() {
  const ru = process.resourceUsage();
  const pss = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/smaps_rollup', 'utf8'));
  return { rss_kib: Math.round(process.memoryUsage().rss / 1024), pss_kib: pss ? Number(pss[1]) : -1,
    peak_kib: ru.maxRSS, minor_faults: ru.minorPageFault, major_faults: ru.majorPageFault };
}

// The evidence pass, watchPages(run.watched), or why it did not run (--no-pages).
async function pages(run, watchPages) {
  return run.watched > 0 ? watchPages(run.watched) : { unavailable: 'not watched: --no-pages' };
}

// One repetition: batches of step() (one transfer; a number the work escapes through) until
// run.minTimeNs has passed; ns per transfer and the transfers made.
async function repetition(run, step) {
  let n = 0;
  let sink = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  do {
    const batch = run.fixedTransfers > 0 ? Math.min(BATCH, run.fixedTransfers - n) : BATCH;
    for (let i = 0; i < batch; i++) sink += step();
    n += batch;
    await turn();
    elapsed = Number(process.hrtime.bigint() - t0);
  } while (run.fixedTransfers > 0 ? n < run.fixedTransfers : elapsed < run.minTimeNs);
  if (sink < 0) console.log(sink); // the work escapes
  return { ns: elapsed / n, n };
}

// The timed repetitions: samples, the addon's counts (mark, since) and the page faults over
// the last, and V8's collections during it as Node reports them (perf_hooks 'gc').
async function measure(run, addon, step) {
  const samples = [];
  let loop = null;
  let counts = null;
  const collected = { count: 0, ms: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      collected.count++;
      collected.ms += e.duration;
    }
  });
  for (let r = 0; r < run.repetitions; r++) {
    const last = r === run.repetitions - 1;
    let m0;
    if (last) {
      m0 = memoryNow();
      observer.observe({ entryTypes: ['gc'] });
      addon.mark();
    }
    const rep = await repetition(run, step);
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
  return { samples, counts, loop,
    gc: { collections_per_100_frames: (100 * collected.count) / loop.n,
      gc_ms_per_100_frames: (100 * collected.ms) / loop.n } };
}

// When is the memory given back: collect, let the finalizers run, count what is still out
// (addon.state().frames_out). V8 frees an ArrayBuffer's backing store on a thread of its own
// after the collection, and Node runs the finalizer on a later turn: up to a second of
// collections and turns. The state before, and the collections made.
async function collect(addon) {
  const before = addon.state();
  const deadline = process.hrtime.bigint() + 1000000000n;
  let collections = 0;
  do {
    global.gc();
    collections++;
    await new Promise((resolve) => setTimeout(resolve, 1));
  } while (addon.state().frames_out > 0 && process.hrtime.bigint() < deadline);
  return { before, collections };
}

// A frame no Node.js Buffer holds is refused as bad input, before the addon allocates any.
function refuseOverBuffer(bytes) {
  const { constants } = require('buffer');
  if (bytes > constants.MAX_LENGTH)
    refuse(EXIT_USAGE, `a frame of ${bytes} bytes is more than a Node.js Buffer holds ` +
      `(buffer.constants.MAX_LENGTH is ${constants.MAX_LENGTH})`);
}

// The object JavaScript reads a frame through: a Buffer or a typed array as it is, a view of
// an ArrayBuffer.
function bytesView(obj) {
  return obj instanceof ArrayBuffer ? new Uint8Array(obj) : obj;
}

// The rows of a boundary whose addon hands the producer library's frames over itself (node,
// node_addon_api): addon.transfer(render) returns the object JavaScript reads (a Buffer, an
// ArrayBuffer, a Uint8Array), or for reference_memcpy the copy's first byte. One process:
// the untimed checks (the content of a few rendered frames, the addresses the objects' own
// backing stores give, the write probe read as view[k] by JavaScript after the producer
// changed the byte), the evidence pass, the timed repetitions, the collections. finish()
// closes the addon and returns its state at the end. The answer's parts: samples, id,
// counts, loop, mem, pages, gc (its timed part), and before, after, collections.
async function addonRows(run, addon, finish) {
  const { bytes } = run;
  const transfer = (render) => {
    const obj = addon.transfer(render);
    if (typeof obj === 'number') return obj; // reference_memcpy: the copy's first byte
    if (!addon.stampOk(obj)) throw new Error('the consumer saw a wrong stamp');
    return obj;
  };
  // The write probe: the producer changes a byte after the hand-over; JavaScript reads it.
  const probe = (obj) => {
    if (typeof obj === 'number') return false;
    const view = bytesView(obj);
    const k = Math.floor(bytes / 2);
    const before = view[k];
    addon.probeWrite(k, before ^ 0xff);
    const seen = view[k] === (before ^ 0xff);
    addon.probeWrite(k, before);
    return seen;
  };
  const validate = () => {
    let checksumOk = true;
    let obj;
    for (let i = 0; i < VALIDATION_FRAMES; i++) {
      obj = transfer(true);
      if (typeof obj !== 'number' && !addon.checksumOk(obj)) checksumOk = false;
    }
    const [producer, consumer] = addon.addresses(obj);
    return { producer: producer.toString(), consumer: consumer.toString(),
      aliasing_visible: probe(obj), checksum_ok: checksumOk };
  };
  // The evidence pass: pages written by a few rendered transfers, counted while JavaScript
  // holds each frame's object (written.h, through the addon).
  const watchPages = async (watched) => {
    for (let i = 0; i < watched; i++) {
      if (!addon.pagesArm()) break;
      let obj = transfer(true);
      addon.pagesCount();
      obj = null;
      await turn();
    }
    return addon.pagesResult();
  };
  // One timed transfer, the number the work escapes through.
  const step = () => {
    const obj = transfer(false);
    return typeof obj === 'number' ? obj : 1;
  };

  const atSetup = memoryNow();
  addon.open(run.strategy, bytes, run.modulePath);
  for (let i = 0; i < WARM_UP_TRANSFERS; i++) transfer(false);
  await turn();
  const id = validate();
  await turn();
  const watched = await pages(run, watchPages);
  const m = await measure(run, addon, step);
  const mem = memoryNow();
  const { before, collections } = await collect(addon);
  const after = finish();
  mem.setup_rss_kib = atSetup.rss_kib;
  return { samples: m.samples, id, counts: m.counts, loop: m.loop, mem, pages: watched,
    gc: m.gc, before, after, collections };
}

module.exports = { EXIT_USAGE, EXIT_RUNTIME, EXIT_NOMEM, VALIDATION_FRAMES, WARM_UP_TRANSFERS,
  answer, refuse, args, turn, memoryNow, pages, measure, collect,
  refuseOverBuffer, addonRows };
