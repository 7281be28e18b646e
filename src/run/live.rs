//! A live run: a scenario stepped a few days at a time, whose levers can be
//! moved between days, with what a watcher reads after each step — the
//! recorded rows, notable events in words and a map of the district. It is
//! what `govsim serve` keeps for each run in the browser; it does no I/O.
//!
//! A live run records every day (`sim.record_every = 1`) and has no end
//! but [`MAX_LIVE_DAYS`]; `sim.days` is ignored. A lever moved before day
//! `d` (1-based, the next day to be simulated) acts from day `d` on, through
//! [`crate::model::Model::change_levers`]: the run is the same as one whose scenario had
//! the new value from that day.

use crate::metrics::DayRow;
use crate::model::issue::{Route, Status};
use crate::model::world::{NONE, OrgRole};
use crate::run::{PolicyTaken, Stepper};
use crate::scenario::{InputError, Scenario, ScenarioSource, changes};

/// The most days a live run may reach.
pub const MAX_LIVE_DAYS: u32 = 3650;
/// The most events kept for a run (older ones are dropped).
pub const MAX_EVENTS: usize = 500;

/// The most lever changes a live run records (`set` refuses more).
pub const MAX_CHANGES: usize = 1_000;

/// `KEY=VALUE` overrides with only the last of each key, in the order of
/// their last appearance.
pub(crate) fn latest_per_key<'a>(items: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let key = item.split('=').next().unwrap_or_default();
        out.retain(|o| o.split('=').next().unwrap_or_default() != key);
        out.push(item.clone());
    }
    out
}
/// The most events in words for one day; the rest are counted.
const EVENTS_PER_DAY: usize = 3;

/// A lever moved during a live run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LeverChange {
    /// The first day (1-based) simulated with the new value.
    pub day: u32,
    /// Dotted path of the lever.
    pub key: String,
    /// The new value, as TOML.
    pub value: String,
}

/// Something a watcher should notice, in words.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Event {
    /// The day (1-based) it happened.
    pub day: u32,
    /// What happened.
    pub text: String,
}

/// One grid of the map.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GridCell {
    /// Its community (0-based).
    pub community: u32,
    /// Residents living in it.
    pub residents: u32,
    /// Open issues in it.
    pub backlog: u32,
    /// Residents' mean trust in the three kinds of organization.
    pub trust: f64,
    /// Share of its residents who took part on the latest day.
    pub participation: f64,
    /// Whether a grid worker covers it.
    pub covered: bool,
}

/// One organization of a community, as the map's detail shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OrgLoad {
    /// What it is, in words.
    pub role: &'static str,
    /// Effort it can give per day.
    pub capacity: f64,
    /// Effort waiting in its queue.
    pub backlog: f64,
    /// Parts of issues in its queue.
    pub tasks: usize,
    /// Whether it belongs to the regional alliance.
    pub alliance: bool,
}

/// One community of the map.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CommunityView {
    /// Urban, industrial or village.
    pub kind: &'static str,
    /// Its subdistrict (0-based).
    pub subdistrict: u32,
    /// Residents.
    pub residents: u32,
    /// Migrant residents.
    pub migrants: u32,
    /// Party members.
    pub party_members: u32,
    /// Whether it has a community party committee.
    pub party_committee: bool,
    /// Whether it has a party-mass service centre.
    pub service_center: bool,
    /// The party committee's legitimacy.
    pub legitimacy: f64,
    /// Open issues in its grids.
    pub backlog: u32,
    /// Its own organizations (residents' committee, social organizations,
    /// companies, enterprises, party committee).
    pub organizations: Vec<OrgLoad>,
}

/// The district as the map draws it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DistrictMap {
    /// The latest day simulated (0 before the first).
    pub day: u32,
    /// Every grid, grouped by community in order.
    pub grids: Vec<GridCell>,
    /// Every community.
    pub communities: Vec<CommunityView>,
}

/// What one step returns.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Stepped {
    /// The rows of the days just simulated.
    pub rows: Vec<DayRow>,
    /// The events of those days.
    pub events: Vec<Event>,
}

/// A run stepped a few days at a time.
pub struct LiveRun {
    source: ScenarioSource,
    overrides: Vec<String>,
    stepper: Stepper,
    rows: Vec<DayRow>,
    changes: Vec<LeverChange>,
    events: Vec<Event>,
}

/// The words for an organization's role.
pub fn role_words(role: OrgRole) -> &'static str {
    match role {
        OrgRole::Department => "a district department",
        OrgRole::Office => "the subdistrict office",
        OrgRole::ResidentsCommittee => "the residents' committee",
        OrgRole::SocialOrganization => "a social organization",
        OrgRole::PropertyCompany => "the property company",
        OrgRole::Enterprise => "an enterprise",
        OrgRole::PartyCommittee => "the party committee",
        OrgRole::CommunityHub => "the community hub",
    }
}

impl LiveRun {
    /// Builds the district of `source` with `overrides` (`KEY=VALUE`) for
    /// `seed`, and steps the scenario's `sim.warmup_days` unrecorded.
    /// `max_residents` bounds the district before it is built.
    pub fn start(
        source: &ScenarioSource,
        overrides: &[String],
        seed: u64,
        max_residents: u64,
    ) -> Result<Self, InputError> {
        let mut overrides = overrides.to_vec();
        overrides.push(format!("sim.seed={seed}"));
        overrides.push("sim.record_every=1".into());
        let scenario = source.resolve(&overrides)?.scenario;
        let residents = scenario.district.residents();
        if residents > max_residents {
            return Err(InputError {
                file: source.path().display().to_string(),
                key: Some("district.communities".into()),
                line: None,
                message: format!(
                    "{residents} residents; a live run holds at most {max_residents} (valid range is 1 to {max_residents} residents)"
                ),
            });
        }
        if scenario.sim.warmup_days > MAX_LIVE_DAYS {
            return Err(InputError {
                file: source.path().display().to_string(),
                key: Some("sim.warmup_days".into()),
                line: None,
                message: format!("valid range for a live run is 0 to {MAX_LIVE_DAYS} days"),
            });
        }
        Ok(Self {
            source: source.clone(),
            overrides,
            stepper: Stepper::new(&scenario),
            rows: Vec::new(),
            changes: Vec::new(),
            events: Vec::new(),
        })
    }

    /// The levers now.
    pub fn scenario(&self) -> &Scenario {
        self.stepper.levers()
    }

    /// Days recorded so far.
    pub fn day(&self) -> u32 {
        self.rows.len() as u32
    }

    /// Every row recorded so far.
    pub fn rows(&self) -> &[DayRow] {
        &self.rows
    }

    /// Every lever moved so far, in order.
    pub fn changes(&self) -> &[LeverChange] {
        &self.changes
    }

    /// The latest events, oldest first (at most [`MAX_EVENTS`]).
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Simulates `days` more days (fewer where [`MAX_LIVE_DAYS`] is reached).
    /// The scenario's `[[policy]]` entries take effect on their days, as if
    /// their levers were moved then (over any moved before).
    pub fn step(&mut self, days: u32) -> Stepped {
        let days = days.min(MAX_LIVE_DAYS - self.day());
        let from_event = self.events.len();
        let mut rows = Vec::with_capacity(days as usize);
        let mut open_before = Vec::new();
        for _ in 0..days {
            open_before.clear();
            open_before.extend(self.stepper.model().issues().iter().map(|i| i.open()));
            let stepped = self.stepper.step();
            let day = self.stepper.day();
            for taken in stepped.policies {
                self.note_policy(day, taken);
            }
            let row = stepped.row.expect("a live run records every day");
            self.note_events(day, &open_before);
            self.rows.push(row.clone());
            rows.push(row);
        }
        let events = self.events[from_event.min(self.events.len())..].to_vec();
        if self.events.len() > MAX_EVENTS {
            self.events.drain(..self.events.len() - MAX_EVENTS);
        }
        Stepped { rows, events }
    }

    /// The events of a policy that came due on `day`; the levers it set
    /// join the overrides, so that levers moved later are moved over it.
    fn note_policy(&mut self, day: u32, taken: PolicyTaken) {
        let policy = &self.stepper.levers().policy[taken.index];
        let name = policy.name.clone();
        let items: Vec<String> = policy.set.iter().map(|(k, v)| format!("{k}={v}")).collect();
        self.events.push(Event {
            day,
            text: format!("day {day}: policy \"{name}\" takes effect"),
        });
        match taken.outcome {
            Ok(changed) => {
                self.overrides.extend(items);
                self.record_changes(day, changed);
            }
            Err((key, message)) => self.events.push(Event {
                day,
                text: format!(
                    "day {day}: policy \"{name}\" could not take effect: {key}: {message}"
                ),
            }),
        }
    }

    /// Levers moved from `day` on: kept in the list of changes, each an event.
    fn record_changes(
        &mut self,
        day: u32,
        changed: Vec<(String, toml::Value)>,
    ) -> Vec<LeverChange> {
        let made: Vec<LeverChange> = changed
            .into_iter()
            .map(|(key, value)| LeverChange {
                day,
                key,
                value: value.to_string(),
            })
            .collect();
        for change in &made {
            self.events.push(Event {
                day,
                text: format!("day {day}: {} set to {}", change.key, change.value),
            });
        }
        self.changes.extend(made.iter().cloned());
        made
    }

    /// The events of `day` (1-based): coalitions that resolved cross-cutting
    /// issues, petitions given up, the joint conference.
    fn note_events(&mut self, day: u32, open_before: &[bool]) {
        let model = self.stepper.model();
        let world = model.world();
        let mut coalition = Vec::new();
        let mut petitions = 0usize;
        for (slot, issue) in model.issues().iter().enumerate() {
            if !open_before.get(slot).copied().unwrap_or(false) || issue.open() {
                continue;
            }
            let community = issue.community + 1;
            match issue.status {
                Status::Resolved if issue.cross_cutting() => {
                    let who = match (issue.route, issue.convener) {
                        (Route::Convened, _) => "a coalition the convener convened",
                        (Route::SelfOrganized, c) if c != NONE => {
                            coalition.push(format!(
                                "day {day}: a cross-cutting issue in community {community} was resolved by a coalition {} convened",
                                role_words(world.orgs[c as usize].role)
                            ));
                            continue;
                        }
                        (Route::SelfOrganized, _) => "a self-organized coalition",
                        _ => "departments, one after another",
                    };
                    coalition.push(format!(
                        "day {day}: a cross-cutting issue in community {community} was resolved by {who}"
                    ));
                }
                Status::Abandoned if issue.escalated => petitions += 1,
                _ => {}
            }
        }
        let mut texts = Vec::new();
        if model.conference_met() {
            texts.push(format!("day {day}: the joint conference met"));
        }
        let extra = coalition.len().saturating_sub(EVENTS_PER_DAY);
        texts.extend(coalition.into_iter().take(EVENTS_PER_DAY));
        if extra > 0 {
            texts.push(format!(
                "day {day}: {extra} more cross-cutting issues were resolved"
            ));
        }
        if petitions > 0 {
            texts.push(format!(
                "day {day}: {petitions} petition{} given up unresolved",
                if petitions == 1 { " was" } else { "s were" }
            ));
        }
        self.events
            .extend(texts.into_iter().map(|text| Event { day, text }));
    }

    /// Moves levers (`KEY=VALUE`, as `--set` takes them) from the next day
    /// on. The whole set is validated as a scenario is; a lever read only
    /// when the district was built is refused with the reason. Nothing
    /// changes unless every item is valid.
    pub fn set(&mut self, items: &[String]) -> Result<Vec<LeverChange>, InputError> {
        if self.changes.len() >= MAX_CHANGES {
            return Err(InputError::new(
                self.source.path().display().to_string(),
                format!("a live run takes at most {MAX_CHANGES} lever changes; start a new run"),
            ));
        }
        // Only the latest value of each lever is kept: a later override
        // wins anyway, and the list each move re-resolves stays as short
        // as the levers (issue 29, item 12).
        let mut overrides = latest_per_key(self.overrides.iter().chain(items));
        overrides.shrink_to_fit();
        let next = self.source.resolve(&overrides)?.scenario;
        if let Some((key, reason)) = changes::fixed_changes(self.stepper.levers(), &next)
            .into_iter()
            .next()
        {
            return Err(InputError {
                file: self.source.path().display().to_string(),
                key: Some(key),
                line: None,
                message: format!(
                    "cannot change during a run: {reason}; start a new run to change it"
                ),
            });
        }
        let changed = changes::differing_scenarios(self.stepper.levers(), &next)
            .map_err(|e| InputError::new(self.source.path().display().to_string(), e))?;
        self.stepper
            .change_levers(next)
            .expect("fixed levers checked above");
        self.overrides = overrides;
        Ok(self.record_changes(self.day() + 1, changed))
    }

    /// The district now, as the map draws it.
    pub fn map(&self) -> DistrictMap {
        let model = self.stepper.model();
        let world = model.world();
        let residents = &world.residents;
        let mut backlog = vec![0u32; world.grids.len()];
        for issue in model.issues().iter().filter(|i| i.open()) {
            backlog[issue.grid as usize] += 1;
        }
        let took_part = residents.took_part();
        let trust = residents.trust();
        let grids = world
            .grids
            .iter()
            .zip(&backlog)
            .map(|(grid, &backlog)| {
                let (mut n, mut took, mut trust_sum) = (0u32, 0u32, 0f64);
                for &(a, b) in grid.ranges() {
                    let range = a as usize..b as usize;
                    n += b - a;
                    took += took_part
                        .get(range.clone())
                        .map_or(0, |t| t.iter().map(|&x| u32::from(x & 1)).sum());
                    trust_sum += (trust[0][range.clone()].iter())
                        .zip(&trust[1][range.clone()])
                        .zip(&trust[2][range])
                        .map(|((x, y), z)| f64::from(x + y + z) / 3.0)
                        .sum::<f64>();
                }
                let per = |x: f64| if n == 0 { 0.0 } else { x / f64::from(n) };
                GridCell {
                    community: grid.community,
                    residents: n,
                    backlog,
                    trust: per(trust_sum),
                    participation: per(f64::from(took)),
                    covered: grid.covered,
                }
            })
            .collect();
        let communities = world
            .communities
            .iter()
            .enumerate()
            .map(|(c, community)| {
                let own = world.orgs.iter().filter(|o| {
                    o.community == c as u32
                        && !matches!(o.role, OrgRole::Department | OrgRole::Office)
                });
                CommunityView {
                    kind: community.kind.as_str(),
                    subdistrict: community.subdistrict,
                    residents: community.population(),
                    migrants: community.migrants,
                    party_members: community.party_members,
                    party_committee: community.convener_is_party,
                    service_center: community.service_center,
                    legitimacy: community.legitimacy,
                    backlog: backlog[community.grids.start as usize..community.grids.end as usize]
                        .iter()
                        .sum(),
                    organizations: own
                        .map(|o| OrgLoad {
                            role: role_words(o.role),
                            capacity: o.capacity,
                            backlog: o.backlog,
                            tasks: o.queue.len(),
                            alliance: o.alliance,
                        })
                        .collect(),
                }
            })
            .collect();
        DistrictMap {
            day: self.day(),
            grids,
            communities,
        }
    }

    /// The rows so far as `timeseries.csv` bytes.
    pub fn timeseries_csv(&self) -> Result<Vec<u8>, csv::Error> {
        crate::util::files::csv_bytes(&self.rows)
    }
}
