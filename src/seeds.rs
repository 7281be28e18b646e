//! Seed derivation: every random draw of govsim — a run's structure,
//! residents, participation and events, and an experiment's replication
//! seeds and design points — comes from a ChaCha8 generator derived from one
//! seed and a fixed stream number, so that results depend only on the seed
//! and never on thread count or scheduling.

use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What a stream is used for; the purpose and an index make its stream number.
#[derive(Debug, Clone, Copy)]
#[repr(u64)]
pub enum Purpose {
    /// Building the district: organizations, flags, party members.
    Structure = 1,
    /// Initial resident attributes and ties of one community.
    Residents = 2,
    /// Daily participation and contacts in one community.
    Participation = 3,
    /// Issue arrival, detection, routing, work, feedback (district-wide, sequential).
    Events = 4,
    /// The party's part of one community: committee coverage, branches of
    /// organizations, alliance membership, service centres.
    Party = 5,
    /// Seeds of replications of an experiment.
    Replications = 6,
    /// Placement of sweep points (Latin hypercube).
    Design = 7,
    /// Particles drawn from a calibration's posterior (`govsim validate`).
    Posterior = 8,
}

/// The generator for `purpose` and `index` under `seed`.
pub fn stream(seed: u64, purpose: Purpose, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(((purpose as u64) << 40) | index);
    rng
}

/// True with probability `p` (clamped to [0, 1]), using exactly one draw of
/// `rng` whatever `p` is. `random_bool` skips its draw when p = 1, so a lever
/// set to 1 in one scenario and below 1 in another would shift every later
/// draw of the stream and the two would no longer share their random
/// numbers; this never does.
pub fn chance<R: Rng + ?Sized>(rng: &mut R, p: f64) -> bool {
    let u: f64 = rng.random();
    u < p
}
