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
        paren_depth: 0,
        brace_open: false,
        bracket_open: false,
    };
    lx.run();
    lx.out
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    out: Vec<Token>,
    paren_depth: usize,
    brace_open: bool,
    bracket_open: bool,
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// `isAlphaNumeric` of the upstream lexer.
fn is_alnum(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic() || c.is_numeric()
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn push(&mut self, tok: Tok, pos: usize) {
        self.out.push(Token { tok, pos });
    }

    /// Consumes the next character if it is in `set`.
    fn accept(&mut self, set: &str) -> bool {
        match self.peek() {
            Some(c) if set.contains(c) => {
                self.pos += c.len_utf8();
                true
            }
            _ => false,
        }
    }

    fn is(&self, set: &str) -> bool {
        self.peek().is_some_and(|c| set.contains(c))
    }

    fn run(&mut self) {
        loop {
            let start = self.pos;
            let Some(c) = self.peek() else {
                let tok = if self.brace_open {
                    Tok::Error("unexpected end of input inside braces".into())
                } else if self.bracket_open {
                    Tok::Error("unexpected end of input in duration expression".into())
                } else if self.paren_depth > 0 {
                    Tok::Error("unclosed left parenthesis".into())
                } else {
                    Tok::Eof
                };
                self.push(tok, self.pos);
                return;
            };
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
            let tok = if self.brace_open {
                self.inside_braces(c)
            } else {
                self.statement(c)
            };
            let is_err = matches!(tok, Tok::Error(_));
            // An error is reported where the upstream lexer's item starts: after a `)`
            // that closes nothing, before the offending character otherwise.
            let at = if tok == Tok::Error("unexpected right parenthesis ')'".into()) {
                self.pos
            } else {
                start
            };
            self.push(tok, at);
            if is_err {
                return;
            }
        }
    }

    /// A token outside braces (`lexStatements`, and `lexDurationExpr` inside brackets).
    fn statement(&mut self, c: char) -> Tok {
        let single = match c {
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
            return tok;
        }
        self.pos += c.len_utf8();
        match c {
            '(' => {
                self.paren_depth += 1;
                Tok::LParen
            }
            ')' => {
                if self.paren_depth == 0 {
                    return Tok::Error("unexpected right parenthesis ')'".into());
                }
                self.paren_depth -= 1;
                Tok::RParen
            }
            '{' => {
                self.brace_open = true;
                Tok::LBrace
            }
            '}' => Tok::Error("unexpected character: '}'".into()),
            '[' => {
                if self.bracket_open {
                    return Tok::Error("unexpected left bracket '['".into());
                }
                self.bracket_open = true;
                Tok::LBracket
            }
            ']' => {
                if !self.bracket_open {
                    return Tok::Error("unexpected right bracket ']'".into());
                }
                self.bracket_open = false;
                Tok::RBracket
            }
            ':' if self.bracket_open => Tok::Colon,
            '=' => match self.peek() {
                Some('=') => {
                    self.pos += 1;
                    Tok::Eqlc
                }
                Some('~') => Tok::Error("unexpected character after '=': '~'".into()),
                _ => Tok::Eql,
            },
            '!' => match self.peek() {
                Some('=') => {
                    self.pos += 1;
                    Tok::Neq
                }
                Some(o) => Tok::Error(format!("unexpected character after '!': {o:?}")),
                None => Tok::Error("unexpected end of input after '!'".into()),
            },
            '<' | '>' => {
                let eq = self.accept("=");
                match (c, eq) {
                    ('<', false) => Tok::Lss,
                    ('<', true) => Tok::Lte,
                    ('>', false) => Tok::Gtr,
                    _ => Tok::Gte,
                }
            }
            '"' | '\'' => self.string(c),
            '`' => self.raw_string(),
            c if c.is_ascii_digit()
                || (c == '.' && self.peek().is_some_and(|d| d.is_ascii_digit())) =>
            {
                self.pos -= 1;
                self.number_or_duration()
            }
            c if self.bracket_open && c.is_ascii_alphabetic() => {
                // Only the duration keywords are words inside brackets.
                let s = self.pos - 1;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                {
                    self.pos += 1;
                }
                let word = self.src[s..self.pos].to_ascii_lowercase();
                if matches!(word.as_str(), "step" | "range" | "max_of" | "min_of") {
                    Tok::Ident(word)
                } else {
                    Tok::Error(format!("unexpected character: {c:?}, expected ':'"))
                }
            }
            c if self.bracket_open => Tok::Error(format!(
                "unexpected character in duration expression: {c:?}"
            )),
            c if is_ident_start(c) => {
                let s = self.pos - 1;
                while self.peek().is_some_and(is_ident_char) {
                    self.pos += 1;
                }
                Tok::Ident(self.src[s..self.pos].to_string())
            }
            c => Tok::Error(format!("unexpected character: {c:?}")),
        }
    }

    /// A token between `{` and `}` (`lexInsideBraces`).
    fn inside_braces(&mut self, c: char) -> Tok {
        self.pos += c.len_utf8();
        match c {
            c if c.is_ascii_alphabetic() || c == '_' => {
                let s = self.pos - 1;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    self.pos += 1;
                }
                Tok::Ident(self.src[s..self.pos].to_string())
            }
            ',' => Tok::Comma,
            '"' | '\'' => self.string(c),
            '`' => self.raw_string(),
            '=' => {
                if self.accept("~") {
                    Tok::EqlRegex
                } else {
                    Tok::Eql
                }
            }
            '!' => match self.peek() {
                Some('~') => {
                    self.pos += 1;
                    Tok::NeqRegex
                }
                Some('=') => {
                    self.pos += 1;
                    Tok::Neq
                }
                Some(o) => Tok::Error(format!(
                    "unexpected character after '!' inside braces: {o:?}"
                )),
                None => Tok::Error("unexpected end of input inside braces".into()),
            },
            '{' => Tok::Error("unexpected left brace '{'".into()),
            '}' => {
                self.brace_open = false;
                Tok::RBrace
            }
            c => Tok::Error(format!("unexpected character inside braces: {c:?}")),
        }
    }

    /// A number, or a duration when unit letters follow (`lexNumberOrDuration`: `scanNumber`
    /// then `acceptRemainingDuration`, consuming exactly what upstream consumes, so error
    /// messages quote the same text).
    fn number_or_duration(&mut self) -> Tok {
        let start = self.pos;
        if self.scan_number() {
            return Tok::Number(self.src[start..self.pos].to_string());
        }
        if self.accept_remaining_duration() {
            return Tok::Duration(self.src[start..self.pos].to_string());
        }
        Tok::Error(format!(
            "bad number or duration syntax: {:?}",
            &self.src[start..self.pos]
        ))
    }

    /// `scanNumber`: `[.][d][d._eE]*` with the upstream rules for dots, exponents and
    /// underscores; false when the number is malformed or runs into a letter.
    fn scan_number(&mut self) -> bool {
        let initial = self.pos;
        let mut digits = "0123456789";
        if self.accept("0") && self.accept("xX") {
            self.accept("_");
            digits = "0123456789abcdefABCDEF";
        }
        self.accept(".");
        self.accept(digits);
        let (mut dot, mut exp) = (false, false);
        let lead = format!("{digits}._eE");
        while self.is(&lead) {
            if self.is(".") && dot {
                self.accept(".");
                return false;
            }
            if self.is("eE") && exp {
                self.accept("eE");
                return false;
            }
            if self.accept(".") {
                dot = true;
                if self.accept("_.") || digits.len() > 10 {
                    return false;
                }
                continue;
            }
            if self.accept("eE") {
                exp = true;
                self.accept("+-");
                if self.accept("._eE") || self.peek().is_none() {
                    return false;
                }
                continue;
            }
            if self.accept("_") {
                if self.accept("._eE") || self.peek().is_none() {
                    return false;
                }
                continue;
            }
            while self.accept(digits) {}
        }
        if self.pos == initial {
            return false;
        }
        !self.peek().is_some_and(is_alnum)
    }

    /// `acceptRemainingDuration`: a unit, then any `digits unit` groups; the character after
    /// must not be alphanumeric (it is consumed when it is, for the error message).
    fn accept_remaining_duration(&mut self) -> bool {
        if !self.accept("smhdwy") {
            return false;
        }
        self.accept("s");
        while self.accept("0123456789") {
            while self.accept("0123456789") {}
            if !self.accept("smhdw") {
                return false;
            }
            self.accept("s");
        }
        match self.peek() {
            Some(c) if is_alnum(c) => {
                self.pos += c.len_utf8();
                false
            }
            _ => true,
        }
    }

    /// A `"..."` or `'...'` string with Go escapes (`lexString`, `strutil.Unquote`).
    /// The opening quote is already consumed.
    fn string(&mut self, quote: char) -> Tok {
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

    /// A `` `...` `` string, the opening backquote already consumed.
    fn raw_string(&mut self) -> Tok {
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
        assert!(
            matches!(&toks("5mm")[0], Tok::Error(m) if m == "bad number or duration syntax: \"5mm\"")
        );
        assert!(
            matches!(&toks("5y1hs")[0], Tok::Duration(d) if d == "5y1hs"),
            "rejected by the duration parser"
        );
        assert!(
            matches!(toks("1.5h")[0], Tok::Duration(_)),
            "rejected by the duration parser"
        );
        assert!(matches!(&toks("2.5.")[0], Tok::Error(m) if m.contains("bad number")));
        assert!(
            matches!(&toks("0deadbeef")[0], Tok::Error(m) if m == "bad number or duration syntax: \"0de\"")
        );
        for ok in [
            "0x123",
            "00_1_23_4.56_7_8",
            "0x1_2_34",
            "1.e2",
            "1e1_2_34",
            "0xdeadbeef",
        ] {
            assert_eq!(toks(ok)[0], Tok::Number(ok.into()), "{ok}");
        }
        for bad in [
            "1..2",
            "1.2.",
            "00_1_23__4.56_7_8",
            "00_1_23_4._56_7_8",
            "00_1_23_4_.56_7_8",
            "0x1_2__34",
            "0x1_2__34.5_6p1",
            "0x1_2__34.5_6",
            "0x1_2__34.56",
            "1_e2",
            "1e.2",
            "1e+.2",
            "1ee2",
            "1e+e2",
            "1e",
            "1e+",
            "1e_1_2_34",
            "1e1_2__34",
            "1e+_1_2_34",
            "1e-_1_2_34",
            "12_",
        ] {
            assert!(
                matches!(toks(bad)[0], Tok::Error(_)),
                "{bad} must not lex as a number"
            );
        }
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
        assert!(
            matches!(&toks("(1))")[3], Tok::Error(m) if m == "unexpected right parenthesis ')'")
        );
        assert!(matches!(&toks("sum(")[2], Tok::Error(m) if m == "unclosed left parenthesis"));
        assert_eq!(
            toks("# just a comment\n1"),
            vec![Tok::Number("1".into()), Tok::Eof]
        );
    }
}
