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
// The timed loop, the memory figures and the answer on file descriptor 3 are the node
// family's (node_common.js, from scenarios/runtimes/, installed beside this file). The addon
// (addon/zcwasm.c) is the instruments only: the interposers' counts, the frame checks,
// addresses and the pages written; the bridge is the lines below. Every frame the module
// hands over goes back to it by zcw_release_frame, and the module counts them (taken,
// released, double releases): what became of the frames is its account.
//
// The answer: {"ok": true, ...} or {"ok": false, "code": N, "error": "one line"}.
const fs = require('fs');
const common = require('./node_common');

const { EXIT_USAGE, VALIDATION_FRAMES, turn } = common;
const WASM_PAGE = 65536;
const WASM32_MAX_BYTES = 65536 * WASM_PAGE; // 4 GiB: the most a wasm32 memory addresses
const refuse = common.refuse;

const run = common.args();
const { bytes, strategy } = run;
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

const addon = require(run.addonPath);

// The module, instantiated with its one import: where its frame code made a frame.
let memory = null;
const compiled = new WebAssembly.Module(fs.readFileSync(run.modulePath));
const instance = new WebAssembly.Instance(compiled, {
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

// One timed transfer, the number the work escapes through.
function step() {
  const { obj } = transfer(false, false);
  return typeof obj === 'number' ? obj : obj[0];
}

// The module's account of its frames, and of its memory.
function frames() {
  return { taken: wasm.zcw_taken(), released: wasm.zcw_released(),
    double_releases: wasm.zcw_double_releases(), frames_out: wasm.zcw_frames_out(),
    grows: wasm.zcw_grows(), detached_views: detached, undefined_reads: undefinedReads,
    memory_bytes: memory.buffer.byteLength };
}

async function main() {
  const atSetup = common.memoryNow();
  if (wasm.zcw_open(bytes) !== 0)
    refuse(EXIT_USAGE, `the module cannot hold a frame of ${bytes} bytes (2 GiB at most)`);
  addon.open(bytes);
  for (let i = 0; i < common.WARM_UP_TRANSFERS; i++) transfer(false, false);
  await turn();
  const id = validate();
  await turn();
  const pages = await common.pages(run, watchPages);
  const m = await common.measure(run, addon, step);
  const mem = common.memoryNow();
  mem.setup_rss_kib = atSetup.rss_kib;
  addon.close();
  common.answer({ ok: true, samples: m.samples, id, counts: m.counts, loop: m.loop, mem, pages,
    gc: m.gc, wasm: frames() });
}

main().catch((e) => refuse(noMemory ? common.EXIT_NOMEM : common.EXIT_RUNTIME,
  `strategy '${strategy}': ${e.message}`));
