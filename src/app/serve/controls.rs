//! The levers the app shows as sliders and switches: the key levers of each
//! element of party building and of issues, each with its words, its unit
//! and valid range from the lever table, and the part of that range a
//! slider covers.

use serde::Serialize;

use crate::scenario::changes::fixed_reason;
use crate::scenario::levers;

/// How a control is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Widget {
    /// A slider over `[lo, hi]` in steps of `step`.
    Slider,
    /// A checkbox.
    Switch,
    /// A choice among `choices`.
    Select,
}

/// One control of the app.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Control {
    /// Dotted path of the lever.
    pub key: &'static str,
    /// Element of party building (`setting`, `system`, `procedure`,
    /// `security`) or `issues` / `others`.
    pub group: &'static str,
    /// What it is, in words.
    pub label: &'static str,
    /// How it is drawn.
    pub widget: Widget,
    /// Unit, from the lever table.
    pub unit: &'static str,
    /// Smallest valid value (lever table).
    pub min: f64,
    /// Largest valid value (lever table).
    pub max: f64,
    /// Where the slider starts.
    pub lo: f64,
    /// Where the slider ends.
    pub hi: f64,
    /// The slider's step.
    pub step: f64,
    /// The values of a select.
    pub choices: Vec<&'static str>,
    /// Why it cannot move during a run (read when the district is built),
    /// or empty: such a control is set before the first day.
    pub fixed: &'static str,
}

/// (key, group, label, widget, slider lo, hi, step).
const TABLE: [(&str, &str, &str, Widget, f64, f64, f64); 18] = [
    (
        "party.setting.community_coverage",
        "setting",
        "Communities with a party committee",
        Widget::Slider,
        0.0,
        1.0,
        0.05,
    ),
    (
        "party.setting.two_new_coverage",
        "setting",
        "Enterprises and social organizations with a party branch",
        Widget::Slider,
        0.0,
        1.0,
        0.05,
    ),
    (
        "party.setting.migrant_member_reach",
        "setting",
        "Migrants each migrant party member reaches",
        Widget::Slider,
        0.0,
        50.0,
        1.0,
    ),
    (
        "party.system.alliance_openness",
        "system",
        "Organizations that join the regional alliance",
        Widget::Slider,
        0.0,
        1.0,
        0.05,
    ),
    (
        "party.system.linkage",
        "system",
        "Linkage of party organizations",
        Widget::Select,
        0.0,
        0.0,
        0.0,
    ),
    (
        "party.procedure.meeting_interval",
        "procedure",
        "Days between joint conferences (0: none)",
        Widget::Slider,
        0.0,
        90.0,
        1.0,
    ),
    (
        "party.procedure.coordination_strength",
        "procedure",
        "Coordination strength of the party committee",
        Widget::Slider,
        0.0,
        5.0,
        0.1,
    ),
    (
        "party.procedure.formalism",
        "procedure",
        "Formalism (meetings and paperwork without substance)",
        Widget::Slider,
        0.0,
        1.0,
        0.05,
    ),
    (
        "party.procedure.centralization",
        "procedure",
        "Centralization",
        Widget::Slider,
        0.0,
        1.0,
        0.05,
    ),
    (
        "party.procedure.pooling",
        "procedure",
        "Share of capacity pooled in the alliance",
        Widget::Slider,
        0.0,
        1.0,
        0.05,
    ),
    (
        "party.procedure.mobilization",
        "procedure",
        "Mobilization of residents by party members",
        Widget::Slider,
        0.0,
        1.0,
        0.05,
    ),
    (
        "party.security.inclusion",
        "security",
        "Inclusion of migrants",
        Widget::Slider,
        0.0,
        1.0,
        0.05,
    ),
    (
        "party.security.service_centers",
        "security",
        "Communities with a party-mass service centre",
        Widget::Slider,
        0.0,
        1.0,
        0.05,
    ),
    (
        "party.security.extra_capacity",
        "security",
        "Extra capacity of party committees",
        Widget::Slider,
        0.0,
        20.0,
        0.5,
    ),
    (
        "issues.rate",
        "issues",
        "Issues arriving",
        Widget::Slider,
        0.0,
        3.0,
        0.05,
    ),
    (
        "issues.cross_cutting_share",
        "issues",
        "Share of issues that are cross-cutting",
        Widget::Slider,
        0.0,
        1.0,
        0.05,
    ),
    (
        "social.autonomy",
        "others",
        "Autonomy of social organizations",
        Widget::Slider,
        0.0,
        1.0,
        0.05,
    ),
    (
        "government.sequential_referral",
        "others",
        "Departments take a referral one after another",
        Widget::Switch,
        0.0,
        1.0,
        1.0,
    ),
];

/// Every control, in the order the app shows them.
pub fn controls() -> Vec<Control> {
    TABLE
        .iter()
        .map(|&(key, group, label, widget, lo, hi, step)| {
            let lever = levers::find(key);
            Control {
                key,
                group,
                label,
                widget,
                unit: lever.map_or(
                    if widget == Widget::Switch {
                        "on/off"
                    } else {
                        "choice"
                    },
                    |l| l.unit,
                ),
                min: lever.map_or(lo, |l| l.min),
                max: lever.map_or(hi, |l| l.max),
                lo,
                hi,
                step,
                choices: levers::choices(key).map(|c| c.to_vec()).unwrap_or_default(),
                fixed: fixed_reason(key).unwrap_or(""),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    #[test]
    fn every_control_is_a_lever_and_its_slider_lies_in_the_valid_range() {
        let table = toml::Value::try_from(Scenario::default()).unwrap();
        for c in controls() {
            let mut value = &table;
            for part in c.key.split('.') {
                value = value
                    .get(part)
                    .unwrap_or_else(|| panic!("{} is not a lever", c.key));
            }
            match c.widget {
                Widget::Slider => {
                    assert!(levers::find(c.key).is_some(), "{}", c.key);
                    assert!(c.min <= c.lo && c.lo < c.hi && c.hi <= c.max, "{}", c.key);
                    assert!(c.step > 0.0, "{}", c.key);
                }
                Widget::Switch => assert!(value.is_bool(), "{}", c.key),
                Widget::Select => assert!(!c.choices.is_empty(), "{}", c.key),
            }
        }
        let groups: Vec<&str> = controls().iter().map(|c| c.group).collect();
        for element in ["setting", "system", "procedure", "security", "issues"] {
            assert!(groups.contains(&element), "{element}");
        }
    }
}
