use proptest::prelude::*;

use super::*;

const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1,
];
const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D,
];
const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj";

#[test]
fn files_are_known_by_their_bytes_not_their_names() {
    assert_eq!(sniff("破损.png", JPEG), Ok(Kind::Jpeg));
    assert_eq!(sniff("面单.jpg", PNG), Ok(Kind::Png));
    assert_eq!(sniff("发票", PDF), Ok(Kind::Pdf));
    let mp4 = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom";
    assert_eq!(sniff("开箱.mp4", mp4), Ok(Kind::Mp4));
}

#[test]
fn markup_and_scripts_are_refused_whatever_they_are_called() {
    for (bytes, found) in [
        (&b"<html><body>hi</body></html>"[..], "HTML"),
        (b"\xef\xbb\xbf  <!DOCTYPE html><p>x", "HTML"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
            "SVG",
        ),
        (b"<?xml version='1.0'?><svg/>", "SVG"),
        (b"#!/bin/sh\nrm -rf /", "a script"),
    ] {
        match sniff("photo.jpg", bytes) {
            Err(Refusal::Active { found: f, .. }) => assert!(f.starts_with(found), "{f}"),
            other => panic!("{other:?} for {found}"),
        }
    }
    // A JPEG whose first kilobyte carries a page is a polyglot: refused too.
    let mut polyglot = JPEG.to_vec();
    polyglot.extend_from_slice(b"<script>alert(1)</script>");
    assert!(matches!(
        sniff("a.jpg", &polyglot),
        Err(Refusal::Active { .. })
    ));
}

#[test]
fn other_files_are_refused_naming_what_they_are() {
    let zip = b"PK\x03\x04\x14\0\0\0\x08\0";
    let err = sniff("evidence.jpg", zip).unwrap_err();
    assert!(err.to_string().contains("application/zip"), "{err}");
    assert!(matches!(
        sniff("x", b"plain words"),
        Err(Refusal::Unsupported { .. })
    ));
    assert!(matches!(sniff("x", b""), Err(Refusal::Empty { .. })));
}

#[test]
fn names_lose_paths_and_dangerous_characters_and_gain_the_real_extension() {
    assert_eq!(
        display_name("../../etc/破损照片.jpg", Kind::Jpeg),
        "破损照片.jpg"
    );
    assert_eq!(display_name("C:\\photos\\x.JPEG", Kind::Jpeg), "x.JPEG");
    assert_eq!(display_name("report.html", Kind::Pdf), "report.html.pdf");
    assert_eq!(display_name("a\"b;\r\nc.png", Kind::Png), "abc.png");
    assert_eq!(display_name("\u{202e}gpj.exe", Kind::Png), "gpj.exe.png");
    assert_eq!(display_name("", Kind::Png), "附件.png");
    assert_eq!(display_name("...", Kind::Mp4), "附件.mp4");
}

#[test]
fn the_body_limit_has_room_for_every_file() {
    let limits = Limits::default();
    assert!(limits.max_body() as u64 > limits.max_files as u64 * limits.max_bytes);
}

proptest! {
    #[test]
    fn any_name_becomes_a_short_safe_name(name in any::<String>(), k in 0usize..8) {
        let kind = Kind::ALL[k];
        let shown = display_name(&name, kind);
        prop_assert!(shown.chars().count() <= 100 + 5);
        let bad = |c: char| c.is_control() || matches!(c, '/' | '\\' | '"' | '\u{202e}');
        prop_assert!(!shown.chars().any(bad), "{}", shown);
        let ends_right = shown.to_ascii_lowercase().ends_with(kind.extension())
            || shown.to_ascii_lowercase().ends_with("jpeg");
        prop_assert!(ends_right);
    }

    #[test]
    fn sniffing_any_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = sniff("x", &bytes);
    }
}
