//! Customers' e-mail and uploaded files, as any bytes: the MIME reader, the case-number
//! finder and the file sniffer may refuse them, never panic.
#![no_main]

use kesu_domain::attachment::{display_name, sniff};
use kesu_import::email::{case_number_in, read};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(mail) = read(data) {
        let _ = case_number_in(&mail.subject);
        for file in &mail.files {
            if let Ok(kind) = sniff(&file.name, &file.bytes) {
                let _ = display_name(&file.name, kind);
            }
        }
    }
    let _ = sniff("x", data);
});
