//! Go standard-library behaviour KEDA's texts and numbers depend on: `strconv.ParseBool`,
//! `strconv.ParseInt`, `encoding/json` scalar decoding, `time.ParseDuration`, `%q`,
//! `url.QueryEscape` and the amd64 float-to-int conversion.
//!
//! KEDA parses trigger metadata through `pkg/scalers/scalersconfig/typed_config.go`, which
//! decodes numbers with `json.Unmarshal`; its error texts reach users as Kubernetes events and
//! conditions, so scalesim reproduces them for the inputs people actually write.

use crate::time::{parse_go_duration, Dur};

/// `strconv.ParseBool`: `1 t T TRUE true True` / `0 f F FALSE false False`.
pub fn parse_bool(s: &str) -> Result<bool, String> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(format!(
            "strconv.ParseBool: parsing {}: invalid syntax",
            quote(s)
        )),
    }
}

/// `strconv.ParseInt(s, 10, 32)`: optional sign, decimal digits only.
pub fn parse_int32(s: &str) -> Result<i32, String> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "strconv.ParseInt: parsing {}: invalid syntax",
            quote(s)
        ));
    }
    match s.parse::<i64>() {
        Ok(v) if i32::try_from(v).is_ok() => Ok(v as i32),
        _ => Err(format!(
            "strconv.ParseInt: parsing {}: value out of range",
            quote(s)
        )),
    }
}

/// `strconv.ParseFloat(s, 64)` for the forms Go accepts that matter here (decimal, exponent,
/// `Inf`, `NaN`, underscores are not accepted).
pub fn parse_float(s: &str) -> Result<f64, String> {
    let lower = s.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    let special = matches!(unsigned, "inf" | "infinity" | "nan");
    let shaped = !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'));
    if special || shaped {
        if let Ok(v) = s.parse::<f64>() {
            if v.is_infinite() && !special {
                return Err(format!(
                    "strconv.ParseFloat: parsing {}: value out of range",
                    quote(s)
                ));
            }
            return Ok(v);
        }
    }
    Err(format!(
        "strconv.ParseFloat: parsing {}: invalid syntax",
        quote(s)
    ))
}

/// Go's `%q` of a string (`strconv.Quote`), for the ASCII and UTF-8 text in manifests.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The character quoting of `encoding/json`'s scanner errors (`quoteChar`).
fn quote_char(c: char) -> String {
    match c {
        '\'' => "'\\''".to_string(),
        '"' => "'\"'".to_string(),
        c if !c.is_control() => format!("'{c}'"),
        c => {
            let q = quote(&c.to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

/// Go's `%v` of a `[]string`: `[a b c]`.
pub fn list(items: &[&str]) -> String {
    format!("[{}]", items.join(" "))
}

/// `url.QueryEscape`: space becomes `+`, unreserved `A-Z a-z 0-9 - _ . ~` stay, everything
/// else is percent-encoded in upper case.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `url.PathUnescape` (lenient: a malformed escape is kept as written).
pub fn path_unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `pkg/util/normalize_string.go#NormalizeString`: `/ . : % ( )` become `-`.
pub fn normalize_string(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '/' | '.' | ':' | '%' | '(' | ')' => '-',
            c => c,
        })
        .collect()
}

/// Go's `int64(f)` as compiled for amd64 (KEDA's release images): values outside the i64
/// range and NaN become `math.MinInt64` (the CPU's "integer indefinite"), others truncate.
pub fn f64_to_i64(f: f64) -> i64 {
    // 2^63 is exactly representable; i64 covers [-2^63, 2^63).
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() || !(-TWO_63..TWO_63).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// Go's `time.ParseDuration` extended the way `typed_config.go#setConfigValueHelper` does:
/// a duration string, else a whole number of milliseconds; negative values are refused.
pub fn parse_config_duration(s: &str) -> Result<Dur, String> {
    let negative = s.starts_with('-');
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    if body
        .chars()
        .any(|c| c.is_ascii_alphabetic() || c == 'µ' || c == 'μ')
        || body == "0"
    {
        if let Ok(d) = parse_go_duration(body) {
            if negative && d != Dur::ZERO {
                return Err(format!("duration cannot be negative: {}", quote(s)));
            }
            return Ok(d);
        }
    }
    let bad = || {
        format!(
            "unable to parse duration value {}: must be either a duration string (e.g. '30s', '5m') or a number of milliseconds",
            quote(s)
        )
    };
    let digits_ok = !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit());
    if !digits_ok {
        return Err(bad());
    }
    let ms: i64 = s.parse().map_err(|_| bad())?;
    if ms < 0 {
        return Err(format!("duration cannot be negative: {ms} milliseconds"));
    }
    Ok(Dur::from_millis(ms as u64))
}

/// A JSON value as `encoding/json` would see it, after Go's syntax check.
#[derive(Clone, Debug, PartialEq)]
pub enum JsonScalar {
    /// A number literal, as written.
    Number(String),
    /// A string literal.
    String,
    /// `true` / `false`.
    Bool,
    /// `null`.
    Null,
    /// `[...]`.
    Array,
    /// `{...}`.
    Object,
}

/// Checks `text` with the rules of Go's JSON scanner (`checkValid`) and classifies the value.
/// Errors carry the scanner's wording (`invalid character 'a' looking for beginning of value`).
pub fn json_value(text: &str) -> Result<JsonScalar, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut p = JsonScan {
        c: &chars,
        i: 0,
        depth: 0,
    };
    p.ws();
    let kind = p.value()?;
    p.ws();
    if let Some(&c) = chars.get(p.i) {
        return Err(format!(
            "invalid character {} after top-level value",
            quote_char(c)
        ));
    }
    Ok(match kind {
        JsonScalar::Number(_) => {
            let t = text.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r'));
            JsonScalar::Number(t.to_string())
        }
        k => k,
    })
}

struct JsonScan<'a> {
    c: &'a [char],
    i: usize,
    depth: usize,
}

/// Nesting limit for arrays and objects (Go's scanner allows 10000; values here are metadata
/// strings, and a lower limit keeps the recursion shallow).
const JSON_MAX_DEPTH: usize = 1000;

const EOF: &str = "unexpected end of JSON input";

impl JsonScan<'_> {
    fn peek(&self) -> Option<char> {
        self.c.get(self.i).copied()
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.i += 1;
        }
    }
    fn value(&mut self) -> Result<JsonScalar, String> {
        let c = self.peek().ok_or(EOF)?;
        match c {
            '{' | '[' => {
                self.depth += 1;
                if self.depth > JSON_MAX_DEPTH {
                    return Err("exceeded max depth".into());
                }
                self.i += 1;
                let r = if c == '{' {
                    self.object().map(|_| JsonScalar::Object)
                } else {
                    self.array().map(|_| JsonScalar::Array)
                };
                self.depth -= 1;
                r
            }
            '"' => {
                self.i += 1;
                self.string()?;
                Ok(JsonScalar::String)
            }
            't' => self.literal("true").map(|_| JsonScalar::Bool),
            'f' => self.literal("false").map(|_| JsonScalar::Bool),
            'n' => self.literal("null").map(|_| JsonScalar::Null),
            '-' | '0'..='9' => self.number().map(|_| JsonScalar::Number(String::new())),
            c => Err(format!(
                "invalid character {} looking for beginning of value",
                quote_char(c)
            )),
        }
    }
    fn literal(&mut self, word: &str) -> Result<(), String> {
        for want in word.chars() {
            match self.peek() {
                None => return Err(EOF.into()),
                Some(c) if c == want => self.i += 1,
                Some(c) => {
                    return Err(format!(
                        "invalid character {} in literal {word} (expecting {})",
                        quote_char(c),
                        quote_char(want)
                    ))
                }
            }
        }
        Ok(())
    }
    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some('0'..='9')) {
            self.i += 1;
        }
        self.i - start
    }
    fn number(&mut self) -> Result<(), String> {
        if self.peek() == Some('-') {
            self.i += 1;
            match self.peek() {
                None => return Err(EOF.into()),
                Some('0'..='9') => {}
                Some(c) => {
                    return Err(format!(
                        "invalid character {} in numeric literal",
                        quote_char(c)
                    ))
                }
            }
        }
        if self.peek() == Some('0') {
            self.i += 1;
        } else {
            self.digits();
        }
        if self.peek() == Some('.') {
            self.i += 1;
            match self.peek() {
                None => return Err(EOF.into()),
                Some('0'..='9') => {
                    self.digits();
                }
                Some(c) => {
                    return Err(format!(
                        "invalid character {} after decimal point in numeric literal",
                        quote_char(c)
                    ))
                }
            }
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.i += 1;
            if matches!(self.peek(), Some('+' | '-')) {
                self.i += 1;
            }
            match self.peek() {
                None => return Err(EOF.into()),
                Some('0'..='9') => {
                    self.digits();
                }
                Some(c) => {
                    return Err(format!(
                        "invalid character {} in exponent of numeric literal",
                        quote_char(c)
                    ))
                }
            }
        }
        Ok(())
    }
    fn string(&mut self) -> Result<(), String> {
        loop {
            let c = self.peek().ok_or(EOF)?;
            self.i += 1;
            match c {
                '"' => return Ok(()),
                '\\' => {
                    let e = self.peek().ok_or(EOF)?;
                    self.i += 1;
                    match e {
                        '"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't' => {}
                        'u' => {
                            for _ in 0..4 {
                                let h = self.peek().ok_or(EOF)?;
                                if !h.is_ascii_hexdigit() {
                                    return Err(format!(
                                        "invalid character {} in \\u hexadecimal character escape",
                                        quote_char(h)
                                    ));
                                }
                                self.i += 1;
                            }
                        }
                        e => {
                            return Err(format!(
                                "invalid character {} in string escape code",
                                quote_char(e)
                            ))
                        }
                    }
                }
                c if (c as u32) < 0x20 => {
                    return Err(format!(
                        "invalid character {} in string literal",
                        quote_char(c)
                    ))
                }
                _ => {}
            }
        }
    }
    fn array(&mut self) -> Result<(), String> {
        self.ws();
        if self.peek() == Some(']') {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.ws();
            self.value()?;
            self.ws();
            match self.peek() {
                None => return Err(EOF.into()),
                Some(',') => self.i += 1,
                Some(']') => {
                    self.i += 1;
                    return Ok(());
                }
                Some(c) => {
                    return Err(format!(
                        "invalid character {} after array element",
                        quote_char(c)
                    ))
                }
            }
        }
    }
    fn object(&mut self) -> Result<(), String> {
        self.ws();
        if self.peek() == Some('}') {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.ws();
            match self.peek() {
                None => return Err(EOF.into()),
                Some('"') => {
                    self.i += 1;
                    self.string()?;
                }
                Some(c) => {
                    return Err(format!(
                        "invalid character {} looking for beginning of object key string",
                        quote_char(c)
                    ))
                }
            }
            self.ws();
            match self.peek() {
                None => return Err(EOF.into()),
                Some(':') => self.i += 1,
                Some(c) => {
                    return Err(format!(
                        "invalid character {} after object key",
                        quote_char(c)
                    ))
                }
            }
            self.ws();
            self.value()?;
            self.ws();
            match self.peek() {
                None => return Err(EOF.into()),
                Some(',') => self.i += 1,
                Some('}') => {
                    self.i += 1;
                    return Ok(());
                }
                Some(c) => {
                    return Err(format!(
                        "invalid character {} after object key:value pair",
                        quote_char(c)
                    ))
                }
            }
        }
    }
}

/// What `json.Unmarshal` into a Go scalar produced.
#[derive(Clone, Debug, PartialEq)]
pub enum JsonDecode<T> {
    /// The value.
    Value(T),
    /// `null`: Go leaves the interface nil and KEDA's reflection then panics.
    Null,
}

fn type_error(kind: &JsonScalar, go_type: &str) -> String {
    let what = match kind {
        JsonScalar::Number(n) => format!("number {n}"),
        JsonScalar::String => "string".into(),
        JsonScalar::Bool => "bool".into(),
        JsonScalar::Null => "null".into(),
        JsonScalar::Array => "array".into(),
        JsonScalar::Object => "object".into(),
    };
    format!("json: cannot unmarshal {what} into Go value of type {go_type}")
}

/// `json.Unmarshal(text, &int64)` (or `int` on a 64-bit platform: pass `go_type`).
pub fn json_int(text: &str, go_type: &str) -> Result<JsonDecode<i64>, String> {
    let kind = json_value(text)?;
    match &kind {
        JsonScalar::Null => Ok(JsonDecode::Null),
        JsonScalar::Number(n) => n
            .parse::<i64>()
            .map(JsonDecode::Value)
            .map_err(|_| type_error(&kind, go_type)),
        _ => Err(type_error(&kind, go_type)),
    }
}

/// `json.Unmarshal(text, &float64)`.
pub fn json_float(text: &str) -> Result<JsonDecode<f64>, String> {
    let kind = json_value(text)?;
    match &kind {
        JsonScalar::Null => Ok(JsonDecode::Null),
        JsonScalar::Number(n) => match n.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(JsonDecode::Value(v)),
            _ => Err(type_error(&kind, "float64")),
        },
        _ => Err(type_error(&kind, "float64")),
    }
}

/// `net.JoinHostPort`: brackets a host that contains a colon.
pub fn join_host_port(host: &str, port: &str) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// The scheme `url.Parse` would find (`getScheme`); `Err` for a leading colon.
pub fn url_scheme(raw: &str) -> Result<String, String> {
    for (i, c) in raw.char_indices() {
        if c.is_ascii_alphabetic() {
            continue;
        }
        if c.is_ascii_digit() || matches!(c, '+' | '-' | '.') {
            if i == 0 {
                return Ok(String::new());
            }
            continue;
        }
        if c == ':' {
            if i == 0 {
                return Err(format!("parse {}: missing protocol scheme", quote(raw)));
            }
            return Ok(raw[..i].to_ascii_lowercase());
        }
        return Ok(String::new());
    }
    Ok(String::new())
}

/// The path component `url.Parse` would find (`RawPath` if set, else `Path`), escapes kept.
pub fn url_raw_path(raw: &str) -> String {
    let rest = match url_scheme(raw) {
        Ok(s) if !s.is_empty() => &raw[s.len() + 1..],
        _ => raw,
    };
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    if let Some(after) = rest.strip_prefix("//") {
        match after.find('/') {
            Some(i) => after[i..].to_string(),
            None => String::new(),
        }
    } else {
        rest.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_bool_matches_strconv() {
        assert_eq!(parse_bool("T"), Ok(true));
        assert_eq!(parse_bool("0"), Ok(false));
        assert_eq!(
            parse_bool("yes").unwrap_err(),
            "strconv.ParseBool: parsing \"yes\": invalid syntax"
        );
    }

    #[test]
    fn json_errors_match_encoding_json() {
        assert_eq!(
            json_int("AA", "int64").unwrap_err(),
            "invalid character 'A' looking for beginning of value"
        );
        assert_eq!(
            json_int("1.5", "int64").unwrap_err(),
            "json: cannot unmarshal number 1.5 into Go value of type int64"
        );
        assert_eq!(
            json_int("5x", "int64").unwrap_err(),
            "invalid character 'x' after top-level value"
        );
        assert_eq!(json_int("-", "int64").unwrap_err(), EOF);
        assert_eq!(
            json_int("tru", "int64").unwrap_err(),
            "unexpected end of JSON input"
        );
        assert_eq!(
            json_int("\"5\"", "int").unwrap_err(),
            "json: cannot unmarshal string into Go value of type int"
        );
        assert_eq!(json_int("null", "int64"), Ok(JsonDecode::Null));
        assert_eq!(json_float("7.5"), Ok(JsonDecode::Value(7.5)));
        assert_eq!(
            json_float(".5").unwrap_err(),
            "invalid character '.' looking for beginning of value"
        );
        assert_eq!(
            json_float("05").unwrap_err(),
            "invalid character '5' after top-level value"
        );
        assert_eq!(
            json_float("1e400").unwrap_err(),
            "json: cannot unmarshal number 1e400 into Go value of type float64"
        );
        assert_eq!(
            json_int(&"[".repeat(100_000), "int").unwrap_err(),
            "exceeded max depth"
        );
        assert_eq!(
            json_float("[1,]").unwrap_err(),
            "invalid character ']' looking for beginning of value"
        );
    }

    #[test]
    fn durations_follow_typed_config() {
        assert_eq!(parse_config_duration("1000"), Ok(Dur::from_secs(1)));
        assert_eq!(parse_config_duration("30s"), Ok(Dur::from_secs(30)));
        assert_eq!(
            parse_config_duration("-10").unwrap_err(),
            "duration cannot be negative: -10 milliseconds"
        );
        assert!(parse_config_duration("-1s")
            .unwrap_err()
            .contains("negative"));
        assert!(parse_config_duration("error")
            .unwrap_err()
            .starts_with("unable to parse duration value \"error\""));
    }

    #[test]
    fn escapes_and_names() {
        assert_eq!(query_escape("namespace/name"), "namespace%2Fname");
        assert_eq!(
            normalize_string(&query_escape("namespace/name")),
            "namespace-2Fname"
        );
        assert_eq!(path_unescape("%2F"), "/");
        assert_eq!(join_host_port("::1", "6379"), "[::1]:6379");
        assert_eq!(f64_to_i64(f64::INFINITY), i64::MIN);
        assert_eq!(f64_to_i64(-2.9), -2);
        assert_eq!(url_scheme("amqp://x"), Ok("amqp".into()));
        assert_eq!(url_scheme("myHostSecret"), Ok(String::new()));
        assert!(url_scheme("://x").is_err());
        assert_eq!(url_raw_path("http://h:1/sub1/%2F"), "/sub1/%2F");
        assert_eq!(url_raw_path("http://h"), "");
        assert_eq!(
            parse_int32("2147483648").unwrap_err(),
            "strconv.ParseInt: parsing \"2147483648\": value out of range"
        );
        assert_eq!(parse_float("+Inf"), Ok(f64::INFINITY));
        assert!(parse_float("abc").is_err());
    }
}
