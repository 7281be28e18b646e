//! Residents shared between runs. The runs of an experiment's points in one
//! replication have the same seed and mostly differ in levers that the
//! residents are not made from (a regime's institutions, a swept lever), so
//! the residents, grids and ties made for one run are those of the next:
//! [`SharedResidents`] keeps the latest few and hands each run its own copy,
//! which costs a copy of memory instead of the draws of making them.
//! Whether residents are shared or made afresh changes no result.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use super::kernels::tie_counts::TieCounts;
use super::world::{MadeResidents, ResidentsSpec, make_residents};

/// Districts of at most this many residents are kept: above it, making the
/// residents is a small part of a run (a twentieth of a Beilun year), and
/// keeping a copy costs a copy and its memory (about 100 bytes a resident)
/// whether or not a later run takes it.
pub const MAX_SHARED_DISTRICT: u64 = 250_000;

/// At most this many residents are kept, all districts together (about
/// 100 MB), however many threads run.
pub const MAX_KEPT_RESIDENTS: u64 = 1_000_000;

/// A district's residents made for a seed, with what the model derives
/// from them alone: the counts of ties that took part.
#[derive(Debug, Clone)]
pub(in crate::model) struct BuiltResidents {
    pub made: MadeResidents,
    pub tie_counts: TieCounts,
}

impl BuiltResidents {
    /// The residents of `spec` for `seed`, made afresh.
    pub(in crate::model) fn new(spec: &ResidentsSpec, seed: u64) -> Self {
        let made = make_residents(spec, seed);
        let tie_counts = TieCounts::new(made.residents(), made.community_ranges());
        Self { made, tie_counts }
    }
}

/// The residents made latest, with their spec and seed.
type Kept = VecDeque<(ResidentsSpec, u64, Arc<BuiltResidents>)>;

/// The residents made latest for the runs of an experiment, at most
/// `entries` districts of at most [`MAX_SHARED_DISTRICT`] residents each,
/// and [`MAX_KEPT_RESIDENTS`] residents in all:
/// a run whose spec and seed match takes a copy of them instead of making
/// them. Threads share one; each run gets its own copy.
#[derive(Debug)]
pub struct SharedResidents {
    kept: Mutex<Kept>,
    entries: usize,
}

impl SharedResidents {
    /// Keeps at most `entries` districts (one per thread that runs, and
    /// one more, lets each thread go through the points of a replication).
    pub fn new(entries: usize) -> Self {
        Self {
            kept: Mutex::new(VecDeque::with_capacity(entries)),
            entries,
        }
    }

    /// The residents of `spec` for `seed`: a copy of kept ones, or made
    /// afresh (and kept, the oldest let go, when the district is small
    /// enough).
    pub(in crate::model) fn get(&self, spec: &ResidentsSpec, seed: u64) -> BuiltResidents {
        let found = self
            .lock()
            .iter()
            .find(|(s, k, _)| *k == seed && s == spec)
            .map(|(_, _, built)| Arc::clone(built));
        if let Some(built) = found {
            return (*built).clone();
        }
        // Made outside the lock: another thread may make the same at once,
        // which costs time, not results.
        let built = BuiltResidents::new(spec, seed);
        let residents = spec.residents();
        if residents <= MAX_SHARED_DISTRICT && self.entries > 0 {
            let mut kept = self.lock();
            // The oldest go until the new one fits.
            let mut total: u64 = kept.iter().map(|(s, _, _)| s.residents()).sum();
            while kept.len() == self.entries || total + residents > MAX_KEPT_RESIDENTS {
                let Some((s, _, _)) = kept.pop_front() else {
                    break;
                };
                total -= s.residents();
            }
            kept.push_back((spec.clone(), seed, Arc::new(built.clone())));
        }
        built
    }

    /// How many districts are kept now.
    pub fn kept(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        // A thread that panicked while holding the lock left the list whole
        // (each change is one push or pop), so it is still good.
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;
    use crate::scenario::Scenario;

    /// What a model's days give, to compare two models by.
    fn days(mut model: Model, n: u32) -> Vec<String> {
        let mut out: Vec<String> = (0..n).map(|_| format!("{:?}", model.step())).collect();
        let res = &model.world().residents;
        out.push(format!("{:?} {:?}", res.trust(), res.efficacy()));
        out
    }

    /// Residents taken from the kept ones give the model of residents made
    /// afresh, for a scenario that shares them (other institutions) and
    /// not for one that does not (other ties), which gets its own.
    #[test]
    fn shared_residents_give_the_same_model() {
        let first = Scenario::default();
        let mut other_regime = first.clone();
        other_regime.party.procedure.pooling = 0.9;
        other_regime.party.system.alliance_openness = 0.1;
        let mut other_ties = first.clone();
        other_ties.residents.ties_k += 2;
        let shared = SharedResidents::new(2);
        let _ = Model::new_shared(&first, 7, &shared);
        assert_eq!(shared.kept(), 1);
        for s in [&first, &other_regime, &other_ties] {
            let fresh = days(Model::new(s, 7), 20);
            assert_eq!(days(Model::new_shared(s, 7, &shared), 20), fresh);
        }
        assert_eq!(shared.kept(), 2, "the other ties' residents are kept apart");
        assert_ne!(
            days(Model::new(&other_ties, 7), 20),
            days(Model::new(&first, 7), 20),
            "the ties' lever makes other residents"
        );
        // Another seed makes other residents; the oldest kept is let go.
        let _ = Model::new_shared(&first, 8, &shared);
        assert_eq!(shared.kept(), 2);
        assert_eq!(
            days(Model::new_shared(&first, 8, &shared), 5),
            days(Model::new(&first, 8), 5)
        );
    }

    /// The spec of the default district with at most `residents` residents
    /// (a few fewer).
    fn of_size(residents: u64) -> ResidentsSpec {
        let mut s = Scenario::default();
        s.district.communities.truncate(1);
        let group = &mut s.district.communities[0];
        group.population = (residents / u64::from(group.count)) as u32;
        ResidentsSpec::of(&s)
    }

    /// Nothing is kept without room, or of a district too large to keep;
    /// the oldest go when the residents kept would be too many.
    #[test]
    fn what_is_kept_is_bounded() {
        let s = Scenario::default();
        let none = SharedResidents::new(0);
        let _ = Model::new_shared(&s, 1, &none);
        assert_eq!(none.kept(), 0);
        let shared = SharedResidents::new(6);
        let too_large = of_size(2 * MAX_SHARED_DISTRICT);
        assert!(too_large.residents() > MAX_SHARED_DISTRICT);
        let _ = shared.get(&too_large, 1);
        assert_eq!(shared.kept(), 0);
        let largest = of_size(MAX_SHARED_DISTRICT);
        assert!(largest.residents() <= MAX_SHARED_DISTRICT);
        let fit = MAX_KEPT_RESIDENTS / largest.residents();
        assert!(
            (2..6).contains(&fit),
            "the total bound is met before the entries'"
        );
        for seed in 0..=fit {
            let _ = shared.get(&largest, seed);
        }
        // One more than fit: the oldest went.
        let kept = shared.lock();
        assert_eq!(kept.len() as u64, fit);
        assert_eq!(kept[0].1, 1);
        assert!(kept.iter().map(|(s, _, _)| s.residents()).sum::<u64>() <= MAX_KEPT_RESIDENTS);
    }
}
