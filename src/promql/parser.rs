//! A recursive-descent (precedence-climbing) parser for the PromQL subset, mirroring the
//! grammar of `promql/parser/generated_parser.y` and the checks of `parser.checkAST`
//! (`promql/parser/parse.go`), with upstream's error texts and `line:col` positions.

use std::fmt;

use super::ast::{
    AggOp, BinOp, BinaryExpr, Card, Expr, Function, Grouping, MatchOp, Matcher, ValueType,
    VectorMatching, VectorSelector, UNSUPPORTED_FUNCTIONS,
};
use super::lexer::{lex, Tok, Token};
use super::regex::Regex;
use super::tsdb::{is_label_name, METRIC_NAME};

/// A parse error at a position of the query text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in bytes, as upstream's `PositionRange.StartPosInput` counts.
    pub col: usize,
    pub message: String,
    /// Valid PromQL that scalesim does not implement.
    pub unsupported: bool,
}

impl fmt::Display for ParseError {
    /// `1:5: parse error: ...` like Prometheus, or `1:5: not supported by scalesim: ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.unsupported {
            write!(
                f,
                "{}:{}: not supported by scalesim: {}",
                self.line, self.col, self.message
            )
        } else {
            write!(
                f,
                "{}:{}: parse error: {}",
                self.line, self.col, self.message
            )
        }
    }
}

impl std::error::Error for ParseError {}

/// Parses a PromQL expression of the supported subset.
pub fn parse(input: &str) -> Result<Expr, ParseError> {
    let mut p = Parser {
        src: input,
        toks: lex(input),
        i: 0,
        depth: 0,
    };
    if matches!(p.peek(), Tok::Eof) {
        return Err(p.err_at(0, "no expression found in input"));
    }
    let (expr, _) = p.expr(0)?;
    match p.peek() {
        Tok::Eof => Ok(expr),
        _ => Err(p.unexpected("")),
    }
}

/// Parses a Prometheus duration (`model.ParseDuration`): integer amounts with units `y w d h
/// m s ms`, largest first, each at most once; `0` alone is zero. Returns nanoseconds.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    match s {
        "0" => return Ok(0),
        "" => return Err("empty duration string".into()),
        _ => {}
    }
    const UNITS: [(&str, u64); 7] = [
        ("y", 365 * 24 * 3600 * 1_000_000_000),
        ("w", 7 * 24 * 3600 * 1_000_000_000),
        ("d", 24 * 3600 * 1_000_000_000),
        ("h", 3600 * 1_000_000_000),
        ("m", 60 * 1_000_000_000),
        ("s", 1_000_000_000),
        ("ms", 1_000_000),
    ];
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut total: u64 = 0;
    let mut last_unit: Option<usize> = None;
    let invalid = || format!("not a valid duration string: {s:?}");
    while i < bytes.len() {
        let d = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if d == i {
            return Err(invalid());
        }
        let v: u64 = s[d..i].parse().map_err(|_| invalid())?;
        let u = i;
        while i < bytes.len() && !bytes[i].is_ascii_digit() {
            i += 1;
        }
        if u == i {
            return Err(invalid());
        }
        let unit = &s[u..i];
        let Some(idx) = UNITS.iter().position(|(n, _)| *n == unit) else {
            return Err(format!("unknown unit {unit:?} in duration {s:?}"));
        };
        if last_unit.is_some_and(|l| idx <= l) {
            return Err(invalid());
        }
        last_unit = Some(idx);
        let mult = UNITS[idx].1;
        if v > (1u64 << 63) / mult {
            return Err("duration out of range".into());
        }
        total = total
            .checked_add(v * mult)
            .filter(|t| *t <= i64::MAX as u64)
            .ok_or("duration out of range")?;
    }
    Ok(total as i64)
}

/// Deepest nesting of the syntax tree accepted, so that hostile input cannot overflow the
/// stack of the parser or of the (recursive) evaluator.
const MAX_DEPTH: usize = 64;

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    i: usize,
    depth: usize,
}

/// Modifiers written after a binary operator.
struct BinModifiers {
    return_bool: bool,
    matching: Option<VectorMatching>,
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.toks[self.i.min(self.toks.len() - 1)].tok
    }

    fn peek_at(&self, k: usize) -> &Tok {
        &self.toks[(self.i + k).min(self.toks.len() - 1)].tok
    }

    fn pos(&self) -> usize {
        self.toks[self.i.min(self.toks.len() - 1)].pos
    }

    fn advance(&mut self) -> Token {
        let t = self.toks[self.i.min(self.toks.len() - 1)].clone();
        if self.i < self.toks.len() - 1 {
            self.i += 1;
        }
        t
    }

    fn err_at(&self, pos: usize, msg: impl Into<String>) -> ParseError {
        let (line, col) = line_col(self.src, pos);
        ParseError {
            line,
            col,
            message: msg.into(),
            unsupported: false,
        }
    }

    fn err_here(&self, msg: impl Into<String>) -> ParseError {
        self.err_at(self.pos(), msg)
    }

    fn unsupported_at(&self, pos: usize, msg: impl Into<String>) -> ParseError {
        ParseError {
            unsupported: true,
            ..self.err_at(pos, msg)
        }
    }

    /// `unexpected <token> [in <context>]`, like the generated parser's `unexpected`.
    fn unexpected(&self, context: &str) -> ParseError {
        let tok = self.peek();
        if let Tok::Error(msg) = tok {
            return self.err_here(msg.clone());
        }
        let mut msg = format!("unexpected {}", describe(tok));
        if !context.is_empty() {
            msg.push_str(" in ");
            msg.push_str(context);
        }
        self.err_here(msg)
    }

    fn unexpected_expecting(&self, context: &str, expected: &str) -> ParseError {
        let mut e = self.unexpected(context);
        if !matches!(self.peek(), Tok::Error(_)) {
            e.message.push_str(", expected ");
            e.message.push_str(expected);
        }
        e
    }

    fn keyword(&self) -> Option<String> {
        match self.peek() {
            Tok::Ident(s) => Some(s.to_ascii_lowercase()),
            _ => None,
        }
    }

    /// Binary expressions with operators of precedence `min_prec` or higher.
    fn expr(&mut self, min_prec: u8) -> Result<(Expr, usize), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err_here("expression nests too deeply"));
        }
        let (mut lhs, start) = self.unary()?;
        let depth_here = self.depth;
        while let Some(op) = self.peek_binop()? {
            let prec = op.precedence();
            if prec < min_prec {
                break;
            }
            let op_pos = self.pos();
            // Each operator of a chain nests the tree one level deeper (`a+b+c` is
            // `(a+b)+c`): count it against the limit too, so evaluation stays shallow.
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(self.err_here("expression nests too deeply"));
            }
            self.advance();
            let mods = self.bin_modifiers()?;
            // `^` is right-associative, everything else left-associative.
            let next = if op == BinOp::Pow { prec } else { prec + 1 };
            let (rhs, rhs_pos) = self.expr(next)?;
            lhs = self.binary(op, lhs, rhs, mods, start, op_pos, rhs_pos)?;
        }
        self.depth = depth_here - 1;
        Ok((lhs, start))
    }

    /// The binary operator at the cursor, if the next token is one.
    fn peek_binop(&self) -> Result<Option<BinOp>, ParseError> {
        Ok(Some(match self.peek() {
            Tok::Add => BinOp::Add,
            Tok::Sub => BinOp::Sub,
            Tok::Mul => BinOp::Mul,
            Tok::Div => BinOp::Div,
            Tok::Mod => BinOp::Mod,
            Tok::Pow => BinOp::Pow,
            Tok::Eqlc => BinOp::Eq,
            Tok::Neq => BinOp::Ne,
            Tok::Gtr => BinOp::Gt,
            Tok::Lss => BinOp::Lt,
            Tok::Gte => BinOp::Ge,
            Tok::Lte => BinOp::Le,
            Tok::EqlRegex => return Err(self.err_here("unexpected character after '=': '~'")),
            Tok::NeqRegex => return Err(self.err_here("unexpected character after '!': '~'")),
            Tok::Ident(s) => match s.to_ascii_lowercase().as_str() {
                "and" => BinOp::And,
                "or" => BinOp::Or,
                "unless" => BinOp::Unless,
                "atan2" => return Err(self.unsupported_at(self.pos(), "the atan2 operator")),
                _ => return Ok(None),
            },
            _ => return Ok(None),
        }))
    }

    /// `bool`, `on(..)`/`ignoring(..)`, `group_left(..)`/`group_right(..)` after an operator.
    fn bin_modifiers(&mut self) -> Result<BinModifiers, ParseError> {
        let mut mods = BinModifiers {
            return_bool: false,
            matching: None,
        };
        if self.keyword().as_deref() == Some("bool") {
            self.advance();
            mods.return_bool = true;
        }
        let kw = self.keyword();
        if matches!(kw.as_deref(), Some("on") | Some("ignoring")) {
            self.advance();
            let labels = self.grouping_labels()?;
            let mut m = VectorMatching {
                card: Card::OneToOne,
                on: kw.as_deref() == Some("on"),
                labels,
                include: Vec::new(),
            };
            let kw = self.keyword();
            if matches!(kw.as_deref(), Some("group_left") | Some("group_right")) {
                self.advance();
                m.card = if kw.as_deref() == Some("group_left") {
                    Card::ManyToOne
                } else {
                    Card::OneToMany
                };
                if *self.peek() == Tok::LParen {
                    m.include = self.grouping_labels()?;
                }
            }
            mods.matching = Some(m);
        }
        if let Some(kw) = self.keyword() {
            if matches!(kw.as_str(), "fill" | "fill_left" | "fill_right")
                && *self.peek_at(1) == Tok::LParen
            {
                return Err(self.unsupported_at(self.pos(), "fill modifiers of binary operators"));
            }
            if matches!(
                kw.as_str(),
                "group_left" | "group_right" | "on" | "ignoring" | "bool"
            ) {
                return Err(self.unexpected(""));
            }
        }
        Ok(mods)
    }

    /// Builds a binary node with the checks of `checkAST` for `*BinaryExpr`.
    #[allow(clippy::too_many_arguments)]
    fn binary(
        &self,
        op: BinOp,
        lhs: Expr,
        rhs: Expr,
        mods: BinModifiers,
        lhs_pos: usize,
        op_pos: usize,
        rhs_pos: usize,
    ) -> Result<Expr, ParseError> {
        let lt = lhs.value_type();
        let rt = rhs.value_type();
        let mut matching = mods.matching.unwrap_or(VectorMatching {
            card: Card::OneToOne,
            on: false,
            labels: Vec::new(),
            include: Vec::new(),
        });
        if mods.return_bool && !op.is_comparison() {
            return Err(self.err_at(
                op_pos,
                "bool modifier can only be used on comparison operators",
            ));
        }
        if op.is_comparison()
            && !mods.return_bool
            && lt == ValueType::Scalar
            && rt == ValueType::Scalar
        {
            return Err(self.err_at(op_pos, "comparisons between scalars must use BOOL modifier"));
        }
        if op.is_set() && matching.card == Card::OneToOne {
            matching.card = Card::ManyToMany;
        }
        if matching.on {
            if let Some(l) = matching
                .labels
                .iter()
                .find(|l| matching.include.contains(l))
            {
                return Err(self.err_at(
                    op_pos,
                    format!("label {l:?} must not occur in ON and GROUP clause at once"),
                ));
            }
        }
        let type_msg = "binary expression must contain only scalar and instant vector types";
        if lt != ValueType::Scalar && lt != ValueType::Vector {
            return Err(self.err_at(lhs_pos, type_msg));
        }
        if rt != ValueType::Scalar && rt != ValueType::Vector {
            return Err(self.err_at(rhs_pos, type_msg));
        }
        let both_vectors = lt == ValueType::Vector && rt == ValueType::Vector;
        if !both_vectors && !matching.labels.is_empty() {
            return Err(self.err_at(
                lhs_pos,
                "vector matching only allowed between instant vectors",
            ));
        }
        if both_vectors && op.is_set() {
            if matches!(matching.card, Card::OneToMany | Card::ManyToOne) {
                return Err(self.err_at(
                    lhs_pos,
                    format!("no grouping allowed for {:?} operation", op.symbol()),
                ));
            }
            if matching.card != Card::ManyToMany {
                return Err(self.err_at(lhs_pos, "set operations must always be many-to-many"));
            }
        }
        if !both_vectors && op.is_set() {
            return Err(self.err_at(
                lhs_pos,
                format!(
                    "set operator {:?} not allowed in binary scalar expression",
                    op.symbol()
                ),
            ));
        }
        Ok(Expr::Binary(Box::new(BinaryExpr {
            op,
            lhs,
            rhs,
            return_bool: mods.return_bool,
            matching: both_vectors.then_some(matching),
        })))
    }

    /// Unary `+`/`-` (binding like `*`: `-a^b` is `-(a^b)`), then a postfix expression.
    fn unary(&mut self) -> Result<(Expr, usize), ParseError> {
        let start = self.pos();
        let neg = match self.peek() {
            Tok::Add => false,
            Tok::Sub => true,
            _ => return self.postfix(),
        };
        self.advance();
        let (operand, _) = self.expr(BinOp::Pow.precedence())?;
        let t = operand.value_type();
        if t != ValueType::Scalar && t != ValueType::Vector {
            return Err(self.err_at(
                start,
                format!(
                    "unary expression only allowed on expressions of type scalar or instant vector, got {:?}",
                    t.documented()
                ),
            ));
        }
        let expr = match (neg, operand) {
            (false, e) => e,
            (true, Expr::Number(v)) => Expr::Number(-v),
            (true, e) => Expr::Neg(Box::new(e)),
        };
        Ok((expr, start))
    }

    /// A primary expression followed by `[range]` and `offset` modifiers.
    fn postfix(&mut self) -> Result<(Expr, usize), ParseError> {
        let (mut expr, start) = self.primary()?;
        loop {
            match self.peek() {
                Tok::LBracket => {
                    let bracket = self.pos();
                    self.advance();
                    let range = self.duration_arg("subquery or range selector", true)?;
                    if *self.peek() == Tok::Colon {
                        return Err(self.unsupported_at(bracket, "subqueries (`[range:step]`)"));
                    }
                    if *self.peek() != Tok::RBracket {
                        if matches!(
                            self.peek(),
                            Tok::Add | Tok::Sub | Tok::Mul | Tok::Div | Tok::Mod | Tok::Pow
                        ) {
                            return Err(
                                self.unsupported_at(self.pos(), "duration arithmetic in ranges")
                            );
                        }
                        return Err(self.unexpected_expecting("range selector", "\"]\""));
                    }
                    self.advance();
                    if range <= 0 {
                        return Err(self.err_at(bracket + 1, "duration must be greater than 0"));
                    }
                    expr =
                        match expr {
                            Expr::Vector(sel) if sel.offset_ns != 0 => {
                                return Err(self
                                    .err_at(bracket, "no offset modifiers allowed before range"))
                            }
                            Expr::Vector(selector) => Expr::Matrix {
                                selector,
                                range_ns: range,
                            },
                            _ => {
                                return Err(self
                                    .err_at(bracket, "ranges only allowed for vector selectors"))
                            }
                        };
                }
                Tok::Ident(s) if s.eq_ignore_ascii_case("offset") => {
                    self.advance();
                    let offset = self.duration_arg("offset", false)?;
                    let sel = match &mut expr {
                        Expr::Vector(sel) => sel,
                        Expr::Matrix { selector, .. } => selector,
                        _ => {
                            return Err(self.err_at(
                                start,
                                "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery",
                            ))
                        }
                    };
                    if sel.offset_ns != 0 {
                        return Err(self.err_at(start, "offset may not be set multiple times"));
                    }
                    sel.offset_ns = offset;
                }
                Tok::At => return Err(self.unsupported_at(self.pos(), "the @ modifier")),
                _ => return Ok((expr, start)),
            }
        }
    }

    /// A number (seconds) or duration literal, optionally signed when `positive` is false;
    /// in nanoseconds (`time.Duration(math.Round(v*float64(time.Second)))`).
    fn duration_arg(&mut self, context: &str, positive: bool) -> Result<i64, ParseError> {
        let start = self.pos();
        let mut sign = 1.0;
        if !positive {
            match self.peek() {
                Tok::Sub => {
                    sign = -1.0;
                    self.advance();
                }
                Tok::Add => {
                    self.advance();
                }
                _ => {}
            }
        }
        let secs = match self.peek().clone() {
            Tok::Number(text) => {
                self.advance();
                parse_number(&text).map_err(|e| self.err_at(start, e))?
            }
            Tok::Duration(text) => {
                self.advance();
                parse_duration(&text).map_err(|e| self.err_at(start, e))? as f64 / 1e9
            }
            Tok::Sub if positive => {
                self.advance();
                return Err(self.err_at(start, "duration must be greater than 0"));
            }
            Tok::LParen | Tok::Ident(_) => {
                return Err(self.unsupported_at(start, "duration expressions"));
            }
            _ => {
                return Err(
                    self.unexpected_expecting(context, "number, duration, step(), or range()")
                )
            }
        };
        let v = sign * secs;
        if !(v > -(9.223_372_036_854_776e9) && v < 9.223_372_036_854_776e9) || v.is_nan() {
            return Err(self.err_at(start, "duration out of range"));
        }
        Ok((v * 1e9).round() as i64)
    }

    fn primary(&mut self) -> Result<(Expr, usize), ParseError> {
        let start = self.pos();
        match self.peek().clone() {
            Tok::Number(text) => {
                self.advance();
                let v = parse_number(&text).map_err(|e| self.err_at(start, e))?;
                Ok((Expr::Number(v), start))
            }
            Tok::Duration(text) => {
                self.advance();
                let ns = parse_duration(&text).map_err(|e| self.err_at(start, e))?;
                Ok((Expr::Number(ns as f64 / 1e9), start))
            }
            Tok::Str(text) => {
                self.advance();
                Ok((Expr::String(text), start))
            }
            Tok::LParen => {
                self.advance();
                let (inner, _) = self.expr(0)?;
                match self.peek() {
                    Tok::RParen => {
                        self.advance();
                        Ok((Expr::Paren(Box::new(inner)), start))
                    }
                    Tok::Eof => Err(self.err_here("unclosed left parenthesis")),
                    _ => Err(self.unexpected_expecting("paren expression", "\")\"")),
                }
            }
            Tok::LBrace => {
                let sel = self.selector(None, start)?;
                Ok((Expr::Vector(sel), start))
            }
            Tok::Ident(name) => self.ident_expr(name, start),
            Tok::Eof => Err(self.err_here("unexpected end of input")),
            _ => Err(self.unexpected("")),
        }
    }

    /// An expression starting with an identifier: number keyword, aggregation, function
    /// call or metric selector.
    fn ident_expr(&mut self, name: String, start: usize) -> Result<(Expr, usize), ParseError> {
        let lower = name.to_ascii_lowercase();
        let next = self.peek_at(1).clone();
        if lower == "inf" || lower == "nan" {
            self.advance();
            let v = if lower == "inf" {
                f64::INFINITY
            } else {
                f64::NAN
            };
            return Ok((Expr::Number(v), start));
        }
        let next_kw = match &next {
            Tok::Ident(s) => s.to_ascii_lowercase(),
            _ => String::new(),
        };
        let opens_aggregation = next == Tok::LParen || next_kw == "by" || next_kw == "without";
        if opens_aggregation {
            if let Some(op) = AggOp::from_keyword(&lower) {
                return self.aggregation(op, start).map(|e| (e, start));
            }
            if matches!(
                lower.as_str(),
                "topk" | "bottomk" | "quantile" | "count_values" | "limitk" | "limit_ratio"
            ) {
                return Err(self.unsupported_at(start, format!("the {lower} aggregation")));
            }
        }
        if matches!(
            lower.as_str(),
            "on" | "ignoring" | "bool" | "group_left" | "group_right" | "atan2"
        ) {
            return Err(self.err_here(format!("unexpected <{lower}>")));
        }
        if next == Tok::LParen {
            self.advance();
            return self.call(&name, start).map(|e| (e, start));
        }
        self.advance();
        if *self.peek() == Tok::LBrace {
            let sel = self.selector(Some(name), start)?;
            return Ok((Expr::Vector(sel), start));
        }
        Ok((Expr::Vector(name_selector(name)), start))
    }

    /// `name(args)`, the name already consumed.
    fn call(&mut self, name: &str, start: usize) -> Result<Expr, ParseError> {
        let Some(func) = Function::by_name(name) else {
            if UNSUPPORTED_FUNCTIONS.contains(&name) {
                return Err(self.unsupported_at(start, format!("the function {name}()")));
            }
            return Err(self.err_at(start, format!("unknown function with name {name:?}")));
        };
        self.advance(); // (
        let mut args: Vec<(Expr, usize)> = Vec::new();
        if *self.peek() != Tok::RParen {
            loop {
                args.push(self.expr(0)?);
                match self.peek() {
                    Tok::Comma => {
                        let comma = self.pos();
                        self.advance();
                        if *self.peek() == Tok::RParen {
                            return Err(self.err_at(
                                comma,
                                "trailing commas not allowed in function call args",
                            ));
                        }
                    }
                    Tok::RParen => break,
                    Tok::Eof => return Err(self.err_here("unclosed left parenthesis")),
                    _ => {
                        return Err(
                            self.unexpected_expecting("function call args", "\",\" or \")\"")
                        )
                    }
                }
            }
        }
        self.advance(); // )
        let sig = func.signature();
        let max = sig.args.len();
        let min = max - sig.optional;
        if args.len() < min || args.len() > max {
            let msg = if sig.optional == 0 {
                format!(
                    "expected {max} argument(s) in call to {name:?}, got {}",
                    args.len()
                )
            } else if args.len() < min {
                format!(
                    "expected at least {min} argument(s) in call to {name:?}, got {}",
                    args.len()
                )
            } else {
                format!(
                    "expected at most {max} argument(s) in call to {name:?}, got {}",
                    args.len()
                )
            };
            return Err(self.err_at(start, msg));
        }
        for ((arg, pos), want) in args.iter().zip(sig.args) {
            let got = arg.value_type();
            if got != *want {
                return Err(self.err_at(
                    *pos,
                    format!(
                        "expected type {} in call to function {name:?}, got {}",
                        want.documented(),
                        got.documented()
                    ),
                ));
            }
        }
        Ok(Expr::Call {
            func,
            args: args.into_iter().map(|(e, _)| e).collect(),
        })
    }

    /// `op [by|without (..)] (expr) [by|without (..)]`, the cursor on `op`.
    fn aggregation(&mut self, op: AggOp, start: usize) -> Result<Expr, ParseError> {
        self.advance();
        let mut grouping = self.grouping_clause()?;
        if *self.peek() != Tok::LParen {
            return Err(self.unexpected_expecting("aggregation", "\"(\""));
        }
        self.advance();
        if *self.peek() == Tok::RParen {
            return Err(self.err_at(start, "no arguments for aggregate expression provided"));
        }
        let (expr, expr_pos) = self.expr(0)?;
        let mut nargs = 1;
        while *self.peek() == Tok::Comma {
            self.advance();
            if *self.peek() == Tok::RParen {
                return Err(self.err_here("trailing commas not allowed in function call args"));
            }
            self.expr(0)?;
            nargs += 1;
        }
        match self.peek() {
            Tok::RParen => {
                self.advance();
            }
            Tok::Eof => return Err(self.err_here("unclosed left parenthesis")),
            _ => return Err(self.unexpected_expecting("aggregation", "\",\" or \")\"")),
        }
        if nargs != 1 {
            return Err(self.err_at(
                start,
                format!("wrong number of arguments for aggregate expression provided, expected 1, got {nargs}"),
            ));
        }
        let suffix = self.pos();
        if let Some(g) = self.grouping_clause()? {
            if grouping.is_some() {
                let kw = if g.without { "without" } else { "by" };
                return Err(self.err_at(suffix, format!("unexpected <{kw}>")));
            }
            grouping = Some(g);
        }
        if let Some(kw) = self.keyword() {
            if kw == "by" || kw == "without" {
                return Err(self.err_here(format!("unexpected <{kw}>")));
            }
        }
        let t = expr.value_type();
        if t != ValueType::Vector {
            return Err(self.err_at(
                expr_pos,
                format!(
                    "expected type instant vector in aggregation expression, got {}",
                    t.documented()
                ),
            ));
        }
        Ok(Expr::Aggregate {
            op,
            grouping: grouping.unwrap_or_default(),
            expr: Box::new(expr),
        })
    }

    /// An optional `by (..)` / `without (..)`.
    fn grouping_clause(&mut self) -> Result<Option<Grouping>, ParseError> {
        let without = match self.keyword().as_deref() {
            Some("by") => false,
            Some("without") => true,
            _ => return Ok(None),
        };
        self.advance();
        let labels = self.grouping_labels()?;
        Ok(Some(Grouping { without, labels }))
    }

    /// `(label, ...)`: keywords are fine as label names here, quoted names too.
    fn grouping_labels(&mut self) -> Result<Vec<String>, ParseError> {
        if *self.peek() != Tok::LParen {
            return Err(self.unexpected_expecting("grouping opts", "\"(\""));
        }
        self.advance();
        let mut labels = Vec::new();
        loop {
            match self.peek().clone() {
                Tok::RParen if labels.is_empty() => break,
                Tok::Ident(name) | Tok::Str(name) => {
                    if !is_label_name(&name) {
                        return Err(
                            self.err_here(format!("invalid label name for grouping: {name:?}"))
                        );
                    }
                    self.advance();
                    labels.push(name);
                }
                _ => return Err(self.unexpected_expecting("grouping opts", "label")),
            }
            match self.peek() {
                Tok::Comma => {
                    self.advance();
                    if *self.peek() == Tok::RParen {
                        break;
                    }
                }
                Tok::RParen => break,
                _ => return Err(self.unexpected_expecting("grouping opts", "\",\" or \")\"")),
            }
        }
        self.advance();
        Ok(labels)
    }

    /// `{matchers}` after an optional metric name (`assembleVectorSelector`).
    fn selector(
        &mut self,
        name: Option<String>,
        start: usize,
    ) -> Result<VectorSelector, ParseError> {
        self.advance(); // {
        let mut matchers = Vec::new();
        loop {
            let item = self.pos();
            match self.peek().clone() {
                Tok::RBrace => break,
                Tok::Ident(label) => {
                    if let Some(colon) = label.find(':') {
                        return Err(
                            self.err_at(item + colon, "unexpected character inside braces: ':'")
                        );
                    }
                    self.advance();
                    matchers.push(self.matcher(label, item)?);
                }
                Tok::Str(label) => {
                    self.advance();
                    if matches!(self.peek(), Tok::Comma | Tok::RBrace) {
                        // A quoted name alone is the metric name (UTF-8 names).
                        matchers.push(Matcher {
                            name: METRIC_NAME.to_string(),
                            op: MatchOp::Equal,
                            value: label,
                            regex: None,
                        });
                    } else {
                        matchers.push(self.matcher(label, item)?);
                    }
                }
                _ => return Err(self.unexpected_expecting("label matching", "identifier or \"}\"")),
            }
            match self.peek() {
                Tok::Comma => {
                    self.advance();
                }
                Tok::RBrace => break,
                _ => return Err(self.unexpected_expecting("label matching", "\",\" or \"}\"")),
            }
        }
        self.advance(); // }
        if let Some(n) = &name {
            if let Some(m) = matchers.iter().find(|m| m.name == METRIC_NAME) {
                return Err(self.err_at(
                    start,
                    format!("metric name must not be set twice: {n:?} or {:?}", m.value),
                ));
            }
            matchers.push(name_matcher(n));
        } else if matchers.iter().all(|m| m.matches("")) {
            return Err(self.err_at(
                start,
                "vector selector must contain at least one non-empty matcher",
            ));
        }
        Ok(VectorSelector {
            name,
            matchers,
            offset_ns: 0,
        })
    }

    /// `op "value"` after a label name.
    fn matcher(&mut self, label: String, item: usize) -> Result<Matcher, ParseError> {
        let op = match self.peek() {
            Tok::Eql => MatchOp::Equal,
            Tok::Neq => MatchOp::NotEqual,
            Tok::EqlRegex => MatchOp::Regex,
            Tok::NeqRegex => MatchOp::NotRegex,
            Tok::Error(msg) => return Err(self.err_here(msg.clone())),
            Tok::Eqlc => {
                return Err(self.err_at(
                    self.pos() + 1,
                    "unexpected \"=\" in label matching, expected string",
                ))
            }
            Tok::Lss
            | Tok::Lte
            | Tok::Gtr
            | Tok::Gte
            | Tok::Mul
            | Tok::Add
            | Tok::Sub
            | Tok::Div
            | Tok::Mod
            | Tok::Pow => {
                let c = self.src[self.pos()..].chars().next().unwrap_or('?');
                return Err(self.err_here(format!("unexpected character inside braces: {c:?}")));
            }
            _ => return Err(self.unexpected_expecting("label matching", "label matching operator")),
        };
        self.advance();
        let Tok::Str(value) = self.peek().clone() else {
            return Err(self.unexpected_expecting("label matching", "string"));
        };
        self.advance();
        let regex = match op {
            MatchOp::Regex | MatchOp::NotRegex => {
                Some(Regex::new(&value).map_err(|e| self.err_at(item, e))?)
            }
            _ => None,
        };
        Ok(Matcher {
            name: label,
            op,
            value,
            regex,
        })
    }
}

fn name_matcher(name: &str) -> Matcher {
    Matcher {
        name: METRIC_NAME.to_string(),
        op: MatchOp::Equal,
        value: name.to_string(),
        regex: None,
    }
}

fn name_selector(name: String) -> VectorSelector {
    VectorSelector {
        matchers: vec![name_matcher(&name)],
        name: Some(name),
        offset_ns: 0,
    }
}

/// How upstream names a token in "unexpected ..." messages, keywords as `<kw>`.
fn describe(tok: &Tok) -> String {
    if let Tok::Ident(s) = tok {
        let lower = s.to_ascii_lowercase();
        if KEYWORDS.contains(&lower.as_str()) {
            return format!("<{lower}>");
        }
    }
    tok.describe()
}

const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "unless",
    "atan2",
    "offset",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
];

/// A number literal's value (`parser.number`): `strconv.ParseInt(val, 0, 64)` first (so
/// `0x1f` is hexadecimal and `010` octal), then `strconv.ParseFloat`.
pub(crate) fn parse_number(text: &str) -> Result<f64, String> {
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    let bad =
        || format!("error parsing number: strconv.ParseFloat: parsing {text:?}: invalid syntax");
    if text.contains('_')
        && (text.starts_with('_')
            || text.ends_with('_')
            || text.contains("__")
            || text.contains("_.")
            || text.contains("._"))
    {
        return Err(bad());
    }
    let int = if let Some(hex) = clean
        .strip_prefix("0x")
        .or_else(|| clean.strip_prefix("0X"))
    {
        i64::from_str_radix(hex, 16).ok()
    } else if clean.len() > 1 && clean.starts_with('0') && clean.bytes().all(|b| b.is_ascii_digit())
    {
        i64::from_str_radix(&clean[1..], 8).ok()
    } else if clean.bytes().all(|b| b.is_ascii_digit()) {
        clean.parse::<i64>().ok()
    } else {
        None
    };
    if let Some(i) = int {
        return Ok(i as f64);
    }
    if clean.starts_with("0x") || clean.starts_with("0X") {
        // Hexadecimal beyond int64: Go's ParseFloat reads it as a hex mantissa without exponent,
        // which it rejects.
        return Err(bad());
    }
    match clean.parse::<f64>() {
        Ok(v) if v.is_infinite() => Err(format!(
            "error parsing number: strconv.ParseFloat: parsing {text:?}: value out of range"
        )),
        Ok(v) => Ok(v),
        Err(_) => Err(bad()),
    }
}

/// 1-based line and column of byte offset `pos` (`PositionRange.StartPosInput`).
pub(crate) fn line_col(src: &str, pos: usize) -> (usize, usize) {
    let pos = pos.min(src.len());
    let mut line = 1;
    let mut last_break: isize = -1;
    for (i, b) in src.as_bytes()[..pos].iter().enumerate() {
        if *b == b'\n' {
            line += 1;
            last_break = i as isize;
        }
    }
    (line, (pos as isize - last_break) as usize)
}
