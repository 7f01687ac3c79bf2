//! `CldrRegionNames` against the `RegionNames` port contract.

use calls_adapters_cldr::CldrRegionNames;

fn names() -> CldrRegionNames {
    CldrRegionNames::new().expect("the compiled CLDR data loads")
}

calls_port_contracts::region_names_contract_tests!(names());
