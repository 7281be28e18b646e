//! Words of the communities' participation streams drawn ahead, by a thread
//! that would otherwise wait, for the next pass to read.
//!
//! The pass draws one word per resident to decide (`participation::decide`),
//! after the contacts, which the day before's pass drew ahead. So once a
//! pass has drawn tomorrow's contacts, the next words of each community's
//! stream are tomorrow's decisions' words, whatever happens in between.
//! While one thread runs the day's serial issue phases and then closes the
//! day's issues, another draws those words into a buffer per community,
//! community after community, and stops when the first is done
//! (`Model::beside_tie_changes`, `Model::beside_words_ahead`). The pass
//! reads a community's buffer first and then draws on from its stream
//! ([`Stream`]). They are the stream's next words either way, so the draws
//! do not depend on how many were drawn ahead, on the threads or on timing;
//! only who computes them does. On one thread nothing is drawn ahead: the
//! issue phases end before the other work starts.

use std::sync::atomic::{AtomicBool, Ordering};

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// How many words are drawn between two looks at the signal to stop: a
/// community of 22,000 residents takes about 20 µs, longer than the issue
/// phases should wait for it.
const WORDS_PER_LOOK: usize = 4096;

/// Each community's words drawn ahead of its stream, not yet read, and
/// how many its next pass will read.
#[derive(Clone, Default)]
pub(in crate::model) struct WordsAhead {
    /// Per community, the next words of its stream, in order.
    words: Vec<Vec<u32>>,
    /// Per community, how many words its next pass reads; empty when
    /// nothing is to be drawn ahead.
    needed: Vec<u32>,
    /// The first community whose words are not all drawn.
    next: usize,
}

impl WordsAhead {
    /// Plans to draw the next `needed[c]` words of community `c`'s stream
    /// ahead: the words of the next pass, once nothing else will draw from
    /// the streams before it.
    pub(in crate::model) fn plan(&mut self, needed: Vec<u32>) {
        assert!(
            self.is_empty(),
            "words drawn ahead are read before more are planned"
        );
        self.words.resize_with(needed.len(), Vec::new);
        self.needed = needed;
        self.next = 0;
    }

    /// Whether words are planned and not all drawn.
    pub(in crate::model) fn to_draw(&self) -> bool {
        self.next < self.needed.len()
    }

    /// Draws the planned words of `streams`, community after community,
    /// from where the last call stopped, until all are drawn or `stop` is
    /// set.
    pub(in crate::model) fn draw(&mut self, streams: &mut [ChaCha8Rng], stop: &AtomicBool) {
        self.draw_until(streams, stop, self.needed.len());
    }

    /// [`WordsAhead::draw`], up to community `end` (tests stop there).
    pub(in crate::model) fn draw_until(
        &mut self,
        streams: &mut [ChaCha8Rng],
        stop: &AtomicBool,
        end: usize,
    ) {
        if !self.to_draw() {
            return;
        }
        assert_eq!(streams.len(), self.needed.len(), "a need per stream");
        while self.next < end.min(self.needed.len()) {
            let needed = self.needed[self.next] as usize;
            let (stream, words) = (&mut streams[self.next], &mut self.words[self.next]);
            while words.len() < needed {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let from = words.len();
                let to = (from + WORDS_PER_LOOK).min(needed);
                words.resize(to, 0);
                stream.fill(&mut words[from..to]);
            }
            self.next += 1;
        }
    }

    /// Forgets every word drawn or planned: for streams set back to an
    /// earlier copy of themselves, whose next words these are no longer.
    pub(in crate::model) fn forget(&mut self) {
        self.words.iter_mut().for_each(Vec::clear);
        self.needed.clear();
        self.next = 0;
    }

    /// Whether no word is drawn ahead.
    pub(in crate::model) fn is_empty(&self) -> bool {
        self.words.iter().all(Vec::is_empty)
    }

    /// Each of `communities` communities' buffer, for its stream in the
    /// pass, which reads them all; what was planned and not drawn is left to
    /// the streams themselves.
    pub(in crate::model) fn per_community(&mut self, communities: usize) -> &mut [Vec<u32>] {
        self.needed.clear();
        self.next = 0;
        self.words.resize_with(communities, Vec::new);
        &mut self.words
    }
}

/// A community's stream read through the words drawn ahead of it: those
/// first, then the stream itself.
pub(in crate::model) struct Stream<'a> {
    ahead: &'a mut Vec<u32>,
    /// How many of `ahead` are read.
    read: usize,
    rng: &'a mut ChaCha8Rng,
}

impl<'a> Stream<'a> {
    /// `rng` with the words `ahead` drawn ahead of it.
    pub(in crate::model) fn new(rng: &'a mut ChaCha8Rng, ahead: &'a mut Vec<u32>) -> Self {
        Stream {
            ahead,
            read: 0,
            rng,
        }
    }

    /// Fills `out` with the stream's next words, as `rng.fill(out)` would.
    #[inline(always)]
    pub(in crate::model) fn fill(&mut self, out: &mut [u32]) {
        let from_ahead = (self.ahead.len() - self.read).min(out.len());
        if from_ahead > 0 {
            out[..from_ahead].copy_from_slice(&self.ahead[self.read..self.read + from_ahead]);
            self.read += from_ahead;
        }
        if from_ahead < out.len() {
            self.rng.fill(&mut out[from_ahead..]);
        }
    }

    /// The stream itself, from the first word not read: a word drawn ahead
    /// but not read is put back (the stream is set back to it). Empties the
    /// buffer.
    pub(in crate::model) fn settle(self) -> &'a mut ChaCha8Rng {
        let unread = self.ahead.len() - self.read;
        if unread > 0 {
            let at = self.rng.get_word_pos() - unread as u128;
            self.rng.set_word_pos(at);
        }
        self.ahead.clear();
        self.rng
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn streams(n: usize) -> Vec<ChaCha8Rng> {
        (0..n as u64)
            .map(|k| {
                let mut rng = ChaCha8Rng::seed_from_u64(7);
                rng.set_stream(k);
                rng
            })
            .collect()
    }

    /// The words of `reads` fills read through a stream with `ahead` words
    /// drawn ahead of it, and then the next word of the settled stream.
    fn read(ahead: u32, reads: &[usize]) -> (Vec<u32>, u32) {
        let mut rngs = streams(1);
        let mut words = WordsAhead::default();
        words.plan(vec![ahead]);
        words.draw(&mut rngs, &AtomicBool::new(false));
        let [rng] = &mut rngs[..] else { unreachable!() };
        let mut stream = Stream::new(rng, &mut words.per_community(1)[0]);
        let mut got = Vec::new();
        for &n in reads {
            let mut out = vec![0u32; n];
            stream.fill(&mut out);
            got.extend(out);
        }
        let rng = stream.settle();
        let next = rng.random::<u32>();
        assert!(words.is_empty());
        (got, next)
    }

    #[test]
    fn words_read_through_those_drawn_ahead_are_the_streams_words() {
        let reads = [5, 64, 1, 200, 3];
        let (plain, next_plain) = read(0, &reads);
        assert_eq!(plain.len(), 273);
        // Fewer, as many as and more than are read, over block boundaries.
        for ahead in [1, 4, 63, 64, 70, 273, 274, 300, 5000] {
            assert_eq!(
                read(ahead, &reads),
                (plain.clone(), next_plain),
                "{ahead} ahead"
            );
        }
    }

    #[test]
    fn drawing_stops_when_told_and_goes_on_where_it_stopped() {
        let mut rngs = streams(3);
        let mut plain = streams(3);
        let mut words = WordsAhead::default();
        words.plan(vec![10, 20_000, 30]);
        words.draw(&mut rngs, &AtomicBool::new(true));
        assert!(
            words.is_empty() && words.to_draw(),
            "stopped before the first word"
        );
        // Stopped within the second community, from another thread.
        let stop = AtomicBool::new(false);
        std::thread::scope(|scope| {
            scope.spawn(|| words.draw(&mut rngs, &stop));
            stop.store(true, Ordering::Relaxed);
        });
        words.draw(&mut rngs, &AtomicBool::new(false));
        assert!(!words.to_draw());
        assert_eq!(
            words.words.iter().map(Vec::len).collect::<Vec<_>>(),
            [10, 20_000, 30]
        );
        for ((rng, plain), ahead) in rngs.iter_mut().zip(&mut plain).zip(words.per_community(3)) {
            let mut stream = Stream::new(rng, ahead);
            let mut got = vec![0u32; 25];
            stream.fill(&mut got);
            let mut want = vec![0u32; 25];
            plain.fill(&mut want[..]);
            assert_eq!(got, want);
            assert_eq!(stream.settle().random::<u64>(), plain.random::<u64>());
        }
        words.forget();
        assert!(words.is_empty());
    }
}
