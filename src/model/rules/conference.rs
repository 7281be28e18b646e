//! ODD 7.4, the joint conference of the regional alliance.

use crate::scenario::{Linkage, Scenario};

/// Whether `day` (0-based) is a meeting day: under regional linkage, every
/// `meeting_interval` days, on days interval − 1, 2·interval − 1, …
#[inline]
pub fn meets(s: &Scenario, day: u32) -> bool {
    let interval = s.party.procedure.meeting_interval;
    interval != 0 && s.party.system.linkage == Linkage::Regional && day % interval == interval - 1
}

/// Trust between two alliance members after a meeting: T + gain·(1 − T),
/// gain = `meeting_trust_gain` × (1 − formalism).
#[inline]
pub fn trust_after_meeting(s: &Scenario, trust: f64) -> f64 {
    let proc = &s.party.procedure;
    let gain = proc.meeting_trust_gain * (1.0 - proc.formalism);
    trust + gain * (1.0 - trust)
}

/// Capacity a member loses to a meeting: formalism × `meeting_cost` × its
/// capacity.
#[inline]
pub fn meeting_overhead(s: &Scenario, capacity: f64) -> f64 {
    let proc = &s.party.procedure;
    proc.formalism * proc.meeting_cost * capacity
}

/// The bonus a meeting day adds to the join utility of every reconvened
/// cross-cutting issue.
#[inline]
pub fn reconvene_bonus(s: &Scenario) -> f64 {
    s.coalition.reconvene_bonus
}
