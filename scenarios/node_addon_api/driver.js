'use strict';
// driver.js: one measuring process of the node_addon_api boundary: Node.js receives frames
// from the producer library through an addon written with node-addon-api (addon/zcnapi.cc).
// What it says of the frames at the end (gc) is the addon's bookkeeping, whole.
//
//   node --expose-gc driver.js ADDON PRODUCER STRATEGY BYTES REPETITIONS MIN_TIME_S TRANSFERS WATCHED
//
// WATCHED: the rendered transfers the evidence pass watches (main.c passes the core's
// ZC_EVIDENCE_TRANSFERS; 0 for --no-pages).
//
// The timed loop, the memory figures and the answer on file descriptor 3 are the node
// family's (node_common.js, from scenarios/runtimes/, installed beside this file). Each frame
// is checked through the object (its stamps) and dropped. The untimed checks come first: the
// content of a few rendered frames, the addresses the objects' own backing stores give, and
// the write probe, read as view[k] by JavaScript after the producer changed the byte.
const { constants } = require('buffer');
const common = require('./node_common');

const { VALIDATION_FRAMES, turn } = common;
const run = common.args();
const { bytes, strategy } = run;
if (bytes > constants.MAX_LENGTH)
  common.refuse(common.EXIT_USAGE, `a frame of ${bytes} bytes is more than a Node.js Buffer ` +
    `holds (buffer.constants.MAX_LENGTH is ${constants.MAX_LENGTH})`);

const addon = require(run.addonPath);

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

// One timed transfer, the number the work escapes through.
function step() {
  const obj = transfer(false);
  return typeof obj === 'number' ? obj : 1;
}

async function main() {
  const atSetup = common.memoryNow();
  addon.open(strategy, bytes, run.modulePath);
  for (let i = 0; i < common.WARM_UP_TRANSFERS; i++) transfer(false);
  await turn();
  const id = validate();
  await turn();
  const pages = await common.pages(run, watchPages);
  const m = await common.measure(run, addon, step);
  const mem = common.memoryNow();
  const { before, collections } = await common.collect(addon);
  const after = addon.close(); // the frame held for the probe given back first
  mem.setup_rss_kib = atSetup.rss_kib;
  // The addon's bookkeeping of every frame of the process: taken, given_back,
  // double_releases, finalizers_run, finalizers_in_call, views and copies (zcnapi.cc's state).
  const frames = { ...after };
  delete frames.frames_out;
  common.answer({ ok: true, samples: m.samples, id, counts: m.counts, loop: m.loop, mem, pages,
    gc: { ...m.gc, frames_out_before_gc: before.frames_out, frames_out_at_end: after.frames_out,
      collections_at_end: collections, ...frames } });
}

main().catch((e) => common.refuse(common.EXIT_RUNTIME, `strategy '${strategy}': ${e.message}`));
