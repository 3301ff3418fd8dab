//! zcwasm_rust: the producer of the wasm boundary in Rust, compiled to WebAssembly
//! (wasm32-unknown-unknown): each frame a `Box<[u8]>` from Rust's own allocator in the
//! module's linear memory, handed to JavaScript as its offset in `memory.buffer`
//! (`Box::into_raw`) and taken back by `zcw_release_frame` (`Box::from_raw`), once.
//!
//! The exports are the C producer's (`wasm_c/producer.c`), so that one driver.js uses
//! either. Nothing here counts a copy: JavaScript's side is observed by the instruments in
//! the node process; what this module keeps is which frames are out, to see each come back
//! once.

use std::cell::RefCell;
use std::collections::BTreeSet;

extern "C" {
    // The project's frame pattern (src/core/frame.h), compiled to wasm32 and linked in.
    fn zc_frame_render(frame: *mut u8, bytes: usize, seq: u64);
    fn zc_frame_stamp(frame: *mut u8, bytes: usize, seq: u64);
}

#[link(wasm_import_module = "env")]
extern "C" {
    // JavaScript's import (driver.js): where the module made a frame, for the interposers.
    fn zcw_made_frame(frame: *const u8, bytes: usize);
}

/// The symbol frame.c tells of every frame it renders or stamps (src/instrument/provenance.h,
/// weak there): in the module, the import the node process answers.
#[no_mangle]
pub extern "C" fn zc_provenance_frame(frame: *const u8, bytes: usize) {
    // SAFETY: an import of the module's, given by driver.js; it only reads the arguments.
    unsafe { zcw_made_frame(frame, bytes) }
}

const WASM_PAGE: usize = 65536;
/// What `zcw_allocate_more` grows the memory by in all: past it, a grow of 0 pages.
const MORE_RESERVE: usize = 16 << 20;

#[derive(Default)]
struct Producer {
    bytes: usize,
    /// The addresses of the frames handed over and not given back.
    out: BTreeSet<usize>,
    taken: u32,
    released: u32,
    double_releases: u32,
    grown_pages: usize,
    /// Bytes the producer asked for between frames (`zcw_allocate_more`), kept.
    more: Vec<Vec<u8>>,
    grows: u32,
}

thread_local! {
    static PRODUCER: RefCell<Producer> = RefCell::new(Producer::default());
}

/// Readies the producer for frames of `bytes`; -1 when the size is not one it can hold.
#[no_mangle]
pub extern "C" fn zcw_open(bytes: usize) -> i32 {
    if bytes < 16 || bytes > usize::MAX / 2 {
        return -1;
    }
    PRODUCER.with(|p| p.borrow_mut().bytes = bytes);
    0
}

/// Frame `seq`, rendered whole when `render` is set, else stamped: its offset in
/// memory.buffer, owed one `zcw_release_frame`; 0 when the memory cannot hold another.
#[no_mangle]
pub extern "C" fn zcw_take_frame(seq: u32, render: i32) -> usize {
    PRODUCER.with(|p| {
        let mut p = p.borrow_mut();
        let mut frame: Vec<u8> = Vec::new();
        if frame.try_reserve_exact(p.bytes).is_err() {
            return 0;
        }
        // SAFETY: the capacity is p.bytes; the frame code writes every byte (render) or the
        // stamps, and the rest is the allocator's, as a Rust producer that fills in place.
        unsafe {
            frame.set_len(p.bytes);
            if render != 0 {
                zc_frame_render(frame.as_mut_ptr(), p.bytes, u64::from(seq));
            } else {
                zc_frame_stamp(frame.as_mut_ptr(), p.bytes, u64::from(seq));
            }
        }
        let data = Box::into_raw(frame.into_boxed_slice()) as *mut u8 as usize;
        p.out.insert(data);
        p.taken += 1;
        data
    })
}

/// Gives a frame back: 0; -1 (and counted) when it is not one handed over and still out.
#[no_mangle]
pub extern "C" fn zcw_release_frame(frame: usize) -> i32 {
    PRODUCER.with(|p| {
        let mut p = p.borrow_mut();
        if !p.out.remove(&frame) {
            p.double_releases += 1;
            return -1;
        }
        let slice = std::ptr::slice_from_raw_parts_mut(frame as *mut u8, p.bytes);
        // SAFETY: frame came from Box::into_raw of a boxed slice of p.bytes, given back once.
        drop(unsafe { Box::from_raw(slice) });
        p.released += 1;
        0
    })
}

/// The producer asks for more memory: a block of a page at a time up to MORE_RESERVE, kept
/// (Rust's allocator serves it with memory.grow when it is short); when the allocator had
/// room, or past the reserve, `memory.grow(0)`, which V8 handles as any grow (the old
/// ArrayBuffer is detached). The pages the memory has.
#[no_mangle]
pub extern "C" fn zcw_allocate_more() -> u32 {
    PRODUCER.with(|p| {
        let mut p = p.borrow_mut();
        let before = core::arch::wasm32::memory_size(0);
        if p.grown_pages * WASM_PAGE < MORE_RESERVE {
            p.more.push(Vec::with_capacity(WASM_PAGE));
        }
        let mut after = core::arch::wasm32::memory_size(0);
        if after > before {
            p.grown_pages += after - before;
        } else {
            after = core::arch::wasm32::memory_grow(0, 0);
        }
        p.grows += 1;
        after as u32
    })
}

/// The producer writes a byte of its memory (the write-through probe).
#[no_mangle]
pub extern "C" fn zcw_probe_write(at: usize, value: u32) {
    // SAFETY: driver.js passes an offset inside a frame that is out.
    unsafe { std::ptr::write_volatile(at as *mut u8, value as u8) }
}

#[no_mangle]
pub extern "C" fn zcw_frames_out() -> u32 {
    PRODUCER.with(|p| p.borrow().out.len() as u32)
}

#[no_mangle]
pub extern "C" fn zcw_taken() -> u32 {
    PRODUCER.with(|p| p.borrow().taken)
}

#[no_mangle]
pub extern "C" fn zcw_released() -> u32 {
    PRODUCER.with(|p| p.borrow().released)
}

#[no_mangle]
pub extern "C" fn zcw_double_releases() -> u32 {
    PRODUCER.with(|p| p.borrow().double_releases)
}

#[no_mangle]
pub extern "C" fn zcw_grows() -> u32 {
    PRODUCER.with(|p| p.borrow().grows)
}
