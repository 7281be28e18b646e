//! Residents' side of the day: mobilization contacts, the participation
//! decision (design 4.1), detection of latent issues (4.2) and weekly trust
//! diffusion along ties.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::issue::Status;
use rayon::prelude::*;

use super::rng::LogisticDraw;
use super::world::{Community, Residents, World, flag, nth_in_ranges};
use super::{Model, stochastic_round};
use crate::scenario::Scenario;

/// Draws one contact target in `community`: residents who have not taken part
/// recently are preferred (accepted with probability 1 − recent), and contacts
/// of enterprise party branches go to migrant workers.
fn contact_target(
    residents: &Residents,
    community: &Community,
    migrants_only: bool,
    rng: &mut ChaCha8Rng,
) -> u32 {
    let mut pick = 0;
    for _ in 0..8 {
        pick = nth_in_ranges(&community.ranges, rng.random_range(0..community.population));
        let i = pick as usize;
        if migrants_only && !residents.is(i, flag::MIGRANT) {
            continue;
        }
        if rng.random::<f32>() >= residents.recent[i] {
            break;
        }
    }
    pick
}

/// Today's contacts in `community` by party members (only a share is real
/// under formalism) and grid workers: the residents contacted, sorted.
fn contact(
    s: &Scenario,
    world: &World,
    community: &Community,
    rng: &mut ChaCha8Rng,
    contacted: &mut Vec<u32>,
) {
    let proc = &s.party.procedure;
    contacted.clear();
    let sc_boost = if community.service_center {
        1.0 + s.party.security.service_center_contacts
    } else {
        1.0
    };
    let mobilized_members = f64::from(community.party_members) * proc.mobilization;
    let member_contacts =
        mobilized_members * proc.contacts_per_member * (1.0 - proc.formalism) * sc_boost;
    let covered: u32 = community
        .grids
        .clone()
        .filter(|&g| world.grids[g as usize].covered)
        .map(|g| {
            world.grids[g as usize]
                .ranges
                .iter()
                .map(|(a, b)| b - a)
                .sum::<u32>()
        })
        .sum();
    let grid_contacts = f64::from(covered) * s.grid.contact_rate * sc_boost;
    let n_member = stochastic_round(member_contacts, rng);
    let n_grid = stochastic_round(grid_contacts, rng);
    let to_migrants = community.enterprise_branch_share * community.migrants as f64
        / f64::from(community.population.max(1));
    for k in 0..n_member + n_grid {
        let migrants_only =
            k < n_member && community.migrants > 0 && rng.random::<f64>() < to_migrants;
        contacted.push(contact_target(
            &world.residents,
            community,
            migrants_only,
            rng,
        ));
    }
    contacted.sort_unstable();
    contacted.dedup();
}

/// Each resident of `community` decides whether to take part today (design
/// 4.1), from yesterday's state; one entry per resident, in range order.
#[allow(clippy::too_many_arguments)]
fn decide(
    s: &Scenario,
    world: &World,
    community: &Community,
    prev: &[u8],
    logistic: &LogisticDraw,
    contacted: &[u32],
    rng: &mut ChaCha8Rng,
    decisions: &mut Vec<u8>,
) {
    let r = &s.residents;
    let residents = &world.residents;
    let b_sc = if community.service_center {
        r.b_sc as f32
    } else {
        0.0
    };
    let base = r.b0 as f32 + b_sc;
    let (b_civic, b_eff, b_trust, b_peer) = (
        r.b_civic as f32,
        r.b_eff as f32,
        r.b_trust as f32,
        r.b_peer as f32,
    );
    let (b_mob, crowd) = (
        r.b_mob as f32,
        r.b_crowd as f32 * s.party.procedure.centralization as f32,
    );
    let migrant_penalty = r.b_migrant as f32 * (1.0 - s.party.security.inclusion as f32);
    decisions.clear();
    let mut next_contact = 0;
    for &(a, b) in &community.ranges {
        for i in a as usize..b as usize {
            // Ranges, and so residents, come in increasing order, as do the contacts.
            while next_contact < contacted.len() && (contacted[next_contact] as usize) < i {
                next_contact += 1;
            }
            let mobilized = next_contact < contacted.len() && contacted[next_contact] as usize == i;
            let ties = residents.ties.of(i);
            let peer = if ties.is_empty() {
                0.0
            } else {
                let active: u32 = ties.iter().map(|&j| u32::from(prev[j as usize])).sum();
                active as f32 / ties.len() as f32
            };
            let mut u = base
                + b_civic * residents.civic[i]
                + b_eff * residents.efficacy[i]
                + b_trust * residents.mean_trust(i)
                + b_peer * peer;
            if mobilized {
                u += b_mob;
            } else {
                u -= crowd;
            }
            if residents.is(i, flag::MIGRANT) {
                u -= migrant_penalty;
            }
            decisions.push(u8::from(logistic.below(u, rng.random::<f32>())));
        }
    }
}

impl Model {
    /// Contacts, then each resident's decision to take part today. Decisions
    /// are drawn community by community in parallel (each community has its
    /// own random stream and reads only yesterday's state), then applied in
    /// community order, so results do not depend on the number of threads.
    pub(super) fn participate(&mut self) {
        for g in &mut self.world.grids {
            g.participants = 0;
            g.active_members = 0;
        }
        // Yesterday's participation, read by peers while today's is decided.
        self.took_part_yesterday.clear();
        self.took_part_yesterday.extend(
            self.world
                .residents
                .flags
                .iter()
                .map(|f| u8::from(f & flag::PART != 0)),
        );
        let world = &self.world;
        let scenario = &self.scenario;
        let prev = &self.took_part_yesterday;
        let logistic = &self.logistic;
        self.community_rngs
            .par_iter_mut()
            .zip(self.decisions.par_iter_mut())
            .zip(self.contacted.par_iter_mut())
            .enumerate()
            .for_each(|(c, ((rng, decisions), contacted))| {
                let community = &world.communities[c];
                contact(scenario, world, community, rng, contacted);
                decide(
                    scenario, world, community, prev, logistic, contacted, rng, decisions,
                );
            });
        self.apply_decisions();
    }

    /// Writes today's decisions into the residents and counts them.
    // `i` indexes every resident vector at once; an iterator over one would hide that.
    #[allow(clippy::needless_range_loop)]
    fn apply_decisions(&mut self) {
        let s = &self.scenario;
        let weight = s.residents.recent_weight as f32;
        let world = &mut self.world;
        let prev = &self.took_part_yesterday;
        let mut trust_sum = [0f64; 3];
        let mut efficacy_sum = 0f64;
        for (c, community) in world.communities.iter_mut().enumerate() {
            let residents = &mut world.residents;
            let decisions = &self.decisions[c];
            let mut participants = 0u32;
            let mut trust_party = 0f64;
            // Residents, participants (local, migrant), took part yesterday, took part both days.
            let mut counts = [0u32; 6];
            let mut k = 0;
            for &(a, b) in &community.ranges {
                for i in a as usize..b as usize {
                    let take = decisions[k] != 0;
                    k += 1;
                    let f = residents.flags[i];
                    let before = prev[i] != 0;
                    let m = usize::from(f & flag::MIGRANT != 0);
                    counts[m] += 1;
                    counts[4] += u32::from(before);
                    if take {
                        counts[2 + m] += 1;
                        counts[5] += u32::from(before);
                        participants += 1;
                        let g = &mut world.grids[residents.grid[i] as usize];
                        g.participants += 1;
                        g.active_members += u32::from(f & flag::MEMBER != 0);
                    }
                    let part = if take { flag::PART } else { 0 };
                    residents.flags[i] = (f & !flag::PART) | part;
                    residents.recent[i] +=
                        weight * (f32::from(u8::from(take)) - residents.recent[i]);
                    let t = [
                        residents.trust[0][i],
                        residents.trust[1][i],
                        residents.trust[2][i],
                    ];
                    trust_party += f64::from(t[0]);
                    for (sum, value) in trust_sum.iter_mut().zip(t) {
                        *sum += f64::from(value);
                    }
                    efficacy_sum += f64::from(residents.efficacy[i]);
                }
            }
            self.tally.residents[0] += counts[0];
            self.tally.residents[1] += counts[1];
            self.tally.participants[0] += counts[2];
            self.tally.participants[1] += counts[3];
            self.tally.yesterday += counts[4];
            self.tally.persisting += counts[5];
            community.trust_party_sum = trust_party;
            let mobilized_members =
                f64::from(community.party_members) * s.party.procedure.mobilization;
            community.volunteer_pool =
                s.residents.volunteer_effort * (f64::from(participants) + mobilized_members);
        }
        let n = world.residents.len().max(1) as f64;
        self.tally.trust = trust_sum.map(|t| t / n);
        self.tally.efficacy = efficacy_sum / n;
    }

    /// Detection of latent issues; severity growth and escalation of issues no one has taken on.
    pub(super) fn detect_and_escalate(&mut self) {
        let s = &self.scenario;
        let i_s = &s.issues;
        let sc_detect = s.party.security.service_center_detection;
        let member_detect = s.party.procedure.member_detection;
        for idx in 0..self.active.len() {
            let slot = self.active[idx];
            let issue = &self.issues[slot as usize];
            if matches!(issue.status, Status::Latent) {
                let mut miss = 1.0;
                for &a in self.affected_of(slot) {
                    let a = a as usize;
                    let res = &self.world.residents;
                    let d = if res.is(a, flag::PART) {
                        i_s.detect_participant
                    } else {
                        i_s.detect_report
                            * f64::from(res.mean_trust(a))
                            * f64::from(res.efficacy[a])
                    };
                    miss *= 1.0 - d;
                }
                let grid = &self.world.grids[issue.grid as usize];
                if grid.covered {
                    miss *= 1.0 - s.grid.patrol_rate;
                }
                miss *= (1.0 - member_detect).powi(grid.active_members as i32);
                if self.world.communities[issue.community as usize].service_center {
                    miss *= 1.0 - sc_detect;
                }
                let (community, cross) = (issue.community as usize, issue.cross_cutting());
                if self.events.random::<f64>() >= miss {
                    self.issues[slot as usize].status = Status::Detected;
                    self.tally.detected += 1;
                    if cross {
                        self.world.communities[community].cross_cutting_seen += 1.0;
                    }
                }
            }
            let day = self.day;
            let issue = &mut self.issues[slot as usize];
            if matches!(issue.status, Status::Latent | Status::Detected) {
                issue.severity = (issue.severity + i_s.escalation_rate).min(1.0);
                let age = f64::from(day - issue.arrival);
                if !issue.escalated
                    && issue.severity >= i_s.escalation_severity
                    && age >= i_s.escalation_age * issue.patience
                {
                    issue.escalated = true;
                    self.tally.escalations += 1;
                    if issue.status == Status::Latent {
                        issue.status = Status::Detected;
                        self.tally.detected += 1;
                    }
                }
            }
        }
    }

    /// Weekly: each resident's trust moves toward the mean trust of its ties.
    pub(super) fn diffuse_trust(&mut self) {
        let w = self.scenario.residents.diffusion as f32;
        if w == 0.0 {
            return;
        }
        let res = &mut self.world.residents;
        let n = res.len();
        self.scratch.resize(n, 0.0);
        for k in 0..3 {
            for i in 0..n {
                let ties = res.ties.of(i);
                let own = res.trust[k][i];
                self.scratch[i] = if ties.is_empty() {
                    own
                } else {
                    let mean = ties.iter().map(|&j| res.trust[k][j as usize]).sum::<f32>()
                        / ties.len() as f32;
                    own + w * (mean - own)
                };
            }
            std::mem::swap(&mut res.trust[k], &mut self.scratch);
        }
    }
}
