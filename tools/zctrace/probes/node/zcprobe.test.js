// zcprobe.test.js: the Node.js probe module, a node --test file run by
// tools/zctrace/e2e_probes.sh under zctrace (whose --expect judges the marks) and without it.
// A test's name starts with its case, chosen with --test-name-pattern:
//
//   available  zcprobe.available() is true exactly when libzctrace.so is preloaded
//   shared     one backing store marked twice through two objects: labels frame (a Buffer and
//              a Uint8Array over one ArrayBuffer), view (the ArrayBuffer and a DataView),
//              wide (a Float64Array's 8-byte elements); zctrace --expect LABEL=shared passes
//   copied     a buffer and its copy: labels frame (Buffer.from(buffer)) and slice
//              (Uint8Array.prototype.slice); zctrace --expect LABEL=shared fails
//   arguments  what mark accepts and refuses, under the label check
//
// The module is found on NODE_PATH (build/lib/probes/node).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const zcprobe = require('zcprobe');

const MIB = 1 << 20;

/** An ArrayBuffer of n bytes that are not all equal, the same on every run. */
function frame(n = 4 * MIB) {
  const ab = new ArrayBuffer(n);
  const words = new Uint32Array(ab);
  let x = 28;
  for (let i = 0; i < words.length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    words[i] = x;
  }
  return ab;
}

const traced = /libzctrace\.so/.test(process.env.LD_PRELOAD ?? '');

test('available: exactly under zctrace', () => {
  assert.equal(zcprobe.available(), traced);
});

test('shared: a Buffer and a Uint8Array over one ArrayBuffer', () => {
  const ab = frame();
  const buf = Buffer.from(ab); // a view, not a copy
  zcprobe.mark('frame:buffer', buf);
  const u8 = new Uint8Array(ab);
  zcprobe.mark('frame:uint8array', u8);
  buf[0] ^= 0xff; // the premise: both are the ArrayBuffer's memory
  assert.equal(u8[0], buf[0]);
});

test('shared: an ArrayBuffer and a DataView over it', () => {
  const ab = frame();
  zcprobe.mark('view:arraybuffer', ab);
  zcprobe.mark('view:dataview', new DataView(ab));
});

test('shared: a Float64Array is its elements times 8 bytes', () => {
  const ab = frame();
  zcprobe.mark('wide:arraybuffer', ab);
  zcprobe.mark('wide:float64array', new Float64Array(ab));
});

test('copied: Buffer.from(buffer) copies', () => {
  const buf = Buffer.from(frame());
  zcprobe.mark('frame:buffer', buf);
  const copy = Buffer.from(buf);
  zcprobe.mark('frame:copy', copy);
  buf[0] ^= 0xff; // the premise: the copy has memory of its own
  assert.notEqual(copy[0], buf[0]);
});

test('copied: Uint8Array.prototype.slice copies', () => {
  const u8 = new Uint8Array(frame());
  zcprobe.mark('slice:uint8array', u8);
  zcprobe.mark('slice:slice', u8.slice());
});

test('arguments: every kind of bytes is accepted', () => {
  const ab = new ArrayBuffer(64);
  for (const bytes of [Buffer.alloc(0), Buffer.from('abc'), new Uint16Array(ab, 2, 3),
    new BigInt64Array(ab), new DataView(ab, 8, 8), ab, new ArrayBuffer(0)]) {
    assert.equal(zcprobe.mark(`check:${bytes.constructor.name}`, bytes), undefined);
  }
});

test('arguments: anything else is a TypeError', () => {
  for (const bad of ['text', 42, null, undefined, [1, 2], {}]) {
    assert.throws(() => zcprobe.mark('check:bad', bad), TypeError);
  }
  assert.throws(() => zcprobe.mark(1, Buffer.alloc(1)), /the tag must be a string/);
});
