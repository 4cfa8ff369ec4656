//! Tokens of PromQL, after `promql/parser/lex.go`: numbers, durations, strings, identifiers
//! (keywords are told apart by the parser, case-insensitively, as the upstream `key` map
//! does), operators and brackets. A lexing error becomes an [`Tok::Error`] token at its
//! position, so the parser reports whichever problem comes first in the text.

/// One token kind.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    /// Identifier or keyword: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    Ident(String),
    /// Number literal text (`1`, `.5`, `1e3`, `0x1f`, `1_000`; `Inf`/`NaN` come as idents).
    Number(String),
    /// Duration literal text (`5m`, `1h30m`, `250ms`).
    Duration(String),
    /// String literal, unquoted.
    Str(String),
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Comma,
    Colon,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    /// `=`
    Eql,
    /// `==`
    Eqlc,
    /// `!=`
    Neq,
    /// `=~`
    EqlRegex,
    /// `!~`
    NeqRegex,
    Lss,
    Lte,
    Gtr,
    Gte,
    At,
    /// A lexing error with its message.
    Error(String),
    Eof,
}

impl Tok {
    /// How the upstream parser names a token in "unexpected ..." messages (`Item.desc`).
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("identifier {s:?}"),
            Tok::Number(s) => format!("number {s:?}"),
            Tok::Duration(s) => format!("duration {s:?}"),
            Tok::Str(s) => format!("string {s:?}"),
            Tok::LParen => "\"(\"".into(),
            Tok::RParen => "\")\"".into(),
            Tok::LBrace => "\"{\"".into(),
            Tok::RBrace => "\"}\"".into(),
            Tok::LBracket => "\"[\"".into(),
            Tok::RBracket => "\"]\"".into(),
            Tok::Comma => "\",\"".into(),
            Tok::Colon => "\":\"".into(),
            Tok::Eql => "\"=\"".into(),
            Tok::Eof => "end of input".into(),
            Tok::Error(msg) => msg.clone(),
            op => format!("<op:{}>", op.op_text()),
        }
    }

    fn op_text(&self) -> &'static str {
        match self {
            Tok::Add => "+",
            Tok::Sub => "-",
            Tok::Mul => "*",
            Tok::Div => "/",
            Tok::Mod => "%",
            Tok::Pow => "^",
            Tok::Eqlc => "==",
            Tok::Neq => "!=",
            Tok::EqlRegex => "=~",
            Tok::NeqRegex => "!~",
            Tok::Lss => "<",
            Tok::Lte => "<=",
            Tok::Gtr => ">",
            Tok::Gte => ">=",
            Tok::At => "@",
            _ => "?",
        }
    }
}

/// A token and the byte offset where it starts.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub pos: usize,
}

/// Splits `input` into tokens, ending with [`Tok::Eof`] or at the first [`Tok::Error`].
pub(crate) fn lex(input: &str) -> Vec<Token> {
    let mut lx = Lexer {
        src: input,
        pos: 0,
        out: Vec::new(),
    };
    lx.run();
    lx.out
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    out: Vec<Token>,
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

fn is_alnum(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn peek2(&self) -> Option<char> {
        let mut it = self.src[self.pos..].chars();
        it.next();
        it.next()
    }

    fn push(&mut self, tok: Tok, pos: usize) {
        self.out.push(Token { tok, pos });
    }

    fn run(&mut self) {
        loop {
            let Some(c) = self.peek() else {
                self.push(Tok::Eof, self.pos);
                return;
            };
            let start = self.pos;
            if c.is_whitespace() {
                self.pos += c.len_utf8();
                continue;
            }
            if c == '#' {
                while let Some(c) = self.peek() {
                    if c == '\n' {
                        break;
                    }
                    self.pos += c.len_utf8();
                }
                continue;
            }
            let single = match c {
                '(' => Some(Tok::LParen),
                ')' => Some(Tok::RParen),
                '{' => Some(Tok::LBrace),
                '}' => Some(Tok::RBrace),
                '[' => Some(Tok::LBracket),
                ']' => Some(Tok::RBracket),
                ',' => Some(Tok::Comma),
                '+' => Some(Tok::Add),
                '-' => Some(Tok::Sub),
                '*' => Some(Tok::Mul),
                '/' => Some(Tok::Div),
                '%' => Some(Tok::Mod),
                '^' => Some(Tok::Pow),
                '@' => Some(Tok::At),
                _ => None,
            };
            if let Some(tok) = single {
                self.pos += 1;
                self.push(tok, start);
                continue;
            }
            let tok = match c {
                '=' => {
                    self.pos += 1;
                    match self.peek() {
                        Some('=') => {
                            self.pos += 1;
                            Tok::Eqlc
                        }
                        Some('~') => {
                            self.pos += 1;
                            Tok::EqlRegex
                        }
                        _ => Tok::Eql,
                    }
                }
                '!' => {
                    self.pos += 1;
                    match self.peek() {
                        Some('=') => {
                            self.pos += 1;
                            Tok::Neq
                        }
                        Some('~') => {
                            self.pos += 1;
                            Tok::NeqRegex
                        }
                        Some(o) => Tok::Error(format!("unexpected character after '!': {o:?}")),
                        None => Tok::Error("unexpected end of input after '!'".into()),
                    }
                }
                '<' | '>' => {
                    self.pos += 1;
                    let eq = self.peek() == Some('=');
                    if eq {
                        self.pos += 1;
                    }
                    match (c, eq) {
                        ('<', false) => Tok::Lss,
                        ('<', true) => Tok::Lte,
                        ('>', false) => Tok::Gtr,
                        _ => Tok::Gte,
                    }
                }
                ':' if !self.peek2().is_some_and(is_ident_char) => {
                    self.pos += 1;
                    Tok::Colon
                }
                '"' | '\'' => self.string(c),
                '`' => self.raw_string(),
                c if c.is_ascii_digit()
                    || (c == '.' && self.peek2().is_some_and(|d| d.is_ascii_digit())) =>
                {
                    self.number_or_duration()
                }
                c if is_ident_start(c) => {
                    while self.peek().is_some_and(is_ident_char) {
                        self.pos += 1;
                    }
                    Tok::Ident(self.src[start..self.pos].to_string())
                }
                c => Tok::Error(format!("unexpected character: {c:?}")),
            };
            let is_err = matches!(tok, Tok::Error(_));
            self.push(tok, start);
            if is_err {
                return;
            }
        }
    }

    /// A number, or a duration when unit letters follow the digits (`lexNumberOrDuration`).
    fn number_or_duration(&mut self) -> Tok {
        let start = self.pos;
        let bytes = self.src.as_bytes();
        let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
        let mut i = self.pos;
        if at(i) == b'0' && (at(i + 1) == b'x' || at(i + 1) == b'X') {
            i += 2;
            while at(i).is_ascii_hexdigit() || at(i) == b'_' {
                i += 1;
            }
        } else {
            while at(i).is_ascii_digit() || at(i) == b'_' {
                i += 1;
            }
            if at(i) == b'.' {
                i += 1;
                if at(i) == b'.' {
                    self.pos = i + 1;
                    return Tok::Error(format!(
                        "bad number or duration syntax: {:?}",
                        &self.src[start..self.pos]
                    ));
                }
                while at(i).is_ascii_digit() || at(i) == b'_' {
                    i += 1;
                }
            }
            if (at(i) == b'e' || at(i) == b'E')
                && (at(i + 1).is_ascii_digit()
                    || ((at(i + 1) == b'+' || at(i + 1) == b'-') && at(i + 2).is_ascii_digit()))
            {
                i += 2;
                while at(i).is_ascii_digit() {
                    i += 1;
                }
            }
        }
        let next = self.src[i..].chars().next();
        if !next.is_some_and(is_alnum) && next != Some('.') {
            self.pos = i;
            return Tok::Number(self.src[start..i].to_string());
        }
        // Not a plain number: try a duration such as `5m`, `1h30m`, `1.5h` (the latter is
        // rejected later by the duration parser, as upstream does).
        let mut j = i;
        let ok = loop {
            let unit = if at(j) == b'm' && at(j + 1) == b's' {
                2
            } else if b"smhdwy".contains(&at(j)) {
                1
            } else {
                0
            };
            if unit == 0 {
                break false;
            }
            j += unit;
            let d = j;
            while at(j).is_ascii_digit() {
                j += 1;
            }
            if j == d {
                break true;
            }
        };
        let next = self.src[j..].chars().next();
        if ok && !next.is_some_and(is_alnum) && next != Some('.') {
            self.pos = j;
            return Tok::Duration(self.src[start..j].to_string());
        }
        // Swallow the rest of the alphanumeric run for the message.
        let mut k = j.max(i + 1).min(self.src.len());
        while !self.src.is_char_boundary(k) {
            k += 1;
        }
        while self.src[k..]
            .chars()
            .next()
            .is_some_and(|c| is_alnum(c) || c == '.')
        {
            k += self.src[k..].chars().next().map_or(1, char::len_utf8);
        }
        self.pos = k;
        Tok::Error(format!(
            "bad number or duration syntax: {:?}",
            &self.src[start..k]
        ))
    }

    /// A `"..."` or `'...'` string with Go escapes (`lexString`, `strutil.Unquote`).
    fn string(&mut self, quote: char) -> Tok {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Tok::Error("unterminated quoted string".into());
            };
            self.pos += c.len_utf8();
            match c {
                '\n' => return Tok::Error("unterminated quoted string".into()),
                c if c == quote => return Tok::Str(out),
                '\\' => match self.escape(quote) {
                    Ok(ch) => out.push(ch),
                    Err(msg) => return Tok::Error(msg),
                },
                c => out.push(c),
            }
        }
    }

    fn escape(&mut self, quote: char) -> Result<char, String> {
        let Some(c) = self.peek() else {
            return Err("escape sequence not terminated".into());
        };
        self.pos += c.len_utf8();
        let (n, base) = match c {
            'a' => return Ok('\x07'),
            'b' => return Ok('\x08'),
            'f' => return Ok('\x0c'),
            'n' => return Ok('\n'),
            'r' => return Ok('\r'),
            't' => return Ok('\t'),
            'v' => return Ok('\x0b'),
            '\\' => return Ok('\\'),
            c if c == quote => return Ok(c),
            '0'..='7' => {
                self.pos -= 1;
                (3, 8)
            }
            'x' => (2, 16),
            'u' => (4, 16),
            'U' => (8, 16),
            c => return Err(format!("unknown escape sequence U+{:04X} '{c}'", c as u32)),
        };
        let mut v: u32 = 0;
        for _ in 0..n {
            let Some(d) = self.peek() else {
                return Err("escape sequence not terminated".into());
            };
            let Some(dv) = d.to_digit(base) else {
                return Err(format!(
                    "illegal character U+{:04X} '{d}' in escape sequence",
                    d as u32
                ));
            };
            self.pos += d.len_utf8();
            v = v * base + dv;
        }
        char::from_u32(v).ok_or_else(|| "escape sequence is an invalid Unicode code point".into())
    }

    fn raw_string(&mut self) -> Tok {
        self.pos += 1;
        let start = self.pos;
        match self.src[start..].find('`') {
            Some(end) => {
                self.pos = start + end + 1;
                Tok::Str(self.src[start..start + end].to_string())
            }
            None => {
                self.pos = self.src.len();
                Tok::Error("unterminated raw string".into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        lex(s).into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn numbers_and_durations() {
        assert_eq!(
            toks("1 .5 1e3 0x1f 5m 1h30m 250ms"),
            vec![
                Tok::Number("1".into()),
                Tok::Number(".5".into()),
                Tok::Number("1e3".into()),
                Tok::Number("0x1f".into()),
                Tok::Duration("5m".into()),
                Tok::Duration("1h30m".into()),
                Tok::Duration("250ms".into()),
                Tok::Eof
            ]
        );
        assert!(matches!(&toks("5mm")[0], Tok::Error(m) if m.contains("bad number")));
        assert!(
            matches!(toks("1.5h")[0], Tok::Duration(_)),
            "rejected by the duration parser"
        );
        assert!(matches!(&toks("2.5.")[0], Tok::Error(m) if m.contains("bad number")));
        assert!(matches!(&toks("0deadbeef")[0], Tok::Error(m) if m.contains("bad number")));
    }

    #[test]
    fn strings_and_operators() {
        assert_eq!(
            toks(r#"a{b=~"x\"y", c!='z'} `r\n`"#),
            vec![
                Tok::Ident("a".into()),
                Tok::LBrace,
                Tok::Ident("b".into()),
                Tok::EqlRegex,
                Tok::Str("x\"y".into()),
                Tok::Comma,
                Tok::Ident("c".into()),
                Tok::Neq,
                Tok::Str("z".into()),
                Tok::RBrace,
                Tok::Str("r\\n".into()),
                Tok::Eof
            ]
        );
        assert!(matches!(&toks("\"abc")[0], Tok::Error(m) if m == "unterminated quoted string"));
        assert!(matches!(&toks("1 !x")[1], Tok::Error(_)));
        assert_eq!(
            toks("# just a comment\n1"),
            vec![Tok::Number("1".into()), Tok::Eof]
        );
    }
}
