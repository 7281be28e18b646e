//! ODD 7.1, participation: the contacts of party members and grid workers,
//! and each resident's decision to take part.

use crate::scenario::Scenario;

/// How many draws a contact makes at most to find a resident who accepts it.
pub const CONTACT_DRAWS: u32 = 8;

/// The expected contacts of one community today, before they are rounded
/// stochastically.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contacts {
    /// Contacts by mobilized party members (only the real ones under formalism).
    pub by_members: f64,
    /// Contacts by grid workers.
    pub by_grid_workers: f64,
    /// The share of member contacts aimed at migrants only (enterprise
    /// branches reaching their workers).
    pub to_migrants: f64,
}

/// What the contacts of a community depend on.
#[derive(Debug, Clone, Copy)]
pub struct ContactBasis {
    /// Party members living in the community.
    pub party_members: u32,
    /// Residents of its grids that have a grid worker.
    pub covered_residents: u32,
    /// Whether it has a party-mass service center.
    pub service_center: bool,
    /// Share of its enterprises that have a party branch.
    pub enterprise_branch_share: f64,
    /// Its migrants at the start.
    pub migrants: u32,
    /// Its residents now.
    pub population: u32,
}

/// Today's expected contacts in a community: mobilized members × contacts
/// per member × (1 − formalism), covered residents × grid contact rate, both
/// × (1 + service-center boost) where there is a service center.
#[inline]
pub fn contacts(s: &Scenario, c: &ContactBasis) -> Contacts {
    let proc = &s.party.procedure;
    let boost = if c.service_center {
        1.0 + s.party.security.service_center_contacts
    } else {
        1.0
    };
    Contacts {
        by_members: mobilized_members(s, c.party_members)
            * proc.contacts_per_member
            * (1.0 - proc.formalism)
            * boost,
        by_grid_workers: f64::from(c.covered_residents) * s.grid.contact_rate * boost,
        to_migrants: c.enterprise_branch_share * c.migrants as f64 / f64::from(c.population.max(1)),
    }
}

/// Mobilized party members of a community: members × mobilization.
#[inline]
pub fn mobilized_members(s: &Scenario, party_members: u32) -> f64 {
    f64::from(party_members) * s.party.procedure.mobilization
}

/// Whether a drawn resident accepts a contact: with probability 1 − recent,
/// so contacts go preferentially to those who have not taken part recently
/// (`draw` uniform in [0, 1)).
#[inline]
pub fn accepts_contact(recent: f32, draw: f32) -> bool {
    draw >= recent
}

/// Mean trust of a resident in the three kinds.
#[inline]
pub fn mean_trust(trust: [f32; 3]) -> f32 {
    (trust[0] + trust[1] + trust[2]) / 3.0
}

/// Share of a resident's ties that took part yesterday (0 without ties).
/// Both counts are exact in `f32` (below 2²⁴).
#[inline]
pub fn peer_share(active: f32, degree: f32) -> f32 {
    if degree == 0.0 { 0.0 } else { active / degree }
}

/// The utility of taking part, in `f32`, for the residents of one community:
///
/// u = b0 + b_sc·service_center + b_civic·c + b_eff·e + b_trust·mean(trust)
///     + b_peer·peer + (b_mob if mobilized, else −b_crowd·centralization)
///     − b_migrant·(1 − inclusion·reach)·migrant,
///
/// summed left to right, `reach` the community's [`inclusion_reach`]. The first five terms are the *attitude part*
/// ([`Utility::attitude`]): it depends only on a resident's civic
/// propensity, efficacy and trust, so the fast pass keeps it per resident
/// and computes it again only where those changed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Utility {
    base: f32,
    civic: f32,
    efficacy: f32,
    trust: f32,
    peer: f32,
    mobilized: f32,
    crowding: f32,
    migrant: f32,
}

impl Utility {
    /// The coefficients of `s` for residents of a community with or without
    /// a service center, whose party channels reach the share
    /// `inclusion_reach` of its migrants.
    #[inline]
    pub fn new(s: &Scenario, service_center: bool, inclusion_reach: f64) -> Self {
        let r = &s.residents;
        let b_sc = if service_center { r.b_sc as f32 } else { 0.0 };
        Self {
            base: r.b0 as f32 + b_sc,
            civic: r.b_civic as f32,
            efficacy: r.b_eff as f32,
            trust: r.b_trust as f32,
            peer: r.b_peer as f32,
            mobilized: r.b_mob as f32,
            crowding: r.b_crowd as f32 * s.party.procedure.centralization as f32,
            migrant: r.b_migrant as f32
                * (1.0 - (s.party.security.inclusion * inclusion_reach) as f32),
        }
    }

    /// The attitude part: b0 + b_sc·service_center + b_civic·c + b_eff·e +
    /// b_trust·mean(trust).
    #[inline(always)]
    pub fn attitude(&self, civic: f32, efficacy: f32, mean_trust: f32) -> f32 {
        self.base + self.civic * civic + self.efficacy * efficacy + self.trust * mean_trust
    }

    /// The whole utility from the attitude part and today's social terms.
    #[inline(always)]
    pub fn of(&self, attitude: f32, peer_share: f32, mobilized: bool, migrant: bool) -> f32 {
        let u = attitude + self.peer * peer_share;
        let u = u + if mobilized {
            self.mobilized
        } else {
            -self.crowding
        };
        if migrant { u - self.migrant } else { u }
    }
}

/// The share of a community's migrants that inclusion channels reach,
/// through which the inclusion lever acts (design section 9.5):
/// 1 − (1 − m)(1 − c)(1 − e) with m = min(1, `migrant_member_share` ×
/// `migrant_member_reach`) where `members_reach` (a community party
/// committee organizes its migrant members: party-specific), c =
/// `service_center_migrant_reach` where a convener (any holder) runs a
/// service center, e the share of the community's enterprises with a party
/// branch (their migrant workers). 0 where no channel works: the lever then
/// does nothing.
#[inline]
pub fn inclusion_reach(
    s: &Scenario,
    members_reach: bool,
    convener: bool,
    service_center: bool,
    enterprise_branch_share: f64,
) -> f64 {
    let set = &s.party.setting;
    let members = if members_reach {
        (set.migrant_member_share * set.migrant_member_reach).min(1.0)
    } else {
        0.0
    };
    let center = if convener && service_center {
        s.party.security.service_center_migrant_reach
    } else {
        0.0
    };
    1.0 - (1.0 - members) * (1.0 - center) * (1.0 - enterprise_branch_share)
}

/// Whether a resident with utility `u` takes part: `draw` (uniform in
/// [0, 1)) below σ(u).
#[inline]
pub fn takes_part(u: f32, draw: f32) -> bool {
    draw < super::logistic_f32(u)
}

/// The moving average of taking part after today.
#[inline(always)]
pub fn recent_after(recent: f32, took_part: bool, weight: f32) -> f32 {
    recent + weight * (f32::from(u8::from(took_part)) - recent)
}

/// The bit of a resident's participation mark for the year's count of
/// residents who took part at least once.
pub const YEAR_BIT: u8 = 1;
/// The bit of that mark for the month's count.
pub const MONTH_BIT: u8 = 2;

/// A resident's first participation of the year and of the month: from its
/// mark (`seen`, bits [`YEAR_BIT`] and [`MONTH_BIT`]: took part since the
/// count started) and whether it took part today (0 or 1), whether today
/// is its first day of taking part this year (0 or 1), this month (0 or
/// 1), and its mark after today. Plain integer arithmetic, so that many
/// residents go at once.
#[inline(always)]
pub fn first_participation(seen: u8, took: u8) -> (u8, u8, u8) {
    let took = took & 1;
    let first_year = took & u8::from(seen & YEAR_BIT == 0);
    let first_month = took & u8::from(seen & MONTH_BIT == 0);
    (
        first_year,
        first_month,
        seen | (took * (YEAR_BIT | MONTH_BIT)),
    )
}

/// A community's volunteer pool today: volunteer effort × today's
/// participants. Mobilized party members give their day to contacts; they
/// volunteer when they take part themselves, like any resident (v1 counted
/// every mobilized member again, ODD section 8, item 27).
#[inline]
pub fn volunteer_pool(s: &Scenario, participants: u32) -> f64 {
    s.residents.volunteer_effort * f64::from(participants)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The utility's terms one at a time: contacts add b_mob, not being
    /// contacted subtracts crowding (only under centralization), the
    /// migrant term vanishes under full inclusion, and the attitude part
    /// is the written sum.
    #[test]
    fn utility_terms_at_their_boundaries() {
        let mut s = Scenario::default();
        s.party.procedure.centralization = 0.0;
        s.party.security.inclusion = 0.0;
        let r = s.residents.clone();
        let rule = Utility::new(&s, false, 1.0);
        let attitude = rule.attitude(0.5, 0.4, 0.3);
        let expected =
            r.b0 as f32 + r.b_civic as f32 * 0.5 + r.b_eff as f32 * 0.4 + r.b_trust as f32 * 0.3;
        assert_eq!(attitude, expected);
        assert_eq!(rule.of(attitude, 0.0, false, false), attitude);
        assert_eq!(
            rule.of(attitude, 0.0, true, false),
            attitude + r.b_mob as f32
        );
        assert_eq!(
            rule.of(attitude, 0.0, false, true),
            attitude - r.b_migrant as f32
        );
        assert_eq!(
            rule.of(attitude, 1.0, false, false),
            attitude + r.b_peer as f32
        );
        let with_center = Utility::new(&s, true, 1.0);
        let difference = with_center.attitude(0.5, 0.4, 0.3) - rule.attitude(0.5, 0.4, 0.3);
        assert!((difference - r.b_sc as f32).abs() < 1e-6, "{difference}");
        s.party.security.inclusion = 1.0;
        s.party.procedure.centralization = 1.0;
        let rule = Utility::new(&s, false, 1.0);
        assert_eq!(rule.of(0.0, 0.0, false, true), -(r.b_crowd as f32));
    }

    /// Inclusion acts only through the channels that reach migrants: none
    /// without a convener, each channel adding reach, a service center run
    /// by any convener, and a community without reach keeps the whole
    /// migrant penalty.
    #[test]
    fn inclusion_acts_through_its_channels_only() {
        let mut s = Scenario::default();
        s.party.security.inclusion = 1.0;
        assert_eq!(inclusion_reach(&s, false, false, true, 0.0), 0.0);
        let members = inclusion_reach(&s, true, true, false, 0.0);
        let center = inclusion_reach(&s, true, true, true, 0.0);
        let all = inclusion_reach(&s, true, true, true, 0.5);
        assert!(members > 0.0 && center > members && all > center && all <= 1.0);
        let hub_center = inclusion_reach(&s, false, true, true, 0.0);
        assert!((hub_center - s.party.security.service_center_migrant_reach).abs() < 1e-12);
        assert_eq!(inclusion_reach(&s, false, false, false, 0.5), 0.5);
        let b = s.residents.b_migrant as f32;
        assert_eq!(
            Utility::new(&s, false, 0.0).of(0.0, 0.0, true, true),
            s.residents.b_mob as f32 - b
        );
        let reached = Utility::new(&s, false, all).of(0.0, 0.0, true, true);
        assert!(reached > s.residents.b_mob as f32 - b);
    }

    #[test]
    fn peer_share_and_draws() {
        assert_eq!(peer_share(0.0, 0.0), 0.0);
        assert_eq!(peer_share(3.0, 4.0), 0.75);
        assert!(takes_part(0.0, 0.49) && !takes_part(0.0, 0.5));
        assert!(takes_part(200.0, 0.999_999));
        assert!(accepts_contact(0.0, 0.0) && !accepts_contact(1.0, 0.999));
        assert_eq!(recent_after(0.5, true, 1.0), 1.0);
        assert_eq!(recent_after(0.5, false, 0.0), 0.5);
    }

    /// Formalism makes member contacts unreal; a service center boosts both
    /// kinds; no mobilization, no member contacts.
    #[test]
    fn contacts_at_their_boundaries() {
        let mut s = Scenario::default();
        let basis = ContactBasis {
            party_members: 100,
            covered_residents: 500,
            service_center: false,
            enterprise_branch_share: 0.5,
            migrants: 200,
            population: 1000,
        };
        let plain = contacts(&s, &basis);
        assert_eq!(plain.to_migrants, 0.1);
        s.party.procedure.formalism = 1.0;
        assert_eq!(contacts(&s, &basis).by_members, 0.0);
        s.party.procedure.formalism = 0.0;
        s.party.procedure.mobilization = 0.0;
        assert_eq!(contacts(&s, &basis).by_members, 0.0);
        let s = Scenario::default();
        let centered = contacts(
            &s,
            &ContactBasis {
                service_center: true,
                ..basis
            },
        );
        let boost = 1.0 + s.party.security.service_center_contacts;
        assert!((centered.by_grid_workers - plain.by_grid_workers * boost).abs() < 1e-9);
        assert_eq!(volunteer_pool(&s, 0), 0.0);
        assert_eq!(volunteer_pool(&s, 10), 10.0 * s.residents.volunteer_effort);
    }
}
