//! The producer's state and the frames it keeps: its own frame (lent, or copied out by the
//! consumer), an `Arc<[u8]>` shared with the consumer, and a pool of `Box<[u8]>` frames.

use std::collections::BTreeSet;
use std::os::raw::{c_int, c_uint};
use std::sync::Arc as StdArc;

extern "C" {
    // The project's frame pattern (src/core/frame.h), exported by the scenario program, so
    // that a Rust frame holds the same bytes as a C one and validation checks both alike.
    fn zc_frame_render(frame: *mut u8, bytes: usize, seq: u64);
    fn zc_frame_stamp(frame: *mut u8, bytes: usize, seq: u64);
}

/// Writes frame `seq` into `frame`: every byte when `render` is set (validation), else only
/// the stamp (rendering is not the transfer's cost).
pub fn prepare(frame: &mut [u8], seq: u64, render: c_int) {
    // SAFETY: frame is frame.len() writable bytes.
    unsafe { prepare_raw(frame.as_mut_ptr(), frame.len(), seq, render) }
}

/// `prepare` on bytes Rust holds as uninitialised (a frame fresh from the allocator).
///
/// # Safety
/// frame is `bytes` writable bytes.
pub unsafe fn prepare_raw(frame: *mut u8, bytes: usize, seq: u64, render: c_int) {
    if render != 0 {
        zc_frame_render(frame, bytes, seq);
    } else {
        zc_frame_stamp(frame, bytes, seq);
    }
}

/// `struct zcp_arc`: the opaque handle of a shared frame, a boxed `Arc` (a fat `Arc<[u8]>`
/// does not fit a C pointer), as a bridge's opaque type holds one.
pub struct Arc(StdArc<[u8]>);

pub struct Producer {
    pub bytes: usize,
    /// Made on first use, so that move, shared and pool hold none.
    own: Option<Box<[u8]>>,
    /// The producer's own reference to the shared frame.
    shared: Option<StdArc<[u8]>>,
    /// Each slot's frame, and whether the consumer holds it.
    pool: Vec<(Box<[u8]>, bool)>,
    /// The addresses of the frames handed over and not given back (handover.rs). A BTreeSet,
    /// not a HashSet: RandomState's keys live in thread-local storage, which glibc allocates
    /// for a dlopen'd library on first use and keeps to the thread's end (a block left over).
    pub out: BTreeSet<usize>,
}

/// A zeroed frame of n bytes: `vec![0; n]` is calloc, whose fresh pages need no writing.
pub fn zeroed(n: usize) -> Box<[u8]> {
    vec![0u8; n].into_boxed_slice()
}

pub extern "C" fn open(bytes: usize, pool_slots: c_uint) -> *mut Producer {
    let pool = (0..pool_slots)
        .map(|_| {
            let mut f = zeroed(bytes);
            prepare(&mut f, 0, 1);
            (f, false)
        })
        .collect();
    let p = Producer { bytes, own: None, shared: None, pool, out: BTreeSet::new() };
    Box::into_raw(Box::new(p))
}

pub extern "C" fn close(p: *mut Producer) {
    if !p.is_null() {
        // SAFETY: p came from open and is closed once.
        drop(unsafe { Box::from_raw(p) });
    }
}

/// The producer's own frame, which it keeps: `&[u8]` lent for the length of the call.
pub extern "C" fn next_frame(p: *mut Producer, seq: u64, render: c_int) -> *mut u8 {
    // SAFETY: p came from open; the caller uses one producer from one thread.
    let p = unsafe { &mut *p };
    let bytes = p.bytes;
    let first = p.own.is_none();
    let frame = p.own.get_or_insert_with(|| zeroed(bytes));
    prepare(frame, seq, if first { 1 } else { render });
    frame.as_mut_ptr()
}

pub extern "C" fn end_lend(_p: *mut Producer) {}

/// `Arc::get_mut` on the producer's reference: the frame is written in place when nobody else
/// holds it, else a new one is started and the old one is left to its last holder.
pub extern "C" fn share_frame(p: *mut Producer, seq: u64, render: c_int) -> *mut Arc {
    // SAFETY: as in next_frame.
    let p = unsafe { &mut *p };
    if let Some(arc) = p.shared.as_mut() {
        if let Some(frame) = StdArc::get_mut(arc) {
            prepare(frame, seq, render);
        } else {
            p.shared = None;
        }
    }
    if p.shared.is_none() {
        // Collected straight into the Arc's block: Arc::from(a Vec) would copy the frame.
        let mut arc: StdArc<[u8]> = (0..p.bytes).map(|_| 0u8).collect();
        let frame = StdArc::get_mut(&mut arc).expect("a new Arc has one holder");
        prepare(frame, seq, 1);
        p.shared = Some(arc);
    }
    let arc = p.shared.as_ref().expect("made above");
    Box::into_raw(Box::new(Arc(StdArc::clone(arc))))
}

pub extern "C" fn arc_data(a: *mut Arc) -> *mut u8 {
    // SAFETY: a came from share_frame and is not dropped yet.
    unsafe { (*a).0.as_ptr() as *mut u8 }
}

pub extern "C" fn arc_drop(a: *mut Arc) {
    // SAFETY: a came from share_frame; the caller drops each handle once.
    drop(unsafe { Box::from_raw(a) });
}

/// Lends a free slot's frame; -1 when the consumer holds every one.
pub extern "C" fn pool_fill(p: *mut Producer, seq: u64, render: c_int, data: *mut *mut u8) -> c_int {
    // SAFETY: as in next_frame; data is writable.
    let p = unsafe { &mut *p };
    match p.pool.iter_mut().position(|(_, busy)| !*busy) {
        Some(i) => {
            let (frame, busy) = &mut p.pool[i];
            *busy = true;
            prepare(frame, seq, render);
            unsafe { data.write(frame.as_mut_ptr()) };
            i as c_int
        }
        None => -1,
    }
}

pub extern "C" fn pool_return(p: *mut Producer, slot: c_int) {
    // SAFETY: as in next_frame.
    let p = unsafe { &mut *p };
    if let Some((_, busy)) = p.pool.get_mut(slot as usize) {
        *busy = false;
    }
}
