//! Asking the processor to bring memory into its caches before it is used,
//! for work that jumps around memory (a day's closures, each over one grid's
//! residents): the wait for the next grid then overlaps the work on this one.

/// Bytes in a cache line.
const LINE: usize = 64;

/// Asks for the cache lines of the `len` values from `start` to be brought
/// into the caches. Reads nothing the program sees and changes nothing, so
/// the results are the same with it or without it; does nothing where the
/// processor has no such instruction.
#[inline]
pub(in crate::model) fn prefetch<T>(start: *const T, len: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let bytes = len * std::mem::size_of::<T>();
        let first = start.cast::<i8>();
        let lines = (0..bytes)
            .step_by(LINE)
            .chain((bytes > 0).then(|| bytes - 1));
        for offset in lines {
            // SAFETY: every x86_64 processor has SSE, and a prefetch cannot
            // fault or change memory, whatever the address.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(first.wrapping_add(offset)) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (start, len);
}
