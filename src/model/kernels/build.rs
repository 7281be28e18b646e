//! Which build of the fastest kernels runs.
//!
//! The binary is built for every x86-64 processor, so it may only assume the
//! 128-bit vectors of the first ones. The hot loops — the participation
//! pass (`kernels/participation.rs`), the weekly diffusion's sums over ties
//! (`kernels/tie_sums.rs`) and moves, the observers of a closure — are each
//! a [`Kernel`], which [`Build::run`] compiles a second time for AVX2; the
//! model picks the build when it is made. Both give the same results to the
//! bit: the arithmetic is the same IEEE arithmetic, only more of it at once
//! (Rust never fuses a multiplication and an addition unless told to).

/// The build of the kernels a model runs: the portable one, or the AVX2 one
/// on a processor that has AVX2 (only [`Build::fastest`] makes that one, so
/// the unsafe calls of the AVX2 builds rest on this check alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Build {
    avx2: bool,
}

impl Build {
    /// The fastest build this processor runs.
    pub fn fastest() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            Self {
                avx2: std::arch::is_x86_feature_detected!("avx2"),
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            Self { avx2: false }
        }
    }

    /// The portable build, which runs on any processor.
    #[cfg(test)]
    pub fn portable() -> Self {
        Self { avx2: false }
    }

    /// Runs `kernel` in this build: compiled for AVX2 in the AVX2 build
    /// (its `run` inlined into a function that enables AVX2), portable in
    /// the other.
    #[inline]
    pub(in crate::model) fn run<K: Kernel>(self, kernel: K) -> K::Output {
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            /// The kernel compiled for AVX2.
            #[target_feature(enable = "avx2")]
            fn avx2<K: Kernel>(kernel: K) -> K::Output {
                kernel.run()
            }
            // SAFETY: only `Build::fastest` makes an AVX2 build, on a
            // processor that has AVX2.
            return unsafe { avx2(kernel) };
        }
        kernel.run()
    }
}

/// A loop that [`Build::run`] compiles for AVX2 as well: its `run` must be
/// `#[inline(always)]`, or the AVX2 build would call the portable code.
pub(in crate::model) trait Kernel {
    /// What the loop gives back.
    type Output;
    /// The loop.
    fn run(self) -> Self::Output;
}
