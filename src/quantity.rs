//! Kubernetes resource quantities (`500m`, `10`, `1.5k`, `2Gi`, `1e3`).
//!
//! Mirrors `k8s.io/apimachinery/pkg/api/resource/quantity.go`: a decimal number with an
//! optional decimal-SI (`n u m k M G T P E`), binary-SI (`Ki Mi Gi Ti Pi Ei`) or exponent
//! (`e3`, `E-2`) suffix. The HPA works in milli-units: [`Quantity::milli_value`] is
//! `Quantity.MilliValue()`, which rounds up (away from zero) like `ScaledValue`.

use std::fmt;

/// A parsed quantity, held exactly as `mantissa * 10^exp10 * 2^exp2`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quantity {
    mantissa: i128,
    exp10: i32,
    exp2: u32,
    text: String,
}

impl Quantity {
    /// Parses the Kubernetes text form.
    pub fn parse(text: &str) -> Result<Quantity, String> {
        let s = text.trim();
        if s.is_empty() {
            return Err("empty quantity".into());
        }
        let bad = || {
            format!("{text:?} is not a Kubernetes quantity (expected a number with an optional suffix such as m, k, Mi or Gi)")
        };
        let (neg, body) = match s.as_bytes()[0] {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let num_end = body
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(body.len());
        let (num, suffix) = body.split_at(num_end);
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return Err(bad());
        }
        let (int_part, frac_part) = num.split_once('.').unwrap_or((num, ""));
        let digits = format!("{int_part}{frac_part}");
        let digits = digits.trim_start_matches('0');
        if digits.len() > 30 {
            return Err(format!("{text:?} has too many digits"));
        }
        let mut mantissa: i128 = if digits.is_empty() {
            0
        } else {
            digits.parse().map_err(|_| bad())?
        };
        let mut exp10 = -(frac_part.len() as i32);
        let mut exp2 = 0u32;
        match suffix {
            "" => {}
            "n" => exp10 -= 9,
            "u" => exp10 -= 6,
            "m" => exp10 -= 3,
            "k" => exp10 += 3,
            "M" => exp10 += 6,
            "G" => exp10 += 9,
            "T" => exp10 += 12,
            "P" => exp10 += 15,
            "E" => exp10 += 18,
            "Ki" => exp2 = 10,
            "Mi" => exp2 = 20,
            "Gi" => exp2 = 30,
            "Ti" => exp2 = 40,
            "Pi" => exp2 = 50,
            "Ei" => exp2 = 60,
            other => {
                let e = other
                    .strip_prefix('e')
                    .or_else(|| other.strip_prefix('E'))
                    .ok_or_else(bad)?;
                let e: i32 = e.parse().map_err(|_| bad())?;
                if !(-30..=30).contains(&e) {
                    return Err(format!("{text:?}: exponent out of range"));
                }
                exp10 += e;
            }
        }
        if neg {
            mantissa = -mantissa;
        }
        Ok(Quantity {
            mantissa,
            exp10,
            exp2,
            text: s.to_string(),
        })
    }

    /// A quantity of whole units.
    pub fn from_int(v: i64) -> Quantity {
        Quantity {
            mantissa: v as i128,
            exp10: 0,
            exp2: 0,
            text: v.to_string(),
        }
    }

    /// A quantity of milli-units, written the way Kubernetes canonicalises it (`7500m`, `2`).
    pub fn from_milli(m: i64) -> Quantity {
        let text = if m % 1000 == 0 {
            (m / 1000).to_string()
        } else {
            format!("{m}m")
        };
        Quantity {
            mantissa: m as i128,
            exp10: -3,
            exp2: 0,
            text,
        }
    }

    /// `MilliValue()`: the value in thousandths, rounded away from zero, saturating at i64.
    pub fn milli_value(&self) -> i64 {
        self.scaled(3)
    }

    /// `Value()`: whole units, rounded away from zero, saturating.
    pub fn value(&self) -> i64 {
        self.scaled(0)
    }

    /// `AsApproximateFloat64()`.
    pub fn as_f64(&self) -> f64 {
        self.mantissa as f64 * 10f64.powi(self.exp10) * 2f64.powi(self.exp2 as i32)
    }

    /// The text as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// value * 10^scale, rounded away from zero, saturating at the i64 bounds.
    fn scaled(&self, scale: i32) -> i64 {
        let sat = |neg: bool| if neg { i64::MIN } else { i64::MAX };
        let neg = self.mantissa < 0;
        let mut m: i128 = self.mantissa.unsigned_abs() as i128;
        // Apply the binary exponent first (exact).
        for _ in 0..self.exp2 {
            m = match m.checked_mul(2) {
                Some(v) => v,
                None => return sat(neg),
            };
        }
        let e = self.exp10 + scale;
        let v = if e >= 0 {
            let mut v = m;
            for _ in 0..e {
                v = match v.checked_mul(10) {
                    Some(x) => x,
                    None => return sat(neg),
                };
            }
            v
        } else {
            let div = 10i128.checked_pow((-e) as u32);
            match div {
                Some(d) => (m + d - 1) / d,
                None => i128::from(m != 0),
            }
        };
        let v = if neg { -v } else { v };
        i64::try_from(v).unwrap_or(sat(neg))
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl<'de> serde::Deserialize<'de> for Quantity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Quantity;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a Kubernetes quantity such as 10, 500m or 1Gi")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Quantity, E> {
                Quantity::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Quantity, E> {
                Quantity::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Quantity, E> {
                if !v.is_finite() {
                    return Err(E::custom("a quantity must be a finite number"));
                }
                Quantity::parse(&format!("{v}")).map_err(E::custom)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Quantity, E> {
                Quantity::parse(v).map_err(E::custom)
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Quantity, E> {
                Quantity::parse(&v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> i64 {
        Quantity::parse(s).unwrap().milli_value()
    }

    #[test]
    fn milli_values_match_apimachinery() {
        assert_eq!(m("10"), 10_000);
        assert_eq!(m("500m"), 500);
        assert_eq!(m("0.5"), 500);
        assert_eq!(m("1.5k"), 1_500_000);
        assert_eq!(m("1Ki"), 1_024_000);
        assert_eq!(m("1e3"), 1_000_000);
        assert_eq!(m("1.0001m"), 2, "MilliValue rounds up");
        assert_eq!(m("-1.0001m"), -2, "away from zero");
        assert_eq!(m("100n"), 1);
        assert_eq!(m("7.5"), 7_500);
        assert_eq!(m("0"), 0);
        assert_eq!(Quantity::parse("1Gi").unwrap().value(), 1 << 30);
        assert_eq!(m("100E"), i64::MAX, "saturates");
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "abc", "1.2.3", "5x", "1e99", "--1", "."] {
            assert!(Quantity::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats_milli() {
        assert_eq!(Quantity::from_milli(7500).to_string(), "7500m");
        assert_eq!(Quantity::from_milli(2000).to_string(), "2");
    }
}
