//! The batch API over all real lists (`../shared/data`): the same decisions
//! as one by one in timestamp order, and every transaction paying a real
//! sanctioned address from the workload is blocked.

use std::collections::{HashMap, HashSet};

use amlscreen::rules::RuleSet;
use amlscreen::{Action, Screener};

use crate::workload;

use workload::{Lists, Sources, SEED};

fn screener(lists: &Lists) -> Screener {
    let rules = RuleSet::load(&workload::repo_root().join("rules"))
        .unwrap_or_else(|e| panic!("invalid rules: {e:?}"));
    Screener::new(
        amlscreen::Engine::builder(rules)
            .lists(lists.lists.clone())
            .build(),
    )
    .with_clock(crate::workload::screening_time)
}

#[test]
#[ignore = "reads ../shared/data"]
fn batch_over_real_lists_matches_one_by_one_and_blocks_listed_wallets() {
    let lists = Lists::load_real().unwrap_or_else(|e| panic!("{e}"));
    eprintln!("workload: {}", lists.summary());
    let sources = Sources::new(&lists);
    let txs = workload::transactions_from(&sources, SEED, 0, 5_000, 300);
    let batch = screener(&lists).evaluate_batch(&txs);

    let one_by_one = screener(&lists);
    let mut order: Vec<usize> = (0..txs.len()).collect();
    order.sort_by_key(|&i| txs[i].timestamp);
    let expected: HashMap<&str, _> = order
        .into_iter()
        .map(|i| (txs[i].id.as_str(), one_by_one.evaluate(&txs[i]).ok()))
        .collect();

    let listed: HashSet<&str> = sources.addresses.iter().map(|(_, a)| a.as_str()).collect();
    let mut paying_listed = 0;
    for (tx, result) in txs.iter().zip(&batch) {
        let decision = result.as_ref().unwrap_or_else(|e| panic!("{}: {e}", tx.id));
        assert_eq!(
            Some(decision),
            expected[tx.id.as_str()].as_ref(),
            "{}",
            tx.id
        );
        let pays_listed = tx.parties().any(|(_, p)| {
            p.wallet
                .as_ref()
                .is_some_and(|w| listed.contains(w.address.as_str()))
        });
        if pays_listed {
            paying_listed += 1;
            assert_eq!(decision.action, Action::Block, "{}: {decision:?}", tx.id);
        }
    }
    assert!(
        paying_listed > 20,
        "the workload pays listed wallets ({paying_listed})"
    );
}
