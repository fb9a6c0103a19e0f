//! Evaluation of the name matcher on labelled data: recall on queries that
//! should hit, false-positive rate on queries that should not, and
//! precision/recall/F1 on judged name pairs. Compliance teams run it
//! (`amlscreen eval`) to validate thresholds on their own data; CI runs it
//! against a committed baseline so matching quality can only go up.
//!
//! Query files are JSON lines `{"id","name","kind"?,"birth_date"?,"country"?,
//! "expect":[entity ids],"family"?,"group"?}`: a query with ids is found when
//! one of them is among its hits at or above the threshold; a query with
//! `expect: []` is a negative and a false positive when it has any hit.
//! Negatives are reported per `group` (when absent: `hard` if the id
//! contains "hard", else `synthetic`). Pair files are JSON lines
//! `{"id","a","b","kind"?,"match":bool}`.

use std::collections::HashSet;
use std::fmt;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{compare, compare_hit, MatchConfig, NameIndex, NameQuery};
use crate::lists::Entity;
use crate::model::PartyKind;

/// A line of an evaluation file that cannot be read.
#[derive(Debug)]
pub struct EvalError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line, 0 for the whole file.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
        }
    }
}

impl std::error::Error for EvalError {}

/// One line of a labelled query file (the format of `../shared/data/eval`).
#[derive(Debug, Clone, Deserialize)]
pub struct EvalQuery {
    /// Query id.
    pub id: String,
    /// The name screened.
    pub name: String,
    /// `person`, `organization` or `any`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Birth date `YYYY-MM-DD` or `YYYY`, when given.
    #[serde(default)]
    pub birth_date: Option<String>,
    /// Country ISO 3166 alpha-2, when given.
    #[serde(default)]
    pub country: Option<String>,
    /// Entity ids that count as found; empty for a negative.
    pub expect: Vec<String>,
    /// Negative group (`hard`, `synthetic`), when the file names one.
    #[serde(default)]
    pub group: Option<String>,
}

impl EvalQuery {
    /// The query as the index takes it.
    pub fn as_query(&self) -> NameQuery<'_> {
        NameQuery {
            name: &self.name,
            kind: party_kind(self.kind.as_deref()),
            birth_date: self.birth_date.as_deref(),
            country: self.country.as_deref(),
        }
    }
}

/// Every query of a labelled query file, in file order; an error names the
/// file and line.
pub fn read_queries(path: &Path) -> Result<Vec<EvalQuery>, EvalError> {
    read_lines(path)?
        .iter()
        .map(|(line_no, line)| parse_line(path, *line_no, line))
        .collect()
}

#[derive(Debug, Deserialize)]
struct PairLine {
    #[allow(dead_code)]
    id: String,
    a: String,
    b: String,
    #[serde(default)]
    kind: Option<String>,
    #[serde(rename = "match")]
    is_match: bool,
}

/// One measured figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// File name (without directory).
    pub file: String,
    /// `recall`, `fpr_<group>`, `mean_hits`, `precision`, `pair_recall`, `f1`.
    pub metric: String,
    /// Score threshold.
    pub threshold: f64,
    /// The value.
    pub value: f64,
    /// How many queries or pairs it is measured on.
    pub n: usize,
}

impl Figure {
    /// `"typo_dev.jsonl recall@0.80"`: the figure's name in a baseline file.
    pub fn key(&self) -> String {
        format!("{} {}@{:.2}", self.file, self.metric, self.threshold)
    }

    /// Whether a larger value is better (recall, precision, F1), smaller
    /// (false-positive rate), or neither (mean hits: `None`).
    pub fn higher_is_better(&self) -> Option<bool> {
        if self.metric.starts_with("fpr") {
            Some(false)
        } else if self.metric == "mean_hits" {
            None
        } else {
            Some(true)
        }
    }
}

fn party_kind(kind: Option<&str>) -> Option<PartyKind> {
    match kind {
        Some("person") => Some(PartyKind::Person),
        Some("organization") | Some("organisation") => Some(PartyKind::Organization),
        _ => None,
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// One JSON line of an eval file, or an error naming the file and line.
fn parse_line<T: serde::de::DeserializeOwned>(
    path: &Path,
    line_no: usize,
    line: &str,
) -> Result<T, EvalError> {
    serde_json::from_str(line).map_err(|e| EvalError {
        path: path.to_path_buf(),
        line: line_no,
        message: e.to_string(),
    })
}

fn read_lines(path: &Path) -> Result<Vec<(usize, String)>, EvalError> {
    let file = std::fs::File::open(path).map_err(|e| EvalError {
        path: path.to_path_buf(),
        line: 0,
        message: format!("cannot open: {e}"),
    })?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| EvalError {
            path: path.to_path_buf(),
            line: i + 1,
            message: e.to_string(),
        })?;
        if !line.trim().is_empty() {
            out.push((i + 1, line));
        }
    }
    Ok(out)
}

/// Whether a file holds pairs (`"a"`/`"b"`) rather than queries.
pub fn is_pair_file(path: &Path) -> Result<bool, EvalError> {
    let lines = read_lines(path)?;
    let Some((line, first)) = lines.first() else {
        return Err(EvalError {
            path: path.to_path_buf(),
            line: 0,
            message: "empty evaluation file".into(),
        });
    };
    let value: serde_json::Value = serde_json::from_str(first).map_err(|e| EvalError {
        path: path.to_path_buf(),
        line: *line,
        message: e.to_string(),
    })?;
    Ok(value.get("a").is_some() && value.get("b").is_some())
}

/// Evaluates a query file against an index built from `entities`.
pub fn evaluate_queries(
    index: &NameIndex,
    entities: &[Entity],
    path: &Path,
    thresholds: &[f64],
) -> Result<Vec<Figure>, EvalError> {
    let queries = read_queries(path)?;
    let min_threshold = thresholds.iter().copied().fold(f64::INFINITY, f64::min);
    // per query: is it a negative, its group, the best score of an expected
    // id, the scores of all hits
    struct Outcome {
        group: Option<String>,
        expected_best: f64,
        hit_scores: Vec<f64>,
    }
    let mut outcomes = Vec::with_capacity(queries.len());
    for q in &queries {
        let hits = index.search(&q.as_query(), min_threshold, usize::MAX);
        let expected: HashSet<&str> = q.expect.iter().map(String::as_str).collect();
        let expected_best = hits
            .iter()
            .filter(|h| {
                entities
                    .get(h.entity)
                    .is_some_and(|e| expected.contains(e.id.as_str()))
            })
            .map(|h| h.score)
            .fold(f64::NEG_INFINITY, f64::max);
        let group = if q.expect.is_empty() {
            Some(q.group.clone().unwrap_or_else(|| {
                if q.id.contains("hard") {
                    "hard".to_owned()
                } else {
                    "synthetic".to_owned()
                }
            }))
        } else {
            None
        };
        outcomes.push(Outcome {
            group,
            expected_best,
            hit_scores: hits.iter().map(|h| h.score).collect(),
        });
    }
    let file = file_name(path);
    let mut figures = Vec::new();
    let mut groups: Vec<String> = outcomes.iter().filter_map(|o| o.group.clone()).collect();
    groups.sort();
    groups.dedup();
    for &t in thresholds {
        let positives: Vec<&Outcome> = outcomes.iter().filter(|o| o.group.is_none()).collect();
        if !positives.is_empty() {
            let found = positives.iter().filter(|o| o.expected_best >= t).count();
            figures.push(Figure {
                file: file.clone(),
                metric: "recall".into(),
                threshold: t,
                value: found as f64 / positives.len() as f64,
                n: positives.len(),
            });
        }
        for g in &groups {
            let negatives: Vec<&Outcome> = outcomes
                .iter()
                .filter(|o| o.group.as_deref() == Some(g))
                .collect();
            let alerts = negatives
                .iter()
                .filter(|o| o.hit_scores.iter().any(|&s| s >= t))
                .count();
            figures.push(Figure {
                file: file.clone(),
                metric: format!("fpr_{g}"),
                threshold: t,
                value: alerts as f64 / negatives.len().max(1) as f64,
                n: negatives.len(),
            });
        }
        let hits: usize = outcomes
            .iter()
            .map(|o| o.hit_scores.iter().filter(|&&s| s >= t).count())
            .sum();
        figures.push(Figure {
            file: file.clone(),
            metric: "mean_hits".into(),
            threshold: t,
            value: hits as f64 / outcomes.len().max(1) as f64,
            n: outcomes.len(),
        });
    }
    Ok(figures)
}

/// Evaluates a pair file: precision, recall and F1 of "score ≥ threshold"
/// as a match decision.
pub fn evaluate_pairs(
    config: &MatchConfig,
    path: &Path,
    thresholds: &[f64],
) -> Result<Vec<Figure>, EvalError> {
    let lines = read_lines(path)?;
    let mut scored = Vec::with_capacity(lines.len());
    for (line_no, line) in &lines {
        let p: PairLine = parse_line(path, *line_no, line)?;
        let score = compare(&p.a, &p.b, party_kind(p.kind.as_deref()), config);
        scored.push((score, p.is_match));
    }
    let file = file_name(path);
    let mut figures = Vec::new();
    for &t in thresholds {
        let tp = scored.iter().filter(|(s, m)| *s >= t && *m).count() as f64;
        let fp = scored.iter().filter(|(s, m)| *s >= t && !*m).count() as f64;
        let fneg = scored.iter().filter(|(s, m)| *s < t && *m).count() as f64;
        let precision = if tp + fp > 0.0 { tp / (tp + fp) } else { 1.0 };
        let recall = if tp + fneg > 0.0 {
            tp / (tp + fneg)
        } else {
            1.0
        };
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        for (metric, value) in [
            ("precision", precision),
            ("pair_recall", recall),
            ("f1", f1),
        ] {
            figures.push(Figure {
                file: file.clone(),
                metric: metric.into(),
                threshold: t,
                value,
                n: scored.len(),
            });
        }
    }
    Ok(figures)
}

/// Evaluates any file: pairs or queries, detected from its first line.
pub fn evaluate_file(
    index: &NameIndex,
    entities: &[Entity],
    path: &Path,
    thresholds: &[f64],
) -> Result<Vec<Figure>, EvalError> {
    if is_pair_file(path)? {
        evaluate_pairs(index.config(), path, thresholds)
    } else {
        evaluate_queries(index, entities, path, thresholds)
    }
}

/// Why one labelled query or pair came out wrong at a threshold: the
/// material of a miss dump (`tests/names_misses.rs`), which groups these by
/// cause so the next quality fix aims at the biggest group.
#[derive(Debug, Clone, PartialEq)]
pub struct Miss {
    /// File name (without directory).
    pub file: String,
    /// The query's or pair's id.
    pub id: String,
    /// The query name (for pairs: `a`).
    pub name: String,
    /// `missed` (a positive below the threshold), `false_positive` (a
    /// negative query with a hit, or a non-matching pair at or above it).
    pub outcome: &'static str,
    /// For a missed positive: the best score of an expected entity (0 when
    /// no name of it was even a candidate). For a false positive: the
    /// offending score.
    pub score: f64,
    /// The list name (or pair side `b`) the score belongs to, when any.
    pub matched_name: Option<String>,
    /// The alignment explanation of that score, when any.
    pub explanation: Option<String>,
}

/// Lowest score a miss dump still reports for an expected entity.
const MISS_FLOOR: f64 = 0.05;

/// Every miss of a query file at `threshold`: positives whose expected
/// entities score below it (with their best score and alignment), and
/// negatives with a hit at or above it (with the best hit).
pub fn query_misses(
    index: &NameIndex,
    entities: &[Entity],
    path: &Path,
    threshold: f64,
) -> Result<Vec<Miss>, EvalError> {
    let file = file_name(path);
    let mut out = Vec::new();
    for q in read_queries(path)? {
        let floor = if q.expect.is_empty() {
            threshold
        } else {
            MISS_FLOOR
        };
        let hits = index.search(&q.as_query(), floor, usize::MAX);
        let name_of = |h: &super::NameHit| {
            entities.get(h.entity).and_then(|e| {
                e.names()
                    .nth(h.name_index)
                    .map(|(n, _)| format!("{n} [{}]", e.id))
            })
        };
        if q.expect.is_empty() {
            if let Some(h) = hits.first() {
                out.push(Miss {
                    file: file.clone(),
                    id: q.id,
                    name: q.name,
                    outcome: "false_positive",
                    score: h.score,
                    matched_name: name_of(h),
                    explanation: Some(h.explanation.clone()),
                });
            }
            continue;
        }
        let expected: HashSet<&str> = q.expect.iter().map(String::as_str).collect();
        let best = hits.iter().find(|h| {
            entities
                .get(h.entity)
                .is_some_and(|e| expected.contains(e.id.as_str()))
        });
        if best.is_some_and(|h| h.score >= threshold) {
            continue;
        }
        out.push(Miss {
            file: file.clone(),
            id: q.id.clone(),
            name: q.name.clone(),
            outcome: "missed",
            score: best.map_or(0.0, |h| h.score),
            matched_name: best.and_then(name_of),
            explanation: best.map(|h| h.explanation.clone()),
        });
    }
    Ok(out)
}

/// Every wrong decision of a pair file at `threshold`: matching pairs
/// scoring below it, non-matching pairs at or above it, each with the
/// alignment of `a` (as query) with `b` (as list name).
pub fn pair_misses(
    config: &MatchConfig,
    path: &Path,
    threshold: f64,
) -> Result<Vec<Miss>, EvalError> {
    let file = file_name(path);
    let mut out = Vec::new();
    for (line_no, line) in read_lines(path)? {
        let p: PairLine = parse_line(path, line_no, &line)?;
        let hit = compare_hit(&p.a, &p.b, party_kind(p.kind.as_deref()), config);
        let score = hit.as_ref().map_or(0.0, |h| h.score);
        if (score >= threshold) == p.is_match {
            continue;
        }
        let explanation = hit.map(|h| h.explanation);
        out.push(Miss {
            file: file.clone(),
            id: p.id,
            name: p.a,
            outcome: if p.is_match {
                "missed"
            } else {
                "false_positive"
            },
            score,
            matched_name: Some(p.b),
            explanation,
        });
    }
    Ok(out)
}

/// A figure that got worse than its baseline by more than the tolerance.
#[derive(Debug, Clone, PartialEq)]
pub struct Regression {
    /// The figure's key.
    pub key: String,
    /// Committed value.
    pub baseline: f64,
    /// Measured value.
    pub measured: f64,
}

/// Compares figures with a baseline (`{"<key>": value}`): every ratcheted
/// figure in the baseline must be measured and no worse than `tolerance`.
pub fn check_baseline(
    figures: &[Figure],
    baseline: &std::collections::BTreeMap<String, f64>,
    tolerance: f64,
) -> Vec<Regression> {
    let mut out = Vec::new();
    for (key, &base) in baseline {
        let Some(f) = figures.iter().find(|f| &f.key() == key) else {
            out.push(Regression {
                key: key.clone(),
                baseline: base,
                measured: f64::NAN,
            });
            continue;
        };
        let worse = match f.higher_is_better() {
            Some(true) => f.value < base - tolerance,
            Some(false) => f.value > base + tolerance,
            None => false,
        };
        if worse {
            out.push(Regression {
                key: key.clone(),
                baseline: base,
                measured: f.value,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lists::EntityKind;

    #[test]
    fn queries_and_pairs_on_a_small_fixture() {
        let dir = tempfile::tempdir().unwrap();
        let queries = dir.path().join("q.jsonl");
        std::fs::write(
            &queries,
            concat!(
                r#"{"id":"p1","name":"Ivan Petrov","expect":["x:1"]}"#,
                "\n",
                r#"{"id":"p2","name":"Nobody Atall","expect":["x:1"]}"#,
                "\n",
                r#"{"id":"neg-hard-1","name":"Sergei Petrov","expect":[]}"#,
                "\n",
                r#"{"id":"neg-1","name":"Jane Doe","expect":[]}"#,
                "\n"
            ),
        )
        .unwrap();
        let entities = vec![Entity::new("x:1", "t", EntityKind::Person, "Ivan PETROV")];
        let index = NameIndex::build(&entities, MatchConfig::default());
        let figures = evaluate_file(&index, &entities, &queries, &[0.8]).unwrap();
        let get = |m: &str| figures.iter().find(|f| f.metric == m).unwrap().value;
        assert_eq!(get("recall"), 0.5);
        assert_eq!(get("fpr_hard"), 0.0);
        assert_eq!(get("fpr_synthetic"), 0.0);

        let pairs = dir.path().join("p.jsonl");
        std::fs::write(
            &pairs,
            concat!(
                r#"{"id":"1","a":"Ivan Petrov","b":"PETROV, Ivan","match":true}"#,
                "\n",
                r#"{"id":"2","a":"Angelo Cruz","b":"Angela Merkel","match":false}"#,
                "\n"
            ),
        )
        .unwrap();
        let figures = evaluate_file(&index, &entities, &pairs, &[0.8]).unwrap();
        assert_eq!(
            figures.iter().find(|f| f.metric == "f1").unwrap().value,
            1.0
        );

        let mut baseline = std::collections::BTreeMap::new();
        baseline.insert("p.jsonl f1@0.80".to_owned(), 1.0);
        assert!(check_baseline(&figures, &baseline, 0.01).is_empty());
        baseline.insert("p.jsonl missing@0.80".to_owned(), 1.0);
        assert_eq!(check_baseline(&figures, &baseline, 0.01).len(), 1);
    }

    #[test]
    fn malformed_lines_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.jsonl");
        std::fs::write(
            &path,
            "{\"id\":\"1\",\"name\":\"x\",\"expect\":[]}\n{oops\n",
        )
        .unwrap();
        let index = NameIndex::build(&[], MatchConfig::default());
        let err = evaluate_file(&index, &[], &path, &[0.8]).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.to_string().contains("bad.jsonl:2"));
    }
}
