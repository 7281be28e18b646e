//! Scenarios: every lever of the model, with its default, as plain data.
//!
//! A [`Scenario`] is what a scenario file says once `extends` chains and
//! `--set` overrides are resolved and every missing lever is filled with its
//! default. Loading and validation live in [`load`]; the table of units and
//! valid ranges lives in [`levers`]. The model reads a `Scenario` and never
//! parses anything itself.

pub mod changes;
pub mod levers;
pub mod load;
pub mod registry;

use serde::{Deserialize, Serialize};

pub use load::{
    InputError, ResolvedScenario, ScenarioSource, apply_policy, load_scenario, policy_stages,
};

/// The whole scenario: one section per part of the model (design, section 5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// Short name shown in outputs.
    pub name: String,
    /// One or two sentences on what the scenario represents.
    pub description: String,
    /// Length of the run, seed and recording interval.
    pub sim: Sim,
    /// Subdistricts and communities.
    pub district: District,
    /// Residents: civic propensity, trust, ties, participation and feedback.
    pub residents: Residents,
    /// Public issues: arrival, mix, effort, patience, escalation.
    pub issues: Issues,
    /// Government departments and subdistrict offices.
    pub government: Government,
    /// Residents' committees, social organizations, property companies, enterprises.
    pub social: Social,
    /// Grid management: coverage, patrols and contacts.
    pub grid: Grid,
    /// Coalition formation and inter-organizational trust.
    pub coalition: Coalition,
    /// Institutions any regime and any organization can hold (design
    /// section 10): who convenes where there is no community party committee.
    pub institutions: Institutions,
    /// The four elements of grassroots party building.
    pub party: Party,
    /// What-if shocks applied during the run.
    pub shocks: Vec<Shock>,
    /// Reforms: levers set from a recorded day on (`[[policy]]`).
    pub policy: Vec<Policy>,
}

/// A reform: from the recorded day `day` (1-based) on, the levers of `set`
/// take the values given (any lever `--set` takes, except those read only
/// when the district is built). Validated when the scenario is loaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Label for outputs.
    pub name: String,
    /// The first recorded day (1-based) with the new levers.
    pub day: u32,
    /// Dotted lever paths and their new values, e.g.
    /// `{ "party.procedure.summons" = 0.8 }`.
    pub set: toml::Table,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            name: "policy".into(),
            day: 1,
            set: toml::Table::new(),
        }
    }
}

impl Default for Scenario {
    fn default() -> Self {
        Self {
            name: "unnamed".into(),
            description: String::new(),
            sim: Sim::default(),
            district: District::default(),
            residents: Residents::default(),
            issues: Issues::default(),
            government: Government::default(),
            social: Social::default(),
            grid: Grid::default(),
            coalition: Coalition::default(),
            institutions: Institutions::default(),
            party: Party::default(),
            shocks: Vec::new(),
            policy: Vec::new(),
        }
    }
}

/// Length of the run, seed and recording interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Sim {
    /// Days simulated.
    pub days: u32,
    /// Seed of every random stream of the run.
    pub seed: u64,
    /// A row of `timeseries.csv` every this many days.
    pub record_every: u32,
    /// Days simulated before the recorded ones (burn-in): they are neither
    /// recorded nor counted, and shocks' `start` counts from the first
    /// recorded day.
    pub warmup_days: u32,
    /// The first recorded day that `summary.csv`'s run-level figures count
    /// (1: every recorded day); `timeseries.csv` records every day. A year
    /// of a longer run is `summary_from` = 365 k + 1 with `days` = 365 (k + 1).
    pub summary_from: u32,
}

impl Default for Sim {
    fn default() -> Self {
        Self {
            days: 365,
            seed: 1,
            record_every: 1,
            warmup_days: 0,
            summary_from: 1,
        }
    }
}

/// Kind of community; decides which organizations it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommunityKind {
    /// Urban residential community: has a property company.
    Urban,
    /// Industrial community: has enterprises and many migrant workers.
    Industrial,
    /// Village.
    Village,
}

impl CommunityKind {
    /// The name used in scenario files and outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Urban => "urban",
            Self::Industrial => "industrial",
            Self::Village => "village",
        }
    }
}

/// A group of identical communities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunityGroup {
    /// Urban, industrial or village.
    pub kind: CommunityKind,
    /// How many communities of this group.
    pub count: u32,
    /// Residents per community.
    pub population: u32,
    /// Share of residents who are migrants.
    pub migrant_share: f64,
    /// Grids per community.
    pub grids: u32,
}

/// Subdistricts and communities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct District {
    /// Number of subdistricts; communities are dealt to them in turn.
    pub subdistricts: u32,
    /// Community groups.
    pub communities: Vec<CommunityGroup>,
}

impl District {
    /// Residents when the district is built.
    pub fn residents(&self) -> u64 {
        self.communities
            .iter()
            .map(|g| u64::from(g.count) * u64::from(g.population))
            .sum()
    }
}

impl Default for District {
    fn default() -> Self {
        let group = |kind, count, population, migrant_share, grids| CommunityGroup {
            kind,
            count,
            population,
            migrant_share,
            grids,
        };
        Self {
            subdistricts: 1,
            communities: vec![
                group(CommunityKind::Urban, 6, 1000, 0.25, 5),
                group(CommunityKind::Industrial, 3, 900, 0.55, 5),
                group(CommunityKind::Village, 3, 600, 0.10, 3),
            ],
        }
    }
}

/// Residents: civic propensity, trust, ties, participation and feedback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Residents {
    /// Civic propensity ~ Beta(civic_a, civic_b).
    pub civic_a: f64,
    /// Civic propensity ~ Beta(civic_a, civic_b).
    pub civic_b: f64,
    /// Initial trust in each kind of organization.
    pub initial_trust: f64,
    /// Half-width of the uniform spread of initial trust and efficacy.
    pub initial_spread: f64,
    /// Initial political efficacy.
    pub initial_efficacy: f64,
    /// Trust of residents who arrive during the run.
    pub newcomer_trust: f64,
    /// Ties a newcomer brings into the community.
    pub newcomer_ties: u32,
    /// Mean degree k of the Watts–Strogatz ties (even).
    pub ties_k: u32,
    /// Rewiring probability p of the ties.
    pub ties_p: f64,
    /// Participation intercept b0.
    pub b0: f64,
    /// Participation weight of civic propensity.
    pub b_civic: f64,
    /// Participation weight of efficacy.
    pub b_eff: f64,
    /// Participation weight of mean trust.
    pub b_trust: f64,
    /// Participation weight of the share of ties that took part yesterday.
    pub b_peer: f64,
    /// Participation weight of being mobilized today.
    pub b_mob: f64,
    /// Participation penalty of migrants, times (1 − inclusion).
    pub b_migrant: f64,
    /// Participation penalty of centralization for those not mobilized.
    pub b_crowd: f64,
    /// Participation weight of a party-mass service center in the community.
    pub b_sc: f64,
    /// Effort units a participant gives to community work a day.
    pub volunteer_effort: f64,
    /// α⁺: trust gain after a resolution, times quality.
    pub trust_gain: f64,
    /// α⁻: trust loss after an abandonment.
    pub trust_loss: f64,
    /// Efficacy gain after a resolution (doubled for participants).
    pub efficacy_gain: f64,
    /// Efficacy loss after an abandonment.
    pub efficacy_loss: f64,
    /// Weight of grid neighbours who saw an outcome.
    pub observer_weight: f64,
    /// Weekly pull of trust toward the mean trust of ties.
    pub diffusion: f64,
    /// Weekly pull of every resident's trust and efficacy back toward
    /// `prior_trust` and `prior_efficacy` (forgetting).
    pub forgetting: f64,
    /// The trust residents forget toward: what a resident with no recent
    /// experience holds (separate from the starting value, so that a
    /// district can start far from it).
    pub prior_trust: f64,
    /// The efficacy residents forget toward.
    pub prior_efficacy: f64,
    /// Base quality q0 of a resolution.
    pub q0: f64,
    /// Quality gained from full deliberation.
    pub q_delib: f64,
    /// Deliberators for full deliberation quality.
    pub deliberators_needed: u32,
    /// Weight of today in the moving average of a resident's participation.
    pub recent_weight: f64,
    /// How much of a resolution's quality a reporter's satisfaction loses
    /// as the wait nears the reporter's patience (ODD 7.6).
    pub satisfaction_speed: f64,
    /// Chance that the reporter of a demand that cannot be met is satisfied
    /// by a reply that explains it, before the wait's discount.
    pub explained_satisfaction: f64,
}

impl Default for Residents {
    fn default() -> Self {
        Self {
            civic_a: 2.0,
            civic_b: 5.0,
            initial_trust: 0.5,
            initial_spread: 0.1,
            initial_efficacy: 0.4,
            newcomer_trust: 0.3,
            newcomer_ties: 2,
            ties_k: 6,
            ties_p: 0.1,
            b0: -12.0,
            b_civic: 16.0,
            b_eff: 1.0,
            b_trust: 1.5,
            b_peer: 1.5,
            b_mob: 1.5,
            b_migrant: 1.0,
            b_crowd: 1.0,
            b_sc: 0.3,
            volunteer_effort: 0.016,
            trust_gain: 0.10,
            trust_loss: 0.20,
            efficacy_gain: 0.05,
            efficacy_loss: 0.05,
            observer_weight: 0.2,
            diffusion: 0.2,
            forgetting: 0.03,
            prior_trust: 0.5,
            prior_efficacy: 0.4,
            q0: 0.5,
            q_delib: 0.5,
            deliberators_needed: 2,
            recent_weight: 0.1,
            satisfaction_speed: 0.5,
            explained_satisfaction: 0.5,
        }
    }
}

/// The default competencies (jurisdictions) of government departments.
pub const DEFAULT_COMPETENCIES: [&str; 6] = [
    "environment_sanitation",
    "neighborhood_disputes",
    "elderly_social_services",
    "public_safety",
    "property_infrastructure",
    "migrant_services",
];

/// Public issues: arrival, mix, effort, patience, escalation, detection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Issues {
    /// Competencies (one government department each); at most 16.
    pub competencies: Vec<String>,
    /// Issues per 1,000 residents a day.
    pub rate: f64,
    /// Share of issues that need more than one competency.
    pub cross_cutting_share: f64,
    /// Share of cross-cutting issues that need three competencies (else two).
    pub three_competency_share: f64,
    /// Relative frequency of each competency for issues of locals.
    pub type_weights: Vec<f64>,
    /// Relative frequency of each competency for issues of migrants.
    pub migrant_type_weights: Vec<f64>,
    /// Mean effort units of one part (gamma).
    pub effort_mean: f64,
    /// Shape of the gamma distribution of effort.
    pub effort_shape: f64,
    /// Mean patience in days (gamma).
    pub patience_mean: f64,
    /// Shape of the gamma distribution of patience.
    pub patience_shape: f64,
    /// Severity ~ Beta(severity_a, severity_b).
    pub severity_a: f64,
    /// Severity ~ Beta(severity_a, severity_b).
    pub severity_b: f64,
    /// Daily severity growth of issues no one has taken on.
    pub escalation_rate: f64,
    /// Severity above which an old issue escalates into a petition.
    pub escalation_severity: f64,
    /// Age, as a share of patience, after which a severe issue escalates.
    pub escalation_age: f64,
    /// Probability scale of recurrence of a poorly resolved issue: (1 − Q) × recurrence.
    pub recurrence: f64,
    /// Residents affected by an issue (the reporter included).
    pub affected: u32,
    /// Daily detection probability when an affected resident takes part.
    pub detect_participant: f64,
    /// Daily detection probability from a non-participant, times trust × efficacy.
    pub detect_report: f64,
    /// Days after an issue becomes known within which being taken on counts
    /// as a reply in time (the hotline's response rate).
    pub reply_days: u32,
    /// Share of demands that cannot be met (beyond policy, law or means):
    /// worked like any issue, then closed as explained, not resolved.
    pub unmeetable_share: f64,
    /// Induced demand: the relative rise of the issue rate per unit of the
    /// residents' mean efficacy above `residents.prior_efficacy`.
    pub induced_demand: f64,
}

impl Default for Issues {
    fn default() -> Self {
        Self {
            competencies: DEFAULT_COMPETENCIES.iter().map(|s| s.to_string()).collect(),
            rate: 0.4,
            cross_cutting_share: 0.3,
            three_competency_share: 0.3,
            type_weights: vec![0.25, 0.2, 0.2, 0.1, 0.2, 0.05],
            migrant_type_weights: vec![0.2, 0.15, 0.05, 0.15, 0.15, 0.3],
            effort_mean: 5.0,
            effort_shape: 2.0,
            patience_mean: 21.0,
            patience_shape: 4.0,
            severity_a: 2.0,
            severity_b: 2.0,
            escalation_rate: 0.01,
            escalation_severity: 0.8,
            escalation_age: 0.5,
            recurrence: 0.5,
            affected: 5,
            detect_participant: 0.5,
            detect_report: 0.3,
            reply_days: 1,
            unmeetable_share: 0.0,
            induced_demand: 0.0,
        }
    }
}

/// Government departments and subdistrict offices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Government {
    /// Effort units a day of each district department per 1,000 residents of the district.
    pub department_capacity: f64,
    /// Effort units a day of a subdistrict office per 1,000 residents of its subdistrict.
    pub office_capacity: f64,
    /// Days a task waits in a department before work starts (bureaucratic route).
    pub delay: u32,
    /// Daily probability that a referral to the next department goes through.
    pub referral_rate: f64,
    /// Days within which the rules require a department to start work on a
    /// task (the hotline's reply limit); 0: no limit (section 8, item 44).
    pub reply_limit: u32,
    /// The departments' compliance with the reply limit when the district
    /// is built: the share of a delay beyond the limit that they cut.
    pub compliance: f64,
    /// Monitoring and ranking of the departments by the three rates each
    /// month (0: none, 1: full): what moves compliance.
    pub ranking: f64,
    /// Share of the gap to full compliance that a month of full ranking
    /// closes where nothing is resolved (scaled by 1 − the month's
    /// resolution rate).
    pub ranking_response: f64,
    /// Whether a department refers an issue's next part only once the
    /// previous part is done (fragmented authority: no one coordinates the
    /// parts); `false` refers the parts while earlier ones are worked.
    pub sequential_referral: bool,
    /// Competencies a subdistrict office can work itself; absent: every
    /// competency (a generalist office). Those left out only the district
    /// departments can work ("the street can see but cannot manage").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub office_competencies: Option<Vec<String>>,
}

impl Default for Government {
    fn default() -> Self {
        Self {
            department_capacity: 0.25,
            office_capacity: 0.2,
            delay: 3,
            referral_rate: 0.3,
            reply_limit: 0,
            compliance: 0.0,
            ranking: 0.0,
            ranking_response: 0.2,
            sequential_referral: true,
            office_competencies: None,
        }
    }
}

/// Residents' committees, social organizations, property companies, enterprises.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Social {
    /// Mean social organizations per community (Poisson).
    pub per_community: f64,
    /// Effort units a day of a social organization per 1,000 community residents.
    pub capacity: f64,
    /// Effort units a day of a community's staff per 1,000 community
    /// residents: the residents' committee, and the community party
    /// committee where there is one, which the same people serve.
    pub committee_capacity: f64,
    /// Competencies of a residents' committee.
    pub committee_competencies: Vec<String>,
    /// Effort units a day of a property company per 1,000 community residents.
    pub property_capacity: f64,
    /// Competencies of a property company.
    pub property_competencies: Vec<String>,
    /// Enterprises per industrial community.
    pub enterprises_per_industrial: u32,
    /// Effort units a day of an enterprise per 1,000 community residents.
    pub enterprise_capacity: f64,
    /// Competencies of an enterprise.
    pub enterprise_competencies: Vec<String>,
    /// Initial autonomy: probability a social organization takes on an issue.
    pub autonomy: f64,
    /// A residents' committee's mandate: the probability that it takes on
    /// an issue by duty, whatever its autonomy (one intake rule for every
    /// actor: `mandate + (1 − mandate) × autonomy`).
    pub committee_mandate: f64,
    /// Daily rate at which autonomy erodes toward autonomy × (1 − centralization).
    pub autonomy_erosion: f64,
    /// Competencies a social organization draws its one or two from;
    /// absent: every competency. Those left out (law enforcement, say) only
    /// other organizations can do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_competencies: Option<Vec<String>>,
}

impl Default for Social {
    fn default() -> Self {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        Self {
            per_community: 2.0,
            capacity: 0.3,
            committee_capacity: 1.1,
            committee_competencies: names(&[
                "neighborhood_disputes",
                "elderly_social_services",
                "environment_sanitation",
            ]),
            property_capacity: 0.4,
            property_competencies: names(&["property_infrastructure", "environment_sanitation"]),
            enterprises_per_industrial: 2,
            enterprise_capacity: 0.4,
            enterprise_competencies: names(&["migrant_services", "public_safety"]),
            autonomy: 0.6,
            committee_mandate: 1.0,
            autonomy_erosion: 0.01,
            organization_competencies: None,
        }
    }
}

/// Grid management: coverage, patrols and contacts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Grid {
    /// Share of grids with an active grid worker.
    pub coverage: f64,
    /// Daily probability that a patrol detects a latent issue in a covered grid.
    pub patrol_rate: f64,
    /// Daily probability that a grid worker contacts a given resident.
    pub contact_rate: f64,
}

impl Default for Grid {
    fn default() -> Self {
        Self {
            coverage: 0.8,
            patrol_rate: 0.05,
            contact_rate: 0.005,
        }
    }
}

/// Coalition formation and inter-organizational trust.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Coalition {
    /// Join intercept j0.
    pub j0: f64,
    /// Join weight of inter-organizational trust.
    pub j_trust: f64,
    /// Join weight of the convener's leadership.
    pub j_lead: f64,
    /// Join weight of centralization (compliance).
    pub j_cent: f64,
    /// Join penalty of the asked organization's load.
    pub j_load: f64,
    /// Initial inter-organizational trust of pairs that meet.
    pub initial_trust: f64,
    /// τ⁺: trust gain of a pair on shared success, times (1 − T).
    pub trust_gain: f64,
    /// τ⁻: trust loss of a pair on shared failure, times T.
    pub trust_loss: f64,
    /// Days an issue may wait for partners on any route (convening tries
    /// and self-organized search days together) before it is referred.
    pub search_tries: u32,
    /// Failed convening days, out of `search_tries`, before the convener
    /// hands the issue to a self-organized search.
    pub max_convening_tries: u32,
    /// Join-utility bonus of a stalled issue re-convened at the joint
    /// conference, times (1 − formalism).
    pub reconvene_bonus: f64,
    /// Daily rate at which the trust of every pair of organizations fades
    /// toward `initial_trust` (contact rebuilds it).
    pub trust_decay: f64,
    /// Days of own capacity an organization's queue may hold before it is full.
    pub queue_days: f64,
}

impl Default for Coalition {
    fn default() -> Self {
        Self {
            j0: -1.5,
            j_trust: 2.0,
            j_lead: 1.5,
            j_cent: 1.0,
            j_load: 1.5,
            initial_trust: 0.3,
            trust_gain: 0.1,
            trust_loss: 0.1,
            search_tries: 3,
            max_convening_tries: 2,
            reconvene_bonus: 1.0,
            trust_decay: 0.005,
            queue_days: 10.0,
        }
    }
}

/// Who holds the convener institution of a community that has no community
/// party committee: it convenes cross-cutting issues, triages, calls the
/// joint conference of its subdistrict's alliance and earns legitimacy by
/// what it delivers, by the same rules as a party committee (design
/// section 10). Only the mechanisms listed in `model::party_specific` read
/// whether the holder is a party organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConvenerHolder {
    /// No one: issues are taken on by intakes and departments only.
    None,
    /// A hub of social organizations (a community social-organization
    /// federation), staffed, like a party committee, by
    /// `party.setting.committee_share` of the community's staff time.
    CommunityHub,
    /// The residents' committee itself, with its whole staff.
    ResidentsCommittee,
}

impl ConvenerHolder {
    /// The name used in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::CommunityHub => "community_hub",
            Self::ResidentsCommittee => "residents_committee",
        }
    }
}

/// Institutions any regime and any organization can hold (design section 10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Institutions {
    /// Who convenes in a community without a community party committee
    /// (`party.setting.community_coverage` decides which have one).
    pub convener: ConvenerHolder,
    /// Share of the communities without a community party committee whose
    /// convener is `convener`.
    pub convener_coverage: f64,
    /// The convener's mandate, whoever holds it: the probability that it
    /// takes on an issue by duty, whatever its autonomy (one intake rule for
    /// every actor: `mandate + (1 − mandate) × autonomy`).
    pub convener_mandate: f64,
    /// Reach of a self-organized intake asking partners: its community and
    /// the subdistrict office (`isolated`), also the district departments
    /// (`vertical`), or also every member of the subdistrict's alliance
    /// (`regional`: organizations of other communities too).
    pub intake_reach: Linkage,
    /// Facilitative leadership of a self-organized intake in the join
    /// utility, as a share of `coalition.j_lead` (a convener's is
    /// `party.procedure.coordination_strength` × its legitimacy term).
    pub intake_leadership: f64,
    /// How much the convener's legitimacy decides whether residents and
    /// organizations bring it an issue: an issue is brought (to triage or
    /// to convene) with probability 1 − w·(1 − legitimacy); 0: always (v2).
    pub legitimacy_uptake: f64,
}

impl Default for Institutions {
    fn default() -> Self {
        Self {
            convener: ConvenerHolder::None,
            convener_coverage: 1.0,
            convener_mandate: 1.0,
            intake_reach: Linkage::Regional,
            intake_leadership: 0.5,
            legitimacy_uptake: 0.0,
        }
    }
}

/// The four elements of grassroots party building.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Party {
    /// Setting: where party organizations exist.
    pub setting: PartySetting,
    /// System: how they are linked.
    pub system: PartySystem,
    /// Procedure: how they run.
    pub procedure: PartyProcedure,
    /// Security: staff, funds, service centers.
    pub security: PartySecurity,
}

/// Setting: where party organizations exist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PartySetting {
    /// Share of communities with a community party committee.
    pub community_coverage: f64,
    /// Share of social organizations and enterprises with a party branch.
    pub two_new_coverage: f64,
    /// Share of local residents who are party members.
    pub member_share: f64,
    /// Share of migrant residents who are party members.
    pub migrant_member_share: f64,
    /// Migrants that one migrant party member reaches through a community
    /// party committee (fellow migrants of the same workplace or origin).
    pub migrant_member_reach: f64,
    /// Share of a community's staff time that works as the community party
    /// committee where there is one (the rest stays with the residents'
    /// committee).
    pub committee_share: f64,
}

impl Default for PartySetting {
    fn default() -> Self {
        Self {
            community_coverage: 1.0,
            two_new_coverage: 0.5,
            member_share: 0.06,
            migrant_member_share: 0.02,
            migrant_member_reach: 10.0,
            committee_share: 0.55,
        }
    }
}

/// How party organizations are linked to other organizations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Linkage {
    /// A convener reaches only organizations of its own community.
    Isolated,
    /// Also government departments and the subdistrict office, through the hierarchy.
    Vertical,
    /// Every member of the subdistrict's regional alliance.
    Regional,
}

/// System: how party organizations are linked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PartySystem {
    /// Reach of a convener.
    pub linkage: Linkage,
    /// Probability that a social organization or enterprise without a party branch joins the alliance.
    pub alliance_openness: f64,
}

impl Default for PartySystem {
    fn default() -> Self {
        Self {
            linkage: Linkage::Regional,
            alliance_openness: 0.7,
        }
    }
}

/// Procedure: how party organizations run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PartyProcedure {
    /// Days between joint conferences of an alliance (0: never).
    pub meeting_interval: u32,
    /// Strength of the convener's leadership in the join utility.
    pub coordination_strength: f64,
    /// Share of alliance members' unused capacity pooled for coalition work.
    pub pooling: f64,
    /// Intensity of party members' contacts with residents.
    pub mobilization: f64,
    /// Households a party member contacts a day at full mobilization.
    pub contacts_per_member: f64,
    /// Formalism: meetings, paperwork and contacts for show.
    pub formalism: f64,
    /// Centralization κ: triage by the party committee and compliance pressure.
    pub centralization: f64,
    /// Effort units the convener spends per convening try.
    pub convening_cost: f64,
    /// Share of a day's capacity a member loses to a meeting at full formalism.
    pub meeting_cost: f64,
    /// Extra effort units per convened part at full formalism.
    pub paperwork_effort: f64,
    /// Trust gain of attending pairs at a meeting, times (1 − formalism)(1 − T).
    pub meeting_trust_gain: f64,
    /// Chance that a latent issue of a meeting alliance's subdistrict is
    /// brought up at the meeting (information shared), times (1 − formalism).
    pub meeting_disclosure: f64,
    /// Chance that a bureaucratic issue of the subdistrict waiting to be
    /// referred is reviewed at the meeting and all its remaining parts
    /// referred at once (joint commitment), times (1 − formalism).
    pub meeting_review: f64,
    /// Daily probability that one active party member of a grid notices a latent issue there.
    pub member_detection: f64,
    /// Share of the government delay a department skips on a part of a
    /// coalition a party convener summoned ("whistle-blowing, departments
    /// report"); 0 = the same delay on every route.
    pub summons: f64,
}

impl Default for PartyProcedure {
    fn default() -> Self {
        Self {
            meeting_interval: 30,
            coordination_strength: 1.0,
            pooling: 0.2,
            mobilization: 0.5,
            contacts_per_member: 2.0,
            formalism: 0.2,
            centralization: 0.2,
            convening_cost: 0.2,
            meeting_cost: 1.0,
            paperwork_effort: 1.0,
            meeting_trust_gain: 0.1,
            meeting_disclosure: 0.3,
            meeting_review: 0.5,
            member_detection: 0.02,
            summons: 0.0,
        }
    }
}

/// Security: staff, funds, service centers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PartySecurity {
    /// Effort units a day per 1,000 community residents that a community
    /// party committee gets on top of the community's staff (party-building
    /// funds, cadres sent down): resources from outside, priced separately.
    pub extra_capacity: f64,
    /// Share of communities with a party-mass service center.
    pub service_centers: f64,
    /// Extra daily detection probability in a community with a service center.
    pub service_center_detection: f64,
    /// Relative increase of contacts in a community with a service center.
    pub service_center_contacts: f64,
    /// Inclusion of migrants: how much of their participation penalty party
    /// channels remove for the migrants they reach.
    pub inclusion: f64,
    /// Share of a community's migrants its party-mass service center
    /// reaches (where a community party committee runs it).
    pub service_center_migrant_reach: f64,
    /// Initial party legitimacy in each community.
    pub initial_legitimacy: f64,
    /// ℓ0: part of convening power from formal position, independent of legitimacy.
    pub legitimacy_floor: f64,
    /// Daily rate at which legitimacy moves toward its target.
    pub legitimacy_rate: f64,
}

impl Default for PartySecurity {
    fn default() -> Self {
        Self {
            extra_capacity: 0.0,
            service_centers: 0.5,
            service_center_detection: 0.05,
            service_center_contacts: 0.5,
            inclusion: 0.3,
            service_center_migrant_reach: 0.3,
            initial_legitimacy: 0.5,
            legitimacy_floor: 0.3,
            legitimacy_rate: 0.02,
        }
    }
}

/// A what-if shock: issue surge, migrant influx or capacity loss.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Shock {
    /// Label for outputs.
    pub name: String,
    /// First day of the shock (0-based).
    pub start: u32,
    /// Days the shock lasts.
    pub days: u32,
    /// Multiplier of the issue arrival rate.
    pub issue_rate: f64,
    /// If set, only issues of this competency are multiplied.
    pub competency: Option<String>,
    /// New migrant residents, as a share of the initial population, arriving evenly over the shock.
    pub migrant_influx: f64,
    /// Multiplier of every organization's capacity.
    pub capacity: f64,
}

impl Default for Shock {
    fn default() -> Self {
        Self {
            name: "shock".into(),
            start: 0,
            days: 1,
            issue_rate: 1.0,
            competency: None,
            migrant_influx: 0.0,
            capacity: 1.0,
        }
    }
}
