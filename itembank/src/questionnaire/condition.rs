//! Routing conditions: a small expression language over earlier answers.
//!
//! ```text
//! ST010 == 0
//! ST012 in [2, 3] and not ST013 >= 4
//! (ST020 < 2 or ST021 != 1)
//! ```
//! An item's value is its score category (the 0-based position of a Likert or
//! categorical option) or its numeric value (time use in minutes, numeric
//! background answers). A comparison with an unanswered item is false, so a rule
//! never fires on a missing answer.

use std::collections::BTreeSet;
use std::fmt;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Op::Eq => left == right,
            Op::Ne => left != right,
            Op::Lt => left < right,
            Op::Le => left <= right,
            Op::Gt => left > right,
            Op::Ge => left >= right,
        }
    }
}

/// A parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Compare { item: String, op: Op, value: f64 },
    In { item: String, values: Vec<f64> },
    Not(Box<Condition>),
    And(Vec<Condition>),
    Or(Vec<Condition>),
}

impl Condition {
    /// Evaluates the condition given each item's value (`None` = no answer).
    pub fn eval(&self, value_of: &dyn Fn(&str) -> Option<f64>) -> bool {
        match self {
            Condition::Compare { item, op, value } => value_of(item).is_some_and(|v| op.holds(v, *value)),
            Condition::In { item, values } => value_of(item).is_some_and(|v| values.contains(&v)),
            Condition::Not(c) => !c.eval(value_of),
            Condition::And(cs) => cs.iter().all(|c| c.eval(value_of)),
            Condition::Or(cs) => cs.iter().any(|c| c.eval(value_of)),
        }
    }

    /// The items the condition reads.
    pub fn items(&self) -> BTreeSet<&str> {
        let mut out = BTreeSet::new();
        self.collect_items(&mut out);
        out
    }

    fn collect_items<'a>(&'a self, out: &mut BTreeSet<&'a str>) {
        match self {
            Condition::Compare { item, .. } | Condition::In { item, .. } => {
                out.insert(item);
            }
            Condition::Not(c) => c.collect_items(out),
            Condition::And(cs) | Condition::Or(cs) => cs.iter().for_each(|c| c.collect_items(out)),
        }
    }

    /// The constants the condition compares an item with.
    pub fn constants_for(&self, item_id: &str) -> Vec<f64> {
        match self {
            Condition::Compare { item, value, .. } if item == item_id => vec![*value],
            Condition::In { item, values } if item == item_id => values.clone(),
            Condition::Compare { .. } | Condition::In { .. } => Vec::new(),
            Condition::Not(c) => c.constants_for(item_id),
            Condition::And(cs) | Condition::Or(cs) => cs.iter().flat_map(|c| c.constants_for(item_id)).collect(),
        }
    }
}

/// Why a condition could not be read, with the character position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub position: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at character {}: {}", self.position + 1, self.message)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Number(f64),
    Op(Op),
    In,
    And,
    Or,
    Not,
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    Comma,
}

fn tokenize(text: &str) -> Result<Vec<(usize, Token)>, ParseError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let two = chars.get(i + 1).copied();
        let token = match c {
            _ if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => Token::Open,
            ')' => Token::Close,
            '[' => Token::OpenBracket,
            ']' => Token::CloseBracket,
            ',' => Token::Comma,
            '=' | '!' | '<' | '>' => {
                let (op, len) = match (c, two) {
                    ('=', Some('=')) => (Op::Eq, 2),
                    ('!', Some('=')) => (Op::Ne, 2),
                    ('<', Some('=')) => (Op::Le, 2),
                    ('>', Some('=')) => (Op::Ge, 2),
                    ('<', _) => (Op::Lt, 1),
                    ('>', _) => (Op::Gt, 1),
                    _ => {
                        return Err(ParseError {
                            position: i,
                            message: format!("unknown operator `{c}` (use ==, !=, <, <=, >, >=)"),
                        });
                    }
                };
                i += len;
                tokens.push((start, Token::Op(op)));
                continue;
            }
            _ if c.is_ascii_digit() || c == '-' || c == '.' => {
                while i < chars.len()
                    && (chars[i].is_ascii_digit() || chars[i] == '.' || (i == start && chars[i] == '-'))
                {
                    i += 1;
                }
                let literal: String = chars[start..i].iter().collect();
                let n = literal.parse::<f64>().map_err(|_| ParseError {
                    position: start,
                    message: format!("`{literal}` is not a number"),
                })?;
                tokens.push((start, Token::Number(n)));
                continue;
            }
            _ if c.is_ascii_alphanumeric() || c == '_' => {
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '_' | '-' | '.')) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let token = match word.as_str() {
                    "and" => Token::And,
                    "or" => Token::Or,
                    "not" => Token::Not,
                    "in" => Token::In,
                    _ => Token::Ident(word),
                };
                tokens.push((start, token));
                continue;
            }
            _ => {
                return Err(ParseError {
                    position: i,
                    message: format!("unexpected character `{c}`"),
                });
            }
        };
        tokens.push((start, token));
        i += 1;
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    next: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next).map(|(_, t)| t)
    }

    fn position(&self) -> usize {
        self.tokens.get(self.next).map_or(self.end, |(p, _)| *p)
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError {
            position: self.position(),
            message: message.into(),
        })
    }

    fn take(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.next).map(|(_, t)| t.clone());
        self.next += 1;
        t
    }

    fn or(&mut self) -> Result<Condition, ParseError> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Token::Or) {
            self.next += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Condition::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Condition, ParseError> {
        let mut parts = vec![self.unary()?];
        while self.peek() == Some(&Token::And) {
            self.next += 1;
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Condition::And(parts)
        })
    }

    fn unary(&mut self) -> Result<Condition, ParseError> {
        match self.peek() {
            Some(Token::Not) => {
                self.next += 1;
                Ok(Condition::Not(Box::new(self.unary()?)))
            }
            Some(Token::Open) => {
                self.next += 1;
                let inner = self.or()?;
                if self.take() != Some(Token::Close) {
                    self.next -= 1;
                    return self.error("expected `)`");
                }
                Ok(inner)
            }
            _ => self.comparison(),
        }
    }

    fn comparison(&mut self) -> Result<Condition, ParseError> {
        let item = match self.take() {
            Some(Token::Ident(id)) => id,
            _ => {
                self.next -= 1;
                return self.error("expected an item id");
            }
        };
        match self.take() {
            Some(Token::Op(op)) => match self.take() {
                Some(Token::Number(value)) => Ok(Condition::Compare { item, op, value }),
                _ => {
                    self.next -= 1;
                    self.error("expected a number")
                }
            },
            Some(Token::In) => {
                if self.take() != Some(Token::OpenBracket) {
                    self.next -= 1;
                    return self.error("expected `[` after `in`");
                }
                let mut values = Vec::new();
                loop {
                    match self.take() {
                        Some(Token::Number(n)) => values.push(n),
                        _ => {
                            self.next -= 1;
                            return self.error("expected a number in the list");
                        }
                    }
                    match self.take() {
                        Some(Token::Comma) => continue,
                        Some(Token::CloseBracket) => break,
                        _ => {
                            self.next -= 1;
                            return self.error("expected `,` or `]`");
                        }
                    }
                }
                Ok(Condition::In { item, values })
            }
            _ => {
                self.next -= 1;
                self.error("expected a comparison (==, !=, <, <=, >, >=) or `in`")
            }
        }
    }
}

/// Parses a condition.
pub fn parse(text: &str) -> Result<Condition, ParseError> {
    let tokens = tokenize(text)?;
    let end = text.chars().count();
    if tokens.is_empty() {
        return Err(ParseError {
            position: 0,
            message: "the condition is empty".into(),
        });
    }
    let mut parser = Parser { tokens, next: 0, end };
    let condition = parser.or()?;
    if parser.next < parser.tokens.len() {
        return parser.error("unexpected text after the condition");
    }
    Ok(condition)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(id: &str) -> Option<f64> {
        match id {
            "A" => Some(0.0),
            "B" => Some(3.0),
            _ => None,
        }
    }

    #[test]
    fn parses_and_evaluates() {
        let cases = [
            ("A == 0", true),
            ("A != 0", false),
            ("B in [1, 3]", true),
            ("B >= 4 or A < 1", true),
            ("not (A == 0) and B > 2", false),
            ("C == 0", false),
            ("not C == 0", true),
            ("B <= 3 and B > -1.5", true),
        ];
        for (text, expected) in cases {
            let c = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(c.eval(&values), expected, "{text}");
        }
    }

    #[test]
    fn reports_where_it_fails() {
        for (text, position) in [
            ("A = 1", 2),
            ("A == ", 5),
            ("A in [1 2]", 8),
            ("(A == 1", 7),
            ("A == 1 B", 7),
            ("", 0),
        ] {
            let e = parse(text).unwrap_err();
            assert_eq!(e.position, position, "{text}: {e}");
        }
    }

    #[test]
    fn lists_items_and_constants() {
        let c = parse("A == 1 or (B in [2, 5] and A > 0)").unwrap();
        assert_eq!(c.items().into_iter().collect::<Vec<_>>(), vec!["A", "B"]);
        assert_eq!(c.constants_for("A"), vec![1.0, 0.0]);
    }
}
