//! A checker for label-selector strings (`k8s.io/apimachinery/pkg/labels.Parse`), used on the
//! scale subresource's `status.selector`.
//!
//! The controller only needs to know whether the string parses (and the error text if not):
//! the pods handed to [`reconcile`](super::reconcile) are already the ones the selector
//! matches. Error texts follow `labels.Parse` closely but are not guaranteed byte-identical.

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Comma,
    Eq,
    DoubleEq,
    NotEq,
    Bang,
    Open,
    Close,
    Gt,
    Lt,
}

/// `labels.Lexer`: identifiers and the special symbols `= == != ! ( ) , < >`.
fn lex(s: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    let special = |c: char| matches!(c, '=' | '!' | '(' | ')' | ',' | '>' | '<');
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if special(c) {
            let next = chars.get(i + 1).copied();
            let (tok, n) = match (c, next) {
                ('=', Some('=')) => (Tok::DoubleEq, 2),
                ('=', _) => (Tok::Eq, 1),
                ('!', Some('=')) => (Tok::NotEq, 2),
                ('!', _) => (Tok::Bang, 1),
                ('(', _) => (Tok::Open, 1),
                (')', _) => (Tok::Close, 1),
                (',', _) => (Tok::Comma, 1),
                ('>', _) => (Tok::Gt, 1),
                ('<', _) => (Tok::Lt, 1),
                _ => unreachable!("special symbols are listed above"),
            };
            out.push(tok);
            i += n;
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && !special(chars[i]) {
            i += 1;
        }
        out.push(Tok::Ident(chars[start..i].iter().collect()));
    }
    Ok(out)
}

/// The literal of a token, for error messages.
fn describe(t: Option<&Tok>) -> String {
    match t {
        None => String::new(),
        Some(Tok::Ident(s)) => s.clone(),
        Some(Tok::Comma) => ",".into(),
        Some(Tok::Eq) => "=".into(),
        Some(Tok::DoubleEq) => "==".into(),
        Some(Tok::NotEq) => "!=".into(),
        Some(Tok::Bang) => "!".into(),
        Some(Tok::Open) => "(".into(),
        Some(Tok::Close) => ")".into(),
        Some(Tok::Gt) => ">".into(),
        Some(Tok::Lt) => "<".into(),
    }
}

/// `validation.IsQualifiedName` name part / `IsValidLabelValue` characters (63 chars max).
fn is_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// `validateLabelKey` (`labels/selector.go`).
fn check_key(k: &str) -> Result<(), String> {
    let (prefix, name) = match k.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    let prefix_ok = prefix.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 253
            && p.split('.').all(|l| {
                let b = l.as_bytes();
                !b.is_empty()
                    && b[0].is_ascii_alphanumeric()
                    && b[b.len() - 1].is_ascii_alphanumeric()
                    && b.iter()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
            })
    });
    if !prefix_ok || !is_name_part(name) {
        return Err(format!(
            "key: Invalid value: {k:?}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        ));
    }
    Ok(())
}

/// `validateLabelValue` (`labels/selector.go`).
fn check_value(v: &str) -> Result<(), String> {
    if v.is_empty() || is_name_part(v) {
        Ok(())
    } else {
        Err(format!(
            "values[0]: Invalid value: {v:?}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        ))
    }
}

const BINARY_OPERATORS: &str = "in, notin, =, ==, !=, gt, lt";

/// Checks a label-selector string the way `labels.Parse` would; `Ok(())` for the empty
/// string (which selects everything).
pub fn parse_selector(s: &str) -> Result<(), String> {
    let toks = lex(s)?;
    let mut i = 0;
    if toks.is_empty() {
        return Ok(());
    }
    loop {
        // requirement
        let negated = matches!(toks.get(i), Some(Tok::Bang));
        if negated {
            i += 1;
        }
        let key = match toks.get(i) {
            Some(Tok::Ident(k)) => k.clone(),
            other => {
                return Err(format!(
                    "found '{}', expected: !, identifier, or 'end of string'",
                    describe(other)
                ))
            }
        };
        check_key(&key)?;
        i += 1;
        if negated {
            // `!key` takes no operator.
        } else {
            match toks.get(i) {
                None | Some(Tok::Comma) => {}
                Some(Tok::Ident(op)) if op == "in" || op == "notin" => {
                    i += 1;
                    if toks.get(i) != Some(&Tok::Open) {
                        return Err(format!("found '{}', expected: '('", describe(toks.get(i))));
                    }
                    i += 1;
                    // A value set: identifiers separated by commas.
                    loop {
                        if let Some(Tok::Ident(v)) = toks.get(i) {
                            check_value(v)?;
                            i += 1;
                        }
                        match toks.get(i) {
                            Some(Tok::Comma) => i += 1,
                            Some(Tok::Close) => {
                                i += 1;
                                break;
                            }
                            other => {
                                return Err(format!(
                                    "found '{}', expected: ',', ')' or identifier",
                                    describe(other)
                                ))
                            }
                        }
                    }
                }
                Some(Tok::Eq) | Some(Tok::DoubleEq) | Some(Tok::NotEq) | Some(Tok::Gt)
                | Some(Tok::Lt) => {
                    let numeric = matches!(toks.get(i), Some(Tok::Gt) | Some(Tok::Lt));
                    i += 1;
                    match toks.get(i) {
                        Some(Tok::Ident(v)) => {
                            if numeric && v.parse::<i64>().is_err() {
                                return Err(
                                    "for 'Gt', 'Lt' operators, the value must be an integer"
                                        .to_string(),
                                );
                            }
                            check_value(v)?;
                            i += 1;
                        }
                        // `key=` selects an empty value.
                        None | Some(Tok::Comma) if !numeric => {}
                        other => {
                            return Err(format!(
                                "found '{}', expected: identifier",
                                describe(other)
                            ))
                        }
                    }
                }
                other => {
                    return Err(format!(
                        "found '{}', expected: {BINARY_OPERATORS}",
                        describe(other)
                    ))
                }
            }
        }
        match toks.get(i) {
            None => return Ok(()),
            Some(Tok::Comma) => {
                i += 1;
                if i >= toks.len() {
                    return Err("found '', expected: identifier after ','".into());
                }
            }
            other => {
                return Err(format!(
                    "found '{}', expected: ',' or 'end of string'",
                    describe(other)
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_selector;

    #[test]
    fn accepts_what_scale_subresources_produce() {
        for ok in [
            "",
            "name=test-pod",
            "app=worker,tier in (a, b)",
            "app.kubernetes.io/name=worker",
            "!canary",
            "env!=prod,track",
            "x notin (a)",
            "k==v",
            "n>5",
        ] {
            assert_eq!(parse_selector(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn rejects_garbage_like_labels_parse() {
        let e = parse_selector("cheddar cheese").unwrap_err();
        assert_eq!(e, "found 'cheese', expected: in, notin, =, ==, !=, gt, lt");
        assert!(parse_selector("a=b,").is_err());
        assert!(parse_selector("a in b").is_err());
        assert!(parse_selector("=x").is_err());
        assert!(parse_selector("-bad-=x").is_err());
        assert!(parse_selector("n>x").is_err());
    }
}
