//! Arbitrary bytes and mangled fixtures never panic any list parser: they
//! load or fail with an error.

use std::path::Path;

use amlscreen::lists::{eu_fsf, nsdc, ofac_csv, ofac_xml, uk, un, watchlist};
use proptest::prelude::*;

fn parse_all(bytes: &[u8]) {
    let p = Path::new("fuzz");
    let _ = ofac_xml::parse(bytes, p);
    let _ = ofac_csv::parse(
        bytes,
        p,
        ofac_csv::Companions {
            alt: Some(bytes),
            add: Some(bytes),
            comments: Some(bytes),
        },
    );
    let _ = eu_fsf::parse(bytes, p);
    let _ = un::parse(bytes, p);
    let _ = uk::parse_xml(bytes, p);
    let _ = uk::parse_conlist(bytes, p);
    let _ = nsdc::parse(bytes, p);
    let _ = watchlist::parse(bytes, p);
}

fn fixtures() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sanctions/fixtures");
    [
        "ofac_sdn.xml",
        "ofac_csv/sdn.csv",
        "eu_fsf.xml",
        "un.xml",
        "uk.xml",
        "ofsi_conlist.csv",
        "nsdc.json",
    ]
    .iter()
    .map(|f| std::fs::read(dir.join(f)).unwrap())
    .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        parse_all(&bytes);
    }

    #[test]
    fn mangled_fixtures_never_panic(which in 0usize..7, cut in 0.0f64..1.0, flips in proptest::collection::vec((0.0f64..1.0, any::<u8>()), 0..8)) {
        let mut bytes = fixtures().swap_remove(which);
        for (at, b) in flips {
            let i = ((bytes.len() as f64) * at) as usize;
            if i < bytes.len() { bytes[i] = b; }
        }
        bytes.truncate(((bytes.len() as f64) * cut) as usize);
        parse_all(&bytes);
    }
}
