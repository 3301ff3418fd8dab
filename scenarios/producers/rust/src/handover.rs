//! Frames whose ownership passes to the consumer, as a Rust bridge hands them over:
//!
//! - `take_frame` (move): `Vec<u8>` -> `into_boxed_slice` -> `Box::into_raw`; the consumer
//!   calls `release_boxed`, which rebuilds the `Box` and drops it.
//! - `take_vec` (move_vec): the `Vec`'s parts (pointer, length, capacity) without shrinking;
//!   `release_vec` rebuilds it with `Vec::from_raw_parts`.
//! - `take_shrunk` (shrink_then_move): allo-isolate's way, `shrink_to_fit` first. That is a
//!   realloc, and whether the allocator moves the block (a copy of the frame nobody wrote)
//!   is for the instruments to see.
//!
//! Every frame handed over is remembered until it comes back: a release of a frame that is
//! not out (a second release) is reported and aborts, as a double free must not go on.

use std::mem::{ManuallyDrop, MaybeUninit};
use std::os::raw::{c_int, c_long, c_void};
use std::process;

use crate::producer::{prepare_raw, Producer};
use crate::ReleaseFn;

/// The capacity of the Vec that holds an n-byte frame: `wanted`, or when it is 0 what a
/// `Vec<u8>` grown by doubling has at n bytes (the next power of two); None when too small.
fn capacity_for(n: usize, wanted: usize) -> Option<usize> {
    match wanted {
        0 => Some(n.max(64).next_power_of_two()),
        c if c >= n => Some(c),
        _ => None,
    }
}

/// A frame of n bytes at the start of a block of `capacity` bytes, fresh from the allocator
/// and left uninitialised, as the C producer's malloc leaves it: the renderer writes what is
/// handed over. `vec![0u8; n]` would add a zeroing that is production, not hand-over: calloc
/// is a memset of the frame when glibc serves it from its heap (measured: 343 us a frame
/// against 30 ns for the same hand-over from malloc).
fn new_frame(n: usize, capacity: usize, seq: u64, render: c_int) -> Vec<MaybeUninit<u8>> {
    assert!(n <= capacity);
    let mut v = Vec::with_capacity(capacity);
    // SAFETY: MaybeUninit<u8> needs no initialising, the block holds capacity >= n elements,
    // and prepare_raw writes within the first n.
    unsafe {
        v.set_len(n);
        prepare_raw(v.as_mut_ptr() as *mut u8, n, seq, render);
    }
    v
}

fn hand_over(p: &mut Producer, data: *mut u8) -> *mut u8 {
    p.out.insert(data as usize);
    data
}

/// Forgets a frame that came back; aborts when it was not out.
fn came_back(p: &mut Producer, data: *mut u8, what: &str) {
    if !p.out.remove(&(data as usize)) {
        eprintln!("zcproducer_rust: {} of frame {:p}, which is not out (released twice?)", what, data);
        process::abort();
    }
}

extern "C" fn release_boxed(ctx: *mut c_void, data: *mut u8) {
    // SAFETY: ctx is the producer that handed data over.
    let p = unsafe { &mut *(ctx as *mut Producer) };
    came_back(p, data, "release");
    let frame = std::ptr::slice_from_raw_parts_mut(data as *mut MaybeUninit<u8>, p.bytes);
    // SAFETY: data came from Box::into_raw of a boxed slice of p.bytes, and is out no more.
    drop(unsafe { Box::from_raw(frame) });
}

fn box_out(p: &mut Producer, frame: Box<[MaybeUninit<u8>]>, release: *mut Option<ReleaseFn>,
           ctx: *mut *mut c_void) -> *mut u8 {
    let data = Box::into_raw(frame) as *mut u8;
    // SAFETY: release and ctx are writable (the C caller's).
    unsafe {
        release.write(Some(release_boxed));
        ctx.write(p as *mut Producer as *mut c_void);
    }
    hand_over(p, data)
}

pub extern "C" fn take_frame(p: *mut Producer, seq: u64, render: c_int,
                             release: *mut Option<ReleaseFn>, ctx: *mut *mut c_void) -> *mut u8 {
    // SAFETY: p came from open; one producer is used from one thread.
    let p = unsafe { &mut *p };
    // Capacity == length: into_boxed_slice keeps the block where it is.
    let v = new_frame(p.bytes, p.bytes, seq, render);
    box_out(p, v.into_boxed_slice(), release, ctx)
}

pub extern "C" fn take_vec(p: *mut Producer, seq: u64, render: c_int, capacity: *mut usize) -> *mut u8 {
    // SAFETY: as in take_frame; capacity is writable.
    let p = unsafe { &mut *p };
    let cap = match capacity_for(p.bytes, unsafe { capacity.read() }) {
        Some(c) => c,
        None => return std::ptr::null_mut(),
    };
    let mut v = ManuallyDrop::new(new_frame(p.bytes, cap, seq, render));
    unsafe { capacity.write(v.capacity()) };
    hand_over(p, v.as_mut_ptr() as *mut u8)
}

pub extern "C" fn release_vec(p: *mut Producer, data: *mut u8, bytes: usize, capacity: usize) {
    // SAFETY: as in take_frame.
    let p = unsafe { &mut *p };
    came_back(p, data, "release_vec");
    // SAFETY: the parts of the Vec that take_vec handed over, out no more.
    drop(unsafe { Vec::from_raw_parts(data as *mut MaybeUninit<u8>, bytes, capacity) });
}

pub extern "C" fn take_shrunk(p: *mut Producer, seq: u64, render: c_int, capacity: usize,
                              release: *mut Option<ReleaseFn>, ctx: *mut *mut c_void) -> *mut u8 {
    // SAFETY: as in take_frame.
    let p = unsafe { &mut *p };
    let cap = match capacity_for(p.bytes, capacity) {
        Some(c) => c,
        None => return std::ptr::null_mut(),
    };
    let mut v = new_frame(p.bytes, cap, seq, render);
    v.shrink_to_fit();
    box_out(p, v.into_boxed_slice(), release, ctx)
}

pub extern "C" fn frames_out(p: *mut Producer) -> c_long {
    // SAFETY: as in take_frame.
    unsafe { (*p).out.len() as c_long }
}
