//! Detection of latent issues, and severity growth and escalation of issues
//! no one has taken on (ODD 7.2).

use rand::RngExt;
use rayon::prelude::*;

use super::Model;
use super::issue::Status;
use super::rules::detection::{self, Watchers};

impl Model {
    /// Detection of latent issues; severity growth and escalation of issues no one has taken on.
    ///
    /// The chances that no one detects each latent issue read only the
    /// residents, grids and communities, which nothing here changes, so
    /// they are computed first, issues in parallel (each waits on memory for
    /// its affected residents); the draws then follow in issue order from
    /// the one event stream, as one pass would make them.
    pub(super) fn detect_and_escalate(&mut self) {
        let missed = self.chances_missed();
        let s = &self.scenario;
        let mut latent = missed.iter();
        for idx in 0..self.active.len() {
            let slot = self.active[idx];
            let issue = &self.issues[slot as usize];
            if matches!(issue.status, Status::Latent) {
                let miss = *latent.next().expect("a chance for each latent issue");
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

    /// The chance that no one detects it today, for each latent issue in
    /// the order of the open issues.
    fn chances_missed(&self) -> Vec<f64> {
        let s = &self.scenario;
        let latent: Vec<u32> = self
            .active
            .iter()
            .copied()
            .filter(|&slot| matches!(self.issues[slot as usize].status, Status::Latent))
            .collect();
        latent
            .par_iter()
            .with_min_len(64)
            .map(|&slot| {
                let issue = &self.issues[slot as usize];
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
                detection::chance_missed(s, by_residents, watchers)
            })
            .collect()
    }
}
