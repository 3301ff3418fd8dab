//! zccxx_rust: the Rust producer of the cxx boundary and its bridge to C++, written with cxx
//! 1.0.87 the way its users write one: an opaque `Producer` behind `rust::Box`, its frame lent
//! as `&[u8]` (`rust::Slice<const uint8_t>` in C++), a `Vec<u8>` returned by value
//! (`rust::Vec<uint8_t>`), and a C++ `std::vector` held by `UniquePtr<CxxVector<u8>>`, filled
//! in place or by a copy of the producer's own frame.
//!
//! Nothing here counts a copy: the program's interposers see Rust's allocations and copies
//! (glibc's malloc and memcpy) and C++'s alike.

use std::pin::Pin;

use cxx::{CxxVector, UniquePtr};

#[cxx::bridge(namespace = "zccxx")]
mod ffi {
    unsafe extern "C++" {
        include!("zccxx_rust/src/frame_vector.h");

        /// A zeroed `std::vector<uint8_t>` of `bytes`, owned by C++.
        fn new_frame_vector(bytes: usize) -> UniquePtr<CxxVector<u8>>;
    }

    extern "Rust" {
        type Producer;

        /// The producer of frames of `bytes`.
        fn producer_open(bytes: usize) -> Box<Producer>;
        /// Its own frame, made frame `seq`: lent until the next call.
        fn frame_slice(self: &mut Producer, seq: u64, render: bool) -> &[u8];
        /// Its own frame as it is (the bytes the copying row copied).
        fn own_frame(self: &Producer) -> &[u8];
        /// A new `Vec<u8>` made frame `seq`, given to the caller.
        fn take_vec(self: &mut Producer, seq: u64, render: bool) -> Vec<u8>;
        /// A C++ vector the producer makes frame `seq` in, in place.
        fn fill_cxx_vector(self: &mut Producer, seq: u64, render: bool)
            -> UniquePtr<CxxVector<u8>>;
        /// Its own frame made frame `seq`, then copied into a C++ vector.
        fn copy_to_cxx_vector(self: &mut Producer, seq: u64, render: bool)
            -> UniquePtr<CxxVector<u8>>;
    }
}

extern "C" {
    // The project's frame pattern (src/core/frame.h), from the program, as the native Rust
    // producer (scenarios/producers/rust/) calls it.
    fn zc_frame_render(frame: *mut u8, bytes: usize, seq: u64);
    fn zc_frame_stamp(frame: *mut u8, bytes: usize, seq: u64);
}

/// Writes frame `seq` into `frame`: every byte when `render` (validation), else the stamps.
fn prepare(frame: &mut [u8], seq: u64, render: bool) {
    // SAFETY: frame is frame.len() writable bytes.
    unsafe {
        if render {
            zc_frame_render(frame.as_mut_ptr(), frame.len(), seq);
        } else {
            zc_frame_stamp(frame.as_mut_ptr(), frame.len(), seq);
        }
    }
}

pub struct Producer {
    bytes: usize,
    /// The producer's own frame: lent (`frame_slice`) or copied out (`copy_to_cxx_vector`).
    own: Vec<u8>,
}

fn producer_open(bytes: usize) -> Box<Producer> {
    let mut own = vec![0u8; bytes];
    prepare(&mut own, 0, true);
    Box::new(Producer { bytes, own })
}

impl Producer {
    fn frame_slice(&mut self, seq: u64, render: bool) -> &[u8] {
        prepare(&mut self.own, seq, render);
        &self.own
    }

    fn own_frame(&self) -> &[u8] {
        &self.own
    }

    fn take_vec(&mut self, seq: u64, render: bool) -> Vec<u8> {
        let mut frame = vec![0u8; self.bytes];
        prepare(&mut frame, seq, render);
        frame
    }

    fn fill_cxx_vector(&mut self, seq: u64, render: bool) -> UniquePtr<CxxVector<u8>> {
        let mut v = ffi::new_frame_vector(self.bytes);
        prepare(frame_of(&mut v), seq, render);
        v
    }

    fn copy_to_cxx_vector(&mut self, seq: u64, render: bool) -> UniquePtr<CxxVector<u8>> {
        prepare(&mut self.own, seq, render);
        let mut v = ffi::new_frame_vector(self.bytes);
        frame_of(&mut v).copy_from_slice(&self.own);
        v
    }
}

/// The bytes of a C++ vector new_frame_vector made (never null).
fn frame_of(v: &mut UniquePtr<CxxVector<u8>>) -> &mut [u8] {
    let v: Pin<&mut CxxVector<u8>> = v.pin_mut();
    v.as_mut_slice()
}
