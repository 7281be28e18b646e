//! A hint to the processor to fetch memory that will be read soon.
//!
//! Hardware prefetchers follow streams; reads that skip around a large array
//! (the rows of ties of the residents whose participation changed) wait on
//! memory unless they are asked for ahead of time.

/// Asks for the cache line of `slice[index]` to be fetched; does nothing if
/// `index` is out of bounds or on processors without a prefetch hint here.
#[inline]
pub(super) fn prefetch<T>(slice: &[T], index: usize) {
    if let Some(item) = slice.get(index) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a prefetch is a hint: it never faults and changes no memory
        // the program can see; the address is that of a live element anyway.
        unsafe {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            _mm_prefetch::<_MM_HINT_T0>((item as *const T).cast::<i8>());
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = item;
    }
}
