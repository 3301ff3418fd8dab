//! zcpyo3: the module a pyo3 0.17 user writes to hand a frame of the Rust producer
//! (scenarios/producers/rust/, reached through the program's C side: bridge.h) to Python:
//!
//!   PyBytes_new      `PyBytes::new(py, frame)`: CPython copies the frame into a new bytes
//!   PyBytes_new_with `PyBytes::new_with(py, len, |buf| ...)`: pyo3 zero-fills a new bytes,
//!                    then the closure copies the frame into it (`copy_from_slice`)
//!   Vec_u8           a `Vec<u8>` returned (`frame.to_vec()`): pyo3 converts it into a list
//!                    of ints, one a byte
//!   pyclass_buffer   a `#[pyclass]` owning a frame taken from the producer, exporting it
//!                    through `__getbuffer__`/`__releasebuffer__` (seen through memoryview);
//!                    the frame goes back to the producer when the object dies
//!
//! The frames are the producer's: its own (borrowed) or taken (owned, given back once). The
//! module is an extension module, imported by the program's embedded CPython.
use std::os::raw::{c_int, c_void};

use pyo3::exceptions::{PyMemoryError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::AsPyPointer;
use pyo3::types::PyBytes;

/// Gives a taken frame back to the producer (the producer's release callback).
type ReleaseFn = unsafe extern "C" fn(ctx: *mut c_void, data: *mut u8);

// The program's C side (bridge.h): the producer behind an opaque source, and the counts.
extern "C" {
    fn zc_py3_next_frame(source: *mut c_void, seq: u64, render: c_int) -> *mut u8;
    fn zc_py3_take_frame(
        source: *mut c_void,
        seq: u64,
        render: c_int,
        release: *mut Option<ReleaseFn>,
        ctx: *mut *mut c_void,
    ) -> *mut u8;
    fn zc_py3_frame_bytes(source: *mut c_void) -> usize;
    fn zc_py3_given_back();
}

/// The producer's frames as Python reaches them: zcpyo3.Source(address), address that of
/// the program's struct zc_py3_source (bridge.h), which outlives the object.
#[pyclass(unsendable)]
struct Source {
    source: *mut c_void,
}

impl Source {
    /// The producer's own frame (seq, rendered when render), which it keeps: borrowed.
    fn frame(&self, seq: u64, render: bool) -> PyResult<&[u8]> {
        unsafe {
            let p = zc_py3_next_frame(self.source, seq, render as c_int);
            if p.is_null() {
                return Err(PyMemoryError::new_err("the producer has no frame"));
            }
            Ok(std::slice::from_raw_parts(p, zc_py3_frame_bytes(self.source)))
        }
    }
}

#[pymethods]
#[allow(non_snake_case)]
impl Source {
    #[new]
    fn new(address: usize) -> PyResult<Source> {
        if address == 0 {
            return Err(PyValueError::new_err("no source at address 0"));
        }
        Ok(Source {
            source: address as *mut c_void,
        })
    }

    fn PyBytes_new<'py>(&self, py: Python<'py>, seq: u64, render: bool) -> PyResult<&'py PyBytes> {
        Ok(PyBytes::new(py, self.frame(seq, render)?))
    }

    fn PyBytes_new_with<'py>(
        &self,
        py: Python<'py>,
        seq: u64,
        render: bool,
    ) -> PyResult<&'py PyBytes> {
        let frame = self.frame(seq, render)?;
        PyBytes::new_with(py, frame.len(), |buf| {
            buf.copy_from_slice(frame);
            Ok(())
        })
    }

    fn Vec_u8(&self, seq: u64, render: bool) -> PyResult<Vec<u8>> {
        Ok(self.frame(seq, render)?.to_vec())
    }

    fn pyclass_buffer(&self, seq: u64, render: bool) -> PyResult<Frame> {
        Frame::take(self, seq, render)
    }
}

/// A frame taken from the producer (the move contract), given back once, when it dies.
#[pyclass(unsendable)]
struct Frame {
    data: *mut u8,
    len: usize,
    release: ReleaseFn,
    ctx: *mut c_void,
}

impl Frame {
    fn take(s: &Source, seq: u64, render: bool) -> PyResult<Frame> {
        let mut release = None;
        let mut ctx = std::ptr::null_mut();
        let data =
            unsafe { zc_py3_take_frame(s.source, seq, render as c_int, &mut release, &mut ctx) };
        match release {
            Some(release) if !data.is_null() => Ok(Frame {
                data,
                len: unsafe { zc_py3_frame_bytes(s.source) },
                release,
                ctx,
            }),
            _ => Err(PyMemoryError::new_err("the producer has no frame to hand over")),
        }
    }
}

impl Drop for Frame {
    fn drop(&mut self) {
        unsafe {
            (self.release)(self.ctx, self.data);
            zc_py3_given_back();
        }
    }
}

#[pymethods]
impl Frame {
    /// The frame's bytes, read-only (a request for a writable buffer raises BufferError).
    unsafe fn __getbuffer__(
        slf: PyRefMut<'_, Self>,
        view: *mut ffi::Py_buffer,
        flags: c_int,
    ) -> PyResult<()> {
        let py = slf.py();
        let rc = ffi::PyBuffer_FillInfo(
            view,
            slf.as_ptr(),
            slf.data as *mut c_void,
            slf.len as ffi::Py_ssize_t,
            1,
            flags,
        );
        if rc != 0 {
            return Err(PyErr::fetch(py));
        }
        Ok(())
    }

    /// Nothing to undo: the frame lives as long as the object, which the view holds.
    unsafe fn __releasebuffer__(&self, _view: *mut ffi::Py_buffer) {}
}

#[pymodule]
fn zcpyo3(_py: Python<'_>, m: &PyModule) -> PyResult<()> {
    m.add_class::<Source>()?;
    m.add_class::<Frame>()?;
    Ok(())
}
