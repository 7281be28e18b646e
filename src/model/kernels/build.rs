//! Which build of the fastest kernels runs.
//!
//! The binary is built for every x86-64 processor, so it may only assume the
//! 128-bit vectors of the first ones. The hottest kernels, the participation
//! pass (`kernels/participation.rs`) and the weekly diffusion's sums over
//! ties (`kernels/tie_sums.rs`), are compiled a second time for AVX2, and
//! the model picks one when it is built. Both give the same results to the
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

    /// Whether this is the AVX2 build (and so the processor has AVX2).
    #[inline]
    pub fn avx2(self) -> bool {
        self.avx2
    }
}
