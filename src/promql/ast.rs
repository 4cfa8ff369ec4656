//! The syntax tree of the supported PromQL subset (after `promql/parser/ast.go`), with the
//! static value types the parser checks, and a printer that shows the tree's structure.

use std::fmt;

use super::regex::Regex;
use super::tsdb::Labels;

/// Static type of an expression (`parser.ValueType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    Scalar,
    Vector,
    Matrix,
    String,
}

impl ValueType {
    /// The name upstream error messages use (`DocumentedType`).
    pub fn documented(self) -> &'static str {
        match self {
            ValueType::Scalar => "scalar",
            ValueType::Vector => "instant vector",
            ValueType::Matrix => "range vector",
            ValueType::String => "string",
        }
    }
}

/// A parsed query.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A number literal (durations used as numbers are seconds).
    Number(f64),
    /// A string literal: parsed and type-checked like upstream, but no supported function
    /// takes one, and evaluating one is refused.
    String(String),
    /// An instant vector selector.
    Vector(VectorSelector),
    /// A range vector selector `sel[range]`; `range_ns` is Go's `time.Duration`.
    Matrix {
        selector: VectorSelector,
        range_ns: i64,
    },
    /// A function call.
    Call { func: Function, args: Vec<Expr> },
    /// `op [by|without (labels)] (expr)`.
    Aggregate {
        op: AggOp,
        grouping: Grouping,
        expr: Box<Expr>,
    },
    /// Unary minus (unary plus is dropped by the parser, as it changes nothing).
    Neg(Box<Expr>),
    /// A binary operation.
    Binary(Box<BinaryExpr>),
    /// Parentheses (kept because `(foo) offset 1m` and `(foo)[1m]` are errors upstream).
    Paren(Box<Expr>),
}

impl Expr {
    /// The static type of the expression.
    pub fn value_type(&self) -> ValueType {
        match self {
            Expr::Number(_) => ValueType::Scalar,
            Expr::String(_) => ValueType::String,
            Expr::Vector(_) | Expr::Aggregate { .. } => ValueType::Vector,
            Expr::Matrix { .. } => ValueType::Matrix,
            Expr::Call { func, .. } => func.signature().ret,
            Expr::Neg(e) | Expr::Paren(e) => e.value_type(),
            Expr::Binary(b) => {
                if b.lhs.value_type() == ValueType::Scalar
                    && b.rhs.value_type() == ValueType::Scalar
                {
                    ValueType::Scalar
                } else {
                    ValueType::Vector
                }
            }
        }
    }
}

/// `name{matchers} offset d`.
#[derive(Clone, Debug, PartialEq)]
pub struct VectorSelector {
    /// The metric name written before the braces, if any (it is also in `matchers`).
    pub name: Option<String>,
    /// All matchers, the name's `__name__="..."` included.
    pub matchers: Vec<Matcher>,
    /// `offset` in nanoseconds (Go's `time.Duration`); negative looks ahead.
    pub offset_ns: i64,
}

impl VectorSelector {
    /// Whether a series with these labels is selected.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.matchers
            .iter()
            .all(|m| m.matches(labels.get_or_empty(&m.name)))
    }

    /// The metric name when it is fixed by an equality matcher (fast path into the store).
    pub fn fixed_name(&self) -> Option<&str> {
        self.matchers
            .iter()
            .find(|m| m.name == super::tsdb::METRIC_NAME && m.op == MatchOp::Equal)
            .map(|m| m.value.as_str())
    }
}

/// Label matcher operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchOp {
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}

/// `label op "value"`.
#[derive(Clone, Debug, PartialEq)]
pub struct Matcher {
    pub name: String,
    pub op: MatchOp,
    pub value: String,
    /// The compiled pattern for `=~` and `!~`.
    pub regex: Option<Regex>,
}

impl Matcher {
    /// Whether a label value (`""` for a missing label) satisfies the matcher.
    pub fn matches(&self, value: &str) -> bool {
        match self.op {
            MatchOp::Equal => value == self.value,
            MatchOp::NotEqual => value != self.value,
            MatchOp::Regex => self.regex.as_ref().is_some_and(|r| r.is_match(value)),
            MatchOp::NotRegex => !self.regex.as_ref().is_some_and(|r| r.is_match(value)),
        }
    }
}

/// Aggregation operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggOp {
    Sum,
    Avg,
    Min,
    Max,
    Count,
    Group,
    Stddev,
    Stdvar,
}

impl AggOp {
    pub fn name(self) -> &'static str {
        match self {
            AggOp::Sum => "sum",
            AggOp::Avg => "avg",
            AggOp::Min => "min",
            AggOp::Max => "max",
            AggOp::Count => "count",
            AggOp::Group => "group",
            AggOp::Stddev => "stddev",
            AggOp::Stdvar => "stdvar",
        }
    }

    pub(crate) fn from_keyword(lower: &str) -> Option<AggOp> {
        Some(match lower {
            "sum" => AggOp::Sum,
            "avg" => AggOp::Avg,
            "min" => AggOp::Min,
            "max" => AggOp::Max,
            "count" => AggOp::Count,
            "group" => AggOp::Group,
            "stddev" => AggOp::Stddev,
            "stdvar" => AggOp::Stdvar,
            _ => return None,
        })
    }
}

/// `by (labels)` or `without (labels)`; no clause is `by ()`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grouping {
    pub without: bool,
    pub labels: Vec<String>,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    And,
    Or,
    Unless,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Pow => "^",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Gt => ">",
            BinOp::Lt => "<",
            BinOp::Ge => ">=",
            BinOp::Le => "<=",
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Unless => "unless",
        }
    }

    /// `IsComparisonOperator`.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Gt | BinOp::Lt | BinOp::Ge | BinOp::Le
        )
    }

    /// `IsSetOperator`.
    pub fn is_set(self) -> bool {
        matches!(self, BinOp::And | BinOp::Or | BinOp::Unless)
    }

    /// Binding strength, higher binds tighter (the `%left`/`%right` list of the grammar).
    pub(crate) fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And | BinOp::Unless => 2,
            BinOp::Eq | BinOp::Ne | BinOp::Gt | BinOp::Lt | BinOp::Ge | BinOp::Le => 3,
            BinOp::Add | BinOp::Sub => 4,
            BinOp::Mul | BinOp::Div | BinOp::Mod => 5,
            BinOp::Pow => 6,
        }
    }
}

/// Matching cardinality (`parser.VectorMatchCardinality`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Card {
    OneToOne,
    ManyToOne,
    OneToMany,
    ManyToMany,
}

/// How the two sides of a vector/vector operation are paired (`parser.VectorMatching`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VectorMatching {
    pub card: Card,
    /// `on(...)` when true, `ignoring(...)` (or nothing) when false.
    pub on: bool,
    pub labels: Vec<String>,
    /// Labels copied from the "one" side by `group_left(...)`/`group_right(...)`.
    pub include: Vec<String>,
}

/// `lhs op [bool] [on|ignoring (..)] [group_left|group_right (..)] rhs`.
#[derive(Clone, Debug, PartialEq)]
pub struct BinaryExpr {
    pub op: BinOp,
    pub lhs: Expr,
    pub rhs: Expr,
    pub return_bool: bool,
    /// Set when both sides are instant vectors.
    pub matching: Option<VectorMatching>,
}

/// Supported functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Function {
    Rate,
    Irate,
    Increase,
    Delta,
    Idelta,
    Changes,
    Resets,
    AvgOverTime,
    MinOverTime,
    MaxOverTime,
    SumOverTime,
    CountOverTime,
    LastOverTime,
    Abs,
    Ceil,
    Floor,
    Round,
    Sgn,
    Sqrt,
    Exp,
    Ln,
    Log2,
    Log10,
    ClampMin,
    ClampMax,
    Clamp,
    Scalar,
    Vector,
    Time,
}

/// Argument and result types of a function (`parser.Function`).
pub struct Signature {
    pub args: &'static [ValueType],
    /// Number of trailing optional arguments.
    pub optional: usize,
    pub ret: ValueType,
}

const MATRIX_FN: Signature = Signature {
    args: &[ValueType::Matrix],
    optional: 0,
    ret: ValueType::Vector,
};
const VECTOR_FN: Signature = Signature {
    args: &[ValueType::Vector],
    optional: 0,
    ret: ValueType::Vector,
};

impl Function {
    /// Every supported function, for lookups by name.
    pub const ALL: [Function; 29] = [
        Function::Rate,
        Function::Irate,
        Function::Increase,
        Function::Delta,
        Function::Idelta,
        Function::Changes,
        Function::Resets,
        Function::AvgOverTime,
        Function::MinOverTime,
        Function::MaxOverTime,
        Function::SumOverTime,
        Function::CountOverTime,
        Function::LastOverTime,
        Function::Abs,
        Function::Ceil,
        Function::Floor,
        Function::Round,
        Function::Sgn,
        Function::Sqrt,
        Function::Exp,
        Function::Ln,
        Function::Log2,
        Function::Log10,
        Function::ClampMin,
        Function::ClampMax,
        Function::Clamp,
        Function::Scalar,
        Function::Vector,
        Function::Time,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Function::Rate => "rate",
            Function::Irate => "irate",
            Function::Increase => "increase",
            Function::Delta => "delta",
            Function::Idelta => "idelta",
            Function::Changes => "changes",
            Function::Resets => "resets",
            Function::AvgOverTime => "avg_over_time",
            Function::MinOverTime => "min_over_time",
            Function::MaxOverTime => "max_over_time",
            Function::SumOverTime => "sum_over_time",
            Function::CountOverTime => "count_over_time",
            Function::LastOverTime => "last_over_time",
            Function::Abs => "abs",
            Function::Ceil => "ceil",
            Function::Floor => "floor",
            Function::Round => "round",
            Function::Sgn => "sgn",
            Function::Sqrt => "sqrt",
            Function::Exp => "exp",
            Function::Ln => "ln",
            Function::Log2 => "log2",
            Function::Log10 => "log10",
            Function::ClampMin => "clamp_min",
            Function::ClampMax => "clamp_max",
            Function::Clamp => "clamp",
            Function::Scalar => "scalar",
            Function::Vector => "vector",
            Function::Time => "time",
        }
    }

    /// The supported function called `name` (function names are case-sensitive).
    pub fn by_name(name: &str) -> Option<Function> {
        Function::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn signature(self) -> Signature {
        use ValueType::*;
        match self {
            Function::Rate
            | Function::Irate
            | Function::Increase
            | Function::Delta
            | Function::Idelta
            | Function::Changes
            | Function::Resets
            | Function::AvgOverTime
            | Function::MinOverTime
            | Function::MaxOverTime
            | Function::SumOverTime
            | Function::CountOverTime
            | Function::LastOverTime => MATRIX_FN,
            Function::Abs
            | Function::Ceil
            | Function::Floor
            | Function::Sgn
            | Function::Sqrt
            | Function::Exp
            | Function::Ln
            | Function::Log2
            | Function::Log10 => VECTOR_FN,
            Function::Round => Signature {
                args: &[Vector, Scalar],
                optional: 1,
                ret: Vector,
            },
            Function::ClampMin | Function::ClampMax => Signature {
                args: &[Vector, Scalar],
                optional: 0,
                ret: Vector,
            },
            Function::Clamp => Signature {
                args: &[Vector, Scalar, Scalar],
                optional: 0,
                ret: Vector,
            },
            Function::Scalar => Signature {
                args: &[Vector],
                optional: 0,
                ret: Scalar,
            },
            Function::Vector => Signature {
                args: &[Scalar],
                optional: 0,
                ret: Vector,
            },
            Function::Time => Signature {
                args: &[],
                optional: 0,
                ret: Scalar,
            },
        }
    }
}

/// PromQL functions scalesim does not implement, for a precise "not supported" message
/// instead of "unknown function".
pub(crate) const UNSUPPORTED_FUNCTIONS: &[&str] = &[
    "absent",
    "absent_over_time",
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atanh",
    "cos",
    "cosh",
    "day_of_month",
    "day_of_week",
    "day_of_year",
    "days_in_month",
    "deg",
    "deriv",
    "double_exponential_smoothing",
    "end",
    "first_over_time",
    "histogram_avg",
    "histogram_count",
    "histogram_fraction",
    "histogram_quantile",
    "histogram_stddev",
    "histogram_stdvar",
    "histogram_sum",
    "holt_winters",
    "hour",
    "info",
    "label_join",
    "label_replace",
    "mad_over_time",
    "max_of",
    "min_of",
    "minute",
    "month",
    "pi",
    "predict_linear",
    "present_over_time",
    "quantile_over_time",
    "rad",
    "range",
    "sin",
    "sinh",
    "sort",
    "sort_by_label",
    "sort_by_label_desc",
    "sort_desc",
    "start",
    "stddev_over_time",
    "stdvar_over_time",
    "step",
    "tan",
    "tanh",
    "timestamp",
    "ts_of_first_over_time",
    "ts_of_last_over_time",
    "ts_of_max_over_time",
    "ts_of_min_over_time",
    "year",
];

/// Prints the tree with every binary operation parenthesised, so precedence is visible.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Number(v) => write_number(f, *v),
            Expr::String(s) => write!(f, "{s:?}"),
            Expr::Vector(sel) => write!(f, "{sel}"),
            Expr::Matrix { selector, range_ns } => {
                write_selector_body(f, selector)?;
                write!(f, "[{}]", go_duration_ms(*range_ns))?;
                write_offset(f, selector.offset_ns)
            }
            Expr::Call { func, args } => {
                write!(f, "{}(", func.name())?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
            Expr::Aggregate { op, grouping, expr } => {
                f.write_str(op.name())?;
                if grouping.without || !grouping.labels.is_empty() {
                    let kw = if grouping.without { "without" } else { "by" };
                    write!(f, " {kw} ({}) ", grouping.labels.join(", "))?;
                }
                write!(f, "({expr})")
            }
            Expr::Neg(e) => write!(f, "-{e}"),
            // A binary operation prints its own parentheses.
            Expr::Paren(e) if matches!(**e, Expr::Binary(_)) => write!(f, "{e}"),
            Expr::Paren(e) => write!(f, "({e})"),
            Expr::Binary(b) => {
                write!(f, "({} {}", b.lhs, b.op.symbol())?;
                if b.return_bool {
                    f.write_str(" bool")?;
                }
                if let Some(m) = &b.matching {
                    if m.on || !m.labels.is_empty() {
                        let kw = if m.on { "on" } else { "ignoring" };
                        write!(f, " {kw}({})", m.labels.join(", "))?;
                    }
                    match m.card {
                        Card::ManyToOne => write!(f, " group_left({})", m.include.join(", "))?,
                        Card::OneToMany => write!(f, " group_right({})", m.include.join(", "))?,
                        _ => {}
                    }
                }
                write!(f, " {})", b.rhs)
            }
        }
    }
}

impl fmt::Display for VectorSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_selector_body(f, self)?;
        write_offset(f, self.offset_ns)
    }
}

fn write_number(f: &mut fmt::Formatter<'_>, v: f64) -> fmt::Result {
    if v.is_nan() {
        f.write_str("NaN")
    } else if v.is_infinite() {
        f.write_str(if v > 0.0 { "+Inf" } else { "-Inf" })
    } else {
        write!(f, "{v}")
    }
}

fn write_selector_body(f: &mut fmt::Formatter<'_>, sel: &VectorSelector) -> fmt::Result {
    if let Some(name) = &sel.name {
        f.write_str(name)?;
    }
    let rest: Vec<&Matcher> = sel
        .matchers
        .iter()
        .filter(|m| {
            !(sel.name.is_some() && m.name == super::tsdb::METRIC_NAME && m.op == MatchOp::Equal)
        })
        .collect();
    if rest.is_empty() && sel.name.is_some() {
        return Ok(());
    }
    f.write_str("{")?;
    for (i, m) in rest.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        let op = match m.op {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::Regex => "=~",
            MatchOp::NotRegex => "!~",
        };
        write!(f, "{}{op}{:?}", m.name, m.value)?;
    }
    f.write_str("}")
}

fn write_offset(f: &mut fmt::Formatter<'_>, offset_ns: i64) -> fmt::Result {
    if offset_ns > 0 {
        write!(f, " offset {}", go_duration_ms(offset_ns))
    } else if offset_ns < 0 {
        write!(f, " offset -{}", go_duration_ms(offset_ns.saturating_neg()))
    } else {
        Ok(())
    }
}

/// A duration the way `model.Duration.String` prints it (`1h30m`, `90s`, `250ms`).
fn go_duration_ms(ns: i64) -> String {
    let mut ms = ns.unsigned_abs() / 1_000_000;
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    for (unit, size) in [
        ("y", 365 * 24 * 3_600_000u64),
        ("w", 7 * 24 * 3_600_000),
        ("d", 24 * 3_600_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
        ("ms", 1),
    ] {
        if ms >= size {
            out.push_str(&format!("{}{unit}", ms / size));
            ms %= size;
        }
    }
    out
}
