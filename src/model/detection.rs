//! Detection of latent issues, and severity growth and escalation of issues
//! no one has taken on (ODD 7.2).

use rand::RngExt;

use super::Model;
use super::issue::Status;
use super::rules::detection::{self, Watchers};

impl Model {
    /// Detection of latent issues; severity growth and escalation of issues no one has taken on.
    pub(super) fn detect_and_escalate(&mut self) {
        let s = &self.scenario;
        for idx in 0..self.active.len() {
            let slot = self.active[idx];
            let issue = &self.issues[slot as usize];
            if matches!(issue.status, Status::Latent) {
                let res = &self.world.residents;
                let by_residents = self.affected_of(slot).iter().map(|&a| {
                    let a = a as usize;
                    detection::by_resident(
                        s,
                        res.took_part()[a] != 0,
                        res.mean_trust(a),
                        res.efficacy()[a],
                    )
                });
                let grid = &self.world.grids[issue.grid as usize];
                let watchers = Watchers {
                    covered: grid.covered,
                    active_members: grid.active_members,
                    service_center: self.world.communities[issue.community as usize].service_center,
                };
                let miss = detection::chance_missed(s, by_residents, watchers);
                let (community, cross) = (issue.community as usize, issue.cross_cutting());
                if self.events.random::<f64>() >= miss {
                    self.issues[slot as usize].detect(self.day);
                    self.tally.detected += 1;
                    if cross {
                        self.world.communities[community].cross_cutting_seen += 1.0;
                    }
                }
            }
            let day = self.day;
            let issue = &mut self.issues[slot as usize];
            if matches!(issue.status, Status::Latent | Status::Detected) {
                issue.severity = detection::grown_severity(s, issue.severity);
                let age = f64::from(day - issue.arrival);
                if !issue.escalated && detection::escalates(s, issue.severity, age, issue.patience)
                {
                    issue.escalated = true;
                    self.tally.escalations += 1;
                    if issue.status == Status::Latent {
                        issue.detect(day);
                        self.tally.detected += 1;
                    }
                }
            }
        }
    }
}
