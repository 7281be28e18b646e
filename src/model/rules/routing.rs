//! ODD 7.3, routing: who takes on a detected issue, and whether an asked
//! organization joins a coalition.

use crate::scenario::Scenario;

/// An organization's load in [0, 1]: its backlog against `queue_days` days of
/// its capacity (1 for an organization without capacity).
#[inline]
pub fn utilization(backlog: f64, capacity: f64, queue_days: f64) -> f64 {
    if capacity <= 0.0 {
        return 1.0;
    }
    (backlog / (capacity * queue_days)).min(1.0)
}

/// Whether an organization with this load takes on more work.
#[inline]
pub fn has_room(utilization: f64) -> bool {
    utilization < 1.0
}

/// The chance that the community party committee claims a single-competency
/// issue first (triage): the centralization κ.
#[inline]
pub fn triage_chance(s: &Scenario) -> f64 {
    s.party.procedure.centralization
}

/// The chance that a social organization or residents' committee takes on
/// an issue it is asked to (or becomes a cross-cutting issue's intake): its
/// autonomy.
#[inline]
pub fn take_on_chance(autonomy: f64) -> f64 {
    autonomy
}

/// The leadership terms of the join utility of a party-convened coalition:
/// `j_lead` · coordination strength · (ℓ0 + (1 − ℓ0)·ℓ) + `j_cent` · κ +
/// bonus (the joint conference's reconvening bonus, 7.4). Self-organized
/// coalitions have none.
#[inline]
pub fn leadership(s: &Scenario, legitimacy: f64, bonus: f64) -> f64 {
    let (co, proc) = (&s.coalition, &s.party.procedure);
    let l0 = s.party.security.legitimacy_floor;
    co.j_lead * proc.coordination_strength * (l0 + (1.0 - l0) * legitimacy)
        + co.j_cent * proc.centralization
        + bonus
}

/// The chance that an asked organization joins a coalition:
/// σ(`j0` + `j_trust`·T + leadership − `j_load`·utilization), T the asker's
/// trust in it.
#[inline]
pub fn join_chance(s: &Scenario, trust: f64, leadership: f64, utilization: f64) -> f64 {
    let co = &s.coalition;
    super::logistic(co.j0 + co.j_trust * trust + leadership - co.j_load * utilization)
}

/// How an asker ranks a reachable organization as partner: by its trust in
/// it, ties broken by a tiny jitter (`draw` uniform in [0, 1)).
#[inline]
pub fn partner_score(trust: f64, draw: f64) -> f64 {
    trust + 1e-6 * draw
}

/// Days a part waits in a department's queue before work may start: the
/// government delay, none for an escalated issue.
#[inline]
pub fn department_delay(s: &Scenario, escalated: bool) -> u32 {
    if escalated { 0 } else { s.government.delay }
}

/// Effort a part of a party-convened coalition carries on top of its own:
/// formalism × paperwork effort.
#[inline]
pub fn paperwork(s: &Scenario) -> f64 {
    s.party.procedure.formalism * s.party.procedure.paperwork_effort
}
