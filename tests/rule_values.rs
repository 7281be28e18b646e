//! Per-rule value tables: every rule of `model::rules` (ODD section 7)
//! evaluated on a fixed grid of inputs under several presets, each value
//! written exactly (shortest round-trip) into `tests/rule_values.txt`. Beside
//! the whole-file pins of `tests/pinned.rs`, a moved value here says which
//! rule moved, at which inputs, under which preset (as `rand`'s
//! value-stability tests do for its distributions).
//!
//! A change that moves a rule on purpose is its own commit: rerun with
//! `GOVSIM_UPDATE_RULE_VALUES=1 cargo test --release --test rule_values`
//! and commit the table with the reason.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use common::scenario_path;
use govsim::model::rules::{
    self, arrival, conference, detection, diffusion, feedback, participation, routing, shocks, work,
};
use govsim::scenario::{Scenario, load_scenario};
use govsim::seeds::{Purpose, stream};

const TABLE: &str = "tests/rule_values.txt";

/// The presets the rules are read under: the five regimes and the Beijing
/// reform (summons, deadlines, the whistle levers).
fn presets() -> Vec<(&'static str, Scenario)> {
    [
        ("silo", "regimes/bureaucratic_silo.toml"),
        ("party_led", "regimes/party_led.toml"),
        ("polycentric", "regimes/polycentric.toml"),
        ("formalism", "regimes/formalism_trap.toml"),
        ("centralized", "regimes/over_centralized.toml"),
        ("surge", "shocks/issue_surge.toml"),
        ("beijing_2019", "reforms/beijing_2019.toml"),
    ]
    .into_iter()
    .map(|(name, path)| {
        let mut s = load_scenario(&scenario_path(path), &[]).unwrap().scenario;
        // The reform's levers in force, as from its first day.
        if let Some(stage) = govsim::scenario::policy_stages(&s).unwrap().pop() {
            s = stage.1;
        }
        (name, s)
    })
    .collect()
}

/// The table: one line per rule, preset and inputs.
fn table() -> String {
    let mut t = String::new();
    let mut row = |rule: &str, preset: &str, inputs: String, value: String| {
        let _ = writeln!(t, "{rule}\t{preset}\t{inputs}\t{value}");
    };
    let unit = [0.0, 0.05, 0.3, 0.5, 0.7, 0.95, 1.0];
    let unit32 = [0.0f32, 0.05, 0.3, 0.5, 0.7, 0.95, 1.0];
    // Rules that read no scenario.
    for u in [-30.0, -4.0, -0.5, 0.0, 0.25, 3.0, 30.0] {
        row(
            "logistic",
            "-",
            format!("{u}"),
            format!("{:?}", rules::logistic(u)),
        );
        row(
            "logistic_f32",
            "-",
            format!("{u}"),
            format!("{:?}", rules::logistic_f32(u as f32)),
        );
    }
    for day in [0, 1, 6, 7, 13, 14] {
        row(
            "diffusion::diffuses_on",
            "-",
            format!("{day}"),
            format!("{}", diffusion::diffuses_on(day)),
        );
    }
    for &own in &unit32 {
        for (sum, degree) in [(0.0f32, 0.0f32), (2.5, 4.0), (7.9, 8.0)] {
            for weight in [0.0f32, 0.1, 0.5] {
                row(
                    "diffusion::diffused",
                    "-",
                    format!("{own} {sum} {degree} {weight}"),
                    format!("{:?}", diffusion::diffused(own, sum, degree, weight)),
                );
            }
        }
        for rate in [0.0f32, 0.01, 0.2] {
            row(
                "diffusion::forgotten",
                "-",
                format!("{own} 0.5 {rate}"),
                format!("{:?}", diffusion::forgotten(own, 0.5, rate)),
            );
        }
        row(
            "participation::mean_trust",
            "-",
            format!("{own}"),
            format!("{:?}", participation::mean_trust([own, 0.4, 0.9])),
        );
        for degree in [0.0f32, 1.0, 6.0] {
            row(
                "participation::peer_share",
                "-",
                format!("{own} {degree}"),
                format!("{:?}", participation::peer_share(own * degree, degree)),
            );
        }
        for draw in [0.0f32, 0.5, 0.99] {
            row(
                "participation::accepts_contact",
                "-",
                format!("{own} {draw}"),
                format!("{}", participation::accepts_contact(own, draw)),
            );
            row(
                "participation::takes_part",
                "-",
                format!("{own} {draw}"),
                format!("{}", participation::takes_part(own * 4.0 - 2.0, draw)),
            );
        }
        for took in [false, true] {
            row(
                "participation::recent_after",
                "-",
                format!("{own} {took}"),
                format!("{:?}", participation::recent_after(own, took, 0.2)),
            );
        }
        for (w, c) in [(1.0, 0.1), (0.3, -0.2), (0.0, 0.5)] {
            row(
                "feedback::changed",
                "-",
                format!("{own} {w} {c}"),
                format!("{:?}", feedback::changed(own, w, c)),
            );
        }
    }
    for (r, a) in [(0.0, 0.0), (3.0, 1.0), (0.0, 2.0), (5.0, 0.0)] {
        row(
            "feedback::success_share",
            "-",
            format!("{r} {a}"),
            format!("{:?}", feedback::success_share(r, a)),
        );
        row(
            "feedback::presence",
            "-",
            format!("{r} {a}"),
            format!("{:?}", feedback::presence(r, a)),
        );
    }
    row(
        "feedback::presence_decay",
        "-",
        String::new(),
        format!("{:?}", feedback::presence_decay()),
    );
    for &u in &unit {
        row(
            "routing::has_room",
            "-",
            format!("{u}"),
            format!("{}", routing::has_room(u * 1.5)),
        );
        for mandate in [0.0, 0.5, 1.0] {
            row(
                "routing::take_on_chance",
                "-",
                format!("{u} {mandate}"),
                format!("{:?}", routing::take_on_chance(u, mandate)),
            );
        }
        for draw in [0.0, 0.999] {
            row(
                "routing::partner_score",
                "-",
                format!("{u} {draw}"),
                format!("{:?}", routing::partner_score(u, draw)),
            );
        }
        for (backlog, capacity) in [(0.0, 1.0), (3.0, 2.0), (1.0, 0.0)] {
            row(
                "routing::utilization",
                "-",
                format!("{backlog} {capacity} {u}"),
                format!("{:?}", routing::utilization(backlog, capacity, u * 10.0)),
            );
        }
        for (age, escalated) in [(0u32, false), (5, false), (5, true), (40, false)] {
            row(
                "work::urgency",
                "-",
                format!("{u} {age} 20 {escalated}"),
                format!("{:?}", work::urgency(u, age, 20.0, escalated)),
            );
        }
        row(
            "work::available",
            "-",
            format!("10 {u} 1.5"),
            format!("{:?}", work::available(10.0, u, 1.5)),
        );
    }
    for (a, b) in [(false, false), (false, true), (true, false), (true, true)] {
        row(
            "work::volunteers_help",
            "-",
            format!("{a} {b}"),
            format!("{}", work::volunteers_help(a, b)),
        );
        row(
            "work::pool_helps",
            "-",
            format!("{a} {b}"),
            format!("{}", work::pool_helps(a, b)),
        );
    }
    row(
        "shocks::newcomer_weights",
        "-",
        "0 10 30 0".into(),
        format!(
            "{:?}",
            shocks::newcomer_weights([0u32, 10, 30, 0].into_iter())
        ),
    );

    // Rules that read the levers, under every preset.
    for (preset, s) in presets() {
        let mut row = |rule: &str, inputs: String, value: String| row(rule, preset, inputs, value);
        for population in [0u32, 1200, 5000] {
            for (multiplier, share) in [(1.0, None), (2.5, None), (2.5, Some(0.3))] {
                row(
                    "arrival::arrivals",
                    format!("{population} {multiplier} {share:?}"),
                    format!(
                        "{:?}",
                        arrival::arrivals(&s, population, multiplier, share, 1.0)
                    ),
                );
            }
        }
        let mut rng = stream(7, Purpose::Events, 0);
        for (migrant, forced) in [
            (false, None),
            (true, None),
            (false, Some(1u8)),
            (true, Some(0u8)),
        ] {
            for k in 0..4 {
                row(
                    "arrival::competencies",
                    format!("{migrant} {forced:?} draw {k}"),
                    format!("{:?}", arrival::competencies(&s, migrant, forced, &mut rng)),
                );
            }
        }
        let traits = arrival::IssueTraits::new(&s);
        let mut rng = stream(7, Purpose::Events, 1);
        for parts in [1usize, 2, 3] {
            row(
                "arrival::IssueTraits::draw",
                format!("{parts}"),
                format!("{:?}", traits.draw(parts, &mut rng)),
            );
        }
        for day in [0u32, 1, 13, 14, 28, 29, 30, 84, 90, 365] {
            row(
                "conference::meets",
                format!("{day}"),
                format!("{}", conference::meets(&s, day)),
            );
            row(
                "shocks::on_day",
                format!("{day} 10000"),
                format!("{:?}", shocks::on_day(&s, day, 10_000)),
            );
        }
        for c in 0..s.issues.competencies.len() as u8 {
            row(
                "shocks::competency_share",
                format!("{c}"),
                format!("{:?}", shocks::competency_share(&s, c)),
            );
        }
        row(
            "conference::reconvene_bonus",
            String::new(),
            format!("{:?}", conference::reconvene_bonus(&s)),
        );
        row(
            "conference::disclosure_chance",
            String::new(),
            format!("{:?}", conference::disclosure_chance(&s)),
        );
        row(
            "conference::review_chance",
            String::new(),
            format!("{:?}", conference::review_chance(&s)),
        );
        row(
            "feedback::observer_weight",
            String::new(),
            format!("{:?}", feedback::observer_weight(&s)),
        );
        row(
            "routing::triage_chance",
            String::new(),
            format!("{:?}", routing::triage_chance(&s)),
        );
        row(
            "routing::convening_cost",
            String::new(),
            format!("{:?}", routing::convening_cost(&s)),
        );
        row(
            "routing::paperwork",
            String::new(),
            format!("{:?}", routing::paperwork(&s)),
        );
        row(
            "routing::intake_leadership",
            String::new(),
            format!("{:?}", routing::intake_leadership(&s)),
        );
        row(
            "work::referral_chance",
            String::new(),
            format!("{:?}", work::referral_chance(&s)),
        );
        for done in [false, true] {
            row(
                "work::may_refer_next",
                format!("{done}"),
                format!("{}", work::may_refer_next(&s, done)),
            );
        }
        for &x in &unit {
            row(
                "conference::trust_after_meeting",
                format!("{x}"),
                format!("{:?}", conference::trust_after_meeting(&s, x)),
            );
            row(
                "conference::trust_after_a_day",
                format!("{x}"),
                format!("{:?}", conference::trust_after_a_day(&s, x)),
            );
            row(
                "conference::meeting_overhead",
                format!("{}", 20.0 * x),
                format!("{:?}", conference::meeting_overhead(&s, 20.0 * x)),
            );
            row(
                "detection::grown_severity",
                format!("{x}"),
                format!("{:?}", detection::grown_severity(&s, x)),
            );
            for (age, patience) in [(0.0, 30.0), (10.0, 30.0), (40.0, 30.0)] {
                row(
                    "detection::escalates",
                    format!("{x} {age} {patience}"),
                    format!("{}", detection::escalates(&s, x, age, patience)),
                );
            }
            for takes_part in [false, true] {
                row(
                    "detection::by_resident",
                    format!("{takes_part} {x} 0.6"),
                    format!(
                        "{:?}",
                        detection::by_resident(&s, takes_part, x as f32, 0.6)
                    ),
                );
            }
            for (covered, members, center) in [
                (false, 0u32, false),
                (true, 3, false),
                (true, 0, true),
                (false, 10, true),
            ] {
                let w = detection::Watchers {
                    covered,
                    active_members: members,
                    service_center: center,
                };
                row(
                    "detection::chance_missed",
                    format!("{x} {covered} {members} {center}"),
                    format!("{:?}", detection::chance_missed(&s, [x, x / 2.0, 0.9], w)),
                );
            }
            row(
                "feedback::recurrence_chance",
                format!("{x}"),
                format!("{:?}", feedback::recurrence_chance(&s, x)),
            );
            for t in [0.1f32, 0.5, 0.9] {
                row(
                    "feedback::trust_gain",
                    format!("{x} {t}"),
                    format!("{:?}", feedback::TrustChange::new(&s, Some(x)).of(t)),
                );
                row(
                    "feedback::trust_loss",
                    format!("{t}"),
                    format!("{:?}", feedback::TrustChange::new(&s, None).of(t)),
                );
            }
            for (waited, patience) in [(0u32, 30.0), (10, 30.0), (30, 30.0), (60, 30.0)] {
                row(
                    "feedback::satisfaction",
                    format!("{x} {waited} {patience}"),
                    format!("{:?}", feedback::satisfaction(&s, x, waited, patience)),
                );
            }
            for resolved in [false, true] {
                row(
                    "feedback::org_trust_after",
                    format!("{x} {resolved}"),
                    format!("{:?}", feedback::org_trust_after(&s, x, resolved)),
                );
                for takes_part in [false, true] {
                    row(
                        "feedback::efficacy_change",
                        format!("{resolved} {takes_part}"),
                        format!("{:?}", feedback::efficacy_change(&s, resolved, takes_part)),
                    );
                }
            }
            row(
                "feedback::autonomy_after",
                format!("{x}"),
                format!("{:?}", feedback::autonomy_after(&s, x)),
            );
            let basis = feedback::LegitimacyBasis {
                trust_in_convener: 0.6,
                convened_outcomes: (4.0 * x, 1.0),
                convener_present: 3.0 * x,
                cross_cutting_seen: 5.0,
            };
            row(
                "feedback::legitimacy_after",
                format!("{x}"),
                format!("{:?}", feedback::legitimacy_after(&s, x, &basis)),
            );
            for bonus in [0.0, 0.3] {
                row(
                    "routing::leadership",
                    format!("{x} {bonus}"),
                    format!("{:?}", routing::leadership(&s, x, bonus)),
                );
            }
            for (lead, load) in [(0.0, 0.0), (0.4, 0.5), (1.0, 1.2)] {
                let chance = routing::join_chance(&s, x, lead, load);
                row(
                    "routing::join_chance",
                    format!("{x} {lead} {load}"),
                    format!("{chance:?}"),
                );
                row(
                    "routing::summoned_join_chance",
                    format!("{chance:?}"),
                    format!("{:?}", routing::summoned_join_chance(&s, chance)),
                );
            }
            for (district_wide, subdistricts) in [(false, 1usize), (false, 4), (true, 4)] {
                row(
                    "work::pooled",
                    format!("{} {district_wide} {subdistricts}", 10.0 * x),
                    format!(
                        "{:?}",
                        work::pooled(&s, 10.0 * x, district_wide, subdistricts)
                    ),
                );
            }
            for service_center in [false, true] {
                let reach =
                    participation::inclusion_reach(&s, x > 0.5, x > 0.5, service_center, x / 2.0);
                row(
                    "participation::inclusion_reach",
                    format!("{} {service_center} {}", x > 0.5, x / 2.0),
                    format!("{reach:?}"),
                );
                let u = participation::Utility::new(&s, service_center, reach);
                let attitude = u.attitude(x as f32, 0.6, 0.5);
                row(
                    "participation::Utility::attitude",
                    format!("{service_center} {x} 0.6 0.5"),
                    format!("{attitude:?}"),
                );
                for (mobilized, migrant) in
                    [(false, false), (true, false), (false, true), (true, true)]
                {
                    row(
                        "participation::Utility::of",
                        format!("{service_center} {attitude:?} 0.3 {mobilized} {migrant}"),
                        format!("{:?}", u.of(attitude, 0.3, mobilized, migrant)),
                    );
                }
            }
        }
        for members in [0u32, 5, 80] {
            row(
                "participation::mobilized_members",
                format!("{members}"),
                format!("{:?}", participation::mobilized_members(&s, members)),
            );
            row(
                "participation::volunteer_pool",
                format!("{members}"),
                format!("{:?}", participation::volunteer_pool(&s, members)),
            );
            let basis = participation::ContactBasis {
                party_members: members,
                covered_residents: 900,
                service_center: members > 0,
                enterprise_branch_share: 0.2,
                migrants: 300,
                population: 1200,
            };
            row(
                "participation::contacts",
                format!("{members} 900 {} 0.2 300 1200", members > 0),
                format!("{:?}", participation::contacts(&s, &basis)),
            );
        }
        for deliberators in [0u32, 1, 3, 10, 40] {
            row(
                "feedback::quality",
                format!("{deliberators}"),
                format!("{:?}", feedback::quality(&s, deliberators)),
            );
        }
        for tries in [0u32, 1, 2, 3, 5, 8, 20] {
            for convening in [false, true] {
                row(
                    "routing::after_failed_try",
                    format!("{tries} {convening}"),
                    format!("{:?}", routing::after_failed_try(&s, tries, convening)),
                );
            }
        }
        for department in [false, true] {
            for convened in [false, true] {
                for escalated in [false, true] {
                    row(
                        "routing::part_delay",
                        format!("{department} {convened} {escalated}"),
                        format!(
                            "{}",
                            routing::part_delay(&s, 0.0, department, convened, escalated)
                        ),
                    );
                }
            }
        }
        let mut limited = s.clone();
        limited.government.delay = 30;
        limited.government.reply_limit = 7;
        limited.government.ranking = 1.0;
        for compliance in [0.0, 0.3, 1.0] {
            row(
                "routing::kept_delay",
                format!("30 7 {compliance}"),
                format!("{:?}", routing::kept_delay(&limited, compliance)),
            );
            for rate in [None, Some(0.0), Some(0.53), Some(1.0)] {
                row(
                    "routing::ranked_compliance",
                    format!("1 0.2 {compliance} {rate:?}"),
                    format!(
                        "{:?}",
                        routing::ranked_compliance(&limited, compliance, rate)
                    ),
                );
            }
        }
    }
    t
}

/// The lines of `text` by rule (the first column).
fn by_rule(text: &str) -> BTreeMap<&str, Vec<&str>> {
    let mut rules: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for line in text.lines() {
        let rule = line.split('\t').next().unwrap_or("");
        rules.entry(rule).or_default().push(line);
    }
    rules
}

#[test]
fn every_rule_gives_its_pinned_values() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(TABLE);
    let now = table();
    if std::env::var_os("GOVSIM_UPDATE_RULE_VALUES").is_some() {
        std::fs::write(&path, &now).unwrap();
        return;
    }
    let pinned = std::fs::read_to_string(&path).expect("tests/rule_values.txt");
    let (now_rules, pinned_rules) = (by_rule(&now), by_rule(&pinned));
    let mut moved = Vec::new();
    for (rule, lines) in &now_rules {
        match pinned_rules.get(rule) {
            None => moved.push(format!("{rule}: not in the table")),
            Some(old) if old != lines => {
                let at = lines.iter().zip(old).find(|(a, b)| a != b).map_or_else(
                    || format!("{} rows, pinned {}", lines.len(), old.len()),
                    |(a, b)| format!("now `{a}`, pinned `{b}`"),
                );
                moved.push(format!("{rule}: {at}"));
            }
            Some(_) => {}
        }
    }
    for rule in pinned_rules.keys().filter(|r| !now_rules.contains_key(*r)) {
        moved.push(format!("{rule}: pinned but no longer computed"));
    }
    assert!(
        moved.is_empty(),
        "rules moved (a change on purpose is its own commit: GOVSIM_UPDATE_RULE_VALUES=1):\n{}",
        moved.join("\n")
    );
    // Every rule module is in the table.
    for module in [
        "arrival",
        "conference",
        "detection",
        "diffusion",
        "feedback",
        "participation",
        "routing",
        "shocks",
        "work",
    ] {
        assert!(
            now_rules
                .keys()
                .any(|r| r.starts_with(&format!("{module}::"))),
            "{module}"
        );
    }
}
