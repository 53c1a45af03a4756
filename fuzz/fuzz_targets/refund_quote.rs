//! Refund quotes: the quote request as any bytes. Amounts are integer cents; sums of huge
//! ones must be refused, never overflow.
#![no_main]

use kesu_domain::refund::{quote, QuoteRequest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(req) = serde_json::from_slice::<QuoteRequest>(data) {
        let _ = quote(&req);
    }
});
