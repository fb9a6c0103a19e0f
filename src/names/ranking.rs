//! Scoring the candidates of a search: each list name aligned word by word
//! with the prepared query, adjusted for weak aliases and qualifiers, the
//! hits ordered and explained.

use super::index::{ListToken, NameEntry, NameIndex};
use super::query::{PreparedQuery, QueryToken};
use super::score::{
    align, birth_date_evidence, jaro_winkler, qualifier_effect, Alignment, MiddleCost,
    PatronymicConflict, MAX_TOKENS,
};
use super::scripts::ORIGIN_SYLLABIC;
use super::tokens::{ASIDE, DIGITS, FILLER, INITIAL, LEGAL_FORM, PARTICLE, PATRONYMIC, REPEATED};
use super::NameHit;
use crate::lists::EntityKind;

impl NameIndex {
    /// Similarity of query word `q` and list word `l` and whether it is
    /// only an initial pair; `rows` is the word's similarity by skeleton and
    /// by folded word, looked up in the query's tables.
    #[inline(never)]
    fn pair_similarity(&self, q: &QueryToken, l: &ListToken, rows: (f64, f64)) -> (f64, bool) {
        let c = &self.config;
        let q_initial = q.token.flags & INITIAL != 0;
        let l_initial = l.flags & INITIAL != 0;
        let q_particle = q.token.flags & PARTICLE != 0;
        if q.text_id == Some(l.text) {
            // romanised alike from two different words of another script
            // (은 and 운 are both "un", س and ص both "s"): a near spelling,
            // a twentieth below another romanisation of the same word, so
            // the names are not "exact"
            if q.token.origin != 0 && l.origin != 0 && q.token.origin != l.origin {
                return (c.key_equal_score * 0.95, false);
            }
            return (1.0, q_initial || q_particle);
        }
        if q_particle {
            // a particle left on its own ("Agha, Abdul") meets the list word it
            // was attached to ("abdulrahman"), as an initial meets its word
            let l_text = self.texts[l.text as usize].as_bytes();
            let q_text = q.token.text.as_bytes();
            return if l_text.len() > q_text.len() && l_text.starts_with(q_text) {
                (c.initial_score, true)
            } else {
                (0.0, false)
            };
        }
        if q.token.flags & DIGITS != 0 || l.flags & DIGITS != 0 {
            return (0.0, false);
        }
        if q_initial || l_initial {
            return if q.first == l.first && !(q_initial && l_initial) {
                (c.initial_score, true)
            } else {
                (0.0, false)
            };
        }
        // a word romanised from Hangul or Han pairs by equal spelling
        // (above) or spelling key only: one letter off is another
        // syllable, another name
        let syllabic = (q.token.origin | l.origin) & ORIGIN_SYLLABIC != 0;
        if syllabic {
            return if q.key_id == Some(l.key) {
                (rows.0, false)
            } else {
                (0.0, false)
            };
        }
        (rows.0.max(rows.1), false)
    }

    fn align_name(&self, q: &PreparedQuery, name: &NameEntry) -> Alignment {
        let range = name.start as usize..(name.start + name.len) as usize;
        let list = &self.tokens[range.clone()];
        // each list word's rows in the query tables, looked up once, and
        // which query words can pair with it at all
        let mut key_row = [usize::MAX; MAX_TOKENS];
        let mut text_row = [usize::MAX; MAX_TOKENS];
        let mut may_pair = [0u32; MAX_TOKENS];
        let mut list_patronymics = 0u32;
        let nq = q.tokens.len();
        for (j, l) in list.iter().enumerate().take(MAX_TOKENS) {
            if l.flags & PATRONYMIC != 0 {
                list_patronymics |= 1 << j;
            }
            // Why the mask is safe: `pair_similarity` is above 0 only for an
            // equal folded word (its skeletons are among the query word's
            // posting keys: key mask), a skeleton or folded-word similarity
            // (key or text mask), a query initial or particle (special
            // mask), or a list initial (any query word).
            let mut mask = q.special_mask;
            if let Some(r) = q.key_table.get(l.key) {
                key_row[j] = r as usize * nq;
                mask |= q.key_masks[r as usize];
            }
            if let Some(r) = q.text_table.get(l.text) {
                text_row[j] = r as usize * nq;
                mask |= q.text_masks[r as usize];
            }
            if l.flags & INITIAL != 0 {
                mask = u32::MAX;
            }
            may_pair[j] = mask;
        }
        let row = |rows: &[f64], start: usize, i: usize| {
            if start == usize::MAX {
                0.0
            } else {
                rows.get(start + i).copied().unwrap_or(0.0)
            }
        };
        // dropped middle names are cheap in a person's name only: in an
        // organisation's, a missing middle word is as telling as any other
        let middle_cost = self.middle_cost(name);
        // two differing patronymics in a person's name cost more than a
        // missing one ([`super::MatchConfig::patronymic_conflict_cost`]); only
        // ever lowers the score, so the upper bounds stay bounds
        let patronymics = middle_cost
            .and((list_patronymics != 0 && q.patronymics != 0).then_some(()))
            .map(|()| self.patronymic_conflict(q, list, list_patronymics));
        align(
            &q.align,
            &self.token_align[range],
            middle_cost,
            patronymics,
            |i, j| {
                if may_pair[j] & (1 << i) == 0 {
                    return (0.0, false);
                }
                let by_key = row(&q.key_rows, key_row[j], i);
                let by_text = row(&q.text_rows, text_row[j], i);
                self.pair_similarity(&q.tokens[i], &list[j], (by_key, by_text))
            },
        )
    }

    /// The patronymics of query and list name that are unlike every
    /// patronymic of the other side (Jaro-Winkler of the folded words, their
    /// common ending removed, below
    /// [`super::MatchConfig::patronymic_conflict_max_similarity`]): "Vladimirovich"
    /// against "Alekseevich", not "Mixajlovich" against "Mikhailovich", a
    /// romanisation that failed to pair.
    fn patronymic_conflict(
        &self,
        q: &PreparedQuery,
        list: &[ListToken],
        list_patronymics: u32,
    ) -> PatronymicConflict {
        let max_sim = self.config.patronymic_conflict_max_similarity;
        let bits = |mask: u32| (0..MAX_TOKENS).filter(move |&k| mask & (1 << k) != 0);
        let unlike = |i: usize, j: usize| {
            let (Some(qt), Some(lt)) = (q.tokens.get(i), list.get(j)) else {
                return false;
            };
            // the shared ending ("-ovich") says nothing about the father
            let (a, b) = (
                qt.token.text.as_bytes(),
                self.texts[lt.text as usize].as_bytes(),
            );
            let common = a
                .iter()
                .rev()
                .zip(b.iter().rev())
                .take_while(|(x, y)| x == y)
                .count();
            let (a, b) = (&a[..a.len() - common], &b[..b.len() - common]);
            !a.is_empty() && !b.is_empty() && jaro_winkler(a, b) < max_sim
        };
        PatronymicConflict {
            query: bits(q.patronymics)
                .filter(|&i| bits(list_patronymics).all(|j| unlike(i, j)))
                .fold(0, |m, i| m | 1 << i),
            list: bits(list_patronymics)
                .filter(|&j| bits(q.patronymics).all(|i| unlike(i, j)))
                .fold(0, |m, j| m | 1 << j),
            share: self.config.patronymic_conflict_cost,
        }
    }

    /// The shares of their weight dropped middle words cost in `name`
    /// ([`super::MatchConfig::middle_name_cost`],
    /// [`super::MatchConfig::query_middle_name_cost`]): persons only.
    pub(super) fn middle_cost(&self, name: &NameEntry) -> Option<MiddleCost> {
        (self.entities[name.entity as usize].kind == EntityKind::Person)
            .then(|| MiddleCost::of(&self.config))
    }

    /// Final score of one name: alignment, weak-alias penalty, qualifiers; an
    /// exact full-name match never drops below the review threshold.
    ///
    /// `whole` says whether the query holds the list name whole (see
    /// [`NameIndex::contains_whole`]); asked only of a name that would
    /// otherwise score below the review threshold.
    fn score_name(
        &self,
        q: &PreparedQuery,
        name: &NameEntry,
        whole: impl FnOnce() -> bool,
    ) -> (f64, Alignment) {
        let alignment = self.align_name(q, name);
        if alignment.score <= 0.0 {
            return (0.0, alignment);
        }
        let mut name_score = alignment.score;
        if name.weak {
            name_score -= self.config.weak_alias_penalty;
        }
        let effect = qualifier_effect(
            &self.config,
            &q.qualifiers,
            &self.entities[name.entity as usize],
            false,
        );
        if effect.excluded {
            // a contradicting birth date or the other kind of party: not
            // this entity, however the name reads
            return (0.0, alignment);
        }
        let mut score = name_score + effect.adjustment;
        if alignment.exact {
            score = score.max(name_score.min(self.config.review_threshold));
        }
        if score < self.config.review_threshold && whole() {
            // a listed name found whole among extra words holds at least
            score = self.config.review_threshold;
        }
        (score.clamp(0.0, 1.0), alignment)
    }

    pub(super) fn rank(
        &self,
        q: &PreparedQuery,
        candidates: impl Iterator<Item = u32>,
        // `Some`: prune by the upper bound, except these (sorted) names
        // found whole in the query, whose floor the bound does not know
        prune: Option<&[u32]>,
        threshold: f64,
        limit: usize,
    ) -> Vec<NameHit> {
        // the alignment rides along for the explanation, so a hit is not
        // aligned a second time
        let mut scored: Vec<(f64, u32, u32, Alignment)> = Vec::new();
        // whether the query holds list name `id` whole: the index path found
        // those names beforehand, the exhaustive reference asks each name
        let held_whole = |id: u32| match prune {
            Some(contained) => contained.binary_search(&id).is_ok(),
            None => self.contains_whole(q, &self.names[id as usize]),
        };
        for id in candidates {
            if prune.is_some()
                && self.upper_bound(q, &self.bounds[id as usize]) < threshold
                && !held_whole(id)
            {
                continue;
            }
            let name = &self.names[id as usize];
            let (score, alignment) = self.score_name(q, name, || held_whole(id));
            if score > 0.0 && score >= threshold {
                scored.push((score, name.entity, id, alignment));
            }
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut hits: Vec<NameHit> = Vec::new();
        let mut last_entity = None;
        let mut seen: Vec<u32> = Vec::new();
        for (score, entity, id, alignment) in scored {
            if hits.len() >= limit {
                break;
            }
            if last_entity == Some(entity) || seen.contains(&entity) {
                continue;
            }
            last_entity = Some(entity);
            seen.push(entity);
            let name = &self.names[id as usize];
            let birth_date = birth_date_evidence(
                &self.config,
                q.qualifiers.birth_date.as_ref(),
                &self.entities[entity as usize].birth_dates,
            );
            hits.push(NameHit {
                entity: entity as usize,
                name_index: name.name_index as usize,
                score,
                explanation: self.explain(q, name, &alignment),
                birth_date,
                exact: !name.weak && self.exact_after_forms(q, name, &alignment),
                whole_in_query: !alignment.exact && held_whole(id),
            });
        }
        hits
    }

    /// Whether every word of both names that says who is meant (not a
    /// legal form, title, aside or repeated word) is paired with its equal:
    /// the same word, or the same in another script or romanisation. An
    /// organisation's name is then exact after legal-form normalisation
    /// ("ТОВ Ромашка" and "Romashka LLC").
    fn exact_after_forms(
        &self,
        q: &PreparedQuery,
        name: &NameEntry,
        alignment: &Alignment,
    ) -> bool {
        const IGNORED: u8 = LEGAL_FORM | FILLER | ASIDE | REPEATED;
        let list = &self.tokens[name.start as usize..(name.start + name.len) as usize];
        let (mut q_ok, mut l_ok) = (0u32, 0u32);
        for &(i, j, s) in &alignment.pairs[..alignment.len] {
            let initial = q.tokens[i as usize].token.flags & INITIAL != 0
                || list[j as usize].flags & INITIAL != 0;
            if s >= self.config.key_equal_score && !initial {
                q_ok |= 1 << i;
                l_ok |= 1 << j;
            }
        }
        let q_all = q
            .tokens
            .iter()
            .enumerate()
            .all(|(i, t)| q_ok & (1 << i) != 0 || t.token.flags & IGNORED != 0);
        let l_all = list
            .iter()
            .enumerate()
            .all(|(j, t)| l_ok & (1 << j) != 0 || t.flags & IGNORED != 0);
        q_all && l_all && q_ok != 0
    }

    /// "ivanov ≈ ivanou 0.93; sergei = sergei; birth year equal".
    ///
    /// Written part by part into one string (`write!` into a `String`
    /// cannot fail) rather than formatting each part apart and joining.
    fn explain(&self, q: &PreparedQuery, name: &NameEntry, alignment: &Alignment) -> String {
        use std::fmt::Write as _;
        let list = &self.tokens[name.start as usize..(name.start + name.len) as usize];
        let mut out = String::with_capacity(128);
        let sep = |out: &mut String| {
            if !out.is_empty() {
                out.push_str("; ");
            }
        };
        let mut q_used = [false; MAX_TOKENS];
        let mut l_used = [false; MAX_TOKENS];
        for &(i, j, s) in &alignment.pairs[..alignment.len] {
            let (qi, lj) = (i as usize, j as usize);
            q_used[qi] = true;
            l_used[lj] = true;
            let qt = &q.tokens[qi].token.text;
            let lt = &self.texts[list[lj].text as usize];
            let initial = q.tokens[qi].token.flags & INITIAL != 0 || list[lj].flags & INITIAL != 0;
            sep(&mut out);
            let _ = if s >= 1.0 {
                write!(out, "{qt} = {lt}")
            } else if initial {
                write!(out, "{qt} ~ {lt} (initial) {s:.2}")
            } else {
                write!(out, "{qt} ≈ {lt} {s:.2}")
            };
        }
        for (i, t) in q.tokens.iter().enumerate() {
            if !q_used[i] {
                sep(&mut out);
                let _ = write!(out, "{} unmatched", t.token.text);
            }
        }
        for (j, t) in list.iter().enumerate() {
            if !l_used[j] {
                let role = if t.flags & PATRONYMIC != 0 {
                    "patronymic"
                } else if t.flags & LEGAL_FORM != 0 {
                    "legal form"
                } else {
                    "word"
                };
                sep(&mut out);
                let _ = write!(out, "list {role} {} unmatched", self.texts[t.text as usize]);
            }
        }
        sep(&mut out);
        let _ = write!(out, "name score {:.2}", alignment.score);
        if name.weak {
            out.push_str("; weak alias");
        }
        let effect = qualifier_effect(
            &self.config,
            &q.qualifiers,
            &self.entities[name.entity as usize],
            true,
        );
        for note in &effect.notes {
            sep(&mut out);
            out.push_str(note);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::names::index::tests::index;
    use crate::names::NameQuery;

    #[test]
    fn explanation_shows_alignment() {
        let ix = index();
        let query = NameQuery {
            name: "Putin Vladimir",
            birth_date: Some("1952"),
            ..Default::default()
        };
        let hit = &ix.search(&query, 0.5, 1)[0];
        assert!(
            hit.explanation.contains("putin = putin"),
            "{}",
            hit.explanation
        );
        assert!(
            hit.explanation
                .contains("patronymic vladimirovich unmatched"),
            "{}",
            hit.explanation
        );
        assert!(
            hit.explanation.contains("birth year equal"),
            "{}",
            hit.explanation
        );
    }
}
