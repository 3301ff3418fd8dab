'use strict';
// driver.js: one measuring process of the node_addon_api boundary: Node.js receives frames
// from the producer library through an addon written with node-addon-api (addon/zcnapi.cc).
//
//   node --expose-gc driver.js ADDON PRODUCER STRATEGY BYTES REPETITIONS MIN_TIME_S TRANSFERS WATCHED
//
// WATCHED: the rendered transfers the evidence pass watches (main.c passes the core's
// ZC_EVIDENCE_TRANSFERS; 0 for --no-pages).
//
// The checks, the timed loop, the memory figures and the answer on file descriptor 3 are the
// node family's (node_common.js's addonRows, from scenarios/runtimes/, installed beside this
// file): each frame is checked through the object (its stamps) and dropped. What it says of
// the frames at the end (gc) is the addon's bookkeeping, whole.
const common = require('./node_common');

const run = common.args();
common.refuseOverBuffer(run.bytes);
const addon = require(run.addonPath);

async function main() {
  // close(): the frame held for the probe given back first, then the addon's state.
  const r = await common.addonRows(run, addon, () => addon.close());
  // The addon's bookkeeping of every frame of the process: taken, given_back,
  // double_releases, finalizers_run, finalizers_in_call, views and copies (zcnapi.cc's state).
  const frames = { ...r.after };
  delete frames.frames_out;
  common.answer({ ok: true, samples: r.samples, id: r.id, counts: r.counts, loop: r.loop,
    mem: r.mem, pages: r.pages,
    gc: { ...r.gc, frames_out_before_gc: r.before.frames_out,
      frames_out_at_end: r.after.frames_out, collections_at_end: r.collections, ...frames } });
}

main().catch((e) => common.refuse(common.EXIT_RUNTIME, `strategy '${run.strategy}': ${e.message}`));
