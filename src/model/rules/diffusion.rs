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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffusion_at_its_boundaries() {
        assert_eq!(diffused(0.3, 0.0, 0.0, 0.5), 0.3);
        assert_eq!(diffused(0.3, 1.8, 2.0, 1.0), 0.9);
        assert_eq!(diffused(0.3, 1.8, 2.0, 0.0), 0.3);
        assert!((0..7).filter(|&d| diffuses_on(d)).eq([6]));
    }
}
