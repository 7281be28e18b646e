//! Public issues: their parts, life cycle and the route that handled them.

use super::rules::arrival::Drawn;
use super::world::NONE;

/// Where an issue is in its life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Exists, but no institution knows of it.
    Latent,
    /// Known, not yet taken on by anyone.
    Detected,
    /// Taken on: its parts are in organizations' queues.
    Assigned,
    /// Closed as resolved.
    Resolved,
    /// Closed as abandoned (older than its patience).
    Abandoned,
    /// Closed as explained: a demand that cannot be met, worked and
    /// answered with the reason.
    Explained,
}

/// The route that handled an issue (design 4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Not routed yet.
    None = 0,
    /// A coalition convened by the party committee, or triage by it.
    Convened = 1,
    /// A social organization or the residents' committee, alone or in coalition.
    SelfOrganized = 2,
    /// Government departments, part after part.
    Bureaucratic = 3,
}

/// Which route a cross-cutting issue is trying now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The party committee convenes a coalition.
    Convening,
    /// An intake organization searches partners.
    Searching,
    /// Government departments.
    Referral,
}

/// One competency's share of the work of an issue.
#[derive(Debug, Clone, Copy)]
pub struct Part {
    /// Competency index.
    pub competency: u8,
    /// Organization working it, or `NONE`.
    pub handler: u32,
    /// Effort still needed.
    pub remaining: f64,
    /// First day work may start (government delay).
    pub ready_day: u32,
    /// Worked off.
    pub done: bool,
}

/// A public problem of a community.
#[derive(Debug, Clone)]
pub struct Issue {
    /// Community.
    pub community: u32,
    /// Grid.
    pub grid: u32,
    /// Reported by a migrant.
    pub migrant: bool,
    /// Parts, one per competency; `n_parts` are used.
    pub parts: [Part; 3],
    /// Number of parts.
    pub n_parts: u8,
    /// Severity in (0, 1].
    pub severity: f64,
    /// Days before it is abandoned.
    pub patience: f64,
    /// Day it arrived.
    pub arrival: u32,
    /// Day it became known (detected), or `NONE` while latent.
    pub detected_day: u32,
    /// Taken on within `issues.reply_days` of becoming known: the reporter
    /// got a reply in time (the hotline's "response").
    pub responded: bool,
    /// The demand can be met (else it is closed as explained).
    pub meetable: bool,
    /// Status.
    pub status: Status,
    /// Route that handled it.
    pub route: Route,
    /// Route being tried (cross-cutting).
    pub stage: Stage,
    /// Failed days at the current stage.
    pub tries: u32,
    /// Escalated into a petition.
    pub escalated: bool,
    /// Convener (party committee) or intake organization, or `NONE`.
    pub convener: u32,
    /// Parts are worked one after another (bureaucratic): the next to refer.
    pub next_part: u8,
}

impl Issue {
    /// A new latent issue of community `community` and grid `grid`, needing
    /// `competencies` (at most 3), drawn with `drawn`, arriving on `day`.
    pub fn latent(
        community: u32,
        grid: u32,
        migrant: bool,
        competencies: &[u8],
        drawn: Drawn,
        day: u32,
    ) -> Self {
        let mut parts = [Self::blank_part(); 3];
        for ((part, &competency), &effort) in parts.iter_mut().zip(competencies).zip(&drawn.effort)
        {
            part.competency = competency;
            part.remaining = effort;
        }
        Self {
            community,
            grid,
            migrant,
            parts,
            n_parts: competencies.len() as u8,
            severity: drawn.severity,
            patience: drawn.patience,
            arrival: day,
            detected_day: NONE,
            responded: false,
            meetable: true,
            status: Status::Latent,
            route: Route::None,
            stage: Stage::Convening,
            tries: 0,
            escalated: false,
            convener: NONE,
            next_part: 0,
        }
    }

    /// Becomes known on `day`: detected, reported or brought up.
    pub fn detect(&mut self, day: u32) {
        self.status = Status::Detected;
        self.detected_day = day;
    }

    /// Needs more than one competency.
    pub fn cross_cutting(&self) -> bool {
        self.n_parts > 1
    }

    /// Its used parts.
    pub fn parts(&self) -> &[Part] {
        &self.parts[..self.n_parts as usize]
    }

    /// Still open.
    pub fn open(&self) -> bool {
        matches!(
            self.status,
            Status::Latent | Status::Detected | Status::Assigned
        )
    }

    /// Urgency of its tasks on `day` (ODD 7.5).
    pub fn urgency(&self, day: u32) -> f64 {
        super::rules::work::urgency(
            self.severity,
            day.saturating_sub(self.arrival),
            self.patience,
            self.escalated,
        )
    }

    /// An empty part.
    pub fn blank_part() -> Part {
        Part {
            competency: 0,
            handler: NONE,
            remaining: 0.0,
            ready_day: 0,
            done: false,
        }
    }
}

/// Puts `issue` into the slot freed last, or a new one (making room for its
/// `per_issue` affected residents in `affected`); returns the slot. Slots
/// are reused in this order by the model and its reference alike, since the
/// order of work and of top-ups breaks ties by slot.
pub(super) fn place(
    issues: &mut Vec<Issue>,
    affected: &mut Vec<u32>,
    free: &mut Vec<u32>,
    per_issue: usize,
    issue: Issue,
) -> u32 {
    match free.pop() {
        Some(slot) => {
            issues[slot as usize] = issue;
            slot
        }
        None => {
            issues.push(issue);
            affected.resize(issues.len() * per_issue, 0);
            (issues.len() - 1) as u32
        }
    }
}
