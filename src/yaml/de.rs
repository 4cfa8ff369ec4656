//! A serde `Deserializer` over [`Node`] that knows where every value came from.
//!
//! Errors carry the field path (`spec.triggers[0].metadata.listLength`) and the node's origin
//! (file line and column, or the `--set` override that wrote it). Unknown fields are errors in
//! strict documents (our own `Scenario` kind) and warnings in Kubernetes manifests, so a typo
//! such as `minReplicaCout` is never dropped silently. Two marker types hook into it:
//! [`Located`] keeps a value's path and origin for later validation messages, and
//! [`Unmodelled`] accepts any value and warns that the simulator does not model that field.

use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::Deserialize;

use super::{resolve_plain, Key, Kind, Node, Origin, Resolved, Style};

/// What the deserializer collects besides the value: notes about fields.
#[derive(Debug, Default)]
pub struct DeContext {
    /// Unknown fields are errors (true for our own document kinds).
    pub strict: bool,
    /// The document is a Kubernetes object (enables Kubernetes-specific type notes).
    pub kubernetes: bool,
    notes: RefCell<Vec<FieldNote>>,
}

/// A warning about one field.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldNote {
    /// Field path, e.g. `spec.template.spec.affinity`.
    pub path: String,
    /// Where the field was written.
    pub origin: Origin,
    /// What to tell the user.
    pub message: String,
}

impl DeContext {
    /// A context for our own strict documents or for lenient Kubernetes manifests.
    pub fn new(strict: bool, kubernetes: bool) -> Self {
        DeContext {
            strict,
            kubernetes,
            notes: RefCell::new(Vec::new()),
        }
    }

    /// The notes collected so far, in document order.
    pub fn take_notes(&self) -> Vec<FieldNote> {
        std::mem::take(&mut self.notes.borrow_mut())
    }

    fn note(&self, path: &str, origin: Origin, message: String) {
        self.notes.borrow_mut().push(FieldNote {
            path: path.to_string(),
            origin,
            message,
        });
    }
}

/// A deserialization error with its location.
#[derive(Clone, Debug, PartialEq)]
pub struct DeError {
    /// Field path where it happened (empty at the document root).
    pub path: String,
    /// Origin of the offending node, when known.
    pub origin: Option<Origin>,
    /// What was wrong and what was expected.
    pub message: String,
}

impl DeError {
    fn at(node: &Node, path: &str, message: impl Into<String>) -> DeError {
        DeError {
            path: path.to_string(),
            origin: Some(node.origin),
            message: message.into(),
        }
    }

    fn locate(mut self, node: &Node, path: &str) -> DeError {
        if self.origin.is_none() {
            self.origin = Some(node.origin);
            self.path = path.to_string();
        }
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            path: String::new(),
            origin: None,
            message: msg.to_string(),
        }
    }
    fn missing_field(field: &'static str) -> Self {
        Self::custom(format_args!("missing field `{field}`"))
    }
}

/// Appends a mapping key to a path (`a.b`, or `a["x.y/z"]` for keys with odd characters).
pub fn join_key(path: &str, key: &str) -> String {
    let simple = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (path.is_empty(), simple) {
        (true, true) => key.to_string(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{key:?}]"),
    }
}

/// Appends a list index to a path (`a[3]`).
pub fn join_index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// Deserializes `T` from `node`, whose path is `path` (usually empty for a document root).
pub fn from_node<'de, T: Deserialize<'de>>(
    node: &Node,
    path: &str,
    cx: &DeContext,
) -> Result<T, DeError> {
    T::deserialize(NodeDe {
        node,
        path: path.to_string(),
        cx,
    })
    .map_err(|e| e.locate(node, path))
}

/// The deserializer for one node.
pub struct NodeDe<'a> {
    node: &'a Node,
    path: String,
    cx: &'a DeContext,
}

const LOCATED: &str = "$__scalesim_located";
const LOCATED_FIELDS: &[&str] = &["$__path", "$__line", "$__col", "$__override", "$__value"];
const UNMODELLED: &str = "$__scalesim_unmodelled";

impl<'a> NodeDe<'a> {
    fn child(&self, node: &'a Node, path: String) -> NodeDe<'a> {
        NodeDe {
            node,
            path,
            cx: self.cx,
        }
    }

    fn fail(&self, message: impl Into<String>) -> DeError {
        DeError::at(self.node, &self.path, message)
    }

    fn expected(&self, what: &str) -> DeError {
        self.fail(format!("expected {what}, found {}", self.node.describe()))
    }

    /// The integer value of a plain scalar, or an error naming what was found.
    fn integer(&self, what: &str) -> Result<i128, DeError> {
        match &self.node.kind {
            Kind::Scalar(s, Style::Plain) => match resolve_plain(s) {
                Resolved::Int(i) => Ok(i),
                _ => Err(self.expected(what)),
            },
            Kind::Scalar(s, _) if resolve_plain(s) != Resolved::Str => Err(self.fail(format!(
                "expected {what}, found the string {s:?}; remove the quotes"
            ))),
            _ => Err(self.expected(what)),
        }
    }

    fn ranged<T: TryFrom<i128>>(&self, what: &str, min: i128, max: i128) -> Result<T, DeError> {
        let i = self.integer(what)?;
        if i < min || i > max {
            return Err(self.fail(format!(
                "the number {i} is out of range: expected {what} between {min} and {max}"
            )));
        }
        T::try_from(i).map_err(|_| self.fail("number out of range"))
    }

    fn string(&self) -> Result<String, DeError> {
        match &self.node.kind {
            Kind::Scalar(s, Style::Plain) => {
                let r = resolve_plain(s);
                if r == Resolved::Null {
                    return Err(self.expected("a string"));
                }
                if self.cx.kubernetes && r != Resolved::Str {
                    if let Origin::File { .. } = self.node.origin {
                        self.cx.note(
                            &self.path,
                            self.node.origin,
                            format!(
                                "is {} but Kubernetes expects a string here, so `kubectl apply` would reject it; write \"{s}\" (scalesim reads it as the string)",
                                self.node.describe()
                            ),
                        );
                    }
                }
                Ok(s.clone())
            }
            Kind::Scalar(s, _) => Ok(s.clone()),
            _ => Err(self.expected("a string")),
        }
    }
}

macro_rules! int_method {
    ($method:ident, $visit:ident, $ty:ty, $what:expr) => {
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            let v: $ty = self.ranged($what, <$ty>::MIN as i128, <$ty>::MAX as i128)?;
            visitor
                .$visit(v)
                .map_err(|e: DeError| e.locate(self.node, &self.path))
        }
    };
}

impl<'de, 'a> de::Deserializer<'de> for NodeDe<'a> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match &self.node.kind {
            Kind::Scalar(s, Style::Plain) => match resolve_plain(s) {
                Resolved::Null => visitor.visit_unit(),
                Resolved::Bool(b) => visitor.visit_bool(b),
                Resolved::Int(i) => {
                    if let Ok(u) = u64::try_from(i) {
                        visitor.visit_u64(u)
                    } else if let Ok(v) = i64::try_from(i) {
                        visitor.visit_i64(v)
                    } else {
                        visitor.visit_i128(i)
                    }
                }
                Resolved::Float(f) => visitor.visit_f64(f),
                Resolved::Str => visitor.visit_string(s.clone()),
            },
            Kind::Scalar(s, _) => visitor.visit_string(s.clone()),
            Kind::Seq(_) => return self.deserialize_seq(visitor),
            Kind::Map(_) => return self.deserialize_map(visitor),
        };
        r.map_err(|e: DeError| e.locate(self.node, &self.path))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.kind {
            Kind::Scalar(s, Style::Plain) => match resolve_plain(s) {
                Resolved::Bool(b) => visitor.visit_bool(b),
                _ => Err(self.expected("true or false")),
            },
            Kind::Scalar(s, _) if s == "true" || s == "false" => Err(self.fail(format!(
                "expected true or false, found the string {s:?}; remove the quotes"
            ))),
            _ => Err(self.expected("true or false")),
        }
    }

    int_method!(deserialize_i8, visit_i8, i8, "an integer");
    int_method!(deserialize_i16, visit_i16, i16, "an integer");
    int_method!(deserialize_i32, visit_i32, i32, "an integer");
    int_method!(deserialize_i64, visit_i64, i64, "an integer");
    int_method!(deserialize_u8, visit_u8, u8, "a non-negative integer");
    int_method!(deserialize_u16, visit_u16, u16, "a non-negative integer");
    int_method!(deserialize_u32, visit_u32, u32, "a non-negative integer");
    int_method!(deserialize_u64, visit_u64, u64, "a non-negative integer");

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let f = match &self.node.kind {
            Kind::Scalar(s, Style::Plain) => match resolve_plain(s) {
                Resolved::Int(i) => i as f64,
                Resolved::Float(f) => f,
                _ => return Err(self.expected("a number")),
            },
            Kind::Scalar(s, _)
                if matches!(resolve_plain(s), Resolved::Int(_) | Resolved::Float(_)) =>
            {
                return Err(self.fail(format!(
                    "expected a number, found the string {s:?}; remove the quotes"
                )))
            }
            _ => return Err(self.expected("a number")),
        };
        visitor
            .visit_f64(f)
            .map_err(|e: DeError| e.locate(self.node, &self.path))
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let s = self.string()?;
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => visitor.visit_char(c),
            _ => Err(self.expected("a single character")),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let s = self.string()?;
        visitor
            .visit_string(s)
            .map_err(|e: DeError| e.locate(self.node, &self.path))
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.node.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.node.is_null() {
            visitor.visit_unit()
        } else {
            Err(self.expected("null"))
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if name == UNMODELLED {
            self.cx.note(
                &self.path,
                self.node.origin,
                "is not modelled by scalesim and has no effect on the simulation".into(),
            );
            return visitor.visit_unit();
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.kind {
            Kind::Seq(items) => {
                let access = SeqAccess {
                    items: items.iter().enumerate(),
                    parent: &self,
                };
                visitor
                    .visit_seq(access)
                    .map_err(|e: DeError| e.locate(self.node, &self.path))
            }
            _ => Err(self.expected("a list")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.kind {
            Kind::Map(entries) => visitor
                .visit_map(MapAccess {
                    entries: entries.iter(),
                    fields: None,
                    value: None,
                    parent: &self,
                })
                .map_err(|e: DeError| e.locate(self.node, &self.path)),
            _ => Err(self.expected("a mapping")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if name == LOCATED {
            return visitor.visit_map(LocatedAccess {
                de: Some(self),
                step: 0,
            });
        }
        match &self.node.kind {
            Kind::Map(entries) => visitor
                .visit_map(MapAccess {
                    entries: entries.iter(),
                    fields: Some(fields),
                    value: None,
                    parent: &self,
                })
                .map_err(|e: DeError| e.locate(self.node, &self.path)),
            _ => Err(self.expected("a mapping")),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let one_of = || {
            variants
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match &self.node.kind {
            Kind::Scalar(s, _) => {
                if !variants.contains(&s.as_str()) {
                    return Err(self.fail(format!(
                        "unknown value {s:?}{}, expected one of {}",
                        suggest(s, variants),
                        one_of()
                    )));
                }
                visitor
                    .visit_enum(EnumAccess {
                        tag: s.clone(),
                        value: None,
                        parent: &self,
                    })
                    .map_err(|e: DeError| e.locate(self.node, &self.path))
            }
            Kind::Map(entries) if entries.len() == 1 => {
                let (key, value) = &entries[0];
                if !variants.contains(&key.text.as_str()) {
                    return Err(DeError {
                        path: self.path.clone(),
                        origin: Some(key.origin),
                        message: format!(
                            "unknown kind {:?}{}, expected one of {}",
                            key.text,
                            suggest(&key.text, variants),
                            one_of()
                        ),
                    });
                }
                visitor
                    .visit_enum(EnumAccess {
                        tag: key.text.clone(),
                        value: Some((value, join_key(&self.path, &key.text))),
                        parent: &self,
                    })
                    .map_err(|e: DeError| e.locate(self.node, &self.path))
            }
            _ => Err(self.fail(format!(
                "expected one of {} (a name, or a mapping with exactly one of them as its key), found {}",
                one_of(),
                self.node.describe()
            ))),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

struct SeqAccess<'a, 'p> {
    items: std::iter::Enumerate<std::slice::Iter<'a, Node>>,
    parent: &'p NodeDe<'a>,
}

impl<'de, 'a, 'p> de::SeqAccess<'de> for SeqAccess<'a, 'p> {
    type Error = DeError;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            None => Ok(None),
            Some((i, node)) => {
                let path = join_index(&self.parent.path, i);
                let de = self.parent.child(node, path.clone());
                seed.deserialize(de)
                    .map(Some)
                    .map_err(|e: DeError| e.locate(node, &path))
            }
        }
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapAccess<'a, 'p> {
    entries: std::slice::Iter<'a, (Key, Node)>,
    fields: Option<&'static [&'static str]>,
    value: Option<(&'a Node, String)>,
    parent: &'p NodeDe<'a>,
}

impl<'de, 'a, 'p> de::MapAccess<'de> for MapAccess<'a, 'p> {
    type Error = DeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        for (key, value) in self.entries.by_ref() {
            let path = join_key(&self.parent.path, &key.text);
            if let Some(fields) = self.fields {
                if !fields.contains(&key.text.as_str()) {
                    let from_override = matches!(key.origin, Origin::Override(_));
                    let expected: Vec<&str> = fields
                        .iter()
                        .copied()
                        .filter(|f| !f.starts_with('$'))
                        .collect();
                    let msg = format!(
                        "unknown field `{}`{}",
                        key.text,
                        suggest(&key.text, &expected)
                    );
                    if self.parent.cx.strict || from_override {
                        return Err(DeError {
                            path,
                            origin: Some(key.origin),
                            message: format!("{msg}; expected one of: {}", expected.join(", ")),
                        });
                    }
                    self.parent.cx.note(
                        &path,
                        key.origin,
                        format!("{msg}: not a field scalesim knows, ignored"),
                    );
                    continue;
                }
            }
            self.value = Some((value, path));
            let key_node = Node {
                kind: Kind::Scalar(key.text.clone(), Style::Quoted),
                origin: key.origin,
            };
            let kde = NodeDe {
                node: &key_node,
                path: join_key(&self.parent.path, &key.text),
                cx: self.parent.cx,
            };
            return seed.deserialize(kde).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let (node, path) = self.value.take().expect("value after key");
        let de = self.parent.child(node, path.clone());
        seed.deserialize(de)
            .map_err(|e: DeError| e.locate(node, &path))
    }
}

struct EnumAccess<'a, 'p> {
    tag: String,
    value: Option<(&'a Node, String)>,
    parent: &'p NodeDe<'a>,
}

impl<'de, 'a, 'p> de::EnumAccess<'de> for EnumAccess<'a, 'p> {
    type Error = DeError;
    type Variant = Self;
    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), DeError> {
        let tag: de::value::StringDeserializer<DeError> = self.tag.clone().into_deserializer();
        let v = seed.deserialize(tag)?;
        Ok((v, self))
    }
}

impl<'de, 'a, 'p> de::VariantAccess<'de> for EnumAccess<'a, 'p> {
    type Error = DeError;
    fn unit_variant(self) -> Result<(), DeError> {
        match self.value {
            None => Ok(()),
            Some((node, _)) if node.is_null() => Ok(()),
            Some((node, path)) => Err(DeError::at(
                node,
                &path,
                format!(
                    "`{}` takes no settings, found {}",
                    self.tag,
                    node.describe()
                ),
            )),
        }
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        match self.value {
            Some((node, path)) => seed
                .deserialize(self.parent.child(node, path.clone()))
                .map_err(|e: DeError| e.locate(node, &path)),
            None => Err(self.parent.fail(format!(
                "`{}` needs settings: write it as a mapping `{}: ...`",
                self.tag, self.tag
            ))),
        }
    }
    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Some((node, path)) => {
                de::Deserializer::deserialize_seq(self.parent.child(node, path), visitor)
            }
            None => Err(self.parent.fail(format!("`{}` needs a list", self.tag))),
        }
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.value {
            Some((node, path)) => de::Deserializer::deserialize_struct(
                self.parent.child(node, path),
                "",
                fields,
                visitor,
            ),
            None => Err(self.parent.fail(format!(
                "`{}` needs settings: write it as a mapping `{}: {{...}}`",
                self.tag, self.tag
            ))),
        }
    }
}

/// Feeds a [`Located`] its path, position and value.
struct LocatedAccess<'a> {
    de: Option<NodeDe<'a>>,
    step: usize,
}

impl<'de, 'a> de::MapAccess<'de> for LocatedAccess<'a> {
    type Error = DeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        if self.step >= LOCATED_FIELDS.len() {
            return Ok(None);
        }
        let key: de::value::StrDeserializer<DeError> =
            LOCATED_FIELDS[self.step].into_deserializer();
        seed.deserialize(key).map(Some)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let step = self.step;
        self.step += 1;
        let de = self.de.as_ref().expect("located value taken once");
        let (line, col, ov) = match de.node.origin {
            Origin::File { start, .. } => (start.line as u64, start.col as u64, u64::MAX),
            Origin::Override(i) => (0, 0, i as u64),
        };
        match step {
            0 => seed.deserialize(de.path.clone().into_deserializer()),
            1 => seed.deserialize(line.into_deserializer()),
            2 => seed.deserialize(col.into_deserializer()),
            3 => seed.deserialize(ov.into_deserializer()),
            _ => seed.deserialize(self.de.take().expect("located value taken once")),
        }
    }
}

/// A value plus the path and origin it was read from, for validation messages that point at
/// the right line ("spec.maxReplicaCount (2) must be >= spec.minReplicaCount (5)").
#[derive(Clone, Debug, PartialEq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Its field path in the document.
    pub path: String,
    /// Where it was written.
    pub origin: Origin,
}

impl<T> Located<T> {
    /// A value made in code (no file position): for defaults and tests.
    pub fn synthetic(value: T, path: &str) -> Self {
        Located {
            value,
            path: path.to_string(),
            origin: Origin::Override(usize::MAX),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Located<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Located<T>, A::Error> {
                let mut path = String::new();
                let (mut line, mut col, mut ov) = (0u64, 0u64, u64::MAX);
                let mut value = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "$__path" => path = map.next_value()?,
                        "$__line" => line = map.next_value()?,
                        "$__col" => col = map.next_value()?,
                        "$__override" => ov = map.next_value()?,
                        _ => value = Some(map.next_value()?),
                    }
                }
                let origin = if ov != u64::MAX {
                    Origin::Override(ov as usize)
                } else {
                    let p = super::Pos {
                        line: line as u32,
                        col: col as u32,
                    };
                    Origin::File { start: p, end: p }
                };
                Ok(Located {
                    value: value.ok_or_else(|| de::Error::custom("located value missing"))?,
                    path,
                    origin,
                })
            }
        }
        d.deserialize_struct(LOCATED, LOCATED_FIELDS, V(PhantomData))
    }
}

/// A field the simulator reads past: any value is accepted and a warning names it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Unmodelled;

impl<'de> Deserialize<'de> for Unmodelled {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Unmodelled;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("anything")
            }
            fn visit_unit<E>(self) -> Result<Unmodelled, E> {
                Ok(Unmodelled)
            }
            fn visit_newtype_struct<D: de::Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Unmodelled, D::Error> {
                de::IgnoredAny::deserialize(d).map(|_| Unmodelled)
            }
        }
        d.deserialize_newtype_struct(UNMODELLED, V)
    }
}

/// " (did you mean `x`?)" when a close candidate exists.
pub fn suggest(word: &str, candidates: &[&str]) -> String {
    let lw = word.to_ascii_lowercase();
    let best = candidates
        .iter()
        .map(|c| (edit_distance(&lw, &c.to_ascii_lowercase()), *c))
        .min();
    match best {
        Some((d, c)) if d <= 2.max(word.len() / 4) && d > 0 || (d == 0 && c != word) => {
            format!(" (did you mean `{c}`?)")
        }
        _ => String::new(),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_stream, Pos};
    use std::collections::BTreeMap;
    use std::sync::Arc;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct Spec {
        min_replica_count: Option<i32>,
        max_replica_count: Located<i32>,
        #[serde(default)]
        triggers: Vec<Trigger>,
        #[serde(default)]
        affinity: Option<Unmodelled>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Trigger {
        #[serde(rename = "type")]
        kind: String,
        metadata: BTreeMap<String, String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    enum Dist {
        Constant(String),
        Uniform { min: f64, max: f64 },
        Exact,
    }

    fn doc(s: &str) -> Node {
        parse_stream(s, &Arc::from("t.yaml"))
            .unwrap()
            .remove(0)
            .root
    }

    #[test]
    fn reads_structs_with_locations() {
        let n = doc("minReplicaCount: 1\nmaxReplicaCount: 10\ntriggers:\n- type: redis\n  metadata: {listLength: \"5\"}\n");
        let cx = DeContext::new(false, true);
        let s: Spec = from_node(&n, "spec", &cx).unwrap();
        assert_eq!(s.min_replica_count, Some(1));
        assert_eq!(s.max_replica_count.value, 10);
        assert_eq!(s.max_replica_count.path, "spec.maxReplicaCount");
        assert_eq!(
            s.max_replica_count.origin,
            Origin::File {
                start: Pos { line: 2, col: 18 },
                end: Pos { line: 2, col: 18 }
            }
        );
        assert_eq!(s.triggers[0].metadata["listLength"], "5");
        assert!(cx.take_notes().is_empty());
    }

    #[test]
    fn type_errors_name_path_and_line() {
        let n = doc("maxReplicaCount: twenty\n");
        let e = from_node::<Spec>(&n, "spec", &DeContext::new(false, true)).unwrap_err();
        assert_eq!(e.path, "spec.maxReplicaCount");
        assert_eq!(
            e.message,
            "expected an integer, found the string \"twenty\""
        );
        assert!(matches!(
            e.origin,
            Some(Origin::File {
                start: Pos { line: 1, col: 18 },
                ..
            })
        ));
        let n = doc("maxReplicaCount: \"3\"\n");
        let e = from_node::<Spec>(&n, "spec", &DeContext::new(false, true)).unwrap_err();
        assert!(e.message.contains("remove the quotes"), "{e}");
        let n = doc("maxReplicaCount: 99999999999\n");
        let e = from_node::<Spec>(&n, "spec", &DeContext::new(false, true)).unwrap_err();
        assert!(e.message.contains("out of range"), "{e}");
        let n = doc("minReplicaCount: 1\n");
        let e = from_node::<Spec>(&n, "spec", &DeContext::new(false, true)).unwrap_err();
        assert_eq!(e.to_string(), "spec: missing field `maxReplicaCount`");
    }

    #[test]
    fn unknown_fields_warn_in_manifests_and_fail_when_strict() {
        let text = "maxReplicaCount: 3\nminReplicaCout: 1\naffinity: {x: 1}\ntriggers: [{type: redis, metadata: {listLength: 10}}]\n";
        let cx = DeContext::new(false, true);
        let s: Spec = from_node(&doc(text), "spec", &cx).unwrap();
        assert_eq!(s.min_replica_count, None);
        let notes = cx.take_notes();
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert_eq!(notes[0].path, "spec.minReplicaCout");
        assert!(notes[0].message.contains("did you mean `minReplicaCount`"));
        assert_eq!(notes[1].path, "spec.affinity");
        assert!(notes[1].message.contains("not modelled"));
        assert_eq!(notes[2].path, "spec.triggers[0].metadata.listLength");
        assert!(notes[2].message.contains("kubectl apply"));
        let e = from_node::<Spec>(&doc(text), "spec", &DeContext::new(true, false)).unwrap_err();
        assert_eq!(e.path, "spec.minReplicaCout");
        assert!(e
            .message
            .starts_with("unknown field `minReplicaCout` (did you mean `minReplicaCount`?)"));
    }

    #[test]
    fn enums_are_externally_tagged() {
        let cx = DeContext::new(true, false);
        let v: Vec<Dist> = from_node(
            &doc("[{constant: 1s}, {uniform: {min: 1, max: 2}}, exact]"),
            "",
            &cx,
        )
        .unwrap();
        assert_eq!(
            v,
            vec![
                Dist::Constant("1s".into()),
                Dist::Uniform { min: 1.0, max: 2.0 },
                Dist::Exact
            ]
        );
        let e = from_node::<Vec<Dist>>(&doc("[{uniformm: {min: 1}}]"), "", &cx).unwrap_err();
        assert!(e.message.contains("did you mean `uniform`"), "{e}");
        let e = from_node::<Vec<Dist>>(&doc("[{uniform: {min: 1}}]"), "", &cx).unwrap_err();
        assert_eq!(e.to_string(), "[0].uniform: missing field `max`");
    }

    #[test]
    fn join_key_quotes_odd_keys() {
        assert_eq!(
            join_key("metadata.annotations", "autoscaling.keda.sh/paused"),
            "metadata.annotations[\"autoscaling.keda.sh/paused\"]"
        );
        assert_eq!(join_key("", "spec"), "spec");
    }
}
