//! ODD 7.8, shocks: what the `[[shocks]]` entries active on a day do.

use crate::scenario::Scenario;

/// The effects of every shock active on one day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShockEffect {
    /// Multiplier of issue arrivals.
    pub issue_rate: f64,
    /// The one competency whose arrivals are multiplied, if any.
    pub competency: Option<u8>,
    /// Multiplier of every organization's capacity.
    pub capacity: f64,
    /// Expected migrant newcomers today.
    pub newcomers: f64,
}

/// The effects on model day `day` (the burn-in's days included) of the shocks of `s`, a district of
/// `initial_population` residents at the start: shocks active that day
/// (`start` … `start + days − 1`) multiply the issue rate and capacity;
/// the last one naming a competency sets it; each migrant influx brings
/// `migrant_influx` × initial residents / `days` newcomers a day.
pub fn on_day(s: &Scenario, day: u32, initial_population: u32) -> ShockEffect {
    let mut effect = ShockEffect {
        issue_rate: 1.0,
        competency: None,
        capacity: 1.0,
        newcomers: 0.0,
    };
    // Shocks count their days from the first recorded day, after the burn-in.
    let Some(day) = day.checked_sub(s.sim.warmup_days) else {
        return effect;
    };
    let comps = &s.issues.competencies;
    for shock in &s.shocks {
        if day < shock.start || day >= shock.start + shock.days {
            continue;
        }
        effect.issue_rate *= shock.issue_rate;
        effect.competency = shock
            .competency
            .as_ref()
            .and_then(|c| comps.iter().position(|x| x == c))
            .map(|i| i as u8)
            .or(effect.competency);
        effect.capacity *= shock.capacity;
        effect.newcomers +=
            shock.migrant_influx * f64::from(initial_population) / f64::from(shock.days);
    }
    effect
}

/// The share of the type weights of `competency`: how much of the base
/// arrivals a surge of that competency multiplies.
pub fn competency_share(s: &Scenario, competency: u8) -> f64 {
    let w = &s.issues.type_weights;
    w[competency as usize] / w.iter().sum::<f64>()
}

/// Each community's weight in the day's newcomers: its share of the initial
/// migrants (equal weights where there were none), not yet normalized.
pub fn newcomer_weights(initial_migrants: impl Iterator<Item = u32> + Clone) -> Vec<f64> {
    let total: f64 = initial_migrants.clone().map(f64::from).sum();
    initial_migrants
        .map(|m| {
            if total > 0.0 {
                f64::from(m) / total
            } else {
                1.0
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Shock;

    #[test]
    fn shocks_act_only_on_their_days() {
        let mut s = Scenario::default();
        s.shocks.push(Shock {
            start: 10,
            days: 5,
            issue_rate: 2.0,
            capacity: 0.5,
            migrant_influx: 0.1,
            ..Shock::default()
        });
        s.shocks.push(Shock {
            start: 12,
            days: 1,
            issue_rate: 3.0,
            competency: Some(s.issues.competencies[1].clone()),
            ..Shock::default()
        });
        assert_eq!(on_day(&s, 9, 1000).issue_rate, 1.0);
        assert_eq!(on_day(&s, 15, 1000).capacity, 1.0);
        let first = on_day(&s, 10, 1000);
        assert_eq!((first.issue_rate, first.capacity), (2.0, 0.5));
        assert_eq!(first.newcomers, 20.0);
        assert_eq!(first.competency, None);
        let both = on_day(&s, 12, 1000);
        assert_eq!((both.issue_rate, both.competency), (6.0, Some(1)));
        assert_eq!(newcomer_weights([0, 0].into_iter()), [1.0, 1.0]);
        assert_eq!(newcomer_weights([1, 3].into_iter()), [0.25, 0.75]);
    }
}
