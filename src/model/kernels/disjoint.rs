//! A slice that parallel tasks read and write, each at its own indices.
//!
//! The participation pass runs one task per community and every task writes
//! the state of its own residents (today's participation, the moving average
//! of taking part). A community's residents are a set of index ranges that no
//! other community shares (`World` keeps that invariant: every resident
//! belongs to exactly one community), so the writes never meet. Safe Rust
//! cannot split a vector along such sets of ranges, hence this small wrapper.
//! Where each task's part is one range and the parts follow each other
//! (communities' first ranges, their grids, what the district is built
//! into), [`consecutive`] cuts the slice in safe Rust.

use std::marker::PhantomData;

/// A mutable slice shared by tasks that touch disjoint indices.
pub(in crate::model) struct DisjointSlice<'a, T> {
    ptr: *mut T,
    len: usize,
    _borrow: PhantomData<&'a mut [T]>,
}

// SAFETY: the wrapper holds the only borrow of the slice for 'a; the callers of
// `get` and `set` promise that no two tasks touch the same index.
unsafe impl<T: Send> Send for DisjointSlice<'_, T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for DisjointSlice<'_, T> {}

impl<'a, T: Copy> DisjointSlice<'a, T> {
    /// Borrows `slice` for the length of a parallel pass.
    pub(in crate::model) fn new(slice: &'a mut [T]) -> Self {
        Self {
            ptr: slice.as_mut_ptr(),
            len: slice.len(),
            _borrow: PhantomData,
        }
    }

    /// The value at `i`.
    ///
    /// # Safety
    /// No other task writes index `i` during the pass.
    #[inline]
    pub(in crate::model) unsafe fn get(&self, i: usize) -> T {
        assert!(i < self.len, "index {i} out of {}", self.len);
        // SAFETY: in bounds (checked above); no concurrent write (caller).
        unsafe { *self.ptr.add(i) }
    }

    /// Asks for the values at `a..b` to be brought into the caches
    /// (`kernels/prefetch.rs`): reads and changes nothing, so any task may.
    #[inline]
    pub(in crate::model) fn prefetch(&self, a: usize, b: usize) {
        self.check_range(a, b);
        super::prefetch::prefetch(self.ptr.wrapping_add(a).cast_const(), b - a);
    }

    /// The indices `a..b` as an ordinary mutable slice.
    ///
    /// # Safety
    /// No other task reads or writes any index in `a..b` while the slice lives.
    #[inline]
    #[allow(clippy::mut_from_ref)] // the point of the type; the caller promises disjointness
    pub(in crate::model) unsafe fn range_mut(&self, a: usize, b: usize) -> &mut [T] {
        self.check_range(a, b);
        // SAFETY: in bounds (checked above); exclusive for its life (caller).
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(a), b - a) }
    }
}

impl<T> DisjointSlice<'_, T> {
    /// Panics unless `a..b` lies within the slice.
    #[inline]
    fn check_range(&self, a: usize, b: usize) {
        assert!(
            a <= b && b <= self.len,
            "range {a}..{b} out of {}",
            self.len
        );
    }
}

/// `slice` cut into consecutive parts of the given `lengths`, from its
/// start: one part for each task (a community's residents or grids), in
/// safe Rust, where the parts follow each other.
///
/// # Panics
/// If the lengths add up to more than the slice.
pub(in crate::model) fn consecutive<T>(
    mut slice: &mut [T],
    lengths: impl IntoIterator<Item = usize>,
) -> Vec<&mut [T]> {
    lengths
        .into_iter()
        .map(|length| {
            let (part, rest) = std::mem::take(&mut slice).split_at_mut(length);
            slice = rest;
            part
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    #[test]
    fn consecutive_parts_follow_each_other() {
        let mut values: Vec<u32> = (0..10).collect();
        let parts = consecutive(&mut values, [3, 0, 4]);
        assert_eq!(parts.len(), 3);
        assert_eq!(&*parts[0], &[0, 1, 2]);
        assert!(parts[1].is_empty());
        assert_eq!(&*parts[2], &[3, 4, 5, 6]);
    }

    #[test]
    fn tasks_write_their_own_indices() {
        let mut values = vec![0u32; 1000];
        let shared = DisjointSlice::new(&mut values);
        // Task t owns the indices congruent to t mod 7, as communities own
        // interleaved ranges after newcomers arrive.
        (0..7usize).into_par_iter().for_each(|t| {
            for a in (t * 10..1000).step_by(70) {
                // SAFETY: the block a..a + 10 belongs to task t only.
                let first = unsafe { shared.get(a) };
                // SAFETY: as above; `get` is done before the block is borrowed.
                let block = unsafe { shared.range_mut(a, a + 10) };
                for (k, v) in block.iter_mut().enumerate() {
                    *v = first + (a + k) as u32 + 1;
                }
            }
        });
        assert!(values.iter().enumerate().all(|(i, &v)| v == i as u32 + 1));
    }

    #[test]
    #[should_panic(expected = "out of")]
    fn out_of_bounds_panics() {
        let mut values = vec![0u8; 3];
        let shared = DisjointSlice::new(&mut values);
        // SAFETY: a single task.
        unsafe { shared.range_mut(2, 4)[0] = 1 };
    }
}
