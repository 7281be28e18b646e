//! Metrics: turns the model's daily counts into the rows of `timeseries.csv`
//! and the one row of `summary.csv` (design, section 6). Definitions of every
//! column are in `docs/outputs.md`; this module is their single source, and
//! its [`CATALOGUE`] is the one list of how metrics are presented (labels,
//! units, bounds, direction, and which are key, precision targets,
//! sensitivity defaults, drawn over time or as estimates).

use std::collections::VecDeque;

use serde::Serialize;

use crate::model::DayTally;
use crate::scenario::Scenario;

/// Days in the trailing window of rates in `timeseries.csv`.
pub const WINDOW_DAYS: usize = 30;
/// Days in the rolling resolution rate used for shock dips and recovery.
pub const SHOCK_WINDOW_DAYS: usize = 14;

/// Whether more of a metric is better for governance, worse, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// More is better (resolution, participation, trust).
    HigherIsBetter,
    /// Less is better (days to resolution, open issues, petitions).
    LowerIsBetter,
    /// Neither: a gap or a structural index read in context.
    Neither,
}

impl Direction {
    /// +1 where more is better, −1 where less is, `None` where neither:
    /// multiplied into a metric, the better value is the larger.
    pub fn sign(self) -> Option<f64> {
        match self {
            Direction::HigherIsBetter => Some(1.0),
            Direction::LowerIsBetter => Some(-1.0),
            Direction::Neither => None,
        }
    }
}

/// What a metric is, for every place that presents it: the console table,
/// plots, the precision target of `--reps auto`, the defaults of
/// `govsim sensitivity` and the report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricInfo {
    /// Column name in `summary.csv` (and `timeseries.csv`, where it has one).
    pub name: &'static str,
    /// Title for readers.
    pub label: &'static str,
    /// Unit, as an axis says it.
    pub unit: &'static str,
    /// The range its values live in, if bounded (intervals are drawn inside it).
    pub bounds: Option<(f64, f64)>,
    /// Whether more is better.
    pub direction: Direction,
    /// In the console table and the report's findings.
    pub key: bool,
    /// Its relative half-width is a precision target of `--reps auto` (gaps
    /// near zero are not: their relative half-width is unbounded).
    pub precision: bool,
    /// Analysed by `govsim sensitivity` when no `--metric` is given.
    pub sensitivity: bool,
    /// Drawn over time in the report, with this axis label.
    pub series: Option<&'static str>,
    /// Drawn as estimates and differences in the report.
    pub estimate: bool,
}

const SHARE: Option<(f64, f64)> = Some((0.0, 1.0));
const GAP: Option<(f64, f64)> = Some((-1.0, 1.0));

/// A metric of the catalogue with no role beyond its label.
const fn plain(
    name: &'static str,
    label: &'static str,
    unit: &'static str,
    bounds: Option<(f64, f64)>,
    direction: Direction,
) -> MetricInfo {
    MetricInfo {
        name,
        label,
        unit,
        bounds,
        direction,
        key: false,
        precision: false,
        sensitivity: false,
        series: None,
        estimate: false,
    }
}

/// Every metric that outputs present, in the order they are presented.
pub const CATALOGUE: &[MetricInfo] = &[
    MetricInfo {
        key: true,
        precision: true,
        sensitivity: true,
        series: Some("share of closed issues resolved (30-day window)"),
        estimate: true,
        ..plain(
            "resolution_rate",
            "Resolution rate",
            "resolution rate (share)",
            SHARE,
            Direction::HigherIsBetter,
        )
    },
    MetricInfo {
        key: true,
        precision: true,
        sensitivity: true,
        series: Some("share of closed cross-cutting issues resolved (30-day window)"),
        estimate: true,
        ..plain(
            "cross_cutting_resolution_rate",
            "Cross-cutting resolution rate",
            "cross-cutting resolution rate (share)",
            SHARE,
            Direction::HigherIsBetter,
        )
    },
    MetricInfo {
        series: Some("open issues (count)"),
        ..plain(
            "backlog",
            "Open issues",
            "open issues (count)",
            None,
            Direction::LowerIsBetter,
        )
    },
    MetricInfo {
        key: true,
        precision: true,
        sensitivity: true,
        estimate: true,
        ..plain(
            "median_resolution_days",
            "Median days to resolution",
            "median days to resolution",
            None,
            Direction::LowerIsBetter,
        )
    },
    MetricInfo {
        key: true,
        precision: true,
        sensitivity: true,
        series: Some("share of residents taking part that day"),
        estimate: true,
        ..plain(
            "participation_rate",
            "Participation",
            "participation rate (share)",
            SHARE,
            Direction::HigherIsBetter,
        )
    },
    MetricInfo {
        key: true,
        ..plain(
            "participation_gap",
            "Participation gap (migrants − locals)",
            "difference of shares",
            GAP,
            Direction::Neither,
        )
    },
    MetricInfo {
        key: true,
        precision: true,
        series: Some("mean trust (0–1)"),
        estimate: true,
        ..plain(
            "trust_party",
            "Trust in party organizations",
            "trust in party (0–1)",
            SHARE,
            Direction::HigherIsBetter,
        )
    },
    MetricInfo {
        key: true,
        precision: true,
        series: Some("mean trust (0–1)"),
        ..plain(
            "trust_government",
            "Trust in government",
            "trust in government (0–1)",
            SHARE,
            Direction::HigherIsBetter,
        )
    },
    MetricInfo {
        series: Some("mean trust (0–1)"),
        ..plain(
            "trust_social",
            "Trust in social organizations",
            "trust in social organizations (0–1)",
            SHARE,
            Direction::HigherIsBetter,
        )
    },
    plain(
        "convener_share",
        "Taken on by the convener",
        "share of the issues taken on that the convener convened or triaged",
        SHARE,
        Direction::Neither,
    ),
    plain(
        "virtual_share",
        "Virtual conveners",
        "share of conveners that took on no issue lately",
        SHARE,
        Direction::LowerIsBetter,
    ),
    MetricInfo {
        key: true,
        series: Some("mean legitimacy (0–1)"),
        estimate: true,
        ..plain(
            "party_legitimacy",
            "Party legitimacy",
            "party legitimacy (0–1)",
            SHARE,
            Direction::HigherIsBetter,
        )
    },
    MetricInfo {
        key: true,
        ..plain(
            "polycentricity",
            "Polycentricity",
            "effective number of decision centres",
            None,
            Direction::Neither,
        )
    },
    MetricInfo {
        series: Some("share of closed issues replied to in time (30-day window)"),
        estimate: true,
        ..plain(
            "response_rate",
            "Response rate",
            "share of closed issues replied to in time",
            SHARE,
            Direction::HigherIsBetter,
        )
    },
    MetricInfo {
        series: Some("share of reporters of closed issues satisfied (30-day window)"),
        estimate: true,
        ..plain(
            "satisfaction_rate",
            "Satisfaction rate",
            "share of reporters satisfied",
            SHARE,
            Direction::HigherIsBetter,
        )
    },
    plain(
        "abandoned_share",
        "Abandoned share",
        "share of closed issues abandoned",
        SHARE,
        Direction::LowerIsBetter,
    ),
    plain(
        "escalations",
        "Petitions",
        "issues escalated (count)",
        None,
        Direction::LowerIsBetter,
    ),
    plain(
        "migrant_resolution_gap",
        "Resolution gap (migrants − locals)",
        "difference of shares",
        GAP,
        Direction::Neither,
    ),
    plain(
        "efficacy",
        "Efficacy",
        "mean efficacy (0–1)",
        SHARE,
        Direction::HigherIsBetter,
    ),
    plain(
        "capacity_per_1000",
        "Capacity per 1,000 residents",
        "effort units a day per 1,000 residents",
        None,
        Direction::Neither,
    ),
    plain(
        "capacity_used",
        "Capacity used",
        "share of the organizations' capacity spent on issues",
        SHARE,
        Direction::Neither,
    ),
    plain(
        "participation_share_year",
        "Took part in a year",
        "share of residents who took part at least once in 365 days",
        SHARE,
        Direction::HigherIsBetter,
    ),
    plain(
        "participation_share_month",
        "Took part in a month",
        "share of residents who took part at least once in 30 days",
        SHARE,
        Direction::HigherIsBetter,
    ),
    plain(
        "petitions_per_10k",
        "Petitions per 10,000",
        "escalations a year per 10,000 residents",
        None,
        Direction::LowerIsBetter,
    ),
    plain(
        "demands_per_1000_day",
        "Demands per 1,000 a day",
        "issues that became known a day per 1,000 residents",
        None,
        Direction::Neither,
    ),
    plain(
        "disclosed_at_meetings",
        "Issues brought up at meetings",
        "latent issues (count)",
        None,
        Direction::Neither,
    ),
    plain(
        "reviewed_at_meetings",
        "Referrals made at meetings",
        "bureaucratic issues (count)",
        None,
        Direction::Neither,
    ),
];

/// Days of a year of the yearly counts.
pub const DAYS_PER_YEAR: u32 = 365;

/// Days of a month of the monthly participation share (surveys ask about
/// "the past month").
pub const DAYS_PER_MONTH: u32 = 30;

/// The catalogue's entry of `name`, if it has one.
pub fn metric_info(name: &str) -> Option<&'static MetricInfo> {
    CATALOGUE.iter().find(|m| m.name == name)
}

/// The names of the metrics for which `role` holds, in catalogue order.
pub fn metrics_where(role: impl Fn(&MetricInfo) -> bool) -> Vec<&'static str> {
    CATALOGUE
        .iter()
        .filter(|m| role(m))
        .map(|m| m.name)
        .collect()
}

/// One row of `timeseries.csv`. Rates without a denominator are empty (NA).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayRow {
    /// Last day of the recording interval (1-based).
    pub day: u32,
    /// Residents at the end of the day.
    pub residents: u32,
    /// Issues that arrived during the interval.
    pub arrived: u32,
    /// Latent issues detected during the interval.
    pub detected: u32,
    /// Issues resolved during the interval.
    pub resolved: u32,
    /// Issues abandoned during the interval.
    pub abandoned: u32,
    /// Demands that cannot be met, closed as explained during the interval.
    pub explained: u32,
    /// Open issues at the end of the day.
    pub backlog: u32,
    /// Issues escalated into petitions during the interval.
    pub escalations: u32,
    /// Resolved / (resolved + abandoned), trailing window.
    pub resolution_rate: Option<f64>,
    /// The same for cross-cutting issues.
    pub cross_cutting_resolution_rate: Option<f64>,
    /// Median days from arrival to resolution, trailing window.
    pub median_resolution_days: Option<f64>,
    /// The same for cross-cutting issues.
    pub cross_cutting_median_days: Option<f64>,
    /// Abandoned / (resolved + abandoned), trailing window (1 − resolution_rate).
    pub abandoned_share: Option<f64>,
    /// Closed issues whose reporter had a reply in time / closed issues,
    /// trailing window (the hotline's response rate).
    pub response_rate: Option<f64>,
    /// Chance that a reporter of a closed issue is satisfied, summed over
    /// closed issues / closed issues, trailing window (abandoned: not satisfied).
    pub satisfaction_rate: Option<f64>,
    /// Share of residents taking part on the day.
    pub participation_rate: Option<f64>,
    /// The same for locals.
    pub participation_rate_local: Option<f64>,
    /// The same for migrants.
    pub participation_rate_migrant: Option<f64>,
    /// Migrant minus local participation rate.
    pub participation_gap: Option<f64>,
    /// Migrant minus local resolution rate, trailing window.
    pub migrant_resolution_gap: Option<f64>,
    /// Mean trust in party organizations.
    pub trust_party: f64,
    /// Mean trust in government.
    pub trust_government: f64,
    /// Mean trust in social organizations.
    pub trust_social: f64,
    /// Mean efficacy.
    pub efficacy: f64,
    /// Mean party legitimacy over communities with a party committee.
    pub party_legitimacy: Option<f64>,
    /// Share of resolutions by the party-convened route, trailing window.
    pub share_party_convened: Option<f64>,
    /// Share of resolutions by the self-organized route, trailing window.
    pub share_self_organized: Option<f64>,
    /// Share of resolutions by the bureaucratic route, trailing window.
    pub share_bureaucratic: Option<f64>,
    /// Share of resolution credit of party organizations, trailing window.
    pub credit_party: Option<f64>,
    /// Share of resolution credit of government, trailing window.
    pub credit_government: Option<f64>,
    /// Share of resolution credit of social organizations, trailing window.
    pub credit_social: Option<f64>,
    /// Pooled effort spent during the interval.
    pub pooled_effort: f64,
    /// Volunteer effort spent during the interval.
    pub volunteer_effort: f64,
    /// Capacity lost to meetings, convening and triage during the interval.
    pub meeting_overhead: f64,
    /// Effort the organizations could give on the recorded day per 1,000
    /// residents (volunteers and pooling excluded).
    pub capacity_per_1000: Option<f64>,
    /// A: effort mobilized beyond own capacity / all effort, trailing window.
    pub agil_adaptation: Option<f64>,
    /// G: the resolution rate, trailing window.
    pub agil_goal_attainment: Option<f64>,
    /// I: share of closed cross-cutting issues resolved jointly, trailing window.
    pub agil_integration: Option<f64>,
    /// L: mean trust × participation persistence.
    pub agil_latency: Option<f64>,
    /// Effective number of autonomous decision centres that resolved issues, trailing window.
    pub polycentricity: Option<f64>,
}

/// The one row of `summary.csv`: whole-run and end-of-run figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Days simulated.
    pub days: u32,
    /// Residents at the start.
    pub residents_start: u32,
    /// Residents at the end.
    pub residents_end: u32,
    /// Issues that arrived.
    pub arrived: u64,
    /// Issues resolved.
    pub resolved: u64,
    /// Issues abandoned.
    pub abandoned: u64,
    /// Demands that cannot be met, closed as explained.
    pub explained: u64,
    /// Open issues at the end.
    pub backlog: u32,
    /// Escalations.
    pub escalations: u64,
    /// Resolved / (resolved + abandoned) over the run.
    pub resolution_rate: Option<f64>,
    /// The same for cross-cutting issues.
    pub cross_cutting_resolution_rate: Option<f64>,
    /// Median days to resolution over the run.
    pub median_resolution_days: Option<f64>,
    /// The same for cross-cutting issues.
    pub cross_cutting_median_days: Option<f64>,
    /// Median days to resolution of issues resolved by the party-convened route.
    pub median_days_party_convened: Option<f64>,
    /// The same for the self-organized route.
    pub median_days_self_organized: Option<f64>,
    /// The same for the bureaucratic route.
    pub median_days_bureaucratic: Option<f64>,
    /// Abandoned / arrived over the run.
    pub abandoned_share: Option<f64>,
    /// The same over the run: closed issues replied to in time / closed issues.
    pub response_rate: Option<f64>,
    /// The same over the run: the share of reporters of closed issues satisfied.
    pub satisfaction_rate: Option<f64>,
    /// Mean daily participation rate.
    pub participation_rate: Option<f64>,
    /// The same for locals.
    pub participation_rate_local: Option<f64>,
    /// The same for migrants.
    pub participation_rate_migrant: Option<f64>,
    /// Migrant minus local mean participation rate.
    pub participation_gap: Option<f64>,
    /// Migrant minus local resolution rate over the run.
    pub migrant_resolution_gap: Option<f64>,
    /// Resolution rate of issues reported by locals over the run.
    pub resolution_rate_local: Option<f64>,
    /// Resolution rate of issues reported by migrants over the run.
    pub resolution_rate_migrant: Option<f64>,
    /// Mean trust in party organizations at the end.
    pub trust_party: f64,
    /// Mean trust in government at the end.
    pub trust_government: f64,
    /// Mean trust in social organizations at the end.
    pub trust_social: f64,
    /// Mean efficacy at the end.
    pub efficacy: f64,
    /// Mean party legitimacy at the end.
    pub party_legitimacy: Option<f64>,
    /// Share of the issues taken on over the run that the convener convened
    /// or triaged ("marginalized" when low); none without issues taken on.
    pub convener_share: Option<f64>,
    /// Share of the communities with a convener whose convener took on no
    /// issue lately, at the end ("virtual"); none without conveners.
    pub virtual_share: Option<f64>,
    /// Share of resolutions by the party-convened route.
    pub share_party_convened: Option<f64>,
    /// Share of resolutions by the self-organized route.
    pub share_self_organized: Option<f64>,
    /// Share of resolutions by the bureaucratic route.
    pub share_bureaucratic: Option<f64>,
    /// Share of resolution credit of party organizations.
    pub credit_party: Option<f64>,
    /// Share of resolution credit of government.
    pub credit_government: Option<f64>,
    /// Share of resolution credit of social organizations.
    pub credit_social: Option<f64>,
    /// Pooled effort spent.
    pub pooled_effort: f64,
    /// Volunteer effort spent.
    pub volunteer_effort: f64,
    /// Capacity lost to meetings, convening and triage.
    pub meeting_overhead: f64,
    /// Effort the organizations could give in a day per 1,000 residents,
    /// mean over the days (volunteers and pooling excluded).
    pub capacity_per_1000: Option<f64>,
    /// Effort the organizations spent on issues from their own capacity, as
    /// a share of that capacity over the run (the rest went to meetings and
    /// convening, or found no work ready).
    pub capacity_used: Option<f64>,
    /// Share of residents who took part at least once in a year (365
    /// recorded days), mean over the run's whole years; none for a shorter run.
    pub participation_share_year: Option<f64>,
    /// Share of residents who took part at least once in a month (30
    /// recorded days), mean over the run's whole months; none for a
    /// shorter run.
    pub participation_share_month: Option<f64>,
    /// Petitions (escalations) a year per 10,000 residents.
    pub petitions_per_10k: Option<f64>,
    /// Issues that became known (reported, detected or escalated) a day
    /// per 1,000 residents: the volume of demands a hotline counts.
    pub demands_per_1000_day: Option<f64>,
    /// Latent issues brought up at joint conferences over the run.
    pub disclosed_at_meetings: u64,
    /// Bureaucratic issues whose remaining parts joint conferences referred.
    pub reviewed_at_meetings: u64,
    /// A over the run.
    pub agil_adaptation: Option<f64>,
    /// G over the run.
    pub agil_goal_attainment: Option<f64>,
    /// I over the run.
    pub agil_integration: Option<f64>,
    /// Mean trust over the pairs of organizations that have met, at the end.
    pub org_trust: Option<f64>,
    /// L, mean over the run.
    pub agil_latency: Option<f64>,
    /// Effective number of autonomous decision centres that resolved issues, over the run.
    pub polycentricity: Option<f64>,
    /// First shock: pre-shock resolution rate (30 days before) minus the lowest 14-day rate after its start.
    pub shock_dip: Option<f64>,
    /// First shock: days from its start until the 14-day rate is back within 5% of the pre-shock rate.
    pub shock_recovery_days: Option<f64>,
}

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den)
}

/// The day's organizational capacity per 1,000 residents.
fn per_1000(t: &DayTally) -> Option<f64> {
    ratio(
        t.capacity * 1000.0,
        f64::from(t.residents[0] + t.residents[1]),
    )
}

/// The interpolated median of whole-day durations: each value `d` stands
/// for the class [d − ½, d + ½), and the median is placed within its class
/// by the share of the class needed to reach half the values,
/// m − ½ + (n/2 − below)/at, where `below` values are under m and `at`
/// equal it. Equal to m when every value is m. Unlike the plain median of
/// whole days, it moves continuously with the distribution, so its spread
/// over replications (and its confidence interval) means something.
fn median(values: &mut [u32]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    // The middle value by selection and the counts below and at it by one
    // pass each: the same numbers as after a sort, in linear time (the
    // recorder takes the median of a month of closures every day).
    let n = values.len();
    let m = *values.select_nth_unstable((n - 1) / 2).1;
    let below = values.iter().filter(|&&v| v < m).count();
    let at = values.iter().filter(|&&v| v == m).count();
    Some(f64::from(m) - 0.5 + (n as f64 / 2.0 - below as f64) / at as f64)
}

/// Resolution credit by decision centre: what each organization resolved
/// on its own authority (its credit × its autonomy), and what the one
/// hierarchy of party and government decided (the rest: government and
/// party organizations have autonomy 0, and a social organization's
/// non-autonomous share follows the hierarchy).
#[derive(Debug, Clone, Default)]
struct Centres {
    /// Each organization's own credit, by organization number (0 for those
    /// that resolved nothing, which adds nothing to the sums below). A
    /// vector, not a map: the trailing window adds a month of credits
    /// every recorded day.
    own: Vec<f64>,
    hierarchy: f64,
    total: f64,
}

impl Centres {
    fn add(&mut self, credits: &[(u32, f64, f64)]) {
        for &(org, credit, autonomy) in credits {
            let org = org as usize;
            if org >= self.own.len() {
                self.own.resize(org + 1, 0.0);
            }
            self.own[org] += credit * autonomy;
            self.hierarchy += credit * (1.0 - autonomy);
            self.total += credit;
        }
    }

    /// Polycentricity as the effective number of autonomous decision
    /// centres (Ostrom's many centres of decision making, formally
    /// independent of one another): the inverse Simpson index
    /// (Σ credit)² / Σ credit² over the centres. 1 when one centre decides
    /// everything, n when n centres decide equal shares; `None` with
    /// nothing resolved.
    fn effective_number(&self) -> Option<f64> {
        if self.total <= 0.0 {
            return None;
        }
        let squares: f64 =
            self.hierarchy * self.hierarchy + self.own.iter().map(|c| c * c).sum::<f64>();
        Some(self.total * self.total / squares)
    }
}

/// Sums of counts over some days.
#[derive(Debug, Clone, Default)]
struct Sums {
    quality: f64,
    satisfied: f64,
    responded: f64,
    resolved_cross_jointly: f64,
    arrived: f64,
    detected: f64,
    resolved: f64,
    abandoned: f64,
    explained: f64,
    resolved_cross: f64,
    abandoned_cross: f64,
    resolved_migrant: f64,
    abandoned_migrant: f64,
    by_route: [f64; 3],
    credit: [f64; 3],
    own: f64,
    extra: f64,
    assigned: [f64; 2],
}

impl Sums {
    fn add(&mut self, t: &DayTally) {
        self.quality += t.quality_sum;
        self.satisfied += t.satisfied;
        self.responded += f64::from(t.responded);
        self.resolved_cross_jointly += f64::from(t.resolved_cross_jointly);
        self.arrived += f64::from(t.arrived);
        self.detected += f64::from(t.detected);
        self.resolved += f64::from(t.resolved);
        self.abandoned += f64::from(t.abandoned);
        self.explained += f64::from(t.explained);
        self.resolved_cross += f64::from(t.resolved_cross);
        self.abandoned_cross += f64::from(t.abandoned_cross);
        self.resolved_migrant += f64::from(t.resolved_migrant);
        self.abandoned_migrant += f64::from(t.abandoned_migrant);
        self.assigned[0] += f64::from(t.assigned[0]);
        self.assigned[1] += f64::from(t.assigned[1]);
        for k in 0..3 {
            self.by_route[k] += f64::from(t.by_route[k]);
            self.credit[k] += t.credit[k];
        }
        self.own += t.own_effort;
        self.extra += t.pooled_effort + t.volunteer_effort;
    }

    fn resolution_rate(&self) -> Option<f64> {
        ratio(self.resolved, self.closed())
    }

    fn migrant_rate(&self) -> Option<f64> {
        ratio(
            self.resolved_migrant,
            self.resolved_migrant + self.abandoned_migrant,
        )
    }

    fn local_rate(&self) -> Option<f64> {
        let local_resolved = self.resolved - self.resolved_migrant;
        ratio(
            local_resolved,
            local_resolved + self.abandoned - self.abandoned_migrant,
        )
    }

    fn migrant_gap(&self) -> Option<f64> {
        Some(self.migrant_rate()? - self.local_rate()?)
    }

    fn route_share(&self, k: usize) -> Option<f64> {
        ratio(self.by_route[k], self.by_route.iter().sum())
    }

    fn credit_share(&self, k: usize) -> Option<f64> {
        ratio(self.credit[k], self.credit.iter().sum())
    }

    fn adaptation(&self) -> Option<f64> {
        ratio(self.extra, self.own + self.extra)
    }

    /// Issues closed: resolved, abandoned or explained.
    fn closed(&self) -> f64 {
        self.resolved + self.abandoned + self.explained
    }

    fn goal_attainment(&self) -> Option<f64> {
        goal_attainment(self.quality, self.resolved, self.abandoned)
    }

    fn integration(&self) -> Option<f64> {
        integration(
            self.resolved_cross_jointly,
            self.resolved_cross,
            self.abandoned_cross,
        )
    }
}

/// AGIL G, goal attainment (Parsons 1951: the system attains the goals it
/// is for, here residents' issues settled well): the quality-weighted
/// resolution rate, Σ quality of resolved issues / closed issues. Each
/// resolution counts by how well it was settled, whoever settled it.
pub fn goal_attainment(quality_sum: f64, resolved: f64, abandoned: f64) -> Option<f64> {
    ratio(quality_sum, resolved + abandoned)
}

/// AGIL I, integration (Parsons 1951: the coordination of the system's
/// units; Emerson et al. 2012: capacity for joint action): the share of
/// closed cross-cutting issues resolved jointly, their parts worked together
/// by two or more organizations, whoever convened them (one department
/// after another does not count).
pub fn integration(jointly: f64, resolved_cross: f64, abandoned_cross: f64) -> Option<f64> {
    ratio(jointly, resolved_cross + abandoned_cross)
}

fn participation(t: &DayTally) -> [Option<f64>; 4] {
    let local = ratio(f64::from(t.participants[0]), f64::from(t.residents[0]));
    let migrant = ratio(f64::from(t.participants[1]), f64::from(t.residents[1]));
    let all = ratio(
        f64::from(t.participants[0] + t.participants[1]),
        f64::from(t.residents[0] + t.residents[1]),
    );
    let gap = migrant.zip(local).map(|(m, l)| m - l);
    [all, local, migrant, gap]
}

fn latency(t: &DayTally) -> Option<f64> {
    let persistence = ratio(f64::from(t.persisting), f64::from(t.yesterday))?;
    Some(persistence * t.trust.iter().sum::<f64>() / 3.0)
}

/// Collects daily counts into rows and the run summary.
#[derive(Debug, Clone)]
pub struct Recorder {
    record_every: u32,
    shock_start: Option<u32>,
    window: VecDeque<DayTally>,
    interval: Vec<DayTally>,
    total: Sums,
    all_days: Vec<u32>,
    cross_days: Vec<u32>,
    route_days: [Vec<u32>; 3],
    daily_closed: Vec<(u32, u32)>,
    participation_sums: [f64; 4],
    participation_days: [f64; 4],
    latency_sum: f64,
    latency_days: f64,
    capacity_sum: f64,
    capacity_days: f64,
    capacity_effort: f64,
    centres: Centres,
    effort: [f64; 3],
    residents_start: u32,
    escalations: u64,
    disclosed: u64,
    reviewed: u64,
    first_this_year: u64,
    year_shares: Vec<f64>,
    first_this_month: u64,
    month_shares: Vec<f64>,
    resident_days: f64,
    last: Option<DayTally>,
    day: u32,
}

/// Whether recorded day `day` (from 1) ends a year (365 recorded days) of
/// the count of residents who took part at least once.
pub fn ends_year(day: u32) -> bool {
    day > 0 && day.is_multiple_of(DAYS_PER_YEAR)
}

/// Whether recorded day `day` (from 1) ends a month (30 recorded days) of
/// that count.
pub fn ends_month(day: u32) -> bool {
    day > 0 && day.is_multiple_of(DAYS_PER_MONTH)
}

impl Recorder {
    /// Whether the day just recorded ends a year (365 recorded days) of the
    /// count of residents who took part at least once; the run then starts
    /// the model's next year of that count.
    pub fn year_ended(&self) -> bool {
        ends_year(self.day)
    }

    /// Whether the day just recorded ends a month (30 recorded days) of the
    /// count of residents who took part at least once; the run then starts
    /// the model's next month of that count.
    pub fn month_ended(&self) -> bool {
        ends_month(self.day)
    }

    /// A recorder for a run of `scenario` starting with `residents` residents.
    pub fn new(scenario: &Scenario, residents: u32) -> Self {
        Self::from_day(scenario, residents, 1)
    }

    /// A recorder of a window of a run that begins on recorded day `first`
    /// with `residents` residents: its days count from there (a shock's
    /// start too; a shock before the window has no dip in it).
    pub fn from_day(scenario: &Scenario, residents: u32, first: u32) -> Self {
        let shock_start = scenario.shocks.iter().map(|s| s.start).min();
        Self {
            record_every: scenario.sim.record_every,
            shock_start: shock_start.and_then(|d| d.checked_sub(first - 1).filter(|&d| d >= 1)),
            window: VecDeque::with_capacity(WINDOW_DAYS + 1),
            interval: Vec::new(),
            total: Sums::default(),
            all_days: Vec::new(),
            cross_days: Vec::new(),
            route_days: Default::default(),
            daily_closed: Vec::new(),
            participation_sums: [0.0; 4],
            participation_days: [0.0; 4],
            latency_sum: 0.0,
            latency_days: 0.0,
            capacity_sum: 0.0,
            capacity_days: 0.0,
            capacity_effort: 0.0,
            centres: Centres::default(),
            effort: [0.0; 3],
            residents_start: residents,
            escalations: 0,
            disclosed: 0,
            reviewed: 0,
            first_this_year: 0,
            year_shares: Vec::new(),
            first_this_month: 0,
            month_shares: Vec::new(),
            resident_days: 0.0,
            last: None,
            day: 0,
        }
    }

    /// Takes one day's counts; returns a row when the day ends a recording interval.
    pub fn record(&mut self, tally: DayTally) -> Option<DayRow> {
        self.day += 1;
        self.total.add(&tally);
        self.escalations += u64::from(tally.escalations);
        self.disclosed += u64::from(tally.disclosed);
        self.reviewed += u64::from(tally.reviewed);
        let residents = tally.residents[0] + tally.residents[1];
        self.resident_days += f64::from(residents);
        self.first_this_year += u64::from(tally.first_participants);
        if self.year_ended() {
            self.year_shares
                .push(self.first_this_year as f64 / f64::from(residents.max(1)));
            self.first_this_year = 0;
        }
        self.first_this_month += u64::from(tally.first_participants_month);
        if self.month_ended() {
            self.month_shares
                .push(self.first_this_month as f64 / f64::from(residents.max(1)));
            self.first_this_month = 0;
        }
        for &(days, cross, route) in &tally.resolution_days {
            self.all_days.push(days);
            self.route_days[route as usize].push(days);
            if cross {
                self.cross_days.push(days);
            }
        }
        self.daily_closed.push((tally.resolved, tally.abandoned));
        for (k, value) in participation(&tally).into_iter().enumerate() {
            if let Some(v) = value {
                self.participation_sums[k] += v;
                self.participation_days[k] += 1.0;
            }
        }
        if let Some(l) = latency(&tally) {
            self.latency_sum += l;
            self.latency_days += 1.0;
        }
        self.centres.add(&tally.org_credit);
        if let Some(c) = per_1000(&tally) {
            self.capacity_sum += c;
            self.capacity_days += 1.0;
        }
        self.capacity_effort += tally.capacity;
        self.effort[0] += tally.pooled_effort;
        self.effort[1] += tally.volunteer_effort;
        self.effort[2] += tally.overhead;
        self.window.push_back(tally.clone());
        if self.window.len() > WINDOW_DAYS {
            self.window.pop_front();
        }
        self.interval.push(tally);
        if !self.day.is_multiple_of(self.record_every) {
            return None;
        }
        let row = self.row();
        self.last = self.interval.pop();
        self.interval.clear();
        Some(row)
    }

    fn row(&self) -> DayRow {
        let today = self.interval.last().expect("a day was recorded");
        let mut w = Sums::default();
        let mut days = Vec::new();
        let mut cross_days = Vec::new();
        for t in &self.window {
            w.add(t);
            for &(d, cross, _) in &t.resolution_days {
                days.push(d);
                if cross {
                    cross_days.push(d);
                }
            }
        }
        let sum = |f: fn(&DayTally) -> u32| self.interval.iter().map(f).sum::<u32>();
        let sumf = |f: fn(&DayTally) -> f64| self.interval.iter().map(f).sum::<f64>();
        let [all, local, migrant, gap] = participation(today);
        DayRow {
            day: self.day,
            residents: today.residents[0] + today.residents[1],
            arrived: sum(|t| t.arrived),
            detected: sum(|t| t.detected),
            resolved: sum(|t| t.resolved),
            abandoned: sum(|t| t.abandoned),
            explained: sum(|t| t.explained),
            backlog: today.open,
            escalations: sum(|t| t.escalations),
            resolution_rate: w.resolution_rate(),
            cross_cutting_resolution_rate: ratio(
                w.resolved_cross,
                w.resolved_cross + w.abandoned_cross,
            ),
            median_resolution_days: median(&mut days),
            cross_cutting_median_days: median(&mut cross_days),
            abandoned_share: ratio(w.abandoned, w.closed()),
            response_rate: ratio(w.responded, w.closed()),
            satisfaction_rate: ratio(w.satisfied, w.closed()),
            participation_rate: all,
            participation_rate_local: local,
            participation_rate_migrant: migrant,
            participation_gap: gap,
            migrant_resolution_gap: w.migrant_gap(),
            trust_party: today.trust[0],
            trust_government: today.trust[1],
            trust_social: today.trust[2],
            efficacy: today.efficacy,
            party_legitimacy: Some(today.legitimacy).filter(|l| l.is_finite()),
            share_party_convened: w.route_share(0),
            share_self_organized: w.route_share(1),
            share_bureaucratic: w.route_share(2),
            credit_party: w.credit_share(0),
            credit_government: w.credit_share(1),
            credit_social: w.credit_share(2),
            pooled_effort: sumf(|t| t.pooled_effort),
            volunteer_effort: sumf(|t| t.volunteer_effort),
            meeting_overhead: sumf(|t| t.overhead),
            capacity_per_1000: per_1000(today),
            agil_adaptation: w.adaptation(),
            agil_goal_attainment: w.goal_attainment(),
            agil_integration: w.integration(),
            agil_latency: latency(today),
            polycentricity: {
                let mut centres = Centres::default();
                for day in &self.window {
                    centres.add(&day.org_credit);
                }
                centres.effective_number()
            },
        }
    }

    /// The run summary, after the last day.
    pub fn summary(&mut self) -> Summary {
        let last = self
            .interval
            .last()
            .or(self.last.as_ref())
            .cloned()
            .unwrap_or_default();
        let t = &self.total;
        let mean = |k: usize| ratio(self.participation_sums[k], self.participation_days[k]);
        let (dip, recovery) = self.shock_response().unzip();
        Summary {
            days: self.day,
            residents_start: self.residents_start,
            residents_end: last.residents[0] + last.residents[1],
            arrived: t.arrived as u64,
            resolved: t.resolved as u64,
            abandoned: t.abandoned as u64,
            explained: t.explained as u64,
            backlog: last.open,
            escalations: self.escalations,
            resolution_rate: t.resolution_rate(),
            cross_cutting_resolution_rate: ratio(
                t.resolved_cross,
                t.resolved_cross + t.abandoned_cross,
            ),
            median_resolution_days: median(&mut self.all_days),
            cross_cutting_median_days: median(&mut self.cross_days),
            median_days_party_convened: median(&mut self.route_days[0]),
            median_days_self_organized: median(&mut self.route_days[1]),
            median_days_bureaucratic: median(&mut self.route_days[2]),
            abandoned_share: ratio(t.abandoned, t.arrived),
            response_rate: ratio(t.responded, t.closed()),
            satisfaction_rate: ratio(t.satisfied, t.closed()),
            participation_rate: mean(0),
            participation_rate_local: mean(1),
            participation_rate_migrant: mean(2),
            participation_gap: mean(2).zip(mean(1)).map(|(m, l)| m - l),
            migrant_resolution_gap: t.migrant_gap(),
            resolution_rate_local: t.local_rate(),
            resolution_rate_migrant: t.migrant_rate(),
            trust_party: last.trust[0],
            trust_government: last.trust[1],
            trust_social: last.trust[2],
            efficacy: last.efficacy,
            party_legitimacy: Some(last.legitimacy).filter(|l| l.is_finite()),
            convener_share: ratio(t.assigned[1], t.assigned[0]),
            virtual_share: Some(last.virtual_share).filter(|v| v.is_finite()),
            share_party_convened: t.route_share(0),
            share_self_organized: t.route_share(1),
            share_bureaucratic: t.route_share(2),
            credit_party: t.credit_share(0),
            credit_government: t.credit_share(1),
            credit_social: t.credit_share(2),
            pooled_effort: self.effort[0],
            volunteer_effort: self.effort[1],
            meeting_overhead: self.effort[2],
            capacity_per_1000: ratio(self.capacity_sum, self.capacity_days),
            capacity_used: ratio(t.own, self.capacity_effort),
            participation_share_year: (!self.year_shares.is_empty())
                .then(|| self.year_shares.iter().sum::<f64>() / self.year_shares.len() as f64),
            participation_share_month: (!self.month_shares.is_empty())
                .then(|| self.month_shares.iter().sum::<f64>() / self.month_shares.len() as f64),
            petitions_per_10k: ratio(
                self.escalations as f64 * 10_000.0 * f64::from(DAYS_PER_YEAR),
                self.resident_days,
            ),
            demands_per_1000_day: ratio(t.detected * 1000.0, self.resident_days),
            disclosed_at_meetings: self.disclosed,
            reviewed_at_meetings: self.reviewed,
            agil_adaptation: t.adaptation(),
            agil_goal_attainment: t.goal_attainment(),
            agil_integration: t.integration(),
            org_trust: Some(last.org_trust).filter(|_| last.org_density > 0.0),
            agil_latency: ratio(self.latency_sum, self.latency_days),
            polycentricity: self.centres.effective_number(),
            shock_dip: dip.flatten(),
            shock_recovery_days: recovery.flatten(),
        }
    }

    /// Dip and recovery after the first shock, from daily closures.
    fn shock_response(&self) -> Option<(Option<f64>, Option<f64>)> {
        let start = self.shock_start? as usize;
        let closed = &self.daily_closed;
        if start < 30 || start >= closed.len() {
            return Some((None, None));
        }
        let rate = |from: usize, to: usize| {
            let (r, a) = closed[from..to]
                .iter()
                .fold((0u32, 0u32), |acc, d| (acc.0 + d.0, acc.1 + d.1));
            ratio(f64::from(r), f64::from(r + a))
        };
        let Some(pre) = rate(start - 30, start) else {
            return Some((None, None));
        };
        let rolling: Vec<(usize, f64)> = (start + SHOCK_WINDOW_DAYS..=closed.len())
            .filter_map(|end| rate(end - SHOCK_WINDOW_DAYS, end).map(|r| (end, r)))
            .collect();
        let Some(&(low_day, low)) = rolling.iter().min_by(|a, b| a.1.total_cmp(&b.1)) else {
            return Some((None, None));
        };
        if low >= pre * 0.95 {
            return Some((Some(pre - low), Some(0.0)));
        }
        let recovery = rolling
            .iter()
            .find(|&&(end, r)| end > low_day && r >= pre * 0.95)
            .map(|&(end, _)| (end - start) as f64);
        Some((Some(pre - low), recovery))
    }
}

#[cfg(test)]
mod catalogue_tests {
    use super::*;

    /// Every catalogued metric is a column of `summary.csv`, named once, with
    /// bounds in order; every role that outputs rely on has members.
    #[test]
    fn the_catalogue_names_summary_columns() {
        let (header, _) = crate::util::files::csv_fields(std::slice::from_ref(&Summary::default()))
            .expect("summary serializes");
        for (k, m) in CATALOGUE.iter().enumerate() {
            assert!(
                header.iter().any(|h| h == m.name),
                "{} is no column",
                m.name
            );
            assert!(
                CATALOGUE[..k].iter().all(|other| other.name != m.name),
                "{} twice",
                m.name
            );
            if let Some((lo, hi)) = m.bounds {
                assert!(lo < hi, "{}", m.name);
            }
            assert!(!m.label.is_empty() && !m.unit.is_empty(), "{}", m.name);
        }
        for role in [
            |m: &MetricInfo| m.key,
            |m: &MetricInfo| m.precision,
            |m: &MetricInfo| m.sensitivity,
            |m: &MetricInfo| m.estimate,
            |m: &MetricInfo| m.series.is_some(),
        ] {
            assert!(!metrics_where(role).is_empty());
        }
        // Precision targets are key metrics with a direction (no gaps).
        for name in metrics_where(|m| m.precision) {
            let m = metric_info(name).unwrap();
            assert!(m.key && m.direction != Direction::Neither, "{name}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Centres, Recorder, Summary, median};
    use crate::model::DayTally;
    use crate::scenario::Scenario;

    /// The run summary of a toy district that lives one day: `cross`
    /// cross-cutting issues closed, `jointly` of them resolved by a
    /// coalition, `resolved` of them resolved at quality `quality`, and
    /// `own` and `extra` effort (own capacity; volunteers and pool).
    fn toy(cross: u32, jointly: u32, resolved: u32, quality: f64, own: f64, extra: f64) -> Summary {
        let tally = DayTally {
            residents: [100, 0],
            resolved,
            resolved_cross: resolved,
            abandoned: cross - resolved,
            abandoned_cross: cross - resolved,
            resolved_cross_jointly: jointly,
            quality_sum: quality * f64::from(resolved),
            own_effort: own,
            volunteer_effort: extra,
            ..DayTally::default()
        };
        let mut recorder = Recorder::new(&Scenario::default(), 100);
        recorder.record(tally);
        recorder.summary()
    }

    /// AGIL on toy districts whose ranking is obvious: integration counts
    /// joint work whoever convened it (departments one after another score
    /// 0), goal attainment ranks well-settled above badly settled above
    /// abandoned, adaptation counts resources beyond own capacity.
    #[test]
    fn agil_indices_rank_toy_districts_as_the_concepts_say() {
        let departments_in_turn = toy(10, 0, 10, 0.5, 10.0, 0.0);
        let coalitions = toy(10, 10, 10, 0.5, 10.0, 0.0);
        assert_eq!(departments_in_turn.agil_integration, Some(0.0));
        assert_eq!(coalitions.agil_integration, Some(1.0));
        // The same resolutions score the same goal attainment, whoever worked them.
        assert_eq!(
            departments_in_turn.agil_goal_attainment,
            coalitions.agil_goal_attainment
        );
        let well = toy(10, 10, 10, 1.0, 10.0, 0.0)
            .agil_goal_attainment
            .unwrap();
        let badly = toy(10, 10, 10, 0.5, 10.0, 0.0)
            .agil_goal_attainment
            .unwrap();
        let half = toy(10, 5, 5, 1.0, 10.0, 0.0).agil_goal_attainment.unwrap();
        let none = toy(10, 0, 0, 1.0, 10.0, 0.0).agil_goal_attainment.unwrap();
        assert!(well > badly && badly == half && half > none && none == 0.0);
        assert_eq!(toy(10, 0, 10, 1.0, 10.0, 0.0).agil_adaptation, Some(0.0));
        assert_eq!(toy(10, 0, 10, 1.0, 10.0, 10.0).agil_adaptation, Some(0.5));
        assert_eq!(toy(0, 0, 0, 1.0, 0.0, 0.0).agil_integration, None);
    }

    /// AGIL L on toy districts: the same participants every day with high
    /// trust keep the pattern best; new participants every day, or no
    /// trust, keep nothing; whoever the participants are.
    #[test]
    fn latency_ranks_toy_districts_as_the_concept_says() {
        let latency = |persisting: u32, trust: f64| {
            let tally = DayTally {
                residents: [100, 0],
                participants: [10, 0],
                yesterday: 10,
                persisting,
                trust: [trust; 3],
                ..DayTally::default()
            };
            let mut recorder = Recorder::new(&Scenario::default(), 100);
            recorder.record(tally);
            recorder.summary().agil_latency.unwrap()
        };
        assert!(latency(10, 0.8) > latency(5, 0.8));
        assert!(latency(5, 0.8) > latency(5, 0.4));
        assert_eq!(latency(0, 0.8), 0.0);
        assert_eq!(latency(10, 0.0), 0.0);
    }

    /// The effective number of centres of a toy district: each entry one
    /// organization's resolution credit and autonomy.
    fn centres(orgs: &[(f64, f64)]) -> f64 {
        let mut c = Centres::default();
        let credits: Vec<(u32, f64, f64)> = orgs
            .iter()
            .enumerate()
            .map(|(i, &(credit, autonomy))| (i as u32, credit, autonomy))
            .collect();
        c.add(&credits);
        c.effective_number().unwrap()
    }

    #[test]
    fn polycentricity_ranks_toy_districts_as_the_concept_says() {
        assert!(Centres::default().effective_number().is_none());
        // One centre doing everything scores lowest, whoever it is: one
        // department, one autonomous organization, ten departments (one
        // hierarchy), or ten organizations with no autonomy.
        assert_eq!(centres(&[(10.0, 0.0)]), 1.0);
        assert_eq!(centres(&[(10.0, 1.0)]), 1.0);
        assert_eq!(centres(&[(1.0, 0.0); 10]), 1.0);
        // n autonomous organizations with equal shares: n centres.
        assert!((centres(&[(1.0, 1.0); 10]) - 10.0).abs() < 1e-12);
        assert!((centres(&[(3.0, 1.0), (3.0, 1.0)]) - 2.0).abs() < 1e-12);
        // The hierarchy and one autonomous organization, half each: two.
        assert!((centres(&[(1.0, 0.0), (1.0, 1.0)]) - 2.0).abs() < 1e-12);
        // More autonomy, more centres; more concentration, fewer.
        let half = centres(&[(1.0, 0.5); 10]);
        assert!((half - 1.0 / (0.25 + 10.0 * 0.0025)).abs() < 1e-12);
        assert!(half < centres(&[(1.0, 0.8); 10]));
        assert!(centres(&[(9.0, 1.0), (1.0, 1.0)]) < centres(&[(5.0, 1.0), (5.0, 1.0)]));
        // Party and government are one hierarchy: ten departments count as
        // one centre, the same as one department doing their work.
        let mut many = vec![(5.0, 1.0), (5.0, 1.0)];
        many.extend([(0.5, 0.0); 10]);
        let one = centres(&[(5.0, 1.0), (5.0, 1.0), (5.0, 0.0)]);
        assert!((centres(&many) - one).abs() < 1e-12 && (one - 3.0).abs() < 1e-12);
    }

    fn of(values: &[u32]) -> f64 {
        median(&mut values.to_vec()).unwrap()
    }

    #[test]
    fn the_interpolated_median_places_the_median_within_its_day() {
        assert_eq!(median(&mut []), None);
        assert_eq!(of(&[5, 5, 5]), 5.0);
        assert_eq!(of(&[1, 2]), 1.5);
        assert_eq!(of(&[3, 1, 2]), 2.0);
        // The plain median of these is 2 and 3; the interpolated one sees
        // where in the day the middle falls.
        assert!((of(&[2, 2, 2, 3]) - (1.5 + 2.0 / 3.0)).abs() < 1e-12);
        assert!((of(&[2, 3, 3, 3]) - (2.5 + 1.0 / 3.0)).abs() < 1e-12);
        // It moves with the distribution: more slow issues, a later median,
        // even where the plain median stays on the same whole day.
        let mut days = vec![1, 2, 2, 2, 3, 3, 4, 8];
        let mut last = of(&days);
        for _ in 0..5 {
            days.push(9);
            let now = of(&days);
            assert!(now > last, "{now} after {last}");
            last = now;
        }
    }
}
