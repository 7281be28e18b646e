//! ODD 7.7, trust diffusion along ties (every 7th day).

/// Whether the weekly diffusion runs at the end of `day` (0-based): days 6,
/// 13, 20, …
#[inline]
pub fn diffuses_on(day: u32) -> bool {
    day % 7 == 6
}

/// A resident's trust in a kind after the week's diffusion: own + w ·
/// (sum / degree − own), `sum` the trust of its ties in the order of its
/// row of ties (from −0.0, as `Iterator::sum`), `degree` their number;
/// unchanged without ties. Every resident's new value comes from last
/// week's values.
#[inline(always)]
pub fn diffused(own: f32, sum: f32, degree: f32, weight: f32) -> f32 {
    if degree == 0.0 {
        own
    } else {
        own + weight * (sum / degree - own)
    }
}

/// A trust or efficacy value after the week's forgetting: value + rate ·
/// (prior − value), `prior` the population's initial value, so that
/// experience is kept only while it is renewed and long runs reach a
/// steady state (applied after the diffusion, to its result).
#[inline(always)]
pub fn forgotten(value: f32, prior: f32, rate: f32) -> f32 {
    value + rate * (prior - value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffusion_at_its_boundaries() {
        assert_eq!(diffused(0.3, 0.0, 0.0, 0.5), 0.3);
        assert_eq!(diffused(0.3, 1.8, 2.0, 1.0), 0.9);
        assert_eq!(diffused(0.3, 1.8, 2.0, 0.0), 0.3);
        assert!((0..7).filter(|&d| diffuses_on(d)).eq([6]));
        assert_eq!(forgotten(0.9, 0.5, 0.0), 0.9);
        assert_eq!(forgotten(0.9, 0.5, 1.0), 0.5);
        assert!(forgotten(0.9, 0.5, 0.1) < 0.9 && forgotten(0.1, 0.5, 0.1) > 0.1);
    }
}
