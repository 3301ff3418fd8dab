/*
 * zcwasm.h: the exports of the wasm boundary's producer modules, the C one (producer.c) and
 * the Rust one (wasm_rust/src/lib.rs) alike; driver.js calls them through instance.exports.
 * Offsets are into the module's memory.buffer; 32-bit numbers, no BigInt per call.
 */
#ifndef ZCWASM_H
#define ZCWASM_H

#include <stddef.h>
#include <stdint.h>

/* Readies the producer for frames of bytes: 0; -1 when it cannot hold such a frame. */
int zcw_open(size_t bytes);
/* Frame seq, rendered or only stamped: its offset, owed one zcw_release_frame; 0: no memory. */
uintptr_t zcw_take_frame(uint32_t seq, int render);
/* Gives a frame back: 0; -1 (counted) when it is not out. */
int zcw_release_frame(uintptr_t frame);
/* The producer asks for more memory (memory.grow); the pages the memory has after. */
uint32_t zcw_allocate_more(void);
/* The producer writes the byte at @at (the write-through probe). */
void zcw_probe_write(uintptr_t at, uint32_t value);
/* Its account: frames out, handed over, given back, given back twice; grows asked for. */
uint32_t zcw_frames_out(void);
uint32_t zcw_taken(void);
uint32_t zcw_released(void);
uint32_t zcw_double_releases(void);
uint32_t zcw_grows(void);

#endif
