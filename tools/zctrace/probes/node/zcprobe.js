// zcprobe.js: the probe API for Node.js (docs/zctrace.md, "Probe modules"). It loads the
// addon beside it (zcprobe.node, built by make zctrace into build/lib/probes/node/).
//
//   const zcprobe = require('zcprobe'); // NODE_PATH=build/lib/probes/node, or a path
//   zcprobe.mark('frame:js', buffer);     // a Buffer, TypedArray, DataView or ArrayBuffer
//   zcprobe.available();                  // true under zctrace
//
// Under zctrace a mark fingerprints the bytes for zctrace to pair with another mark of the
// same label ('frame') and judge shared or copied; without it, a mark does nothing.
'use strict';

const addon = require('./zcprobe.node');

/**
 * Marks the bytes of a Buffer, TypedArray or DataView (its window of the backing store) or
 * an ArrayBuffer (all of it) under tag. Throws a TypeError for anything else.
 * @param {string} tag  'label:side', such as 'frame:js'
 * @param {Buffer|ArrayBufferView|ArrayBuffer} bytes
 */
function mark(tag, bytes) {
  addon.mark(tag, bytes);
}

/** @returns {boolean} true when zctrace runs this process */
function available() {
  return addon.available();
}

module.exports = { mark, available };
