//! Seed derivation: every random draw of govsim — a run's structure,
//! residents, participation and events, and an experiment's replication
//! seeds and design points — comes from a ChaCha8 generator derived from one
//! seed and a fixed stream number, so that results depend only on the seed
//! and never on thread count or scheduling.

use rand::SeedableRng;
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
    /// Seeds of replications of an experiment.
    Replications = 6,
    /// Placement of sweep points (Latin hypercube).
    Design = 7,
}

/// The generator for `purpose` and `index` under `seed`.
pub fn stream(seed: u64, purpose: Purpose, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(((purpose as u64) << 40) | index);
    rng
}
