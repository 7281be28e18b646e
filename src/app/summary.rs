//! Short readable summaries for the terminal.

use std::fmt::Write;

use crate::run::RunOutput;
use crate::scenario::ResolvedScenario;

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "NA".into(), |v| format!("{:.1}%", 100.0 * v))
}

/// An index in [0, 1], three decimals (not a share: AGIL's indices do not add up).
fn index(x: Option<f64>) -> String {
    x.map_or_else(|| "NA".into(), |v| format!("{v:.3}"))
}

fn num(x: Option<f64>) -> String {
    x.map_or_else(|| "NA".into(), |v| format!("{v:.1}"))
}

/// A few lines on one run: issues, resolution, participation, trust, routes.
pub fn summary_text(scenario: &ResolvedScenario, output: &RunOutput, wall_seconds: f64) -> String {
    let s = &output.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — {} residents, {} days, seed {} ({:.2} s)",
        crate::util::safe_text::for_terminal(&scenario.scenario.name),
        s.residents_start,
        s.days,
        scenario.scenario.sim.seed,
        wall_seconds
    );
    for policy in &scenario.scenario.policy {
        let set: Vec<String> = policy
            .set
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        let late = if policy.day > scenario.scenario.sim.days {
            " — after the run's last day: not reached"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  reform from day {}{late}: {} ({})",
            policy.day,
            crate::util::safe_text::for_terminal(&policy.name),
            crate::util::safe_text::for_terminal(&set.join(", "))
        );
    }
    let _ = writeln!(
        out,
        "  issues: {} arrived, {} resolved, {} abandoned, {} open at the end, {} escalated",
        s.arrived, s.resolved, s.abandoned, s.backlog, s.escalations
    );
    let _ = writeln!(
        out,
        "  resolved: {} of closed issues ({} of cross-cutting), {} of reporters satisfied; median {} days ({} cross-cutting)",
        pct(s.resolution_rate),
        pct(s.cross_cutting_resolution_rate),
        pct(s.satisfaction_rate),
        num(s.median_resolution_days),
        num(s.cross_cutting_median_days)
    );
    let _ = writeln!(
        out,
        "  taking part on a day: {} of locals, {} of migrants",
        pct(s.participation_rate_local),
        pct(s.participation_rate_migrant)
    );
    let _ = writeln!(
        out,
        "  trust at the end: party {:.2}, government {:.2}, social {:.2}; efficacy {:.2}; party legitimacy {}",
        s.trust_party,
        s.trust_government,
        s.trust_social,
        s.efficacy,
        s.party_legitimacy
            .map_or_else(|| "NA".into(), |v| format!("{v:.2}"))
    );
    let _ = writeln!(
        out,
        "  routes of resolutions: party-convened {}, self-organized {}, bureaucratic {}",
        pct(s.share_party_convened),
        pct(s.share_self_organized),
        pct(s.share_bureaucratic)
    );
    let _ = writeln!(
        out,
        "  AGIL indices (0–1, each on its own scale): A {} G {} I {} L {}; polycentricity {}",
        index(s.agil_adaptation),
        index(s.agil_goal_attainment),
        index(s.agil_integration),
        s.agil_latency
            .map_or_else(|| "NA".into(), |v| format!("{v:.3}")),
        s.polycentricity
            .map_or_else(|| "NA".into(), |v| format!("{v:.2}"))
    );
    out
}
