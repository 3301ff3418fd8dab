'use strict';
// driver.js: one measuring process of the node_addon_api boundary: Node.js receives frames
// from the producer library through an addon written with node-addon-api (addon/zcnapi.cc).
// A copy of scenarios/node/driver.js (a boundary includes no file of another's); what it says
// of the frames at the end (gc) is the addon's bookkeeping, whole.
//
//   node --expose-gc driver.js ADDON PRODUCER STRATEGY BYTES REPETITIONS MIN_TIME_S TRANSFERS WATCHED
//
// WATCHED: the rendered transfers the evidence pass watches (main.c passes the core's
// ZC_EVIDENCE_TRANSFERS; 0 for --no-pages).
//
// The timed loop is JavaScript's: batches of transfers, each frame checked through the
// object (its stamps) and dropped, timed with process.hrtime.bigint(); between batches the
// event loop turns (setImmediate), and that turn is timed too, since it is when Node runs the
// finalizers that give external frames back. One sample per repetition: its time per
// transfer. The untimed checks come first: the content of a few rendered frames, the
// addresses the objects' own backing stores give, and the write probe, read as view[k] by
// JavaScript after the producer changed the byte. What the process copied and allocated is
// counted by the interposers preloaded into node, over the last repetition.
//
// The answer is one JSON object written to file descriptor 3 (the scenario program reads it):
// {"ok": true, ...} or {"ok": false, "code": N, "error": "one line"}.
const fs = require('fs');
const { PerformanceObserver } = require('perf_hooks');
const { constants } = require('buffer');

const EXIT_USAGE = 2;
const EXIT_RUNTIME = 3;
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

const [addonPath, producerPath, strategy, bytesArg, repsArg, minTimeArg, transfersArg,
  watchedArg] = process.argv.slice(2);
const bytes = Number(bytesArg);
const repetitions = Number(repsArg);
const minTimeNs = Number(minTimeArg) * 1e9;
// --transfers: exactly this many timed transfers a repetition (0: as many as minTimeNs allows).
const fixedTransfers = Number(transfersArg || 0);
if (bytes > constants.MAX_LENGTH)
  refuse(EXIT_USAGE, `a frame of ${bytes} bytes is more than a Node.js Buffer holds ` +
    `(buffer.constants.MAX_LENGTH is ${constants.MAX_LENGTH})`);

const addon = require(addonPath);
const turn = () => new Promise((resolve) => setImmediate(resolve));

function transfer(render) {
  const obj = addon.transfer(render);
  if (typeof obj === 'number') return obj; // reference_memcpy: the copy's first byte
  if (!addon.stampOk(obj)) throw new Error('the consumer saw a wrong stamp');
  return obj;
}

// The write probe: the producer changes a byte after the hand-over; JavaScript reads it.
function probe(obj) {
  if (typeof obj === 'number') return false;
  const k = Math.floor(bytes / 2);
  const before = obj[k]; // a Buffer or a Uint8Array: JavaScript's own read of the byte
  addon.probeWrite(k, before ^ 0xff);
  const seen = obj[k] === (before ^ 0xff);
  addon.probeWrite(k, before);
  return seen;
}

function validate() {
  let checksumOk = true;
  let obj;
  for (let i = 0; i < VALIDATION_FRAMES; i++) {
    obj = transfer(true);
    if (typeof obj !== 'number' && !addon.checksumOk(obj)) checksumOk = false;
  }
  const [producer, consumer] = addon.addresses(obj);
  return { producer: producer.toString(), consumer: consumer.toString(),
    aliasing_visible: probe(obj), checksum_ok: checksumOk };
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
      const obj = transfer(false);
      sink += typeof obj === 'number' ? obj : 1;
    }
    n += batch;
    await turn();
    elapsed = Number(process.hrtime.bigint() - t0);
  } while (fixedTransfers > 0 ? n < fixedTransfers : elapsed < minTimeNs);
  if (sink < 0) console.log(sink); // the work escapes
  return { ns: elapsed / n, n };
}

// The process's memory now: RSS and PSS (smaps_rollup), its peak (maxRSS, the lifetime
// VmHWM) and its page faults since it started.
// The evidence pass: pages written by a few rendered transfers, counted while JavaScript
// holds each frame's object (written.h, through the addon).
async function watchPages(watched) {
  for (let i = 0; i < watched; i++) {
    if (!addon.pagesArm()) break;
    let obj = transfer(true);
    addon.pagesCount();
    obj = null;
    await turn();
  }
  return addon.pagesResult();
}

function memory() {
  const ru = process.resourceUsage();
  const pss = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/smaps_rollup', 'utf8'));
  return { rss_kib: Math.round(process.memoryUsage().rss / 1024), pss_kib: pss ? Number(pss[1]) : -1,
    peak_kib: ru.maxRSS, minor_faults: ru.minorPageFault, major_faults: ru.majorPageFault };
}

async function main() {
  const atSetup = memory();
  addon.open(strategy, bytes, producerPath);
  for (let i = 0; i < WARM_UP_TRANSFERS; i++) transfer(false);
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
      m0 = memory();
      observer.observe({ entryTypes: ['gc'] });
      addon.mark();
    }
    const rep = await repetition();
    samples.push(rep.ns);
    if (last) {
      counts = addon.since();
      await turn(); // the observer's entries arrive on the event loop
      observer.disconnect();
      const m1 = memory();
      loop = { n: rep.n, minor_faults: m1.minor_faults - m0.minor_faults,
        major_faults: m1.major_faults - m0.major_faults };
    }
  }
  const mem = memory();
  // When is the memory given back: collect, let the finalizers run, count what is still out.
  // V8 frees an ArrayBuffer's backing store on a thread of its own after the collection, and
  // Node runs the finalizer on a later turn: up to a second of collections and turns.
  const before = addon.state();
  const deadline = process.hrtime.bigint() + 1000000000n;
  let collections = 0;
  do {
    global.gc();
    collections++;
    await new Promise((resolve) => setTimeout(resolve, 1));
  } while (addon.state().frames_out > 0 && process.hrtime.bigint() < deadline);
  const after = addon.close(); // the frame held for the probe given back first
  mem.setup_rss_kib = atSetup.rss_kib;
  // The addon's bookkeeping of every frame of the process: taken, given_back,
  // double_releases, finalizers_run, finalizers_in_call, views and copies (zcnapi.cc's state).
  const frames = { ...after };
  delete frames.frames_out;
  answer({ ok: true, samples, id, counts, loop, mem, pages,
    gc: { collections_per_100_frames: (100 * collected.count) / loop.n,
      gc_ms_per_100_frames: (100 * collected.ms) / loop.n,
      frames_out_before_gc: before.frames_out, frames_out_at_end: after.frames_out,
      collections_at_end: collections, ...frames } });
}

main().catch((e) => refuse(EXIT_RUNTIME, `strategy '${strategy}': ${e.message}`));
