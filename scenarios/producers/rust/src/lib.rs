//! zcproducer_rust: the producer side of the in-process boundary in Rust, the language the
//! question was first asked about (a Rust library handing an image to Dart). It exports the
//! C ABI of `scenarios/producers/producer_api.h`, one function table, as the C producer does;
//! each entry is written the way a bridge author writes it (`producer.rs`, `handover.rs`).
//!
//! Nothing here counts or declares a copy: the scenario's instruments observe what this code
//! does (Rust's allocations and copies go through glibc's malloc and memcpy, which resolve to
//! the program's interposers; pages written see what inlining hides).

mod handover;
mod producer;

use std::os::raw::{c_int, c_long, c_uint, c_void};

use producer::{Arc as ZcpArc, Producer};

/// `zcp_release_fn`: how a frame handed over comes back.
pub type ReleaseFn = extern "C" fn(ctx: *mut c_void, data: *mut u8);

/// `struct zc_producer_api`, member for member in the header's order. `None` is a NULL entry:
/// this producer has no `encode_frame` (the SSE codec is the C producer's row).
#[repr(C)]
pub struct ZcProducerApi {
    open: Option<extern "C" fn(bytes: usize, pool_slots: c_uint) -> *mut Producer>,
    close: Option<extern "C" fn(p: *mut Producer)>,
    next_frame: Option<extern "C" fn(p: *mut Producer, seq: u64, render: c_int) -> *mut u8>,
    take_frame: Option<
        extern "C" fn(*mut Producer, u64, c_int, *mut Option<ReleaseFn>, *mut *mut c_void) -> *mut u8,
    >,
    encode_frame: Option<extern "C" fn(*mut Producer, u64, c_int, *mut usize) -> *mut u8>,
    free_message: Option<extern "C" fn(msg: *mut u8)>,
    share_frame: Option<extern "C" fn(p: *mut Producer, seq: u64, render: c_int) -> *mut ZcpArc>,
    arc_data: Option<extern "C" fn(a: *mut ZcpArc) -> *mut u8>,
    arc_drop: Option<extern "C" fn(a: *mut ZcpArc)>,
    lend_frame: Option<extern "C" fn(p: *mut Producer, seq: u64, render: c_int) -> *mut u8>,
    end_lend: Option<extern "C" fn(p: *mut Producer)>,
    pool_fill: Option<extern "C" fn(*mut Producer, u64, c_int, *mut *mut u8) -> c_int>,
    pool_return: Option<extern "C" fn(p: *mut Producer, slot: c_int)>,
    take_vec: Option<extern "C" fn(*mut Producer, u64, c_int, *mut usize) -> *mut u8>,
    release_vec: Option<extern "C" fn(*mut Producer, *mut u8, usize, usize)>,
    take_shrunk: Option<
        extern "C" fn(*mut Producer, u64, c_int, usize, *mut Option<ReleaseFn>, *mut *mut c_void)
            -> *mut u8,
    >,
    frames_out: Option<extern "C" fn(p: *mut Producer) -> c_long>,
}

/// `ZC_PRODUCER_ABI`: the table's version, checked by the caller.
const ABI: c_uint = 2;

/// The one symbol the library exports (`ZCP_GET_API_SYMBOL`): fills the table.
///
/// # Safety
/// `api` points to a writable `struct zc_producer_api`.
#[no_mangle]
pub unsafe extern "C" fn zcp_get_api(abi: c_uint, api: *mut ZcProducerApi) -> c_int {
    if abi != ABI || api.is_null() {
        return -1;
    }
    api.write(ZcProducerApi {
        open: Some(producer::open),
        close: Some(producer::close),
        next_frame: Some(producer::next_frame),
        take_frame: Some(handover::take_frame),
        encode_frame: None,
        free_message: None,
        share_frame: Some(producer::share_frame),
        arc_data: Some(producer::arc_data),
        arc_drop: Some(producer::arc_drop),
        lend_frame: Some(producer::next_frame),
        end_lend: Some(producer::end_lend),
        pool_fill: Some(producer::pool_fill),
        pool_return: Some(producer::pool_return),
        take_vec: Some(handover::take_vec),
        release_vec: Some(handover::release_vec),
        take_shrunk: Some(handover::take_shrunk),
        frames_out: Some(handover::frames_out),
    });
    0
}
