use super::*;

/// Bytes as RFC 2047 Q-encoding (`=XX` for every byte).
fn q(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("={b:02X}")).collect()
}

fn gbk(s: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(s).0.into_owned()
}

#[test]
fn a_gbk_message_reads_as_chinese() {
    let mut raw = format!(
        "From: =?GBK?Q?{}?= <wang@example.com>\r\nTo: service@shop.example\r\n\
         Subject: =?GBK?Q?{}?=\r\nMessage-ID: <abc@mail.example>\r\n\
         Date: Mon, 23 Nov 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
        q(&gbk("王小明")),
        q(&gbk("杯子碎了"))
    )
    .into_bytes();
    raw.extend(gbk("收到的玻璃杯碎了两个，订单 TB20261111001。"));
    let mail = read(&raw).unwrap();
    assert_eq!(mail.from_name.as_deref(), Some("王小明"));
    assert_eq!(mail.from_address, "wang@example.com");
    assert_eq!(mail.subject, "杯子碎了");
    assert_eq!(mail.text, "收到的玻璃杯碎了两个，订单 TB20261111001。");
    assert_eq!(mail.message_id, "abc@mail.example");
    assert_eq!(mail.automatic, None);
    assert_eq!(mail.date.unwrap().to_rfc3339(), "2026-11-23T02:00:00+00:00");
}

#[test]
fn html_only_mail_and_attachments() {
    let raw = "From: li@example.com\r\nSubject: =?UTF-8?B?5Y+R6ZSZ6LSn5LqG?=\r\n\
        Message-ID: <m2@example.com>\r\nMIME-Version: 1.0\r\n\
        Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
        --b1\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
        <html><body><p>=E6=94=B6=E5=88=B0=E7=9A=84=E6=98=AF=E7=BA=A2=E8=89=B2</p></body></html>\r\n\
        --b1\r\nContent-Type: application/pdf; name=\"invoice.pdf\"\r\n\
        Content-Disposition: attachment; filename=\"invoice.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
        JVBERi0xLjQKJSVFT0YK\r\n--b1--\r\n";
    let mail = read(raw.as_bytes()).unwrap();
    assert_eq!(mail.subject, "发错货了");
    assert_eq!(mail.text, "收到的是红色");
    assert_eq!(mail.files.len(), 1);
    assert_eq!(mail.files[0].name, "invoice.pdf");
    assert_eq!(mail.files[0].bytes, b"%PDF-1.4\n%%EOF\n");
}

#[test]
fn replies_name_what_they_answer_nearest_first() {
    let raw = "From: wang@example.com\r\nSubject: Re: [KS-20261123-0007] 您的投诉已受理\r\n\
        Message-ID: <r1@example.com>\r\nIn-Reply-To: <case-7.3@kesu>\r\n\
        References: <first@example.com> <case-7.3@kesu>\r\n\r\n好的，谢谢\r\n";
    let mail = read(raw.as_bytes()).unwrap();
    assert_eq!(mail.answers, vec!["case-7.3@kesu", "first@example.com"]);
    assert_eq!(
        case_number_in(&mail.subject).as_deref(),
        Some("KS-20261123-0007")
    );
    assert_eq!(
        case_number_in("回复：ks-20261123-12345 进度"),
        Some("KS-20261123-12345".into())
    );
    assert_eq!(case_number_in("订单 TB20261111001"), None);
    assert_eq!(case_number_in("KS-2026112-0001"), None);
}

#[test]
fn machines_are_told_apart_from_customers() {
    let auto = "From: wang@example.com\r\nAuto-Submitted: auto-replied\r\nSubject: 自动回复\r\n\r\n我在休假\r\n";
    assert_eq!(
        read(auto.as_bytes()).unwrap().automatic,
        Some("an automatic reply")
    );
    let bounce = "From: MAILER-DAEMON@mx.example\r\nSubject: Undelivered\r\n\
        Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n--x\r\n\r\nfailed\r\n--x--\r\n";
    assert!(read(bounce.as_bytes())
        .unwrap()
        .automatic
        .unwrap()
        .contains("bounce"));
    let bulk = "From: news@shop.example\r\nPrecedence: bulk\r\n\r\nsale\r\n";
    assert!(read(bulk.as_bytes()).unwrap().automatic.is_some());
    let human = "From: wang@example.com\r\nAuto-Submitted: no\r\n\r\n人工\r\n";
    assert_eq!(read(human.as_bytes()).unwrap().automatic, None);
}

#[test]
fn bad_messages_are_named_and_injection_stays_text() {
    assert_eq!(read(b""), Err(EmailError::Unreadable));
    assert_eq!(
        read(b"Subject: hi\r\n\r\nbody\r\n"),
        Err(EmailError::NoSender)
    );
    let injected =
        "From: a@example.com\r\nSubject: =?UTF-8?Q?hi=0D=0ABcc:_victim@example.com?=\r\n\r\nx\r\n";
    let mail = read(injected.as_bytes()).unwrap();
    assert!(
        !mail.subject.contains('\r') && !mail.subject.contains('\n'),
        "{:?}",
        mail.subject
    );
    // No Message-ID: the same bytes are still one message.
    let a = read(b"From: a@example.com\r\n\r\nx\r\n").unwrap();
    assert!(a.message_id.starts_with("sha256:"));
    assert_eq!(
        a.message_id,
        read(b"From: a@example.com\r\n\r\nx\r\n")
            .unwrap()
            .message_id
    );
}

#[test]
fn long_text_is_cut_with_a_note() {
    let raw = format!(
        "From: a@example.com\r\n\r\n{}\r\n",
        "长".repeat(MAX_TEXT + 10)
    );
    let mail = read(raw.as_bytes()).unwrap();
    assert!(mail.text.ends_with("未显示）"));
    assert!(mail.text.chars().count() < MAX_TEXT + 40);
}
