//! The weekly trust diffusion along ties (ODD 7.7), residents in parallel,
//! the sums over ties from `kernels/tie_sums.rs`.

use rayon::prelude::*;

use super::Model;
use super::kernels::build::Kernel;
use super::kernels::tie_sums;
use super::rules::diffusion::{diffused, forgotten};

impl Model {
    /// Weekly: each resident's trust in each kind moves toward the mean trust
    /// of its ties, all computed from last week's values, and then back
    /// toward the prior by the week's forgetting, as does its efficacy. One
    /// pass reads each row of ties once for the three kinds, residents in
    /// parallel (each writes only its own entry, so the result does not
    /// depend on threads).
    pub(super) fn diffuse_trust(&mut self) {
        let r = &self.scenario.residents;
        let (w, forget) = (r.diffusion as f32, r.forgetting as f32);
        let (trust0, efficacy0) = (r.prior_trust as f32, r.prior_efficacy as f32);
        if forget != 0.0 {
            self.world
                .change_all_efficacy(|e| forgotten(e, efficacy0, forget));
        }
        if w == 0.0 && forget == 0.0 {
            return;
        }
        let res = &self.world.residents;
        let n = res.len();
        for next in &mut self.next_trust {
            next.resize(n, 0.0);
        }
        self.row_split.catch_up(res.ties());
        let (trust, ties, row_split, build) =
            (res.trust(), res.ties(), &self.row_split, self.build);
        let [next0, next1, next2] = &mut self.next_trust;
        const BLOCK: usize = tie_sums::BLOCK;
        next0
            .par_chunks_mut(BLOCK)
            .zip(next1.par_chunks_mut(BLOCK))
            .zip(next2.par_chunks_mut(BLOCK))
            .enumerate()
            .with_min_len(16)
            .for_each_init(
                // Room for a block's sums and degrees, made once per task:
                // `sum_block` writes every entry a block uses.
                || Box::new(([[0f32; BLOCK]; 3], [0f32; BLOCK])),
                |room, (block, ((next0, next1), next2))| {
                    let (sums, degree) = &mut **room;
                    let start = block * BLOCK;
                    let n = next0.len();
                    // Sums over each row of ties (in row order, from −0.0, as
                    // `Iterator::sum` does), then the moves.
                    let [sums0, sums1, sums2] = sums;
                    row_split.sum_block(
                        ties,
                        tie_sums::BlockSums {
                            start,
                            values: [&trust[0], &trust[1], &trust[2]],
                            sums: [&mut sums0[..n], &mut sums1[..n], &mut sums2[..n]],
                            degree: &mut degree[..n],
                        },
                        build,
                    );
                    for (kind, next) in [next0, next1, next2].into_iter().enumerate() {
                        build.run(Moves {
                            own: &trust[kind][start..start + n],
                            sums: &sums[kind][..n],
                            degree: &degree[..n],
                            next,
                            weight: w,
                            prior: trust0,
                            forget,
                        });
                    }
                },
            );
        self.world.replace_trust(&mut self.next_trust);
    }
}

/// One block's weekly moves of one kind of trust: each resident's new value
/// from its own, the sum over its ties and their number, in one loop over
/// equal slices that the compiler vectorizes.
struct Moves<'a> {
    own: &'a [f32],
    sums: &'a [f32],
    degree: &'a [f32],
    /// The new values, as many as `own`.
    next: &'a mut [f32],
    weight: f32,
    prior: f32,
    forget: f32,
}

impl Kernel for Moves<'_> {
    type Output = ();

    #[inline(always)]
    fn run(self) {
        let (w, prior, forget) = (self.weight, self.prior, self.forget);
        for (((next, &own), &sum), &degree) in self
            .next
            .iter_mut()
            .zip(self.own)
            .zip(self.sums)
            .zip(self.degree)
        {
            *next = forgotten(diffused(own, sum, degree, w), prior, forget);
        }
    }
}
