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

/// Whether an issue known since `detected_day` and taken on on `day` had a
/// reply in time: within `reply_days` days (the hotline's response).
#[inline]
pub fn replied_in_time(day: u32, detected_day: u32, reply_days: u32) -> bool {
    day.saturating_sub(detected_day) <= reply_days
}

/// The chance that an issue is brought to the community's convener (to be
/// triaged or convened): 1 − w·(1 − ℓ), w = `institutions.legitimacy_uptake`
/// and ℓ the convener's legitimacy. With w > 0 a convener that delivers
/// little loses the issues through which it could earn legitimacy back
/// (the "marginalized" risk of the Beilun study; ODD section 8, item 35).
#[inline]
pub fn brought_to_convener(s: &Scenario, legitimacy: f64) -> f64 {
    1.0 - s.institutions.legitimacy_uptake * (1.0 - legitimacy)
}

/// The chance that an organization takes on an issue it is asked to, or
/// becomes a cross-cutting issue's intake or convener: one rule for every
/// actor (design section 10), `mandate + (1 − mandate) × autonomy`: its
/// mandate (the share it takes by duty), and its autonomy for the rest.
#[inline]
pub fn take_on_chance(autonomy: f64, mandate: f64) -> f64 {
    mandate + (1.0 - mandate) * autonomy
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

/// The leadership term of the join utility of a self-organized coalition:
/// `j_lead` · `institutions.intake_leadership` (facilitative leadership is
/// an institution any intake can hold, Ansell & Gash 2008; v2: none).
#[inline]
pub fn intake_leadership(s: &Scenario) -> f64 {
    s.coalition.j_lead * s.institutions.intake_leadership
}

/// The chance that an asked organization joins a coalition:
/// σ(`j0` + `j_trust`·T + leadership − `j_load`·utilization), T the asker's
/// trust in it.
#[inline]
pub fn join_chance(s: &Scenario, trust: f64, leadership: f64, utilization: f64) -> f64 {
    let co = &s.coalition;
    super::logistic(co.j0 + co.j_trust * trust + leadership - co.j_load * utilization)
}

/// The chance that a department a party convener asks joins its
/// coalition: a summoned department must come ("the street blows the
/// whistle, departments report"), so `summons` of the time it joins
/// whatever its trust and load, and otherwise as any organization does
/// (`join_chance`). Without summons (0, the default) a department is asked
/// like anyone else (design section 9.2).
#[inline]
pub fn summoned_join_chance(s: &Scenario, join_chance: f64) -> f64 {
    let m = s.party.procedure.summons;
    m + (1.0 - m) * join_chance
}

/// What an issue waiting for partners does after a failed try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailedTry {
    /// The same asker tries again tomorrow.
    TryAgain,
    /// The convener hands the issue to a self-organized search.
    SelfOrganize,
    /// The issue goes to the departments today.
    Refer,
}

/// What an issue does after its `tries`-th failed try to find partners.
/// Convening tries and self-organized search days count against one budget,
/// `search_tries`, so that an issue waits for partners as long on every route
/// (one rule for everyone); a convener hands it to a self-organized search
/// after `max_convening_tries`.
#[inline]
pub fn after_failed_try(s: &Scenario, tries: u32, convening: bool) -> AfterFailedTry {
    let co = &s.coalition;
    if tries >= co.search_tries {
        AfterFailedTry::Refer
    } else if convening && tries >= co.max_convening_tries {
        AfterFailedTry::SelfOrganize
    } else {
        AfterFailedTry::TryAgain
    }
}

/// How an asker ranks a reachable organization as partner: by its trust in
/// it, ties broken by a tiny jitter (`draw` uniform in [0, 1)).
#[inline]
pub fn partner_score(trust: f64, draw: f64) -> f64 {
    trust + 1e-6 * draw
}

/// The delay departments keep to: `government.delay`, less the share
/// `compliance` of what exceeds a reply limit (`government.reply_limit`,
/// 0: none). Complying departments start within the limit; the rest wait
/// as before (section 8, item 44).
pub fn kept_delay(s: &Scenario, compliance: f64) -> f64 {
    let delay = f64::from(s.government.delay);
    let limit = s.government.reply_limit;
    if limit == 0 || delay <= f64::from(limit) {
        return delay;
    }
    delay - compliance * (delay - f64::from(limit))
}

/// Days between two rankings of the departments (a month).
pub const RANKING_DAYS: u32 = 30;

/// The departments' compliance with the reply limit after a month of
/// monitoring and ranking by the three rates: its gap to full compliance
/// closes by `ranking` × `ranking_response` × (1 − the month's resolution
/// rate), so that ranking presses hardest where the rates are worst and
/// compliance climbs for as long as they stay short of full (item 44).
/// Without ranking, or a month with nothing closed, it stays.
pub fn ranked_compliance(s: &Scenario, compliance: f64, month_rate: Option<f64>) -> f64 {
    let Some(rate) = month_rate else {
        return compliance;
    };
    let pressure = s.government.ranking * s.government.ranking_response * (1.0 - rate);
    (compliance + pressure * (1.0 - compliance)).clamp(0.0, 1.0)
}

/// Days a part waits in its handler's queue before work starts: the
/// delay departments keep to ([`kept_delay`]) for a department whatever
/// the route brought the part there (one rule for everyone), less the
/// share `summons` skips on a party-convened coalition; none for other
/// organizations. Escalated issues skip it (they are handled as urgent).
pub fn part_delay(
    s: &Scenario,
    compliance: f64,
    department: bool,
    convened: bool,
    escalated: bool,
) -> u32 {
    if !department || escalated {
        return 0;
    }
    let delay = kept_delay(s, compliance);
    let kept = if convened {
        1.0 - s.party.procedure.summons
    } else {
        1.0
    };
    (delay * kept).round() as u32
}

/// Capacity the party committee spends on a convening try or a triage:
/// `convening_cost`, whether or not a coalition forms.
#[inline]
pub fn convening_cost(s: &Scenario) -> f64 {
    s.party.procedure.convening_cost
}

/// Whether a convener with `left` effort units of today's capacity may
/// spend `cost` on a convening try or a triage: only what it has
/// (section 8, item 43), so that capacity lost to overhead never exceeds
/// the capacity.
#[inline]
pub fn can_convene(left: f64, cost: f64) -> bool {
    left >= cost
}

/// Effort a part of a party-convened coalition carries on top of its own:
/// formalism × paperwork effort.
#[inline]
pub fn paperwork(s: &Scenario) -> f64 {
    s.party.procedure.formalism * s.party.procedure.paperwork_effort
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_waits_for_partners_within_one_budget() {
        let mut s = Scenario::default();
        s.coalition.search_tries = 3;
        s.coalition.max_convening_tries = 2;
        use AfterFailedTry::*;
        assert_eq!(after_failed_try(&s, 1, true), TryAgain);
        assert_eq!(after_failed_try(&s, 2, true), SelfOrganize);
        assert_eq!(after_failed_try(&s, 2, false), TryAgain);
        assert_eq!(after_failed_try(&s, 3, true), Refer);
        assert_eq!(after_failed_try(&s, 3, false), Refer);
        // A convener with a budget beyond the route's refers when it is spent.
        s.coalition.max_convening_tries = 9;
        assert_eq!(after_failed_try(&s, 3, true), Refer);
    }

    #[test]
    fn utilization_is_capped_and_full_without_capacity() {
        assert_eq!(utilization(5.0, 0.0, 3.0), 1.0);
        assert_eq!(utilization(5.0, -1.0, 3.0), 1.0);
        assert_eq!(utilization(0.0, 2.0, 3.0), 0.0);
        assert_eq!(utilization(3.0, 2.0, 3.0), 0.5);
        assert_eq!(utilization(60.0, 2.0, 3.0), 1.0);
        assert!(has_room(0.999) && !has_room(1.0));
    }

    /// The join probability: one half at zero utility, rising with trust
    /// and leadership, falling with load, and exactly σ of the stated sum.
    #[test]
    fn a_summoned_department_must_come() {
        let mut s = Scenario::default();
        assert_eq!(summoned_join_chance(&s, 0.3), 0.3, "no summons: as anyone");
        s.party.procedure.summons = 1.0;
        assert_eq!(summoned_join_chance(&s, 0.3), 1.0);
        s.party.procedure.summons = 0.5;
        assert!((summoned_join_chance(&s, 0.2) - 0.6).abs() < 1e-12);
    }

    #[test]
    fn join_chance_at_its_boundaries() {
        let mut s = Scenario::default();
        let co = &mut s.coalition;
        (co.j0, co.j_trust, co.j_load) = (0.0, 0.0, 0.0);
        assert_eq!(join_chance(&s, 0.7, 0.0, 0.9), 0.5);
        let s = Scenario::default();
        let co = &s.coalition;
        let base = join_chance(&s, 0.5, 0.0, 0.5);
        assert!(join_chance(&s, 0.9, 0.0, 0.5) > base);
        assert!(join_chance(&s, 0.5, 1.0, 0.5) > base);
        assert!(join_chance(&s, 0.5, 0.0, 1.0) < base);
        let u = co.j0 + co.j_trust * 0.3 + 0.2 - co.j_load * 0.4;
        assert_eq!(join_chance(&s, 0.3, 0.2, 0.4), super::super::logistic(u));
        for (t, lead, load) in [(0.0, 0.0, 1.0), (1.0, 10.0, 0.0)] {
            let p = join_chance(&s, t, lead, load);
            assert!((0.0..=1.0).contains(&p), "{p}");
        }
    }

    /// Leadership: the floor keeps part of it at zero legitimacy; full
    /// legitimacy gives the whole term; no coordination strength or
    /// centralization leaves only the bonus.
    #[test]
    fn leadership_at_its_boundaries() {
        let mut s = Scenario::default();
        let (co, proc) = (&s.coalition, &s.party.procedure);
        let l0 = s.party.security.legitimacy_floor;
        let full = co.j_lead * proc.coordination_strength + co.j_cent * proc.centralization;
        assert!((leadership(&s, 1.0, 0.0) - full).abs() < 1e-12);
        let floor = co.j_lead * proc.coordination_strength * l0 + co.j_cent * proc.centralization;
        assert!((leadership(&s, 0.0, 0.0) - floor).abs() < 1e-12);
        s.party.procedure.coordination_strength = 0.0;
        s.party.procedure.centralization = 0.0;
        assert_eq!(leadership(&s, 0.8, 0.25), 0.25);
    }

    #[test]
    fn compliance_cuts_the_delay_beyond_the_limit_and_ranking_raises_it() {
        let mut s = Scenario::default();
        s.government.delay = 30;
        assert_eq!(kept_delay(&s, 1.0), 30.0, "no limit: the delay");
        s.government.reply_limit = 7;
        assert_eq!(kept_delay(&s, 0.0), 30.0, "no compliance: the delay");
        assert_eq!(kept_delay(&s, 1.0), 7.0, "full compliance: the limit");
        assert_eq!(kept_delay(&s, 0.5), 18.5);
        assert_eq!(part_delay(&s, 0.5, true, false, false), 19);
        s.government.delay = 5;
        assert_eq!(kept_delay(&s, 1.0), 5.0, "a delay within the limit stays");
        assert_eq!(ranked_compliance(&s, 0.2, Some(0.5)), 0.2, "no ranking");
        s.government.ranking = 1.0;
        s.government.ranking_response = 0.5;
        let after = ranked_compliance(&s, 0.2, Some(0.5));
        assert!((after - (0.2 + 0.25 * 0.8)).abs() < 1e-12, "{after}");
        assert_eq!(
            ranked_compliance(&s, 0.2, Some(1.0)),
            0.2,
            "full rates: no pressure"
        );
        assert_eq!(ranked_compliance(&s, 0.2, None), 0.2, "nothing closed");
        assert!(
            ranked_compliance(&s, 0.2, Some(0.3)) > after,
            "worse rates press harder"
        );
    }

    #[test]
    fn escalated_issues_skip_the_delay() {
        let mut s = Scenario::default();
        assert_eq!(part_delay(&s, 0.0, true, false, true), 0);
        assert_eq!(part_delay(&s, 0.0, true, false, false), s.government.delay);
        // Whoever convened it, a department's part waits the same delay,
        // unless `summons` says otherwise; other organizations never wait.
        assert_eq!(part_delay(&s, 0.0, true, true, false), s.government.delay);
        assert_eq!(part_delay(&s, 0.0, false, false, false), 0);
        s.party.procedure.summons = 1.0;
        assert_eq!(part_delay(&s, 0.0, true, true, false), 0);
        assert_eq!(part_delay(&s, 0.0, true, false, false), s.government.delay);
    }
}
