//! The lever registry: one row per lever of the scenario format, holding
//! what the code knows of it besides its type and default (which the
//! structs of [`super::Scenario`] hold): its unit, its valid range (numbers)
//! or values (choices), and whether it can change during a run, with the
//! reason when it cannot. The loader's range checks, `--vary`, live lever
//! moves and reforms (`[[policy]]`), the app's controls, the listing of
//! [`super::registry`] and the docs test all read it. Paths are dotted as in
//! scenario files; `[]` stands for every element of a list. Each lever's
//! meaning is in the lever table of `docs/ODD.md`, section 7.9 (tested).

/// One numeric lever of the scenario format.
#[derive(Debug, Clone, Copy)]
pub struct Lever {
    /// Dotted path, `[]` for every element of a list.
    pub path: &'static str,
    /// Smallest valid value.
    pub min: f64,
    /// Largest valid value.
    pub max: f64,
    /// Unit, in words.
    pub unit: &'static str,
    /// Why it cannot change during a run (it is read only when the district
    /// is built), or `None`: it may change between days.
    pub fixed: Option<&'static str>,
}

const fn lever(path: &'static str, min: f64, max: f64, unit: &'static str) -> Lever {
    Lever {
        path,
        min,
        max,
        unit,
        fixed: None,
    }
}

impl Lever {
    /// The lever, read only when the district is built, for `reason`.
    const fn fixed(self, reason: &'static str) -> Lever {
        Lever {
            fixed: Some(reason),
            ..self
        }
    }
}

/// One lever that is not a number: a list of names, a choice, a switch.
#[derive(Debug, Clone, Copy)]
pub struct OtherLever {
    /// Dotted path, `[]` for every element of a list.
    pub path: &'static str,
    /// What its values are, in words.
    pub unit: &'static str,
    /// The values of a choice (empty otherwise).
    pub choices: &'static [&'static str],
    /// Why it cannot change during a run, or `None`.
    pub fixed: Option<&'static str>,
}

// Why levers cannot change during a run: each is read only when the
// district is built.
const RUN: &str = "the run's length and recording are set when it starts";
const DISTRICT: &str = "the district's communities and grids are built once";
const RESIDENTS: &str = "residents and their ties are drawn when the district is built";
const COMPETENCIES: &str = "organizations' competencies are fixed when the district is built";
const CAPACITIES: &str = "capacities are set when the organizations are built";
const SOCIAL: &str = "social organizations are built with the district";
const GRIDS: &str = "grids and inter-organizational trust start when the district is built";
const PARTY: &str = "party organizations, members and alliances are built with the district";
const INSTITUTIONS: &str = "the convener of each community is chosen when the district is built";
const COMPLIANCE: &str = "compliance starts when the district is built; from then on ranking moves it (government.ranking)";
const SECURITY: &str =
    "capacities, service centres and starting legitimacy are set when the district is built";

/// Every lever that is not a number.
pub const OTHER_LEVERS: &[OtherLever] = &[
    other(
        "district.communities",
        "list of community groups",
        &[],
        Some(DISTRICT),
    ),
    other(
        "district.communities[].kind",
        "choice",
        &["urban", "industrial", "village"],
        Some(DISTRICT),
    ),
    other("issues.competencies", "names", &[], Some(COMPETENCIES)),
    other("government.sequential_referral", "on/off", &[], None),
    other(
        "government.office_competencies",
        "names",
        &[],
        Some(COMPETENCIES),
    ),
    other("social.committee_competencies", "names", &[], Some(SOCIAL)),
    other("social.property_competencies", "names", &[], Some(SOCIAL)),
    other("social.enterprise_competencies", "names", &[], Some(SOCIAL)),
    other(
        "social.organization_competencies",
        "names",
        &[],
        Some(SOCIAL),
    ),
    other(
        "institutions.convener",
        "choice",
        &["none", "community_hub", "residents_committee"],
        Some(INSTITUTIONS),
    ),
    other(
        "institutions.intake_reach",
        "choice",
        &["isolated", "vertical", "regional"],
        Some(INSTITUTIONS),
    ),
    other(
        "party.system.linkage",
        "choice",
        &["isolated", "vertical", "regional"],
        Some(PARTY),
    ),
    other("shocks[].name", "name", &[], None),
    other("shocks[].competency", "name", &[], None),
    other("policy[].name", "name", &[], None),
    other("policy[].set", "levers and values", &[], None),
];

const fn other(
    path: &'static str,
    unit: &'static str,
    choices: &'static [&'static str],
    fixed: Option<&'static str>,
) -> OtherLever {
    OtherLever {
        path,
        unit,
        choices,
        fixed,
    }
}

const P: &str = "probability";
const S: &str = "share";
const E: &str = "effort units/day per 1,000 residents";

/// Every numeric lever with its valid range and, where it is read only
/// when the district is built, why it cannot change during a run.
pub const LEVERS: &[Lever] = &[
    lever("sim.days", 1.0, 36500.0, "days").fixed(RUN),
    lever("sim.seed", 0.0, 9e18, "integer").fixed(RUN),
    lever("sim.record_every", 1.0, 36500.0, "days").fixed(RUN),
    lever("sim.warmup_days", 0.0, 3650.0, "days").fixed(RUN),
    lever("sim.summary_from", 1.0, 36500.0, "recorded day").fixed(RUN),
    lever("district.subdistricts", 1.0, 1000.0, "count").fixed(DISTRICT),
    lever("district.communities[].count", 1.0, 100000.0, "count").fixed(DISTRICT),
    lever(
        "district.communities[].population",
        10.0,
        1000000.0,
        "residents",
    )
    .fixed(DISTRICT),
    lever("district.communities[].migrant_share", 0.0, 1.0, S).fixed(DISTRICT),
    lever("district.communities[].grids", 1.0, 10000.0, "count").fixed(DISTRICT),
    lever("residents.civic_a", 0.01, 100.0, "Beta shape").fixed(RESIDENTS),
    lever("residents.civic_b", 0.01, 100.0, "Beta shape").fixed(RESIDENTS),
    lever("residents.initial_trust", 0.0, 1.0, "trust").fixed(RESIDENTS),
    lever("residents.initial_spread", 0.0, 0.5, "trust").fixed(RESIDENTS),
    lever("residents.initial_efficacy", 0.0, 1.0, "efficacy").fixed(RESIDENTS),
    lever("residents.newcomer_trust", 0.0, 1.0, "trust"),
    lever("residents.newcomer_ties", 0.0, 100.0, "ties"),
    lever("residents.ties_k", 0.0, 100.0, "ties (even)").fixed(RESIDENTS),
    lever("residents.ties_p", 0.0, 1.0, P).fixed(RESIDENTS),
    lever("residents.b0", -20.0, 20.0, "logit"),
    lever("residents.b_civic", -20.0, 20.0, "logit"),
    lever("residents.b_eff", -20.0, 20.0, "logit"),
    lever("residents.b_trust", -20.0, 20.0, "logit"),
    lever("residents.b_peer", -20.0, 20.0, "logit"),
    lever("residents.b_mob", -20.0, 20.0, "logit"),
    lever("residents.b_migrant", -20.0, 20.0, "logit"),
    lever("residents.b_crowd", -20.0, 20.0, "logit"),
    lever("residents.b_sc", -20.0, 20.0, "logit"),
    lever("residents.volunteer_effort", 0.0, 10.0, "effort units/day"),
    lever("residents.trust_gain", 0.0, 1.0, "rate"),
    lever("residents.trust_loss", 0.0, 1.0, "rate"),
    lever("residents.efficacy_gain", 0.0, 1.0, "rate"),
    lever("residents.efficacy_loss", 0.0, 1.0, "rate"),
    lever("residents.observer_weight", 0.0, 1.0, "weight"),
    lever("residents.diffusion", 0.0, 1.0, "weight/week"),
    lever("residents.forgetting", 0.0, 1.0, "rate/week"),
    lever("residents.prior_trust", 0.0, 1.0, "trust"),
    lever("residents.prior_efficacy", 0.0, 1.0, "efficacy"),
    lever("residents.q0", 0.0, 1.0, "quality"),
    lever("residents.q_delib", 0.0, 1.0, "quality"),
    lever("residents.deliberators_needed", 1.0, 10000.0, "residents"),
    lever("residents.recent_weight", 0.001, 1.0, "weight"),
    lever("residents.satisfaction_speed", 0.0, 1.0, "weight"),
    lever("residents.explained_satisfaction", 0.0, 1.0, P),
    lever("institutions.convener_coverage", 0.0, 1.0, S).fixed(INSTITUTIONS),
    lever("institutions.convener_mandate", 0.0, 1.0, P).fixed(INSTITUTIONS),
    lever("institutions.intake_leadership", 0.0, 10.0, "strength"),
    lever("institutions.legitimacy_uptake", 0.0, 1.0, "weight"),
    lever("issues.rate", 0.0, 100.0, "issues/day per 1,000 residents"),
    lever("issues.cross_cutting_share", 0.0, 1.0, S),
    lever("issues.three_competency_share", 0.0, 1.0, S),
    lever("issues.type_weights[]", 0.0, 1000.0, "weight"),
    lever("issues.migrant_type_weights[]", 0.0, 1000.0, "weight"),
    lever("issues.effort_mean", 0.01, 1000.0, "effort units"),
    lever("issues.effort_shape", 0.1, 100.0, "gamma shape"),
    lever("issues.patience_mean", 1.0, 3650.0, "days"),
    lever("issues.patience_shape", 0.1, 100.0, "gamma shape"),
    lever("issues.severity_a", 0.01, 100.0, "Beta shape"),
    lever("issues.severity_b", 0.01, 100.0, "Beta shape"),
    lever("issues.escalation_rate", 0.0, 1.0, "severity/day"),
    lever("issues.escalation_severity", 0.0, 1.0, "severity"),
    lever("issues.escalation_age", 0.0, 1.0, "share of patience"),
    lever("issues.recurrence", 0.0, 1.0, P),
    lever("issues.affected", 1.0, 1000.0, "residents"),
    lever("issues.detect_participant", 0.0, 1.0, "probability/day"),
    lever("issues.detect_report", 0.0, 1.0, "probability/day"),
    lever("issues.reply_days", 0.0, 365.0, "days"),
    lever("issues.unmeetable_share", 0.0, 1.0, S),
    lever("issues.induced_demand", 0.0, 20.0, "per unit of efficacy"),
    lever("government.department_capacity", 0.0, 1000.0, E).fixed(CAPACITIES),
    lever("government.office_capacity", 0.0, 1000.0, E).fixed(CAPACITIES),
    lever("government.delay", 0.0, 365.0, "days"),
    lever("government.referral_rate", 0.0, 1.0, "probability/day"),
    lever("government.reply_limit", 0.0, 365.0, "days"),
    lever("government.compliance", 0.0, 1.0, S).fixed(COMPLIANCE),
    lever("government.ranking", 0.0, 1.0, "intensity"),
    lever("government.ranking_response", 0.0, 1.0, "share/month"),
    lever("social.per_community", 0.0, 100.0, "organizations").fixed(SOCIAL),
    lever("social.capacity", 0.0, 1000.0, E).fixed(SOCIAL),
    lever("social.committee_capacity", 0.0, 1000.0, E).fixed(SOCIAL),
    lever("social.property_capacity", 0.0, 1000.0, E).fixed(SOCIAL),
    lever(
        "social.enterprises_per_industrial",
        0.0,
        1000.0,
        "organizations",
    )
    .fixed(SOCIAL),
    lever("social.enterprise_capacity", 0.0, 1000.0, E).fixed(SOCIAL),
    lever("social.autonomy", 0.0, 1.0, P).fixed(SOCIAL),
    lever("social.committee_mandate", 0.0, 1.0, P).fixed(SOCIAL),
    lever("social.autonomy_erosion", 0.0, 1.0, "rate/day"),
    lever("grid.coverage", 0.0, 1.0, S).fixed(GRIDS),
    lever("grid.patrol_rate", 0.0, 1.0, "probability/day"),
    lever("grid.contact_rate", 0.0, 1.0, "probability/day"),
    lever("coalition.j0", -20.0, 20.0, "logit"),
    lever("coalition.j_trust", -20.0, 20.0, "logit"),
    lever("coalition.j_lead", -20.0, 20.0, "logit"),
    lever("coalition.j_cent", -20.0, 20.0, "logit"),
    lever("coalition.j_load", -20.0, 20.0, "logit"),
    lever("coalition.initial_trust", 0.0, 1.0, "trust").fixed(GRIDS),
    lever("coalition.trust_gain", 0.0, 1.0, "rate"),
    lever("coalition.trust_loss", 0.0, 1.0, "rate"),
    lever("coalition.search_tries", 0.0, 365.0, "days"),
    lever("coalition.max_convening_tries", 0.0, 365.0, "days"),
    lever("coalition.reconvene_bonus", 0.0, 20.0, "logit"),
    lever("coalition.trust_decay", 0.0, 1.0, "rate/day"),
    lever("coalition.queue_days", 0.1, 365.0, "days of capacity"),
    lever("party.setting.community_coverage", 0.0, 1.0, S).fixed(PARTY),
    lever("party.setting.two_new_coverage", 0.0, 1.0, S).fixed(PARTY),
    lever("party.setting.member_share", 0.0, 1.0, S).fixed(PARTY),
    lever("party.setting.migrant_member_share", 0.0, 1.0, S).fixed(PARTY),
    lever(
        "party.setting.migrant_member_reach",
        0.0,
        1000.0,
        "migrants per member",
    ),
    lever("party.setting.committee_share", 0.0, 1.0, S).fixed(PARTY),
    lever("party.system.alliance_openness", 0.0, 1.0, P).fixed(PARTY),
    lever("party.procedure.meeting_interval", 0.0, 3650.0, "days"),
    lever("party.procedure.coordination_strength", 0.0, 10.0, "weight"),
    lever("party.procedure.pooling", 0.0, 1.0, S),
    lever("party.procedure.mobilization", 0.0, 1.0, "intensity"),
    lever(
        "party.procedure.contacts_per_member",
        0.0,
        100.0,
        "households/day",
    ),
    lever("party.procedure.formalism", 0.0, 1.0, "intensity"),
    lever("party.procedure.centralization", 0.0, 1.0, "intensity"),
    lever(
        "party.procedure.convening_cost",
        0.0,
        100.0,
        "effort units/try",
    ),
    lever("party.procedure.meeting_cost", 0.0, 1.0, "share of a day"),
    lever(
        "party.procedure.paperwork_effort",
        0.0,
        100.0,
        "effort units/part",
    ),
    lever("party.procedure.meeting_trust_gain", 0.0, 1.0, "rate"),
    lever(
        "party.procedure.meeting_disclosure",
        0.0,
        1.0,
        "probability",
    ),
    lever("party.procedure.meeting_review", 0.0, 1.0, "probability"),
    lever("party.procedure.summons", 0.0, 1.0, S),
    lever(
        "party.procedure.member_detection",
        0.0,
        1.0,
        "probability/day",
    ),
    lever("party.security.extra_capacity", 0.0, 1000.0, E).fixed(SECURITY),
    lever("party.security.service_centers", 0.0, 1.0, S).fixed(SECURITY),
    lever(
        "party.security.service_center_detection",
        0.0,
        1.0,
        "probability/day",
    ),
    lever(
        "party.security.service_center_contacts",
        0.0,
        10.0,
        "relative increase",
    ),
    lever("party.security.inclusion", 0.0, 1.0, "intensity"),
    lever(
        "party.security.service_center_migrant_reach",
        0.0,
        1.0,
        "share",
    ),
    lever("party.security.initial_legitimacy", 0.0, 1.0, "legitimacy").fixed(SECURITY),
    lever("party.security.legitimacy_floor", 0.0, 1.0, S),
    lever("party.security.legitimacy_rate", 0.0, 1.0, "rate/day"),
    lever("shocks[].start", 0.0, 36500.0, "day"),
    lever("shocks[].days", 1.0, 36500.0, "days"),
    lever("shocks[].issue_rate", 0.0, 100.0, "multiplier"),
    lever("shocks[].migrant_influx", 0.0, 10.0, "share of population"),
    lever("shocks[].capacity", 0.0, 100.0, "multiplier"),
    lever("policy[].day", 1.0, 36500.0, "recorded day"),
];

/// The numeric lever with this exact path (list indices written as `[]`).
pub fn find(path: &str) -> Option<&'static Lever> {
    LEVERS.iter().find(|l| l.path == path)
}

/// The levers nearest to `path` by spelling (at most three, each within a
/// few edits), for "did you mean" in messages.
pub fn nearest(path: &str) -> Vec<&'static str> {
    let mut scored: Vec<(usize, &'static str)> = LEVERS
        .iter()
        .map(|l| (strsim::levenshtein(path, l.path), l.path))
        .filter(|&(d, _)| d <= 3.max(path.len() / 8))
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, p)| p).collect()
}

/// The values an enumerated lever takes, where `path` is one.
pub fn choices(path: &str) -> Option<&'static [&'static str]> {
    OTHER_LEVERS
        .iter()
        .find(|l| l.path == path && !l.choices.is_empty())
        .map(|l| l.choices)
}

/// The registry's form of a concrete path: `a.list[3].b` is listed as
/// `a.list[].b`.
pub fn pattern_of(path: &str) -> String {
    let mut pattern = String::new();
    let mut skipping = false;
    for ch in path.chars() {
        match ch {
            '[' => {
                skipping = true;
                pattern.push_str("[]");
            }
            ']' => skipping = false,
            _ if skipping => {}
            _ => pattern.push(ch),
        }
    }
    pattern
}

/// Why the lever at `path` (a concrete path: `issues.competencies[2]`,
/// `district.communities[0].count`) cannot change during a run, or `None`
/// when it can or is no lever. A path above levers (`district.communities[0]`)
/// is fixed if the levers under it are.
pub fn fixed_reason(path: &str) -> Option<&'static str> {
    // `a.names[2]` is listed as `a.names`.
    let pattern = pattern_of(path);
    let rows = || {
        LEVERS
            .iter()
            .map(|l| (l.path, l.fixed))
            .chain(OTHER_LEVERS.iter().map(|l| (l.path, l.fixed)))
    };
    let bare = pattern.strip_suffix("[]").unwrap_or(&pattern);
    if let Some((_, fixed)) = rows().find(|(p, _)| *p == pattern || *p == bare) {
        return fixed;
    }
    let below = |p: &str| {
        p.strip_prefix(pattern.as_str())
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with("[]"))
    };
    rows().find(|(p, _)| below(p)).and_then(|(_, fixed)| fixed)
}
