//! Which vector instructions the processor offers.
//!
//! The binary is built for every x86-64 processor, so it may only assume the
//! 128-bit vectors of the first ones. The hottest kernels, the participation
//! pass and the weekly diffusion's sums over ties (`model/tie_sums.rs`), are
//! compiled a second time for AVX2 and the processor picks one at run time.
//! Both give the same results to the bit:
//! the arithmetic is the same IEEE arithmetic, only more of it at once (Rust
//! never fuses a multiplication and an addition unless told to).

#[cfg(test)]
use std::sync::atomic::{AtomicBool, Ordering};

/// Tests set this to run the portable kernels on any processor.
#[cfg(test)]
pub(super) static PORTABLE_ONLY: AtomicBool = AtomicBool::new(false);

/// Whether the kernels compiled for AVX2 may run here.
#[inline]
pub(super) fn avx2() -> bool {
    #[cfg(test)]
    if PORTABLE_ONLY.load(Ordering::Relaxed) {
        return false;
    }
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}
