//! Fully anchored regular expressions for label matchers (`=~`, `!~`), in RE2 syntax as Go's
//! `regexp` reads it, without a dependency.
//!
//! Prometheus compiles a matcher's pattern as `^(?s:<pattern>)$` (`model/labels/regexp.go`,
//! `NewFastRegexMatcher`), so a match is always a whole-value match and `.` also matches a
//! newline. Supported: literals and escapes (`\.`, `\n`, `\x41`, `\d \w \s` and negations),
//! `.`, classes (`[abc]`, `[a-z0-9_]`, `[^x]`, Perl classes inside), groups `( )`, `(?: )`,
//! `(?P<n> )`, flags `(?i)`, `(?s)`, `(?i: )`, alternation, `* + ? {n} {n,} {n,m}` (lazy
//! forms too), and `^ $ \A \z`. Not supported (an error): Unicode classes `\p{..}`, POSIX
//! `[[:alpha:]]`, word boundaries. Matching is a Pike VM: linear in the input, no backtracking.

use std::fmt;

/// Most instructions a compiled pattern may have (bounds memory for `(a{1000}){1000}`).
const MAX_PROG: usize = 20_000;
/// Largest repetition count, as in RE2.
const MAX_REPEAT: u32 = 1000;

/// A compiled, fully anchored pattern.
#[derive(Clone)]
pub struct Regex {
    source: String,
    prog: Vec<Inst>,
}

impl fmt::Debug for Regex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Regex({:?})", self.source)
    }
}

impl PartialEq for Regex {
    fn eq(&self, other: &Regex) -> bool {
        self.source == other.source
    }
}

impl Regex {
    /// Compiles `pattern`; the error reads like Go's (`error parsing regexp: ...`).
    pub fn new(pattern: &str) -> Result<Regex, String> {
        let mut p = ReParser {
            chars: pattern.chars().collect(),
            pos: 0,
            depth: 0,
        };
        let flags = Flags {
            icase: false,
            dotnl: true,
        };
        let node = p
            .alternation(flags)
            .map_err(|e| format!("error parsing regexp: {e}: `{pattern}`"))?;
        if p.pos < p.chars.len() {
            return Err(format!("error parsing regexp: unexpected ): `{pattern}`"));
        }
        let mut c = Compiler { prog: Vec::new() };
        c.emit_node(&node)
            .map_err(|e| format!("error parsing regexp: {e}: `{pattern}`"))?;
        c.prog.push(Inst::Match);
        Ok(Regex {
            source: pattern.to_string(),
            prog: c.prog,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the whole of `text` matches.
    pub fn is_match(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        let n = self.prog.len();
        let mut clist: Vec<usize> = Vec::with_capacity(n);
        let mut nlist: Vec<usize> = Vec::with_capacity(n);
        let mut seen = vec![usize::MAX; n];
        let mut stack = Vec::with_capacity(n);
        let mut step = 0usize;
        self.add_thread(&mut clist, &mut seen, &mut stack, step, 0, 0, chars.len());
        for (i, &ch) in chars.iter().enumerate() {
            if clist.is_empty() {
                return false;
            }
            step += 1;
            nlist.clear();
            for &pc in &clist {
                let ok = match &self.prog[pc] {
                    Inst::Char(c, icase) => *c == ch || (*icase && fold_eq(*c, ch)),
                    Inst::Any { dotnl } => *dotnl || ch != '\n',
                    Inst::Class(class) => class.matches(ch),
                    _ => false,
                };
                if ok {
                    self.add_thread(
                        &mut nlist,
                        &mut seen,
                        &mut stack,
                        step,
                        pc + 1,
                        i + 1,
                        chars.len(),
                    );
                }
            }
            std::mem::swap(&mut clist, &mut nlist);
        }
        clist.iter().any(|&pc| matches!(self.prog[pc], Inst::Match))
    }

    /// Adds `pc` and everything reachable from it without consuming input.
    #[allow(clippy::too_many_arguments)]
    fn add_thread(
        &self,
        list: &mut Vec<usize>,
        seen: &mut [usize],
        stack: &mut Vec<usize>,
        step: usize,
        pc: usize,
        at: usize,
        len: usize,
    ) {
        stack.push(pc);
        while let Some(pc) = stack.pop() {
            if seen[pc] == step {
                continue;
            }
            seen[pc] = step;
            match self.prog[pc] {
                Inst::Jmp(to) => stack.push(to),
                Inst::Split(a, b) => {
                    stack.push(b);
                    stack.push(a);
                }
                Inst::AssertStart => {
                    if at == 0 {
                        stack.push(pc + 1);
                    }
                }
                Inst::AssertEnd => {
                    if at == len {
                        stack.push(pc + 1);
                    }
                }
                _ => list.push(pc),
            }
        }
    }
}

/// Simple case folding: equal ignoring case, for chars with one-char case mappings.
fn fold_eq(a: char, b: char) -> bool {
    fold(a) == fold(b)
}

fn fold(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

#[derive(Clone, Debug)]
enum Inst {
    Char(char, bool),
    Any { dotnl: bool },
    Class(Class),
    Split(usize, usize),
    Jmp(usize),
    AssertStart,
    AssertEnd,
    Match,
}

/// A character class: sorted ranges, possibly negated, possibly case-insensitive.
#[derive(Clone, Debug)]
struct Class {
    ranges: Vec<(char, char)>,
    negated: bool,
    icase: bool,
}

impl Class {
    fn matches(&self, c: char) -> bool {
        let hit = |x: char| self.ranges.iter().any(|&(lo, hi)| lo <= x && x <= hi);
        let mut found = hit(c);
        if !found && self.icase {
            found = c.to_lowercase().any(hit) || c.to_uppercase().any(hit);
        }
        found != self.negated
    }
}

#[derive(Clone, Copy)]
struct Flags {
    icase: bool,
    dotnl: bool,
}

#[derive(Clone, Debug)]
enum Node {
    Empty,
    Char(char, bool),
    Any(bool),
    Class(Class),
    Start,
    End,
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
    },
}

struct ReParser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
}

impl ReParser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn alternation(&mut self, flags: Flags) -> Result<Node, String> {
        let mut flags = flags;
        let mut alts = vec![self.concat(&mut flags)?];
        while self.eat('|') {
            alts.push(self.concat(&mut flags)?);
        }
        Ok(if alts.len() == 1 {
            alts.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alt(alts)
        })
    }

    /// A sequence up to `|`, `)` or the end. Flag groups `(?i)` change `flags` for the rest
    /// of the enclosing group.
    fn concat(&mut self, flags: &mut Flags) -> Result<Node, String> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let Some(atom) = self.atom(flags)? else {
                continue;
            };
            let atom = self.quantifier(atom)?;
            items.push(atom);
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.pop().unwrap_or(Node::Empty),
            _ => Node::Concat(items),
        })
    }

    fn quantifier(&mut self, atom: Node) -> Result<Node, String> {
        let mut node = atom;
        loop {
            let start = self.pos;
            let (min, max) = match self.peek() {
                Some('*') => {
                    self.pos += 1;
                    (0, None)
                }
                Some('+') => {
                    self.pos += 1;
                    (1, None)
                }
                Some('?') => {
                    self.pos += 1;
                    (0, Some(1))
                }
                Some('{') => match self.counted()? {
                    Some(r) => r,
                    None => return Ok(node),
                },
                _ => return Ok(node),
            };
            if matches!(node, Node::Repeat { .. }) {
                let op: String = self.chars[start..self.pos].iter().collect();
                return Err(format!("invalid nested repetition operator: `{op}`"));
            }
            self.eat('?'); // lazy: same language for a whole-string match
            node = Node::Repeat {
                node: Box::new(node),
                min,
                max,
            };
        }
    }

    /// `{n}`, `{n,}`, `{n,m}`; `None` (nothing consumed) when `{` is a literal.
    fn counted(&mut self) -> Result<Option<(u32, Option<u32>)>, String> {
        let save = self.pos;
        self.pos += 1;
        let num = |p: &mut ReParser| -> Option<u32> {
            let s = p.pos;
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.pos += 1;
            }
            if p.pos == s {
                return None;
            }
            let text: String = p.chars[s..p.pos].iter().collect();
            Some(text.parse::<u32>().unwrap_or(u32::MAX))
        };
        let Some(min) = num(self) else {
            self.pos = save;
            return Ok(None);
        };
        let max = if self.eat(',') {
            if self.peek() == Some('}') {
                None
            } else {
                match num(self) {
                    Some(m) => Some(m),
                    None => {
                        self.pos = save;
                        return Ok(None);
                    }
                }
            }
        } else {
            Some(min)
        };
        if !self.eat('}') {
            self.pos = save;
            return Ok(None);
        }
        if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT || m < min) {
            let text: String = self.chars[save..self.pos].iter().collect();
            return Err(format!("invalid repeat count: `{text}`"));
        }
        Ok(Some((min, max)))
    }

    /// One atom; `None` for a flag group like `(?i)` that only changes flags.
    fn atom(&mut self, flags: &mut Flags) -> Result<Option<Node>, String> {
        let Some(c) = self.peek() else {
            return Ok(Some(Node::Empty));
        };
        self.pos += 1;
        let node = match c {
            '(' => return self.group(flags),
            '[' => Node::Class(self.class(*flags)?),
            '.' => Node::Any(flags.dotnl),
            '^' => Node::Start,
            '$' => Node::End,
            '\\' => self.escape(*flags)?,
            '*' | '+' | '?' => {
                return Err(format!("missing argument to repetition operator: `{c}`"))
            }
            c => Node::Char(c, flags.icase),
        };
        Ok(Some(node))
    }

    fn group(&mut self, flags: &mut Flags) -> Result<Option<Node>, String> {
        self.depth += 1;
        if self.depth > 1000 {
            return Err("expression nests too deeply".into());
        }
        let mut inner = *flags;
        if self.eat('?') {
            if self.eat('P') || self.peek() == Some('<') {
                // Named capture: (?P<name>re) or (?<name>re).
                if !self.eat('<') {
                    return Err("invalid named capture".into());
                }
                while let Some(c) = self.peek() {
                    self.pos += 1;
                    if c == '>' {
                        break;
                    }
                    if !(c.is_alphanumeric() || c == '_') {
                        return Err("invalid named capture".into());
                    }
                }
            } else {
                let mut negate = false;
                loop {
                    match self.peek() {
                        Some('i') => inner.icase = !negate,
                        Some('s') => inner.dotnl = !negate,
                        Some('m') | Some('U') => {}
                        Some('-') if !negate => negate = true,
                        Some(')') => {
                            // (?flags): applies to the rest of the enclosing group.
                            self.pos += 1;
                            self.depth -= 1;
                            *flags = inner;
                            return Ok(None);
                        }
                        Some(':') => {
                            self.pos += 1;
                            break;
                        }
                        _ => {
                            return Err(
                                "invalid or unsupported Perl syntax (lookarounds and this flag are not supported)"
                                    .into(),
                            )
                        }
                    }
                    self.pos += 1;
                }
            }
        }
        let node = self.alternation(inner)?;
        if !self.eat(')') {
            return Err("missing closing )".into());
        }
        self.depth -= 1;
        // Wrapped, so that `(a*)*` is not taken for a nested repetition `a**`.
        Ok(Some(Node::Concat(vec![node])))
    }

    fn escape(&mut self, flags: Flags) -> Result<Node, String> {
        let Some(c) = self.peek() else {
            return Err("trailing backslash at end of expression".into());
        };
        self.pos += 1;
        if let Some(class) = perl_class(c) {
            return Ok(Node::Class(class));
        }
        Ok(match c {
            'A' => Node::Start,
            'z' => Node::End,
            _ => Node::Char(self.escaped_char(c)?, flags.icase),
        })
    }

    /// The literal character an escape `\c` (with `c` already read) stands for.
    fn escaped_char(&mut self, c: char) -> Result<char, String> {
        Ok(match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'f' => '\x0c',
            'v' => '\x0b',
            'a' => '\x07',
            '0'..='7' => {
                let mut v = c.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match self.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            self.pos += 1;
                        }
                        None => break,
                    }
                }
                char::from_u32(v).ok_or("invalid escape sequence")?
            }
            'x' => {
                let mut digits = String::new();
                if self.eat('{') {
                    while let Some(d) = self.peek() {
                        self.pos += 1;
                        if d == '}' {
                            break;
                        }
                        digits.push(d);
                    }
                } else {
                    for _ in 0..2 {
                        if let Some(d) = self.peek() {
                            self.pos += 1;
                            digits.push(d);
                        }
                    }
                }
                u32::from_str_radix(&digits, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or("invalid escape sequence: `\\x`")?
            }
            c if c.is_ascii_punctuation() => c,
            'p' | 'P' => return Err("Unicode classes (\\p) are not supported by scalesim".into()),
            'b' | 'B' => return Err("word boundaries (\\b) are not supported by scalesim".into()),
            c => return Err(format!("invalid escape sequence: `\\{c}`")),
        })
    }

    /// A bracketed class; the `[` is already consumed.
    fn class(&mut self, flags: Flags) -> Result<Class, String> {
        let negated = self.eat('^');
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return Err("missing closing ]".into());
            };
            if c == ']' && !first {
                self.pos += 1;
                break;
            }
            first = false;
            self.pos += 1;
            if c == '[' && self.peek() == Some(':') {
                return Err("POSIX classes ([[:alpha:]]) are not supported by scalesim".into());
            }
            let lo = if c == '\\' {
                let Some(e) = self.peek() else {
                    return Err("missing closing ]".into());
                };
                self.pos += 1;
                if let Some(pc) = perl_class(e) {
                    if pc.negated {
                        // \D, \W, \S inside a class: add the complement ranges.
                        ranges.extend(complement(&pc.ranges));
                    } else {
                        ranges.extend(pc.ranges);
                    }
                    continue;
                }
                self.escaped_char(e)?
            } else {
                c
            };
            if self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|&n| n != ']') {
                self.pos += 1;
                let hc = self.peek().ok_or("missing closing ]")?;
                self.pos += 1;
                let hi = if hc == '\\' {
                    let e = self.peek().ok_or("missing closing ]")?;
                    self.pos += 1;
                    self.escaped_char(e)?
                } else {
                    hc
                };
                if hi < lo {
                    return Err(format!("invalid character class range: `{lo}-{hi}`"));
                }
                ranges.push((lo, hi));
            } else {
                ranges.push((lo, lo));
            }
        }
        Ok(Class {
            ranges,
            negated,
            icase: flags.icase,
        })
    }
}

/// `\d \w \s` and their negations, ASCII as in RE2.
fn perl_class(c: char) -> Option<Class> {
    let (ranges, negated) = match c {
        'd' => (vec![('0', '9')], false),
        'D' => (vec![('0', '9')], true),
        'w' => (vec![('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')], false),
        'W' => (vec![('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')], true),
        's' => (vec![('\t', '\n'), ('\x0c', '\r'), (' ', ' ')], false),
        'S' => (vec![('\t', '\n'), ('\x0c', '\r'), (' ', ' ')], true),
        _ => return None,
    };
    Some(Class {
        ranges,
        negated,
        icase: false,
    })
}

/// The ranges not covered by sorted, disjoint `ranges`.
fn complement(ranges: &[(char, char)]) -> Vec<(char, char)> {
    let mut out = Vec::new();
    let mut next = 0u32;
    for &(lo, hi) in ranges {
        if (lo as u32) > next {
            if let (Some(a), Some(b)) = (char::from_u32(next), prev_char(lo)) {
                out.push((a, b));
            }
        }
        next = hi as u32 + 1;
    }
    if let Some(a) = char::from_u32(next) {
        out.push((a, char::MAX));
    }
    out
}

fn prev_char(c: char) -> Option<char> {
    (c as u32).checked_sub(1).and_then(char::from_u32)
}

struct Compiler {
    prog: Vec<Inst>,
}

impl Compiler {
    fn push(&mut self, inst: Inst) -> Result<usize, String> {
        if self.prog.len() >= MAX_PROG {
            return Err("expression too large".into());
        }
        self.prog.push(inst);
        Ok(self.prog.len() - 1)
    }

    fn emit_node(&mut self, node: &Node) -> Result<(), String> {
        match node {
            Node::Empty => {}
            Node::Char(c, icase) => {
                self.push(Inst::Char(*c, *icase))?;
            }
            Node::Any(dotnl) => {
                self.push(Inst::Any { dotnl: *dotnl })?;
            }
            Node::Class(class) => {
                self.push(Inst::Class(class.clone()))?;
            }
            Node::Start => {
                self.push(Inst::AssertStart)?;
            }
            Node::End => {
                self.push(Inst::AssertEnd)?;
            }
            Node::Concat(items) => {
                for item in items {
                    self.emit_node(item)?;
                }
            }
            Node::Alt(alts) => {
                // split L1, next; L1: a; jmp end; next: split L2, ... ; last alternative.
                let mut jumps = Vec::new();
                for (i, alt) in alts.iter().enumerate() {
                    if i + 1 < alts.len() {
                        let split = self.push(Inst::Split(0, 0))?;
                        self.emit_node(alt)?;
                        jumps.push(self.push(Inst::Jmp(0))?);
                        let next = self.prog.len();
                        self.prog[split] = Inst::Split(split + 1, next);
                    } else {
                        self.emit_node(alt)?;
                    }
                }
                let end = self.prog.len();
                for j in jumps {
                    self.prog[j] = Inst::Jmp(end);
                }
            }
            Node::Repeat { node, min, max } => {
                for _ in 0..*min {
                    self.emit_node(node)?;
                }
                match max {
                    None => {
                        // L: split body, out; body; jmp L
                        let split = self.push(Inst::Split(0, 0))?;
                        self.emit_node(node)?;
                        self.push(Inst::Jmp(split))?;
                        let out = self.prog.len();
                        self.prog[split] = Inst::Split(split + 1, out);
                    }
                    Some(max) => {
                        let mut splits = Vec::new();
                        for _ in *min..*max {
                            splits.push(self.push(Inst::Split(0, 0))?);
                            self.emit_node(node)?;
                        }
                        let out = self.prog.len();
                        for s in splits {
                            self.prog[s] = Inst::Split(s + 1, out);
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Regex;

    fn m(re: &str, s: &str) -> bool {
        Regex::new(re).unwrap().is_match(s)
    }

    #[test]
    fn anchored_literals_and_dots() {
        assert!(m("foo", "foo"));
        assert!(!m("foo", "foobar"));
        assert!(!m("foo", "xfoo"));
        assert!(m("f.o", "fxo"));
        assert!(m(".*", ""));
        assert!(m(".+", "a\nb"), "(?s) is on by default, as in Prometheus");
        assert!(!m(".+", ""));
        assert!(m("pro.*", "production"));
        assert!(m(".*ry", "canary"));
    }

    #[test]
    fn alternation_classes_and_repeats() {
        assert!(m("a|bc|d", "bc"));
        assert!(!m("a|bc|d", "b"));
        assert!(m("http_requests(_histogram)?", "http_requests"));
        assert!(m("http_requests(_histogram)?", "http_requests_histogram"));
        assert!(m("[a-c]+x", "abcabx"));
        assert!(!m("[^a-c]+", "abd"));
        assert!(m("[^a-c]+", "xyz"));
        assert!(m(r"\d{2,3}", "123"));
        assert!(!m(r"\d{2,3}", "1234"));
        assert!(m(r"a\.b", "a.b"));
        assert!(!m(r"a\.b", "axb"));
        assert!(m(r"[\w-]+", "api-server_1"));
        assert!(m("x{0}", ""));
    }

    #[test]
    fn case_insensitive_groups() {
        assert!(m("(?i:PRO).*", "production"));
        assert!(m(".*?(?i:PRO).*", "production"));
        assert!(m("((?i)PRO).*", "production"));
        assert!(m(".*(?i:TION)", "production"));
        assert!(!m(".*(?i:TION)x", "production"));
        assert!(m("(?i)[A-Z]+", "abc"));
    }

    #[test]
    fn errors_are_reported() {
        assert!(Regex::new("(.*").unwrap_err().contains("missing closing )"));
        assert!(Regex::new("a)").is_err());
        assert!(Regex::new("[a-").is_err());
        assert!(Regex::new("*a").is_err());
        assert!(Regex::new("a**").is_err());
        assert!(Regex::new("(?=a)").is_err());
        assert!(Regex::new(r"\p{L}").is_err());
        assert!(Regex::new("a{2000}").is_err());
        assert!(Regex::new("(a{1000}){1000}")
            .unwrap_err()
            .contains("too large"));
    }
}
