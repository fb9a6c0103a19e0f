//! Scoring one list name against a query: word similarity, word alignment,
//! qualifiers. Allocation-free: every buffer lives on the stack, sized by
//! [`MAX_TOKENS`] and [`MAX_WORD_LEN`].
//!
//! The name score is a weighted share:
//! `Σ matched w·sim / (Σ matched w + Σ unmatched query w·cost + Σ unmatched list w·cost)`,
//! where each query word is paired with at most one list word, best pairs
//! first. A name whose only pairs are initials scores 0: initials alone
//! never identify anyone.

use serde::{Deserialize, Serialize};

use super::MatchConfig;
use crate::lists::{BirthDate, Entity, EntityKind};

/// The qualifiers of one listed entity, copied out at index build.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default)]
pub(crate) struct EntityQualifiers {
    pub kind: EntityKind,
    #[serde(with = "crate::lists::birth_dates_compact")]
    pub birth_dates: Vec<BirthDate>,
    pub countries: Vec<String>,
}

impl EntityQualifiers {
    pub fn of(entity: &Entity) -> Self {
        EntityQualifiers {
            kind: entity.kind,
            birth_dates: entity.birth_dates.clone(),
            countries: entity.countries.clone(),
        }
    }
}
use crate::model::PartyKind;

/// Words per name considered; further words are ignored (no real list name
/// comes close).
pub const MAX_TOKENS: usize = 16;
/// Letters per word compared; longer words are compared on their first
/// this many letters.
pub const MAX_WORD_LEN: usize = 64;

/// How many edits two words of these lengths may differ by.
pub fn edit_budget(len_a: usize, len_b: usize, config: &MatchConfig) -> usize {
    let len = len_a.min(len_b);
    if len >= config.two_edit_min_len {
        2
    } else if len >= config.one_edit_min_len {
        1
    } else {
        0
    }
}

/// How many edits two words of these lengths may differ by when the query
/// word is in no list name, so likely mistyped: one more than
/// [`edit_budget`] for words at least
/// [`MatchConfig::unknown_word_extra_edit_min_len`] and shorter than
/// [`MatchConfig::two_edit_min_len`] letters ("Mdni" for "Madani").
pub fn unknown_word_edit_budget(len_a: usize, len_b: usize, config: &MatchConfig) -> usize {
    let budget = edit_budget(len_a, len_b, config);
    let len = len_a.min(len_b);
    if len >= config.unknown_word_extra_edit_min_len && len < config.two_edit_min_len {
        budget + 1
    } else {
        budget
    }
}

/// Optimal-string-alignment distance (Damerau-Levenshtein with adjacent
/// transpositions), or `None` when it exceeds `max`.
// Kept by hand: measured faster than strsim 0.11 osa_distance (latency guard match_name 13590230 vs 15577530 instructions, +14.6%).
pub fn osa_distance_within(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    let a = &a[..a.len().min(MAX_WORD_LEN)];
    let b = &b[..b.len().min(MAX_WORD_LEN)];
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let n = b.len();
    // Called for every dictionary word near a query word, so it is kept
    // lean: three rows that rotate instead of being copied, u8 cells, and
    // only the diagonal band |i - j| <= max is computed. A cell's distance
    // is at least |i - j|, so every cell outside the band exceeds `max`;
    // storing `far` (max + 1) there instead changes no cell inside the band
    // that is <= max, hence neither the answer nor the early exit. Cells
    // never exceed MAX_WORD_LEN + 1, so u8 holds them.
    let band = max.min(MAX_WORD_LEN);
    let far = band as u8 + 1;
    let mut rows = [[0u8; MAX_WORD_LEN + 2]; 3];
    for (j, p) in rows[1].iter_mut().enumerate().take(n + 1) {
        *p = j as u8;
    }
    // rows[p2] = row i-2, rows[p1] = row i-1, rows[c] = row i
    let (mut p2, mut p1, mut c) = (0usize, 1usize, 2usize);
    for i in 1..=a.len() {
        let [r0, r1, r2] = &mut rows;
        let (prev2, prev, cur) = match (p2, p1, c) {
            (0, 1, 2) => (&*r0, &*r1, r2),
            (1, 2, 0) => (&*r1, &*r2, r0),
            _ => (&*r2, &*r0, r1),
        };
        let lo = i.saturating_sub(band).max(1);
        let hi = (i + band).min(n);
        cur[0] = i as u8;
        // the neighbours just outside the band, read by this and the next rows
        if lo > 1 {
            cur[lo - 1] = far;
        }
        cur[hi + 1] = far;
        let mut row_min = cur[0];
        for j in lo..=hi {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if usize::from(row_min) > max {
            return None;
        }
        (p2, p1, c) = (p1, c, p2);
    }
    Some(usize::from(rows[p1][n])).filter(|&d| d <= max)
}

/// One word prepared for many optimal-string-alignment distance checks
/// against other words: the bit-parallel algorithm of Myers as extended to
/// transpositions by Hyyrö ("A bit-vector algorithm for computing
/// Levenshtein and Damerau edit distances", 2003).
///
/// Column `j` of the dynamic-programming table is kept as bit vectors of its
/// vertical deltas (`vp`: +1, `vn`: −1), so one letter of the other word
/// costs a dozen word operations instead of a row of cells. The pattern
/// table is built once per query word and reused for every dictionary word
/// the deletion lookup brings up (the hot loop of query preparation).
/// Words are compared on their first [`MAX_WORD_LEN`] (= 64, one machine
/// word) letters, as [`osa_distance_within`] does; both agree (tested).
// Kept by hand: measured faster than rapidfuzz 0.5 osa::BatchComparator (latency guard match_name 13590230 vs 15763085 instructions, +16%).
#[derive(Clone)]
pub struct OsaPattern {
    /// Bit `i` of `peq[c]` is set when letter `i` of the pattern is `c`.
    peq: [u64; 256],
    len: usize,
}

impl OsaPattern {
    /// Prepares `word` (its first 64 bytes).
    pub fn new(word: &[u8]) -> Self {
        let word = &word[..word.len().min(MAX_WORD_LEN)];
        let mut peq = [0u64; 256];
        for (i, &c) in word.iter().enumerate() {
            peq[usize::from(c)] |= 1 << i;
        }
        OsaPattern {
            peq,
            len: word.len(),
        }
    }

    /// The distance to `other`, or `None` when it exceeds `max`.
    pub fn within(&self, other: &[u8], max: usize) -> Option<usize> {
        let other = &other[..other.len().min(MAX_WORD_LEN)];
        if self.len.abs_diff(other.len()) > max {
            return None;
        }
        Some(self.distance(other)).filter(|&d| d <= max)
    }

    fn distance(&self, other: &[u8]) -> usize {
        let m = self.len;
        if m == 0 {
            return other.len();
        }
        let last = 1u64 << (m - 1);
        let mut vp: u64 = !0;
        let mut vn: u64 = 0;
        let mut d0: u64 = 0;
        let mut prev_eq: u64 = 0;
        let mut score = m;
        for &c in other {
            let eq = self.peq[usize::from(c)];
            // the transposition term: a diagonal two columns back, where
            // this letter matched the next pattern letter and the previous
            // letter the current one
            let tr = ((!d0 & eq) << 1) & prev_eq;
            d0 = (((eq & vp).wrapping_add(vp)) ^ vp) | eq | vn | tr;
            let mut hp = vn | !(d0 | vp);
            let mut hn = d0 & vp;
            if hp & last != 0 {
                score += 1;
            } else if hn & last != 0 {
                score -= 1;
            }
            // row 0 of a global distance grows by one per column
            hp = (hp << 1) | 1;
            hn <<= 1;
            vp = hn | !(d0 | hp);
            vn = hp & d0;
            prev_eq = eq;
        }
        score
    }
}

/// Jaro-Winkler similarity (prefix scale 0.1, prefix up to 4) of two ASCII
/// words.
// Kept by hand: measured faster than rapidfuzz 0.5 jaro::similarity / strsim 0.11 generic_jaro plus this prefix boost (match_name 13590230 vs 13796132 / 13946954 instructions, +1.5% / +2.6%).
pub fn jaro_winkler(a: &[u8], b: &[u8]) -> f64 {
    let a = &a[..a.len().min(MAX_WORD_LEN)];
    let b = &b[..b.len().min(MAX_WORD_LEN)];
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_flags: u64 = 0;
    let mut b_flags: u64 = 0;
    let mut matches = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for (j, &cb) in b.iter().enumerate().take(hi).skip(lo) {
            if b_flags & (1 << j) == 0 && cb == ca {
                a_flags |= 1 << i;
                b_flags |= 1 << j;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        if a_flags & (1 << i) != 0 {
            while b_flags & (1 << j) == 0 {
                j += 1;
            }
            if ca != b[j] {
                transpositions += 1;
            }
            j += 1;
        }
    }
    let m = matches as f64;
    let jaro =
        (m / a.len() as f64 + m / b.len() as f64 + (m - (transpositions / 2) as f64) / m) / 3.0;
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
    jaro + prefix as f64 * 0.1 * (1.0 - jaro)
}

/// One query or list word as the aligner sees it.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, Default)]
pub(crate) struct AlignWord {
    /// Weight when matched.
    pub weight: f64,
    /// Weight it costs when left unmatched.
    pub miss_cost: f64,
}

/// The outcome of aligning a query with one list name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Alignment {
    /// Name score in [0, 1].
    pub score: f64,
    /// Whether every word on both sides found an exact partner.
    pub exact: bool,
    /// Pairs `(query word, list word, similarity)`, best first.
    pub pairs: [(u8, u8, f64); MAX_TOKENS],
    /// How many of `pairs` are set.
    pub len: usize,
}

/// Aligns query words with list words, best pairs first, each word used at
/// most once. `sim(i, j)` gives the similarity of query word `i` and list
/// word `j` and whether the pair is only an initial match.
///
/// `middle_cost`, when given, says what dropped middle words cost: an
/// unmatched list word that lies between two paired list words when every
/// query word found a partner (a dropped middle name, not one replaced by
/// another: [`MatchConfig::middle_name_cost`]), and likewise an unmatched
/// query word between two paired query words when every list word found a
/// partner ([`MatchConfig::query_middle_name_cost`]), each if that is less
/// than its `miss_cost`.
pub(crate) fn align(
    query: &[AlignWord],
    list: &[AlignWord],
    middle_cost: Option<MiddleCost>,
    patronymics: Option<PatronymicConflict>,
    sim: impl Fn(usize, usize) -> (f64, bool),
) -> Alignment {
    let nq = query.len().min(MAX_TOKENS);
    let nl = list.len().min(MAX_TOKENS);
    // Hot path (once per candidate name): the pair buffer is sized to the
    // name, because initialising a 256-pair buffer cost more than scoring a
    // typical 3×3 name. Same pairs, same order, same result either way.
    if nq * nl <= SMALL_PAIRS {
        align_with::<SMALL_PAIRS>(query, list, nq, nl, middle_cost, patronymics, sim)
    } else {
        align_with::<{ MAX_TOKENS * MAX_TOKENS }>(
            query,
            list,
            nq,
            nl,
            middle_cost,
            patronymics,
            sim,
        )
    }
}

/// Shares of their weight dropped middle words cost, in a person's name
/// (see [`align`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct MiddleCost {
    /// A list word between paired list words: [`MatchConfig::middle_name_cost`].
    pub list: f64,
    /// A query word between paired query words:
    /// [`MatchConfig::query_middle_name_cost`].
    pub query: f64,
}

impl MiddleCost {
    /// The shares `config` sets.
    pub fn of(config: &MatchConfig) -> Self {
        MiddleCost {
            list: config.middle_name_cost,
            query: config.query_middle_name_cost,
        }
    }
}

/// Which words of a person's name are patronymics on each side, and what
/// an unpaired one costs when both sides leave one unpaired (see
/// [`MatchConfig::patronymic_conflict_cost`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PatronymicConflict {
    /// Bit `i` set: query word `i` is a patronymic.
    pub query: u32,
    /// Bit `j` set: list word `j` is a patronymic.
    pub list: u32,
    /// Share of its weight such a patronymic then costs.
    pub share: f64,
}

/// Pair-buffer size that covers nearly every real query × list name.
const SMALL_PAIRS: usize = 36;

fn align_with<const N: usize>(
    query: &[AlignWord],
    list: &[AlignWord],
    nq: usize,
    nl: usize,
    middle_cost: Option<MiddleCost>,
    patronymics: Option<PatronymicConflict>,
    sim: impl Fn(usize, usize) -> (f64, bool),
) -> Alignment {
    // candidate pairs: similarity, and (query word, list word, initial) packed
    let mut sims = [0.0f64; N];
    let mut meta = [(0u8, 0u8, false); N];
    let mut nc = 0;
    for i in 0..nq {
        for j in 0..nl {
            let (s, initial) = sim(i, j);
            if s > 0.0 {
                sims[nc] = s;
                meta[nc] = (i as u8, j as u8, initial);
                nc += 1;
            }
        }
    }
    let mut out = Alignment {
        score: 0.0,
        exact: false,
        pairs: [(0, 0, 0.0); MAX_TOKENS],
        len: 0,
    };
    let mut q_used: u32 = 0;
    let mut l_used: u32 = 0;
    let mut num = 0.0;
    let mut den = 0.0;
    let mut any_word_pair = false;
    let mut all_exact = true;
    loop {
        let mut best: Option<usize> = None;
        for k in 0..nc {
            let (ci, cj, _) = meta[k];
            if q_used & (1 << ci) != 0 || l_used & (1 << cj) != 0 {
                continue;
            }
            // best similarity first; among equals, heavier query words first
            let better = match best {
                None => true,
                Some(b) => {
                    let bi = meta[b].0;
                    sims[k] > sims[b]
                        || (sims[k] == sims[b]
                            && query[ci as usize].weight > query[bi as usize].weight)
                }
            };
            if better {
                best = Some(k);
            }
        }
        let Some(b) = best else { break };
        let (i, j, initial) = meta[b];
        let s = sims[b];
        q_used |= 1 << i;
        l_used |= 1 << j;
        let w = query[i as usize].weight;
        num += w * s;
        den += w;
        any_word_pair |= !initial;
        all_exact &= s >= 1.0 && !initial;
        out.pairs[out.len] = (i, j, s);
        out.len += 1;
    }
    // a patronymic left unpaired on both sides: two different fathers'
    // names, a contradiction rather than an omission
    let conflict = patronymics
        .filter(|p| p.query & !q_used != 0 && p.list & !l_used != 0)
        .map_or(0.0, |p| p.share);
    let is_bit = |mask: Option<u32>, k: usize| mask.is_some_and(|m| m & (1 << k) != 0);
    // query words strictly between the first and last paired ones, when
    // every list word found a partner: a middle name the list leaves out
    let every_list_word_paired = l_used.count_ones() as usize == nl;
    let (first_q, last_q) = if q_used == 0 || !every_list_word_paired {
        (0, 0)
    } else {
        (q_used.trailing_zeros(), 31 - q_used.leading_zeros())
    };
    for (i, q) in query[..nq].iter().enumerate() {
        if q_used & (1 << i) == 0 {
            let between = (i as u32) > first_q && (i as u32) < last_q;
            den += match middle_cost {
                Some(share) if between => q.miss_cost.min(q.weight * share.query),
                _ => q.miss_cost,
            }
            .max(if is_bit(patronymics.map(|p| p.query), i) {
                q.weight * conflict
            } else {
                0.0
            });
            all_exact = false;
        }
    }
    // list words strictly between the first and last paired ones, when every
    // query word found a partner: a dropped middle name, not a swapped one
    let every_query_word_paired = q_used.count_ones() as usize == nq;
    let (first_paired, last_paired) = if l_used == 0 || !every_query_word_paired {
        (0, 0)
    } else {
        (l_used.trailing_zeros(), 31 - l_used.leading_zeros())
    };
    for (j, l) in list[..nl].iter().enumerate() {
        if l_used & (1 << j) == 0 {
            let between = (j as u32) > first_paired && (j as u32) < last_paired;
            den += match middle_cost {
                Some(share) if between => l.miss_cost.min(l.weight * share.list),
                _ => l.miss_cost,
            }
            .max(if is_bit(patronymics.map(|p| p.list), j) {
                l.weight * conflict
            } else {
                0.0
            });
            all_exact = false;
        }
    }
    if any_word_pair && den > 0.0 {
        out.score = (num / den).clamp(0.0, 1.0);
        out.exact = all_exact;
    }
    out
}

/// Birth date, country and kind of a query, parsed once per search.
#[derive(Debug, Clone, Default)]
pub(crate) struct QueryQualifiers {
    /// The birth date as precise as the caller gave it; `None` when absent
    /// or not a date (the engine refuses an unreadable one before this).
    pub birth_date: Option<BirthDate>,
    pub country: Option<String>,
    pub kind: Option<PartyKind>,
}

impl QueryQualifiers {
    pub fn new(birth_date: Option<&str>, country: Option<&str>, kind: Option<PartyKind>) -> Self {
        QueryQualifiers {
            birth_date: birth_date
                .map(BirthDate::parse_iso)
                .filter(|b| b.year_range().is_some()),
            country: country
                .map(|c| c.trim().to_ascii_uppercase())
                .filter(|c| !c.is_empty()),
            kind,
        }
    }
}

/// How a party's birth date and a listed entity's compare: evidence for
/// the match, against it, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BirthDateEvidence {
    /// Both give dates that contradict each other: one full date (or month,
    /// or exact year) on the list, another on the party. The list name is
    /// not this party, whatever the name: no hit.
    Contradicts,
    /// They differ, but the list gives several dates, so none contradicts
    /// on its own: no corroboration, the score is lowered.
    Differs,
    /// One side gives no readable date: no evidence either way.
    #[default]
    Unknown,
    /// The party's year lies in a range of years the list gives: no
    /// contradiction, but too vague to corroborate.
    WithinRange,
    /// The same year, where a year is the most either side gives (±
    /// [`MatchConfig::birth_year_tolerance`] where the list says *circa*).
    SameYear,
    /// The same year and month, where that is the most either side gives.
    SameMonth,
    /// The same full date.
    SameDay,
}

impl BirthDateEvidence {
    /// Whether this agreement corroborates a name: the dates agree at the
    /// precision both sides give.
    pub fn corroborates(self) -> bool {
        matches!(
            self,
            BirthDateEvidence::SameYear | BirthDateEvidence::SameMonth | BirthDateEvidence::SameDay
        )
    }

    /// What a reviewer reads: "birth date equal", "birth year differs"…
    pub fn describe(self) -> &'static str {
        match self {
            BirthDateEvidence::Contradicts => "birth date contradicts",
            BirthDateEvidence::Differs => "birth year differs",
            BirthDateEvidence::Unknown => "",
            BirthDateEvidence::WithinRange => "birth year within the listed range",
            BirthDateEvidence::SameYear => "birth year equal",
            BirthDateEvidence::SameMonth => "birth month equal",
            BirthDateEvidence::SameDay => "birth date equal",
        }
    }
}

/// Compares the party's birth date with the entity's, at the precision
/// both give: a full date with a full date, a year with whatever the other
/// side's year is. The best agreement over the entity's dates counts; a
/// disagreement contradicts only when the list gives one date, and not a
/// *circa* year or a range of years.
pub(crate) fn birth_date_evidence(
    config: &MatchConfig,
    query: Option<&BirthDate>,
    listed: &[BirthDate],
) -> BirthDateEvidence {
    use chrono::Datelike;
    use BirthDateEvidence as E;
    let Some(q) = query else {
        return E::Unknown;
    };
    // (year, month, day) as far as the party gives them
    let (qy, qm, qd) = match q {
        BirthDate::Date { date } => (date.year(), Some(date.month()), Some(date.day())),
        BirthDate::YearMonth { year, month } => (*year, Some(*month), None),
        BirthDate::Year { year } | BirthDate::Circa { year } => (*year, None, None),
        BirthDate::Range { .. } | BirthDate::Text { .. } => return E::Unknown,
    };
    let mut best: Option<E> = None;
    let mut readable = 0usize;
    let mut vague = false;
    for l in listed {
        let verdict = match l {
            BirthDate::Date { date } => {
                let (ly, lm, ld) = (date.year(), date.month(), date.day());
                match (qm, qd) {
                    (Some(m), Some(d)) if (qy, m, d) == (ly, lm, ld) => E::SameDay,
                    (Some(m), None) if (qy, m) == (ly, lm) => E::SameMonth,
                    (None, _) if qy == ly => E::SameYear,
                    _ => E::Differs,
                }
            }
            BirthDate::YearMonth { year, month } => match qm {
                Some(m) if (qy, m) == (*year, *month) => E::SameMonth,
                None if qy == *year => E::SameYear,
                _ => E::Differs,
            },
            BirthDate::Year { year } => {
                if qy == *year {
                    E::SameYear
                } else {
                    E::Differs
                }
            }
            BirthDate::Circa { year } => {
                vague = true;
                if (qy - year).abs() <= config.birth_year_tolerance {
                    E::SameYear
                } else {
                    E::Differs
                }
            }
            BirthDate::Range { from, to } => {
                vague = true;
                if (*from..=*to).contains(&qy) {
                    E::WithinRange
                } else {
                    E::Differs
                }
            }
            BirthDate::Text { .. } => continue,
        };
        readable += 1;
        best = Some(best.map_or(verdict, |b| b.max(verdict)));
    }
    match best {
        None => E::Unknown,
        Some(E::Differs) if readable == 1 && !vague => E::Contradicts,
        Some(b) => b,
    }
}

/// What the entity's qualifiers did to the score.
#[derive(Debug, Clone, Default)]
pub(crate) struct QualifierEffect {
    /// Added to the name score (negative lowers it).
    pub adjustment: f64,
    /// The qualifiers rule the entity out: a contradicting birth date, or a
    /// person's name against an organisation (or the reverse). No hit.
    pub excluded: bool,
    /// Human-readable reasons, in order.
    pub notes: Vec<&'static str>,
}

/// The largest amount qualifiers can add: bounds candidate pruning.
pub(crate) fn max_qualifier_bonus(config: &MatchConfig) -> f64 {
    config
        .birth_date_equal_bonus
        .max(config.birth_year_match_bonus)
        .max(0.0)
        + config.country_match_bonus.max(0.0)
}

/// Birth date, country and kind adjustments (both sides must give them).
pub(crate) fn qualifier_effect(
    config: &MatchConfig,
    query: &QueryQualifiers,
    entity: &EntityQualifiers,
    with_notes: bool,
) -> QualifierEffect {
    let mut effect = QualifierEffect::default();
    let note = |effect: &mut QualifierEffect, delta: f64, text: &'static str| {
        effect.adjustment += delta;
        if with_notes && !text.is_empty() {
            effect.notes.push(text);
        }
    };
    let birth = birth_date_evidence(config, query.birth_date.as_ref(), &entity.birth_dates);
    let delta = match birth {
        BirthDateEvidence::SameDay => config.birth_date_equal_bonus,
        BirthDateEvidence::SameMonth | BirthDateEvidence::SameYear => config.birth_year_match_bonus,
        BirthDateEvidence::Differs => -config.birth_year_mismatch_penalty,
        BirthDateEvidence::Contradicts => {
            effect.excluded = true;
            0.0
        }
        BirthDateEvidence::Unknown | BirthDateEvidence::WithinRange => 0.0,
    };
    note(&mut effect, delta, birth.describe());
    if let Some(country) = &query.country {
        if !entity.countries.is_empty() {
            if entity
                .countries
                .iter()
                .any(|c| c.eq_ignore_ascii_case(country))
            {
                note(&mut effect, config.country_match_bonus, "country matches");
            } else {
                note(
                    &mut effect,
                    -config.country_mismatch_penalty,
                    "country differs",
                );
            }
        }
    }
    let kind_clash = matches!(
        (query.kind, entity.kind),
        (
            Some(PartyKind::Person),
            EntityKind::Organization | EntityKind::Vessel | EntityKind::Aircraft
        ) | (Some(PartyKind::Organization), EntityKind::Person)
    );
    if kind_clash {
        // a person's name never hits a company, nor the reverse, when the
        // caller says which it is
        effect.excluded = true;
        note(&mut effect, -config.kind_mismatch_penalty, "kind differs");
    }
    effect
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn birth_dates_compare_at_the_precision_both_give() {
        use BirthDateEvidence as E;
        let c = MatchConfig::default();
        let d = |s: &str| BirthDate::parse_iso(s);
        let ev = |q: &str, listed: &[BirthDate]| birth_date_evidence(&c, Some(&d(q)), listed);
        // full date against full date
        assert_eq!(ev("1962-03-04", &[d("1962-03-04")]), E::SameDay);
        assert_eq!(ev("1962-03-05", &[d("1962-03-04")]), E::Contradicts);
        // several listed dates: none contradicts alone
        assert_eq!(
            ev("1962-03-05", &[d("1962-03-04"), d("1963-01-01")]),
            E::Differs
        );
        assert_eq!(
            ev("1963-01-01", &[d("1962-03-04"), d("1963-01-01")]),
            E::SameDay
        );
        // a year on one side compares by year
        assert_eq!(ev("1962-03-05", &[d("1962")]), E::SameYear);
        assert_eq!(ev("1961-03-05", &[d("1962")]), E::Contradicts);
        assert_eq!(ev("1962", &[d("1962-03-04")]), E::SameYear);
        assert_eq!(ev("1961", &[d("1962-03-04")]), E::Contradicts);
        // year and month
        assert_eq!(ev("1962-03", &[d("1962-03-04")]), E::SameMonth);
        assert_eq!(ev("1962-04", &[d("1962-03-04")]), E::Contradicts);
        // circa: ± the tolerance, and never a contradiction
        let circa = [BirthDate::Circa { year: 1962 }];
        assert_eq!(ev("1963-07-01", &circa), E::SameYear);
        assert_eq!(ev("1970-07-01", &circa), E::Differs);
        // a range holds the year or differs, never contradicts
        let range = [BirthDate::Range {
            from: 1960,
            to: 1965,
        }];
        assert_eq!(ev("1963-07-01", &range), E::WithinRange);
        assert_eq!(ev("1970-07-01", &range), E::Differs);
        // text the loader could not read, or no date: no evidence
        let text = [BirthDate::Text {
            text: "unknown".into(),
        }];
        assert_eq!(ev("1962-03-04", &text), E::Unknown);
        assert_eq!(birth_date_evidence(&c, None, &[d("1962")]), E::Unknown);
        assert!(E::SameYear.corroborates() && !E::WithinRange.corroborates());
    }

    #[test]
    fn jaro_winkler_agrees_with_strsim() {
        for (a, b) in [
            ("martha", "marhta"),
            ("dwayne", "duane"),
            ("salimi", "salimj"),
            ("ivanov", "ivanou"),
            ("a", "b"),
            ("abc", "abc"),
        ] {
            let ours = jaro_winkler(a.as_bytes(), b.as_bytes());
            let theirs = strsim::jaro_winkler(a, b);
            assert!((ours - theirs).abs() < 1e-9, "{a} {b}: {ours} vs {theirs}");
        }
    }

    #[test]
    fn osa_distance_matches_strsim() {
        for (a, b) in [
            ("ca", "abc"),
            ("abudl", "abdul"),
            ("hakimii", "hakimi"),
            ("kitten", "sitting"),
        ] {
            let d = strsim::osa_distance(a, b);
            assert_eq!(
                osa_distance_within(a.as_bytes(), b.as_bytes(), 5),
                Some(d),
                "{a} {b}"
            );
            if d > 0 {
                assert_eq!(osa_distance_within(a.as_bytes(), b.as_bytes(), d - 1), None);
            }
        }
    }

    #[test]
    fn banded_osa_agrees_with_strsim_on_many_pairs() {
        // deterministic pseudo-random words over a small alphabet, so that
        // near and far pairs, transpositions and length gaps all occur
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let (la, lb) = (next() % 11, next() % 11);
            let a: String = (0..la)
                .map(|_| char::from(b'a' + (next() % 4) as u8))
                .collect();
            let b: String = (0..lb)
                .map(|_| char::from(b'a' + (next() % 4) as u8))
                .collect();
            let d = strsim::osa_distance(&a, &b);
            let pattern = OsaPattern::new(a.as_bytes());
            for max in 0..5 {
                let want = Some(d).filter(|&d| d <= max);
                assert_eq!(
                    osa_distance_within(a.as_bytes(), b.as_bytes(), max),
                    want,
                    "{a} {b} within {max}"
                );
                assert_eq!(
                    pattern.within(b.as_bytes(), max),
                    want,
                    "bit-parallel {a} {b} within {max}"
                );
            }
        }
    }

    #[test]
    fn bit_parallel_osa_agrees_with_strsim_on_long_words() {
        // up to 70 letters: the 64-letter truncation and the top bit of the
        // machine word are both exercised
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..2_000 {
            let la = (next() % 71) as usize;
            let a: Vec<u8> = (0..la).map(|_| b'a' + (next() % 6) as u8).collect();
            // b: a with a few random edits, or an unrelated word
            let mut b = a.clone();
            if next() % 4 == 0 {
                b = (0..next() % 71)
                    .map(|_| b'a' + (next() % 6) as u8)
                    .collect();
            } else {
                for _ in 0..next() % 4 {
                    let at = (next() as usize) % (b.len() + 1);
                    match next() % 4 {
                        0 => b.insert(at, b'a' + (next() % 6) as u8),
                        1 if at < b.len() => {
                            b.remove(at);
                        }
                        2 if at + 1 < b.len() => b.swap(at, at + 1),
                        _ if at < b.len() => b[at] = b'a' + (next() % 6) as u8,
                        _ => {}
                    }
                }
            }
            let (ta, tb) = (&a[..a.len().min(64)], &b[..b.len().min(64)]);
            let d = strsim::osa_distance(
                std::str::from_utf8(ta).unwrap_or_default(),
                std::str::from_utf8(tb).unwrap_or_default(),
            );
            assert_eq!(OsaPattern::new(&a).within(&b, 80), Some(d), "{a:?} {b:?}");
            assert_eq!(osa_distance_within(&a, &b, 80), Some(d), "{a:?} {b:?}");
        }
    }

    #[test]
    fn short_words_must_match_exactly() {
        let c = MatchConfig::default();
        assert_eq!(edit_budget(3, 7, &c), 0);
        assert_eq!(edit_budget(5, 5, &c), 1);
        assert_eq!(edit_budget(9, 10, &c), 2);
    }

    #[test]
    fn unknown_short_words_get_one_more_edit() {
        let c = MatchConfig::default();
        assert_eq!(unknown_word_edit_budget(5, 6, &c), 2);
        assert_eq!(unknown_word_edit_budget(4, 4, &c), 2);
        assert_eq!(unknown_word_edit_budget(3, 3, &c), 1);
        // long words keep two, very short ones none
        assert_eq!(unknown_word_edit_budget(9, 10, &c), 2);
        assert_eq!(unknown_word_edit_budget(2, 3, &c), 0);
    }

    #[test]
    fn dropped_middle_words_cost_the_middle_share() {
        let one = AlignWord {
            weight: 1.0,
            miss_cost: 0.25,
        };
        // query "first last" against list "first middle last"
        let query = [one; 2];
        let list = [one; 3];
        let pairs = |i: usize, j: usize| match (i, j) {
            (0, 0) | (1, 2) => (1.0, false),
            _ => (0.0, false),
        };
        let plain = align(&query, &list, None, None, pairs);
        let share = MiddleCost {
            list: 0.1,
            query: 0.4,
        };
        let middle = align(&query, &list, Some(share), None, pairs);
        assert!((plain.score - 2.0 / 2.25).abs() < 1e-9);
        assert!((middle.score - 2.0 / 2.1).abs() < 1e-9);
        // a list word outside the paired span ("first last" vs "x first
        // last") is not a middle name
        let outside = |i: usize, j: usize| match (i, j) {
            (0, 1) | (1, 2) => (1.0, false),
            _ => (0.0, false),
        };
        assert_eq!(
            align(&query, &list, Some(share), None, outside).score,
            align(&query, &list, None, None, outside).score
        );
        // a query word left without partner means the middle name was
        // replaced, not dropped: no discount
        let query3 = [one; 3];
        let replaced = |i: usize, j: usize| match (i, j) {
            (0, 0) | (2, 2) => (1.0, false),
            _ => (0.0, false),
        };
        assert_eq!(
            align(&query3, &list, Some(share), None, replaced).score,
            align(&query3, &list, None, None, replaced).score
        );
    }

    #[test]
    fn extra_middle_words_of_the_query_cost_the_query_middle_share() {
        let one = AlignWord {
            weight: 1.0,
            miss_cost: 1.0,
        };
        let share = MiddleCost {
            list: 0.1,
            query: 0.4,
        };
        // query "first middle last" against list "first last"
        let query = [one; 3];
        let list = [one; 2];
        let inner = |i: usize, j: usize| match (i, j) {
            (0, 0) | (2, 1) => (1.0, false),
            _ => (0.0, false),
        };
        assert!((align(&query, &list, Some(share), None, inner).score - 2.0 / 2.4).abs() < 1e-9);
        assert!((align(&query, &list, None, None, inner).score - 2.0 / 3.0).abs() < 1e-9);
        // near miss: the extra word at an end ("first last extra") is no
        // middle name
        let end = |i: usize, j: usize| match (i, j) {
            (0, 0) | (1, 1) => (1.0, false),
            _ => (0.0, false),
        };
        assert!((align(&query, &list, Some(share), None, end).score - 2.0 / 3.0).abs() < 1e-9);
        // near miss: a list word left without partner means the query's
        // middle word may have replaced it ("first other last" vs "first
        // middle last" with middle unpaired): no discount
        let list3 = [one; 3];
        let replaced = |i: usize, j: usize| match (i, j) {
            (0, 0) | (2, 2) => (1.0, false),
            _ => (0.0, false),
        };
        assert_eq!(
            align(&query, &list3, Some(share), None, replaced).score,
            align(&query, &list3, None, None, replaced).score
        );
    }

    #[test]
    fn unpaired_patronymics_on_both_sides_cost_the_conflict_share() {
        // query: given name, patronymic, surname; list the same, the
        // patronymics (word 1 on each side) left unpaired
        let word = |cost: f64| AlignWord {
            weight: 1.0,
            miss_cost: cost,
        };
        let query = [word(1.0), word(0.1), word(1.0)];
        let list = [word(0.25), word(0.1), word(0.25)];
        let pairs = |i: usize, j: usize| {
            if i == j && i != 1 {
                (1.0, false)
            } else {
                (0.0, false)
            }
        };
        let conflict = PatronymicConflict {
            query: 0b010,
            list: 0b010,
            share: 0.5,
        };
        let omission = align(&query, &list, None, None, pairs).score;
        assert!((omission - 2.0 / 2.2).abs() < 1e-9, "{omission}");
        let contradiction = align(&query, &list, None, Some(conflict), pairs).score;
        assert!((contradiction - 2.0 / 3.0).abs() < 1e-9, "{contradiction}");
        // only one side has an unpaired patronymic: an omission again
        let one_side = PatronymicConflict {
            list: 0,
            ..conflict
        };
        let s = align(&query, &list, None, Some(one_side), pairs).score;
        assert!((s - omission).abs() < 1e-9, "{s}");
        // a patronymic that paired is in no conflict
        let paired = |i: usize, j: usize| ((i == j) as u8 as f64, false);
        let s = align(&query, &list, None, Some(conflict), paired).score;
        assert!((s - 1.0).abs() < 1e-9, "{s}");
    }

    #[test]
    fn initials_alone_never_match() {
        let w = [AlignWord {
            weight: 1.0,
            miss_cost: 1.0,
        }; 2];
        let a = align(&w, &w, None, None, |i, j| {
            if i == j {
                (0.85, true)
            } else {
                (0.0, false)
            }
        });
        assert_eq!(a.score, 0.0);
    }
}
