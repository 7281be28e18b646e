//! The district's state: residents as a struct of arrays, communities, grids
//! and organizations, and how they are built from a scenario.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution, Poisson};

use super::kernels::communities_per_piece;
use super::kernels::disjoint::{DisjointSlice, consecutive};
use super::network::{SmallWorld, Ties};
use super::org_trust::OrgTrust;
use crate::scenario::{CommunityKind, ConvenerHolder, Linkage, Scenario};
use crate::seeds::{Purpose, chance, stream};

/// Marker for "no organization" / "no community".
pub const NONE: u32 = u32::MAX;

/// The three kinds of governance center that residents trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// The community's convener: the community party committee where there
    /// is one (residents' "trust in party organizations"), else whoever
    /// holds the convener institution.
    Convener = 0,
    /// Government departments and offices.
    Government = 1,
    /// Residents' committees, social organizations, companies, enterprises.
    Social = 2,
}

/// What an organization is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgRole {
    /// A district department with one competency.
    Department,
    /// A subdistrict office (generalist).
    Office,
    /// A community's residents' committee.
    ResidentsCommittee,
    /// A social organization of a community.
    SocialOrganization,
    /// A property company of an urban community.
    PropertyCompany,
    /// An enterprise of an industrial community.
    Enterprise,
    /// A community party committee: convener and triage.
    PartyCommittee,
    /// A hub of social organizations holding the convener institution.
    CommunityHub,
}

impl OrgRole {
    /// The kind of governance center residents see in an organization of
    /// this role, unless it holds the convener institution (then
    /// [`Kind::Convener`]).
    pub fn kind(self) -> Kind {
        match self {
            Self::Department | Self::Office => Kind::Government,
            Self::PartyCommittee | Self::CommunityHub => Kind::Convener,
            _ => Kind::Social,
        }
    }
}

/// A task: one part of an issue, in an organization's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Task {
    /// Slot of the issue.
    pub issue: u32,
    /// Index of the part.
    pub part: u8,
}

/// An organization: a governance center with capacity and a queue.
#[derive(Debug, Clone)]
pub struct Org {
    /// What it is. Rules never read it (design section 10): they read the
    /// attributes below; only outputs and the words of the live app do.
    pub role: OrgRole,
    /// The kind of governance center residents credit with its work.
    pub center: Kind,
    /// A party organization: read only by the party-specific mechanisms
    /// listed in `model::party_specific`.
    pub party: bool,
    /// Subdistrict, or `NONE` for district departments.
    pub subdistrict: u32,
    /// Community, or `NONE` for subdistrict and district scope.
    pub community: u32,
    /// Competencies as a bitset.
    pub competencies: u16,
    /// Daily capacity in effort units.
    pub capacity: f64,
    /// Capacity lost today to meetings, convening and triage overhead.
    pub overhead_today: f64,
    /// Capacity left unused today after own work.
    pub unused_today: f64,
    /// Sum of remaining effort of its queued tasks.
    pub backlog: f64,
    /// Its tasks.
    pub queue: Vec<Task>,
    /// Probability of taking on an issue beyond its mandate (social
    /// organizations, residents' committees).
    pub autonomy: f64,
    /// Probability of taking on an issue by duty, whatever its autonomy.
    pub mandate: f64,
    /// Member of its subdistrict's regional alliance.
    pub alliance: bool,
}

impl Org {
    /// Load in [0, 1]: backlog against `queue_days` of capacity.
    pub fn utilization(&self, queue_days: f64) -> f64 {
        super::rules::routing::utilization(self.backlog, self.capacity, queue_days)
    }

    /// Whether it has the competency `c`.
    pub fn has(&self, c: u8) -> bool {
        self.competencies & (1 << c) != 0
    }
}

/// A community: residents, grids, organizations and party state.
#[derive(Debug, Clone)]
pub struct Community {
    /// Urban, industrial or village.
    pub kind: CommunityKind,
    /// Its subdistrict.
    pub subdistrict: u32,
    /// Resident index ranges (the initial block, then newcomers); read
    /// through [`Community::ranges`], changed only when newcomers arrive.
    ranges: Vec<(u32, u32)>,
    /// Residents now.
    population: u32,
    /// Its grids (indices into `World::grids`).
    pub grids: std::ops::Range<u32>,
    /// Its residents' committee.
    pub committee: u32,
    /// The organization holding its convener institution (its community
    /// party committee, a community hub or its residents' committee), or
    /// `NONE`.
    pub convener: u32,
    /// Whether its convener is a party organization (read only by the
    /// mechanisms of `model::party_specific`).
    pub convener_is_party: bool,
    /// It has a party-mass service center.
    pub service_center: bool,
    /// Its social organizations, property company and enterprises.
    pub social_orgs: Vec<u32>,
    /// Party members living here.
    pub party_members: u32,
    /// Migrants living here at the start.
    pub migrants: u32,
    /// Whether enterprise party branches here reach migrant workers.
    pub enterprise_branch_share: f64,
    /// Organizations a convener here can ask, per competency.
    pub convening_reach: Vec<Vec<u32>>,
    /// Organizations of this community, per competency (self-organized partners).
    pub local_reach: Vec<Vec<u32>>,
    /// The convener's legitimacy here (party legitimacy where the convener
    /// is the community party committee).
    pub legitimacy: f64,
    /// Decaying count of issues the convener convened or triaged here.
    pub convener_present: f64,
    /// Decaying count of cross-cutting issues detected here.
    pub cross_cutting_seen: f64,
    /// Decaying counts of convened outcomes: resolved, abandoned.
    pub convened_outcomes: (f64, f64),
    /// The volunteer effort available today.
    pub volunteer_pool: f64,
    /// Sum of residents' trust in the convener (refreshed daily).
    pub trust_convener_sum: f64,
}

impl Community {
    /// Resident index ranges: the residents built with the community, then
    /// each batch of newcomers; they follow each other upward.
    pub fn ranges(&self) -> &[(u32, u32)] {
        &self.ranges
    }

    /// Residents now.
    pub fn population(&self) -> u32 {
        self.population
    }
}

/// A grid: the smallest unit of management.
#[derive(Debug, Clone)]
pub struct Grid {
    /// Its community.
    pub community: u32,
    /// Resident index ranges; read through [`Grid::ranges`], changed only
    /// when newcomers arrive.
    ranges: Vec<(u32, u32)>,
    /// It has an active grid worker.
    pub covered: bool,
    /// Residents taking part today.
    pub participants: u32,
    /// Party members taking part today.
    pub active_members: u32,
}

impl Grid {
    /// Resident index ranges (inside its community's).
    pub fn ranges(&self) -> &[(u32, u32)] {
        &self.ranges
    }
}

/// Bits of `Residents::flags`.
pub mod flag {
    /// A migrant.
    pub const MIGRANT: u8 = 1;
    /// A party member.
    pub const MEMBER: u8 = 2;
}

/// Residents as a struct of arrays: index i is one resident in every vector.
///
/// The fields are private: outside this module they are read through the
/// methods of the same names, and changed only through the methods of
/// [`World`] that keep the model's caches right (trust and efficacy through
/// methods that mark the grid's attitude parts stale; today's participation
/// and the moving average only through `World::start_participation`, the
/// participation pass's own; ties only by newcomers' arrival).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Residents {
    community: Vec<u32>,
    grid: Vec<u32>,
    flags: Vec<u8>,
    civic: Vec<f32>,
    efficacy: Vec<f32>,
    trust: [Vec<f32>; 3],
    recent: Vec<f32>,
    took_part: Vec<u8>,
    ties: Ties,
}

/// One grid's residents during `World::change_grids_attitudes`: their
/// trust in each kind and efficacy, which only this grid's task touches.
pub(in crate::model) struct GridAttitudes<'w> {
    ranges: &'w [(u32, u32)],
    trust: &'w [DisjointSlice<'w, f32>; 3],
    efficacy: &'w DisjointSlice<'w, f32>,
}

impl GridAttitudes<'_> {
    /// Changes the trust in each kind and the efficacy of resident `i` by
    /// `change`.
    ///
    /// # Panics
    /// If `i` is not a resident of the grid.
    pub(in crate::model) fn change_resident(
        &mut self,
        i: usize,
        change: impl FnOnce(&mut [f32; 3], &mut f32),
    ) {
        assert!(
            self.ranges
                .iter()
                .any(|&(a, b)| (a as usize..b as usize).contains(&i)),
            "resident {i} is not in the grid"
        );
        // SAFETY: i is a resident of this grid, which only this task touches
        // (`World::change_grids_attitudes`).
        let (trust, efficacy) = unsafe {
            (
                self.trust.each_ref().map(|t| &mut t.range_mut(i, i + 1)[0]),
                &mut self.efficacy.range_mut(i, i + 1)[0],
            )
        };
        let mut values = trust.each_ref().map(|t| **t);
        change(&mut values, efficacy);
        for (t, value) in trust.into_iter().zip(values) {
            *t = value;
        }
    }

    /// Changes the trust in each kind and the efficacy of every resident of
    /// the grid by `change`, called once per index range of the grid with
    /// that range's values.
    pub(in crate::model) fn change_ranges(
        &mut self,
        mut change: impl FnMut([&mut [f32]; 3], &mut [f32]),
    ) {
        for &(a, b) in self.ranges {
            let (a, b) = (a as usize, b as usize);
            // SAFETY: the range is this grid's, which only this task touches
            // (`World::change_grids_attitudes`).
            let (trust, efficacy) = unsafe {
                (
                    self.trust.each_ref().map(|t| t.range_mut(a, b)),
                    self.efficacy.range_mut(a, b),
                )
            };
            change(trust, efficacy);
        }
    }
}

/// Where the residents live, read only: each resident's community, grid
/// and flags, and the communities' and grids' ranges of residents. What
/// drawing a resident of a community or grid reads, and what an issue takes
/// from its reporter (`World::places`; the participation pass lends it to
/// the issues arriving beside it).
#[derive(Clone, Copy)]
pub(in crate::model) struct Places<'a> {
    /// Each resident's community.
    pub community: &'a [u32],
    /// Each resident's grid.
    pub grid: &'a [u32],
    /// Each resident's bits from [`flag`].
    pub flags: &'a [u8],
    /// The communities.
    pub communities: &'a [Community],
    /// The grids.
    pub grids: &'a [Grid],
}

impl Places<'_> {
    /// A uniformly drawn resident of community `c`.
    pub(in crate::model) fn random_resident(&self, c: usize, rng: &mut ChaCha8Rng) -> u32 {
        let community = &self.communities[c];
        nth_in_ranges(&community.ranges, rng.random_range(0..community.population))
    }

    /// A uniformly drawn resident of grid `g`.
    pub(in crate::model) fn random_in_grid(&self, g: usize, rng: &mut ChaCha8Rng) -> u32 {
        let grid = &self.grids[g];
        let total: u32 = grid.ranges.iter().map(|(a, b)| b - a).sum();
        nth_in_ranges(&grid.ranges, rng.random_range(0..total))
    }

    /// The residents an issue reported by `reporter` in grid `g` affects:
    /// the reporter first, then residents of the grid drawn uniformly (with
    /// repetition), into `out`.
    pub(in crate::model) fn affected_by(
        &self,
        reporter: u32,
        g: usize,
        out: &mut [u32],
        rng: &mut ChaCha8Rng,
    ) {
        if let Some((first, rest)) = out.split_first_mut() {
            *first = reporter;
            for a in rest {
                *a = self.random_in_grid(g, rng);
            }
        }
    }
}

/// What the participation pass of a day reads and writes of the residents
/// (see `World::start_participation`).
pub(in crate::model) struct ParticipationDay<'a> {
    /// Civic propensity.
    pub civic: &'a [f32],
    /// Efficacy.
    pub efficacy: &'a [f32],
    /// Trust in each kind.
    pub trust: [&'a [f32]; 3],
    /// Small-world ties.
    pub ties: &'a Ties,
    /// Today's participation, to be written for every resident.
    pub took_part: &'a mut [u8],
    /// The moving average of taking part, to be moved by today's.
    pub recent: &'a mut [f32],
    /// For each grid, whether its residents' trust or efficacy changed since
    /// the last pass.
    pub attitudes_changed: &'a [bool],
    /// Where the residents live (their flags, the communities and grids),
    /// read by the pass and by what runs beside it.
    pub places: Places<'a>,
}

impl Residents {
    /// Number of residents.
    pub fn len(&self) -> usize {
        self.flags.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.flags.is_empty()
    }

    /// Each resident's community.
    pub fn community(&self) -> &[u32] {
        &self.community
    }

    /// Each resident's grid.
    pub fn grid(&self) -> &[u32] {
        &self.grid
    }

    /// Each resident's bits from [`flag`].
    pub fn flags(&self) -> &[u8] {
        &self.flags
    }

    /// Each resident's civic propensity.
    pub fn civic(&self) -> &[f32] {
        &self.civic
    }

    /// Each resident's efficacy.
    pub fn efficacy(&self) -> &[f32] {
        &self.efficacy
    }

    /// Each resident's trust in each [`Kind`].
    pub fn trust(&self) -> &[Vec<f32>; 3] {
        &self.trust
    }

    /// Each resident's moving average of taking part.
    pub fn recent(&self) -> &[f32] {
        &self.recent
    }

    /// 1 for each resident who took part on the latest day whose
    /// participation pass is complete, else 0.
    pub fn took_part(&self) -> &[u8] {
        &self.took_part
    }

    /// The small-world ties.
    pub fn ties(&self) -> &Ties {
        &self.ties
    }

    /// Whether resident i has flag bit `bit`.
    #[inline]
    pub fn is(&self, i: usize, bit: u8) -> bool {
        self.flags[i] & bit != 0
    }

    /// Mean of i's trust in the three kinds.
    #[inline]
    pub fn mean_trust(&self, i: usize) -> f32 {
        super::rules::participation::mean_trust([
            self.trust[0][i],
            self.trust[1][i],
            self.trust[2][i],
        ])
    }

    fn push(
        &mut self,
        community: u32,
        grid: u32,
        flags: u8,
        civic: f32,
        efficacy: f32,
        trust: [f32; 3],
    ) {
        self.community.push(community);
        self.grid.push(grid);
        self.flags.push(flags);
        self.civic.push(civic);
        self.efficacy.push(efficacy);
        for (t, value) in self.trust.iter_mut().zip(trust) {
            t.push(value);
        }
        self.recent.push(0.0);
        self.took_part.push(0);
    }
}

/// The `k`-th resident of a list of index ranges (residents of a community or grid).
pub fn nth_in_ranges(ranges: &[(u32, u32)], mut k: u32) -> u32 {
    for &(a, b) in ranges {
        if k < b - a {
            return a + k;
        }
        k -= b - a;
    }
    ranges[0].0
}

/// Everything that exists in the district.
#[derive(Debug, Clone)]
pub struct World {
    /// Residents.
    pub residents: Residents,
    /// Communities.
    pub communities: Vec<Community>,
    /// Grids.
    pub grids: Vec<Grid>,
    /// Organizations.
    pub orgs: Vec<Org>,
    /// The department of each competency.
    pub departments: Vec<u32>,
    /// The office of each subdistrict.
    pub offices: Vec<u32>,
    /// Alliance members of each subdistrict.
    pub alliances: Vec<Vec<u32>>,
    /// Inter-organizational trust of pairs that met, keyed (lower, higher).
    pub org_trust: OrgTrust,
    /// Pairs of organizations in the same subdistrict (for network density).
    pub possible_pairs: f64,
    /// Residents at the start.
    pub initial_population: u32,
    /// For each grid, whether some resident's trust or efficacy changed (or
    /// a resident arrived) since the participation pass last read them.
    attitudes_changed: Vec<bool>,
}

impl World {
    /// Each community's first range: the residents built with the district,
    /// in community order.
    pub(in crate::model) fn first_ranges(&self) -> Vec<(u32, u32)> {
        self.communities.iter().map(|c| c.ranges()[0]).collect()
    }

    /// For each grid, whether its residents' trust or efficacy changed (or
    /// a resident arrived) since `World::attitudes_seen` was last called.
    pub fn attitudes_changed(&self) -> &[bool] {
        &self.attitudes_changed
    }

    /// The participation pass has read every grid's trust and efficacy.
    pub(in crate::model) fn attitudes_seen(&mut self) {
        self.attitudes_changed.fill(false);
    }

    /// Changes resident `i`'s trust in each kind and efficacy by `change`,
    /// and marks its grid (the reference model and tests; the model's own
    /// changes go through `World::change_grids_attitudes`).
    #[cfg(test)]
    pub(in crate::model) fn change_attitudes(
        &mut self,
        i: usize,
        change: impl FnOnce(&mut [f32; 3], &mut f32),
    ) {
        let res = &mut self.residents;
        let mut trust = [res.trust[0][i], res.trust[1][i], res.trust[2][i]];
        change(&mut trust, &mut res.efficacy[i]);
        for (all, value) in res.trust.iter_mut().zip(trust) {
            all[i] = value;
        }
        self.attitudes_changed[res.grid[i] as usize] = true;
    }

    /// Runs `change` for each grid of `grids` (strictly ascending, so each
    /// once), grids in parallel, with its position in `grids` and the
    /// grid's residents' trust and efficacy, which it may change at that
    /// grid's residents only; then marks the grids. Every resident belongs
    /// to one grid, so no two tasks touch the same resident and the result
    /// does not depend on the number of threads.
    pub(in crate::model) fn change_grids_attitudes(
        &mut self,
        grids: &[u32],
        change: impl Fn(usize, GridAttitudes) + Sync,
    ) {
        use rayon::prelude::*;
        assert!(
            grids.windows(2).all(|w| w[0] < w[1]),
            "grids are not strictly ascending"
        );
        let res = &mut self.residents;
        let [t0, t1, t2] = &mut res.trust;
        let trust = [
            DisjointSlice::new(t0),
            DisjointSlice::new(t1),
            DisjointSlice::new(t2),
        ];
        let efficacy = DisjointSlice::new(&mut res.efficacy);
        let all_grids = &self.grids;
        grids
            .par_iter()
            .enumerate()
            .with_min_len(8)
            .for_each(|(at, &g)| {
                // The next grid's values are asked for while this one's
                // change is made (most grids are far apart in memory).
                if let Some(&next) = grids.get(at + 1) {
                    for &(a, b) in &all_grids[next as usize].ranges {
                        let (a, b) = (a as usize, b as usize);
                        for values in trust.iter().chain([&efficacy]) {
                            values.prefetch(a, b);
                        }
                    }
                }
                change(
                    at,
                    GridAttitudes {
                        ranges: &all_grids[g as usize].ranges,
                        trust: &trust,
                        efficacy: &efficacy,
                    },
                );
            });
        for &g in grids {
            self.attitudes_changed[g as usize] = true;
        }
    }

    /// Every resident's efficacy becomes `change` of it, residents in
    /// parallel; marks every grid.
    pub(in crate::model) fn change_all_efficacy(&mut self, change: impl Fn(f32) -> f32 + Sync) {
        use rayon::prelude::*;
        self.residents
            .efficacy
            .par_iter_mut()
            .with_min_len(4096)
            .for_each(|e| *e = change(*e));
        self.attitudes_changed.fill(true);
    }

    /// Marks every grid: the levers that weigh attitudes changed.
    pub(in crate::model) fn attitude_levers_changed(&mut self) {
        self.attitudes_changed.fill(true);
    }

    /// Every resident's trust becomes `next` (the old values are left in
    /// `next`); marks every grid.
    pub(in crate::model) fn replace_trust(&mut self, next: &mut [Vec<f32>; 3]) {
        for (now, next) in self.residents.trust.iter_mut().zip(next) {
            assert_eq!(now.len(), next.len(), "trust of every resident");
            std::mem::swap(now, next);
        }
        self.attitudes_changed.fill(true);
    }

    /// Starts a day's participation pass: today's participation buffer is
    /// swapped with `yesterday`, which then holds the latest day's, and
    /// made room for every resident; returns what the pass reads and writes.
    /// Once the pass is done, the model calls `World::attitudes_seen`.
    pub(in crate::model) fn start_participation(
        &mut self,
        yesterday: &mut Vec<u8>,
    ) -> ParticipationDay<'_> {
        let res = &mut self.residents;
        let n = res.flags.len();
        std::mem::swap(&mut res.took_part, yesterday);
        res.took_part.resize(n, 0);
        ParticipationDay {
            civic: &res.civic,
            efficacy: &res.efficacy,
            trust: [&res.trust[0], &res.trust[1], &res.trust[2]],
            ties: &res.ties,
            took_part: &mut res.took_part,
            recent: &mut res.recent,
            attitudes_changed: &self.attitudes_changed,
            places: Places {
                community: &res.community,
                grid: &res.grid,
                flags: &res.flags,
                communities: &self.communities,
                grids: &self.grids,
            },
        }
    }

    /// Trust of organization `a` in `b` (symmetric), if they ever met.
    pub fn trust_between(&self, a: u32, b: u32) -> Option<f64> {
        self.org_trust.get(a, b)
    }

    /// Where the residents live (`Places`), read only.
    pub(in crate::model) fn places(&self) -> Places<'_> {
        Places {
            community: &self.residents.community,
            grid: &self.residents.grid,
            flags: &self.residents.flags,
            communities: &self.communities,
            grids: &self.grids,
        }
    }

    /// A uniformly drawn resident of community `c`.
    pub fn random_resident(&self, c: usize, rng: &mut ChaCha8Rng) -> u32 {
        self.places().random_resident(c, rng)
    }

    /// A uniformly drawn resident of grid `g`.
    pub fn random_in_grid(&self, g: usize, rng: &mut ChaCha8Rng) -> u32 {
        self.places().random_in_grid(g, rng)
    }

    /// Adds `count` migrant newcomers to community `c`, all in one grid.
    pub fn add_newcomers(
        &mut self,
        s: &Scenario,
        c: usize,
        count: u32,
        grid_turn: u32,
        rng: &mut ChaCha8Rng,
    ) {
        if count == 0 {
            return;
        }
        let first = self.residents.len() as u32;
        let grids = self.communities[c].grids.clone();
        let g = grids.start + grid_turn % (grids.end - grids.start);
        let civic = Beta::new(s.residents.civic_a, s.residents.civic_b).expect("validated shape");
        for _ in 0..count {
            let i = self.residents.len() as u32;
            let mut row = Vec::with_capacity(s.residents.newcomer_ties as usize);
            for _ in 0..s.residents.newcomer_ties {
                let j = self.random_resident(c, rng);
                if !row.contains(&j) {
                    row.push(j);
                }
            }
            self.residents.push(
                c as u32,
                g,
                flag::MIGRANT,
                civic.sample(rng) as f32,
                s.residents.initial_efficacy as f32,
                [s.residents.newcomer_trust as f32; 3],
            );
            self.residents.ties.push_row(&row);
            debug_assert_eq!(i as usize + 1, self.residents.len());
        }
        let range = (first, first + count);
        self.communities[c].ranges.push(range);
        self.communities[c].population += count;
        self.grids[g as usize].ranges.push(range);
        self.attitudes_changed[g as usize] = true;
    }
}

fn bits(s: &Scenario, names: &[String]) -> u16 {
    let comps = &s.issues.competencies;
    names
        .iter()
        .filter_map(|n| comps.iter().position(|c| c == n))
        .fold(0, |acc, i| acc | (1 << i))
}

/// Builds the district of scenario `s` from `seed`.
pub fn build(s: &Scenario, seed: u64) -> World {
    build_with(s, seed, make_residents(&ResidentsSpec::of(s), seed))
}

/// The levers that a district's residents are made from, and nothing
/// else: [`make_residents`] reads only these, so scenarios with equal specs
/// have the same residents, grids and ties for a seed, and the runs of an
/// experiment's points (which mostly differ in other levers) can share them
/// (`model::shared`).
#[derive(Debug, Clone, PartialEq)]
pub struct ResidentsSpec {
    /// Each community's population, grids and share of migrants, in the
    /// order the district is built.
    communities: Vec<(u32, u32, f64)>,
    grid_coverage: f64,
    member_share: f64,
    migrant_member_share: f64,
    initial_spread: f64,
    initial_trust: f64,
    initial_efficacy: f64,
    civic: (f64, f64),
    ties_k: u32,
    ties_p: f64,
}

impl ResidentsSpec {
    /// How many residents it makes.
    pub fn residents(&self) -> u64 {
        self.communities.iter().map(|&(p, _, _)| u64::from(p)).sum()
    }

    /// The spec of the residents of scenario `s`.
    pub fn of(s: &Scenario) -> Self {
        let r = &s.residents;
        let setting = &s.party.setting;
        Self {
            communities: s
                .district
                .communities
                .iter()
                .flat_map(|g| (0..g.count).map(move |_| (g.population, g.grids, g.migrant_share)))
                .collect(),
            grid_coverage: s.grid.coverage,
            member_share: setting.member_share,
            migrant_member_share: setting.migrant_member_share,
            initial_spread: r.initial_spread,
            initial_trust: r.initial_trust,
            initial_efficacy: r.initial_efficacy,
            civic: (r.civic_a, r.civic_b),
            ties_k: r.ties_k,
            ties_p: r.ties_p,
        }
    }
}

/// A district's residents, grids and ties as [`make_residents`] makes them
/// for a seed, communities one after another.
#[derive(Debug, Clone)]
pub struct MadeResidents {
    residents: Residents,
    grids: Vec<Grid>,
    /// Each community's party members and migrants.
    counts: Vec<(u32, u32)>,
    /// Each community's residents.
    ranges: Vec<(u32, u32)>,
}

impl MadeResidents {
    /// The residents.
    pub fn residents(&self) -> &Residents {
        &self.residents
    }

    /// Each community's residents, one range each, in community order.
    pub fn community_ranges(&self) -> &[(u32, u32)] {
        &self.ranges
    }
}

/// Makes the residents of `spec` for `seed`: community by community, each
/// from its own stream, grid by grid in one contiguous block, then the
/// community's small world of ties. Communities are made in parallel, each
/// into its own part of the residents' columns (it draws only from its own
/// stream, and its first resident and grid are known beforehand) and its
/// ties into room for as many as its lattice has (rewiring only moves or
/// drops ties); the rows are then moved down to follow each other. So the
/// residents are the same for any number of threads, and the district's
/// build runs on all of them.
pub fn make_residents(spec: &ResidentsSpec, seed: u64) -> MadeResidents {
    use rayon::prelude::*;
    let n = spec.residents() as usize;
    // Every resident's columns, written by its community.
    let mut community = vec![0u32; n];
    let mut grid = vec![0u32; n];
    let mut flags = vec![0u8; n];
    let mut civic = vec![0f32; n];
    let mut efficacy = vec![0f32; n];
    let mut trust = [(); 3].map(|_| vec![0f32; n]);
    let mut parts = Vec::with_capacity(spec.communities.len());
    let mut rest = Columns {
        community: &mut community,
        grid: &mut grid,
        flags: &mut flags,
        civic: &mut civic,
        efficacy: &mut efficacy,
        trust: trust.each_mut().map(|t| &mut t[..]),
    };
    let (mut first, mut first_grid) = (0u32, 0u32);
    let mut ranges = Vec::with_capacity(spec.communities.len());
    for &(population, n_grids, _) in &spec.communities {
        let (part, after) = rest.split_at(population as usize);
        parts.push((first, first_grid, part));
        ranges.push((first, first + population));
        rest = after;
        first += population;
        first_grid += n_grids;
    }
    // Each community writes its ties into room for the most its ring can
    // have (`SmallWorld::write`), at once; the rows are then moved down to
    // follow each other.
    let k = spec.ties_k as usize;
    let mut offsets = vec![0u32; n + 1];
    let mut targets = vec![0u32; n * k];
    let populations = || ranges.iter().map(|&(a, b)| (b - a) as usize);
    let ends = consecutive(&mut offsets[1..], populations());
    let room = consecutive(&mut targets, populations().map(|population| population * k));
    let made: Vec<MadeCommunity> = parts
        .into_par_iter()
        .zip(ends)
        .zip(room)
        .enumerate()
        .with_max_len(communities_per_piece())
        .map(|(c, (((first, first_grid, columns), ends), room))| {
            make_community(spec, seed, c, first, first_grid, columns, (ends, room))
        })
        .collect();
    let mut end = 0;
    for (&(a, b), community) in ranges.iter().zip(&made) {
        let written_at = a as usize * k;
        if written_at != end {
            targets.copy_within(written_at..written_at + community.ties, end);
            let by = (written_at - end) as u32;
            for offset in &mut offsets[a as usize + 1..=b as usize] {
                *offset -= by;
            }
        }
        end += community.ties;
    }
    targets.truncate(end);
    targets.shrink_to_fit();
    let mut grids = Vec::with_capacity(first_grid as usize);
    let mut counts = Vec::with_capacity(made.len());
    for community in made {
        grids.extend(community.grids);
        counts.push(community.counts);
    }
    MadeResidents {
        residents: Residents {
            community,
            grid,
            flags,
            civic,
            efficacy,
            trust,
            recent: vec![0.0; n],
            took_part: vec![0; n],
            ties: Ties { offsets, targets },
        },
        grids,
        counts,
        ranges,
    }
}

/// One community's part of the residents' columns, which
/// [`make_community`] writes.
struct Columns<'a> {
    community: &'a mut [u32],
    grid: &'a mut [u32],
    flags: &'a mut [u8],
    civic: &'a mut [f32],
    efficacy: &'a mut [f32],
    trust: [&'a mut [f32]; 3],
}

impl<'a> Columns<'a> {
    /// The first `k` residents' columns, and the rest's.
    fn split_at(self, k: usize) -> (Self, Self) {
        let (community, community_rest) = self.community.split_at_mut(k);
        let (grid, grid_rest) = self.grid.split_at_mut(k);
        let (flags, flags_rest) = self.flags.split_at_mut(k);
        let (civic, civic_rest) = self.civic.split_at_mut(k);
        let (efficacy, efficacy_rest) = self.efficacy.split_at_mut(k);
        let [t0, t1, t2] = self.trust.map(|t| t.split_at_mut(k));
        (
            Self {
                community,
                grid,
                flags,
                civic,
                efficacy,
                trust: [t0.0, t1.0, t2.0],
            },
            Self {
                community: community_rest,
                grid: grid_rest,
                flags: flags_rest,
                civic: civic_rest,
                efficacy: efficacy_rest,
                trust: [t0.1, t1.1, t2.1],
            },
        )
    }
}

/// What [`make_community`] makes besides the columns and ties: the
/// community's grids, its party members and migrants, and how many ties it
/// wrote.
struct MadeCommunity {
    grids: Vec<Grid>,
    counts: (u32, u32),
    ties: usize,
}

/// Community `c` of `spec` for `seed`, whose first resident in the district
/// is `first` and first grid `first_grid`, into `columns`: grid by grid in
/// one contiguous block, then its small world of ties, all from the
/// community's stream. `(ends, room)` are its part of the ties: the ties go
/// into `room` (`n·k` entries), each row's end into `ends` as if the room
/// started at tie `first·k`.
fn make_community(
    spec: &ResidentsSpec,
    seed: u64,
    c: usize,
    first: u32,
    first_grid: u32,
    mut columns: Columns,
    (ends, room): (&mut [u32], &mut [u32]),
) -> MadeCommunity {
    let (population, n_grids, migrant_share) = spec.communities[c];
    let civic = Beta::new(spec.civic.0, spec.civic.1).expect("validated shape");
    let mut grids = Vec::with_capacity(n_grids as usize);
    let cu = c as u32;
    let mut rrng = stream(seed, Purpose::Residents, c as u64);
    let (mut members, mut migrants) = (0, 0);
    let spread = spec.initial_spread;
    let jitter =
        |r: &mut ChaCha8Rng, x: f64| (x + r.random_range(-spread..=spread)).clamp(0.0, 1.0) as f32;
    for k in 0..n_grids {
        let a = (u64::from(population) * u64::from(k) / u64::from(n_grids)) as u32;
        let b = (u64::from(population) * u64::from(k + 1) / u64::from(n_grids)) as u32;
        let gi = first_grid + k;
        grids.push(Grid {
            community: cu,
            ranges: vec![(first + a, first + b)],
            covered: chance(&mut rrng, spec.grid_coverage),
            participants: 0,
            active_members: 0,
        });
        for i in a as usize..b as usize {
            let migrant = chance(&mut rrng, migrant_share);
            let member_p = if migrant {
                spec.migrant_member_share
            } else {
                spec.member_share
            };
            let mut flags = if migrant { flag::MIGRANT } else { 0 };
            migrants += u32::from(migrant);
            if chance(&mut rrng, member_p) {
                flags |= flag::MEMBER;
                members += 1;
            }
            let trust = [(); 3].map(|_| jitter(&mut rrng, spec.initial_trust));
            columns.efficacy[i] = jitter(&mut rrng, spec.initial_efficacy);
            columns.civic[i] = civic.sample(&mut rrng) as f32;
            for (column, value) in columns.trust.iter_mut().zip(trust) {
                column[i] = value;
            }
            columns.community[i] = cu;
            columns.grid[i] = gi;
            columns.flags[i] = flags;
        }
    }
    let world = SmallWorld::new(first, population, spec.ties_k, spec.ties_p, &mut rrng);
    let ties = world.write(first * spec.ties_k, ends, room);
    MadeCommunity {
        grids,
        counts: (members, migrants),
        ties,
    }
}

/// Builds the district of scenario `s` from `seed` around the residents
/// `made`, which are those of [`make_residents`] for the scenario's
/// [`ResidentsSpec`] and `seed` (made afresh or shared).
pub(in crate::model) fn build_with(s: &Scenario, seed: u64, made: MadeResidents) -> World {
    let MadeResidents {
        residents,
        grids,
        counts,
        ranges,
    } = made;
    let n_comp = s.issues.competencies.len();
    let all_comps: u16 = ((1u32 << n_comp) - 1) as u16;
    let mut rng = stream(seed, Purpose::Structure, 0);
    let subdistricts = s.district.subdistricts as usize;

    // Communities in file order, dealt to subdistricts in turn.
    let mut specs = Vec::new();
    for group in &s.district.communities {
        for _ in 0..group.count {
            specs.push(group);
        }
    }
    let total_population: u64 = specs.iter().map(|g| u64::from(g.population)).sum();
    let mut sub_population = vec![0u64; subdistricts];
    for (c, g) in specs.iter().enumerate() {
        sub_population[c % subdistricts] += u64::from(g.population);
    }

    let mut orgs = Vec::new();
    let new_org =
        |orgs: &mut Vec<Org>, role, subdistrict, community, competencies, capacity, autonomy| {
            orgs.push(Org {
                role,
                center: OrgRole::kind(role),
                party: role == OrgRole::PartyCommittee,
                subdistrict,
                community,
                competencies,
                capacity,
                overhead_today: 0.0,
                unused_today: 0.0,
                backlog: 0.0,
                queue: Vec::new(),
                autonomy,
                mandate: 0.0,
                alliance: false,
            });
            (orgs.len() - 1) as u32
        };
    let per_1000 = |x: f64, pop: u64| x * pop as f64 / 1000.0;

    let departments: Vec<u32> = (0..n_comp)
        .map(|c| {
            let cap = per_1000(s.government.department_capacity, total_population);
            new_org(&mut orgs, OrgRole::Department, NONE, NONE, 1 << c, cap, 0.0)
        })
        .collect();
    // The competencies social organizations draw theirs from.
    let pool: Vec<usize> = match &s.social.organization_competencies {
        None => (0..n_comp).collect(),
        Some(names) => (0..n_comp)
            .filter(|&k| names.contains(&s.issues.competencies[k]))
            .collect(),
    };
    let office_comps = s
        .government
        .office_competencies
        .as_ref()
        .map_or(all_comps, |names| bits(s, names));
    let offices: Vec<u32> = (0..subdistricts)
        .map(|d| {
            let cap = per_1000(s.government.office_capacity, sub_population[d]);
            new_org(
                &mut orgs,
                OrgRole::Office,
                d as u32,
                NONE,
                office_comps,
                cap,
                0.0,
            )
        })
        .collect();

    let mut communities = Vec::with_capacity(specs.len());
    let mut next_grid = 0u32;
    let per_community = Poisson::new(s.social.per_community.max(1e-9)).expect("validated mean");
    let setting = &s.party.setting;
    for (c, g) in specs.iter().enumerate() {
        let d = (c % subdistricts) as u32;
        let pop = u64::from(g.population);
        let cu = c as u32;
        let committee = new_org(
            &mut orgs,
            OrgRole::ResidentsCommittee,
            d,
            cu,
            bits(s, &s.social.committee_competencies),
            per_1000(s.social.committee_capacity, pop),
            s.social.autonomy,
        );
        orgs[committee as usize].mandate = s.social.committee_mandate;
        let mut social_orgs = Vec::new();
        let n_social = if s.social.per_community > 0.0 {
            per_community.sample(&mut rng) as u32
        } else {
            0
        };
        for _ in 0..n_social {
            // One competency from the pool, and a second, different one half
            // the time (with every competency in the pool, the pool's index
            // is the competency).
            let n_pool = pool.len();
            let first = rng.random_range(0..n_pool);
            let mut comps = 1u16 << pool[first];
            if n_pool > 1 && chance(&mut rng, 0.5) {
                comps |= 1 << pool[(first + rng.random_range(1..n_pool)) % n_pool];
            }
            let cap = per_1000(s.social.capacity, pop);
            social_orgs.push(new_org(
                &mut orgs,
                OrgRole::SocialOrganization,
                d,
                cu,
                comps,
                cap,
                s.social.autonomy,
            ));
        }
        if g.kind == CommunityKind::Urban {
            let cap = per_1000(s.social.property_capacity, pop);
            let comps = bits(s, &s.social.property_competencies);
            social_orgs.push(new_org(
                &mut orgs,
                OrgRole::PropertyCompany,
                d,
                cu,
                comps,
                cap,
                s.social.autonomy,
            ));
        }
        let mut enterprise_branches = 0u32;
        let mut enterprises = 0u32;
        if g.kind == CommunityKind::Industrial {
            for _ in 0..s.social.enterprises_per_industrial {
                let cap = per_1000(s.social.enterprise_capacity, pop);
                let comps = bits(s, &s.social.enterprise_competencies);
                social_orgs.push(new_org(
                    &mut orgs,
                    OrgRole::Enterprise,
                    d,
                    cu,
                    comps,
                    cap,
                    s.social.autonomy,
                ));
                enterprises += 1;
            }
        }
        // The party's part of the community comes from a stream of its own,
        // with a fixed number of draws, so that party levers never redraw
        // the district's organizations or residents.
        let mut party_rng = stream(seed, Purpose::Party, c as u64);
        // Alliance membership: a party branch ("two new" coverage) or joining openly.
        orgs[committee as usize].alliance = true;
        for &o in &social_orgs {
            let branch = chance(&mut party_rng, setting.two_new_coverage);
            let joins = chance(&mut party_rng, s.party.system.alliance_openness);
            if branch && orgs[o as usize].role == OrgRole::Enterprise {
                enterprise_branches += 1;
            }
            orgs[o as usize].alliance = branch || joins;
        }
        // The convener: a community party committee where one draw u falls
        // below the party's coverage c, else the holder of
        // `institutions.convener` where u < c + (1 − c)·its coverage. One
        // draw, so that a hub with coverage c holds exactly the communities
        // party committees of coverage c would (the label-swap test).
        let u: f64 = party_rng.random();
        let c_party = setting.community_coverage;
        let c_other = c_party + (1.0 - c_party) * s.institutions.convener_coverage;
        let holder = if u < c_party {
            Some(OrgRole::PartyCommittee)
        } else if u < c_other {
            match s.institutions.convener {
                ConvenerHolder::None => None,
                ConvenerHolder::CommunityHub => Some(OrgRole::CommunityHub),
                ConvenerHolder::ResidentsCommittee => Some(OrgRole::ResidentsCommittee),
            }
        } else {
            None
        };
        let convener = match holder {
            None => NONE,
            Some(OrgRole::ResidentsCommittee) => {
                orgs[committee as usize].center = Kind::Convener;
                orgs[committee as usize].mandate = s.institutions.convener_mandate;
                committee
            }
            // Equal resources: a party committee or hub takes its share of
            // the community's staff time from the residents' committee (the
            // same people serve both); only `extra_capacity` comes from
            // outside.
            Some(role) => {
                let staff = orgs[committee as usize].capacity;
                let share = staff * setting.committee_share;
                orgs[committee as usize].capacity = staff - share;
                let cap = share + per_1000(s.party.security.extra_capacity, pop);
                // The same people, the same skills: the residents'
                // committee's competencies (v1: none, yet it worked any
                // triaged issue).
                let comps = bits(s, &s.social.committee_competencies);
                let o = new_org(&mut orgs, role, d, cu, comps, cap, 0.0);
                orgs[o as usize].mandate = s.institutions.convener_mandate;
                o
            }
        };
        let service_center = chance(&mut party_rng, s.party.security.service_centers);

        // The community's residents and grids, made with the others by
        // `make_residents`: they follow each other in community order.
        let grid_start = next_grid;
        next_grid += g.grids;
        let (members, migrants) = counts[c];
        communities.push(Community {
            kind: g.kind,
            subdistrict: d,
            ranges: vec![ranges[c]],
            population: g.population,
            grids: grid_start..next_grid,
            committee,
            convener,
            convener_is_party: holder == Some(OrgRole::PartyCommittee),
            service_center,
            social_orgs,
            party_members: members,
            migrants,
            enterprise_branch_share: if enterprises > 0 {
                f64::from(enterprise_branches) / f64::from(enterprises)
            } else {
                0.0
            },
            convening_reach: Vec::new(),
            local_reach: Vec::new(),
            legitimacy: s.party.security.initial_legitimacy,
            convener_present: 0.0,
            cross_cutting_seen: 0.0,
            convened_outcomes: (0.0, 0.0),
            volunteer_pool: 0.0,
            trust_convener_sum: 0.0,
        });
    }

    // Government joins every alliance through its own party branches.
    let mut alliances: Vec<Vec<u32>> = vec![Vec::new(); subdistricts];
    for (d, alliance) in alliances.iter_mut().enumerate() {
        alliance.extend(&departments);
        alliance.push(offices[d]);
    }
    for &o in departments.iter().chain(&offices) {
        orgs[o as usize].alliance = true;
    }
    for (i, org) in orgs.iter().enumerate() {
        if org.alliance && org.community != NONE {
            alliances[org.subdistrict as usize].push(i as u32);
        }
    }

    // Reach lists, per community and competency: the same rule for a
    // convener (`party.system.linkage`) and a self-organized intake
    // (`institutions.intake_reach`).
    for community in &mut communities {
        let d = community.subdistrict as usize;
        // Every community organization can reach its subdistrict office,
        // the community's next level up, in every regime (v2: the office is
        // not a party channel).
        let mut own: Vec<u32> = vec![community.committee];
        own.extend(&community.social_orgs);
        own.push(offices[d]);
        let reach = |linkage: Linkage| {
            let mut list = own.clone();
            match linkage {
                Linkage::Isolated => {}
                Linkage::Vertical => list.extend(&departments),
                Linkage::Regional => {
                    for &o in &alliances[d] {
                        if !list.contains(&o) {
                            list.push(o);
                        }
                    }
                }
            }
            list
        };
        let local = reach(s.institutions.intake_reach);
        let convening = reach(s.party.system.linkage);
        let per_comp = |list: &[u32]| -> Vec<Vec<u32>> {
            (0..n_comp as u8)
                .map(|k| {
                    list.iter()
                        .copied()
                        .filter(|&o| orgs[o as usize].has(k))
                        .collect()
                })
                .collect()
        };
        community.local_reach = per_comp(&local);
        community.convening_reach = per_comp(&convening);
    }

    let mut sub_orgs = vec![0f64; subdistricts];
    for org in &orgs {
        if org.subdistrict != NONE {
            sub_orgs[org.subdistrict as usize] += 1.0;
        }
    }
    let possible_pairs = sub_orgs
        .iter()
        .map(|&n| {
            let n = n + departments.len() as f64;
            n * (n - 1.0) / 2.0
        })
        .sum();
    let initial_population = residents.len() as u32;
    let attitudes_changed = vec![true; grids.len()];
    World {
        residents,
        communities,
        grids,
        orgs,
        departments,
        offices,
        alliances,
        org_trust: OrgTrust::default(),
        possible_pairs,
        initial_population,
        attitudes_changed,
    }
}
