'use strict';
// driver.js: one measuring process of the node boundary: Node.js receives frames from the
// producer library through the addon (addon/zcnode.c), the JavaScript way.
//
//   node --expose-gc driver.js ADDON PRODUCER STRATEGY BYTES REPETITIONS MIN_TIME_S TRANSFERS WATCHED
//
// WATCHED: the rendered transfers the evidence pass watches (main.c passes 4; 0 for
// --no-pages).
//
// The checks, the timed loop, the memory figures and the answer on file descriptor 3 are the
// node family's (node_common.js's addonRows, from scenarios/runtimes/, installed beside this
// file): each frame is checked through the object (its stamps) and dropped. What it says of
// the frames at the end (gc) is the finalizers run and the external buffers refused.
const common = require('./node_common');

const run = common.args();
common.refuseOverBuffer(run.bytes);
const addon = require(run.addonPath);

async function main() {
  const r = await common.addonRows(run, addon, () => {
    const state = addon.state();
    addon.close();
    return state;
  });
  common.answer({ ok: true, samples: r.samples, id: r.id, counts: r.counts, loop: r.loop,
    mem: r.mem, pages: r.pages,
    gc: { ...r.gc, frames_out_before_gc: r.before.frames_out,
      frames_out_at_end: r.after.frames_out, collections_at_end: r.collections,
      finalizers_run: r.after.finalized, external_fallbacks: r.after.fallbacks } });
}

main().catch((e) => common.refuse(common.EXIT_RUNTIME, `strategy '${run.strategy}': ${e.message}`));
