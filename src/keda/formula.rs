//! `scalingModifiers.formula`: a small, safe evaluator for the part of the `expr` language
//! KEDA formulas use (`pkg/scaling/modifiers/formula.go`, compiled in
//! `scaledobject_webhook.go#validateScalingModifiersFormula`).
//!
//! Supported: number literals, trigger names, `+ - * /`, parentheses, comparisons
//! (`== != < <= > >=`), `&& || !` (and `and or not`), `cond ? a : b`, `true`/`false`, and the
//! functions `min max abs floor ceil round float int`. Anything else is rejected with a clear
//! error rather than guessed at. As in KEDA the formula is wrapped in `float(...)` first, so
//! error positions refer to the wrapped text, as KEDA's do.

use std::collections::BTreeMap;
use std::fmt;

/// A compiled formula.
#[derive(Clone, Debug, PartialEq)]
pub struct Formula {
    source: String,
    root: Expr,
}

/// A compile error with `expr`'s layout: message, `(line:column)`, and a caret under the text.
#[derive(Clone, Debug, PartialEq)]
pub struct FormulaError {
    /// What is wrong.
    pub message: String,
    /// 0-based column in the compiled text.
    pub column: usize,
    /// The compiled text (`float(<formula>)`).
    pub source: String,
}

impl fmt::Display for FormulaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (1:{})\n | {}\n | {}^",
            self.message,
            self.column + 1,
            self.source,
            ".".repeat(self.column)
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Expr {
    Num(f64),
    Bool(bool),
    Var(String),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Func {
    Min,
    Max,
    Abs,
    Floor,
    Ceil,
    Round,
    Float,
    Int,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Ty {
    Num,
    Bool,
}

impl Ty {
    fn go(self) -> &'static str {
        match self {
            Ty::Num => "float64",
            Ty::Bool => "bool",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Ident(String),
    Op(&'static str),
    Bad(String),
    End,
}

const SUPPORTED: &str = "numbers, trigger names, + - * /, parentheses, comparisons, && || !, ?:, min max abs floor ceil round float int";

/// `castToFloatIfNecessary`: wraps the formula in `float(...)` unless it already starts so.
pub fn cast_to_float_if_necessary(formula: &str) -> String {
    if formula.starts_with("float(") {
        formula.to_string()
    } else {
        format!("float({formula})")
    }
}

struct Lexer<'a> {
    src: &'a str,
    toks: Vec<(Tok, usize)>,
}

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, FormulaError> {
    let mut lx = Lexer {
        src,
        toks: Vec::new(),
    };
    let b = src.as_bytes();
    let mut i = 0;
    let err = |msg: String, col: usize| FormulaError {
        message: msg,
        column: col,
        source: src.to_string(),
    };
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            let start = i;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.' || b[i] == b'_') {
                i += 1;
            }
            if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
                i += 1;
                if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                    i += 1;
                }
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let text: String = src[start..i].chars().filter(|&c| c != '_').collect();
            let v: f64 = text
                .parse()
                .map_err(|_| err(format!("invalid number {}", &src[start..i]), start))?;
            lx.toks.push((Tok::Num(v), start));
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$') {
                i += 1;
            }
            lx.toks.push((Tok::Ident(src[start..i].to_string()), start));
            continue;
        }
        let two = src.get(i..i + 2).unwrap_or("");
        let op: Option<&'static str> = match two {
            "==" => Some("=="),
            "!=" => Some("!="),
            "<=" => Some("<="),
            ">=" => Some(">="),
            "&&" => Some("&&"),
            "||" => Some("||"),
            "**" | "??" | "?." | ".." => {
                lx.toks.push((Tok::Bad(two.to_string()), i));
                i += 2;
                continue;
            }
            _ => None,
        };
        if let Some(op) = op {
            lx.toks.push((Tok::Op(op), i));
            i += 2;
            continue;
        }
        let one: &'static str = match c {
            b'+' => "+",
            b'-' => "-",
            b'*' => "*",
            b'/' => "/",
            b'(' => "(",
            b')' => ")",
            b',' => ",",
            b'<' => "<",
            b'>' => ">",
            b'!' => "!",
            b'?' => "?",
            b':' => ":",
            _ => {
                let ch = lx.src[i..].chars().next().unwrap_or('?');
                lx.toks.push((Tok::Bad(ch.to_string()), i));
                i += ch.len_utf8();
                continue;
            }
        };
        lx.toks.push((Tok::Op(one), i));
        i += 1;
    }
    lx.toks.push((Tok::End, src.len()));
    Ok(lx.toks)
}

/// Deepest nesting of parentheses, operators and calls accepted.
const MAX_DEPTH: usize = 200;

struct Parser<'a> {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    depth: usize,
    src: &'a str,
    vars: &'a [&'a str],
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].0
    }
    fn col(&self) -> usize {
        self.toks[self.pos].1
    }
    fn err(&self, message: String, column: usize) -> FormulaError {
        FormulaError {
            message,
            column,
            source: self.src.to_string(),
        }
    }
    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Ident(i) if i == w)
    }
    fn expect(&mut self, op: &str) -> Result<(), FormulaError> {
        if self.is_op(op) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }
    fn unexpected(&self) -> FormulaError {
        if let Tok::Bad(b) = self.peek() {
            return self.err(
                format!(
                    "{b} is not supported by scalesim's formula evaluator (supported: {SUPPORTED})"
                ),
                self.col(),
            );
        }
        let shown = match self.peek() {
            Tok::Num(n) => format!("Number(\"{n}\")"),
            Tok::Ident(s) => format!("Identifier(\"{s}\")"),
            Tok::Op(o) => format!("Operator(\"{o}\")"),
            Tok::Bad(_) | Tok::End => "EOF".into(),
        };
        self.err(format!("unexpected token {shown}"), self.col())
    }

    fn ternary(&mut self) -> Result<(Expr, Ty), FormulaError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(
                format!("the formula nests deeper than {MAX_DEPTH} levels"),
                self.col(),
            ));
        }
        let r = self.ternary_inner();
        self.depth -= 1;
        r
    }

    fn ternary_inner(&mut self) -> Result<(Expr, Ty), FormulaError> {
        let cond_col = self.col();
        let (cond, ct) = self.or()?;
        if !self.is_op("?") {
            return Ok((cond, ct));
        }
        self.pos += 1;
        if ct != Ty::Bool {
            return Err(self.err(
                format!("non-bool expression (type {}) used as condition", ct.go()),
                cond_col,
            ));
        }
        let a_col = self.col();
        let (a, at) = self.ternary()?;
        self.expect(":")?;
        let (b, bt) = self.ternary()?;
        if at != bt {
            return Err(self.err(
                format!(
                    "the branches of ?: have different types ({} and {}); scalesim needs both numbers or both booleans",
                    at.go(),
                    bt.go()
                ),
                a_col,
            ));
        }
        Ok((Expr::Cond(Box::new(cond), Box::new(a), Box::new(b)), at))
    }

    fn binary_chain(
        &mut self,
        ops: &[(&str, BinOp)],
        next: fn(&mut Self) -> Result<(Expr, Ty), FormulaError>,
    ) -> Result<(Expr, Ty), FormulaError> {
        let (mut left, mut lt) = next(self)?;
        loop {
            let found = ops.iter().find(|(o, _)| self.is_op(o) || self.is_word(o));
            let Some(&(sym, op)) = found else {
                return Ok((left, lt));
            };
            let col = self.col();
            self.pos += 1;
            let (right, rt) = next(self)?;
            let out = check_binary(op, lt, rt).ok_or_else(|| {
                self.err(
                    format!(
                        "invalid operation: {sym} (mismatched types {} and {})",
                        lt.go(),
                        rt.go()
                    ),
                    col,
                )
            })?;
            left = Expr::Bin(op, Box::new(left), Box::new(right));
            lt = out;
        }
    }

    fn or(&mut self) -> Result<(Expr, Ty), FormulaError> {
        self.binary_chain(&[("||", BinOp::Or), ("or", BinOp::Or)], Self::and)
    }
    fn and(&mut self) -> Result<(Expr, Ty), FormulaError> {
        self.binary_chain(&[("&&", BinOp::And), ("and", BinOp::And)], Self::cmp)
    }
    fn cmp(&mut self) -> Result<(Expr, Ty), FormulaError> {
        self.binary_chain(
            &[
                ("==", BinOp::Eq),
                ("!=", BinOp::Ne),
                ("<=", BinOp::Le),
                (">=", BinOp::Ge),
                ("<", BinOp::Lt),
                (">", BinOp::Gt),
            ],
            Self::add,
        )
    }
    fn add(&mut self) -> Result<(Expr, Ty), FormulaError> {
        self.binary_chain(&[("+", BinOp::Add), ("-", BinOp::Sub)], Self::mul)
    }
    fn mul(&mut self) -> Result<(Expr, Ty), FormulaError> {
        self.binary_chain(&[("*", BinOp::Mul), ("/", BinOp::Div)], Self::unary)
    }

    fn unary(&mut self) -> Result<(Expr, Ty), FormulaError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(
                format!("the formula nests deeper than {MAX_DEPTH} levels"),
                self.col(),
            ));
        }
        let r = self.unary_inner();
        self.depth -= 1;
        r
    }

    fn unary_inner(&mut self) -> Result<(Expr, Ty), FormulaError> {
        let col = self.col();
        if self.is_op("-") || self.is_op("+") {
            let neg = self.is_op("-");
            self.pos += 1;
            let (e, t) = self.unary()?;
            if t != Ty::Num {
                return Err(self.err(
                    format!("invalid operation: - (mismatched type {})", t.go()),
                    col,
                ));
            }
            return Ok((if neg { Expr::Neg(Box::new(e)) } else { e }, Ty::Num));
        }
        if self.is_op("!") || self.is_word("not") {
            self.pos += 1;
            let (e, t) = self.unary()?;
            if t != Ty::Bool {
                return Err(self.err(
                    format!("invalid operation: ! (mismatched type {})", t.go()),
                    col,
                ));
            }
            return Ok((Expr::Not(Box::new(e)), Ty::Bool));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<(Expr, Ty), FormulaError> {
        let col = self.col();
        match self.peek().clone() {
            Tok::Num(v) => {
                self.pos += 1;
                Ok((Expr::Num(v), Ty::Num))
            }
            Tok::Op("(") => {
                self.pos += 1;
                let e = self.ternary()?;
                self.expect(")")?;
                Ok(e)
            }
            Tok::Ident(name) => {
                self.pos += 1;
                if self.is_op("(") {
                    return self.call(&name, col);
                }
                match name.as_str() {
                    "true" => return Ok((Expr::Bool(true), Ty::Bool)),
                    "false" => return Ok((Expr::Bool(false), Ty::Bool)),
                    _ => {}
                }
                if self.vars.contains(&name.as_str()) {
                    Ok((Expr::Var(name), Ty::Num))
                } else {
                    Err(self.err(format!("unknown name {name}"), col))
                }
            }
            _ => Err(self.unexpected()),
        }
    }

    fn call(&mut self, name: &str, col: usize) -> Result<(Expr, Ty), FormulaError> {
        let func = match name {
            "min" => Func::Min,
            "max" => Func::Max,
            "abs" => Func::Abs,
            "floor" => Func::Floor,
            "ceil" => Func::Ceil,
            "round" => Func::Round,
            "float" => Func::Float,
            "int" => Func::Int,
            other => {
                return Err(self.err(
                    format!(
                        "function {other} is not supported by scalesim (supported: {SUPPORTED})"
                    ),
                    col,
                ))
            }
        };
        self.expect("(")?;
        let mut args = Vec::new();
        if !self.is_op(")") {
            loop {
                let acol = self.col();
                let (e, t) = self.ternary()?;
                if t != Ty::Num {
                    return Err(self.err(
                        format!("invalid argument for {name} (type {})", t.go()),
                        acol,
                    ));
                }
                args.push(e);
                if self.is_op(",") {
                    self.pos += 1;
                    continue;
                }
                break;
            }
        }
        self.expect(")")?;
        let variadic = matches!(func, Func::Min | Func::Max);
        if (variadic && args.is_empty()) || (!variadic && args.len() != 1) {
            let msg = if args.is_empty() {
                format!("not enough arguments to call {name}")
            } else {
                format!("too many arguments to call {name}")
            };
            return Err(self.err(msg, col));
        }
        Ok((Expr::Call(func, args), Ty::Num))
    }
}

fn check_binary(op: BinOp, l: Ty, r: Ty) -> Option<Ty> {
    use BinOp::*;
    match op {
        Add | Sub | Mul | Div if l == Ty::Num && r == Ty::Num => Some(Ty::Num),
        Lt | Le | Gt | Ge if l == Ty::Num && r == Ty::Num => Some(Ty::Bool),
        Eq | Ne if l == r => Some(Ty::Bool),
        And | Or if l == Ty::Bool && r == Ty::Bool => Some(Ty::Bool),
        _ => None,
    }
}

impl Formula {
    /// Compiles `formula` (wrapped in `float(...)` as KEDA does) against the trigger names
    /// that may appear in it.
    pub fn compile(formula: &str, trigger_names: &[&str]) -> Result<Formula, FormulaError> {
        let source = cast_to_float_if_necessary(formula);
        let toks = lex(&source)?;
        let mut p = Parser {
            toks,
            pos: 0,
            depth: 0,
            src: &source,
            vars: trigger_names,
        };
        let (root, ty) = p.ternary()?;
        if !matches!(p.peek(), Tok::End) {
            return Err(p.unexpected());
        }
        if ty != Ty::Num {
            return Err(p.err(format!("expected float64, but got {}", ty.go()), 0));
        }
        Ok(Formula { source, root })
    }

    /// The compiled text (`float(<formula>)`).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates with trigger values (plain units); a missing name reads as 0, as a Go map does.
    pub fn eval(&self, values: &BTreeMap<String, f64>) -> f64 {
        match eval(&self.root, values) {
            Val::Num(v) => v,
            Val::Bool(b) => f64::from(u8::from(b)),
        }
    }
}

enum Val {
    Num(f64),
    Bool(bool),
}

fn num(e: &Expr, env: &BTreeMap<String, f64>) -> f64 {
    match eval(e, env) {
        Val::Num(v) => v,
        Val::Bool(b) => f64::from(u8::from(b)),
    }
}

fn boolean(e: &Expr, env: &BTreeMap<String, f64>) -> bool {
    match eval(e, env) {
        Val::Bool(b) => b,
        Val::Num(v) => v != 0.0,
    }
}

fn eval(e: &Expr, env: &BTreeMap<String, f64>) -> Val {
    use BinOp::*;
    match e {
        Expr::Num(v) => Val::Num(*v),
        Expr::Bool(b) => Val::Bool(*b),
        Expr::Var(n) => Val::Num(env.get(n).copied().unwrap_or(0.0)),
        Expr::Neg(x) => Val::Num(-num(x, env)),
        Expr::Not(x) => Val::Bool(!boolean(x, env)),
        Expr::Cond(c, a, b) => {
            if boolean(c, env) {
                eval(a, env)
            } else {
                eval(b, env)
            }
        }
        Expr::Bin(op, l, r) => match op {
            Add => Val::Num(num(l, env) + num(r, env)),
            Sub => Val::Num(num(l, env) - num(r, env)),
            Mul => Val::Num(num(l, env) * num(r, env)),
            Div => Val::Num(num(l, env) / num(r, env)),
            Lt => Val::Bool(num(l, env) < num(r, env)),
            Le => Val::Bool(num(l, env) <= num(r, env)),
            Gt => Val::Bool(num(l, env) > num(r, env)),
            Ge => Val::Bool(num(l, env) >= num(r, env)),
            Eq | Ne => {
                let same = match (eval(l, env), eval(r, env)) {
                    (Val::Num(a), Val::Num(b)) => a == b,
                    (Val::Bool(a), Val::Bool(b)) => a == b,
                    _ => false,
                };
                Val::Bool(if *op == Eq { same } else { !same })
            }
            And => Val::Bool(boolean(l, env) && boolean(r, env)),
            Or => Val::Bool(boolean(l, env) || boolean(r, env)),
        },
        Expr::Call(f, args) => {
            let vals: Vec<f64> = args.iter().map(|a| num(a, env)).collect();
            Val::Num(match f {
                Func::Min => vals.iter().copied().fold(f64::INFINITY, f64::min),
                Func::Max => vals.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                Func::Abs => vals[0].abs(),
                Func::Floor => vals[0].floor(),
                Func::Ceil => vals[0].ceil(),
                Func::Round => vals[0].round(),
                Func::Float => vals[0],
                Func::Int => vals[0].trunc(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: &str, vars: &[(&str, f64)]) -> f64 {
        let names: Vec<&str> = vars.iter().map(|(n, _)| *n).collect();
        let env = vars.iter().map(|(n, v)| (n.to_string(), *v)).collect();
        Formula::compile(f, &names).unwrap().eval(&env)
    }

    #[test]
    fn evaluates_keda_doc_examples() {
        assert_eq!(
            run(
                "trig_one + trig_two",
                &[("trig_one", 2.0), ("trig_two", 3.0)]
            ),
            5.0
        );
        assert_eq!(
            run(
                "workload_trig < 5 ? cron_trig + workload_trig : 5",
                &[("workload_trig", 2.0), ("cron_trig", 1.0)]
            ),
            3.0
        );
        assert_eq!(
            run(
                "float(trig_one < 2 ? trig_one+trig_two >= 2 ? 5 : 10 : 0)",
                &[("trig_one", 1.0), ("trig_two", 1.0)]
            ),
            5.0
        );
        assert_eq!(run("float(float(a))", &[("a", 4.0)]), 4.0);
        assert_eq!(run("max(a, 2) / 4", &[("a", 1.0)]), 0.5);
        assert_eq!(run("-a * 2 + ceil(1.2)", &[("a", 1.0)]), 0.0);
        assert_eq!(run("1 / 0", &[]), f64::INFINITY);
        assert_eq!(run("a > 1 && !(a > 3) ? 1 : 0", &[("a", 2.0)]), 1.0);
    }

    #[test]
    fn errors_point_into_the_wrapped_formula() {
        let e = Formula::compile("a + foo", &["a"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown name foo (1:11)\n | float(a + foo)\n | ..........^"
        );
        let e = Formula::compile("count([a,b],{#>1}) > 1 ? 5 : 0", &["a", "b"]).unwrap_err();
        assert!(e.message.contains("count is not supported"), "{e}");
        let e = Formula::compile("a > 1", &["a"]).unwrap_err();
        assert!(e.message.contains("bool"), "{e}");
        let e = Formula::compile("a % 2", &["a"]).unwrap_err();
        assert!(e.message.contains("not supported"), "{e}");
        assert!(Formula::compile("a +", &["a"]).is_err());
        assert!(Formula::compile("min()", &[]).is_err());
        let deep = "(".repeat(5000) + "1" + &")".repeat(5000);
        assert!(Formula::compile(&deep, &[])
            .unwrap_err()
            .message
            .contains("nests deeper"));
        let neg = "-".repeat(5000) + "1";
        assert!(Formula::compile(&neg, &[]).is_err());
    }
}
