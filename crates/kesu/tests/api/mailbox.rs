//! kesu reads the shop's mailbox from a real IMAP server (dovecot, TLS): mail in GBK and
//! UTF-8, an HTML-only message and one with photos become cases, a reply to a kesu notice
//! goes onto its case, an automatic reply opens nothing, nothing is taken twice; a refused
//! password and a server that is gone are shown to the admin and retried, and nothing is lost.

use std::time::Duration;

use reqwest::Client;
use serde_json::{json, Value};

use crate::dovecot::{self, Dovecot};
use crate::process::{sign_in, start_with};

fn gbk_q(s: &str) -> String {
    encoding_rs::GBK
        .encode(s)
        .0
        .iter()
        .map(|b| format!("={b:02X}"))
        .collect()
}

fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, b| n << 8 | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out.as_bytes()
        .chunks(76)
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// A complaint in GBK (subject, name and body), as many Chinese mail programs still send.
fn gbk_mail() -> Vec<u8> {
    let mut raw = format!(
        "From: =?GBK?Q?{}?= <zhang@example.cn>\r\nTo: service@shop.example\r\n\
         Subject: =?GBK?Q?{}?=\r\nMessage-ID: <gbk-1@example.cn>\r\n\
         Date: Tue, 01 Dec 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
        gbk_q("张三"),
        gbk_q("杯子碎了")
    )
    .into_bytes();
    raw.extend(
        encoding_rs::GBK
            .encode("你好，收到的玻璃杯碎了一个，外箱有压痕。")
            .0
            .iter(),
    );
    raw.extend(b"\r\n");
    raw
}

/// UTF-8, quoted-printable, with a photo attached.
fn mail_with_photo() -> Vec<u8> {
    let photo = crate::attachments::photo_with_location(320, 240);
    format!(
        "From: Li Lei <lilei@example.com>\r\nTo: service@shop.example\r\n\
         Subject: =?UTF-8?B?6KGj5pyN5pyJ5rGh5riN?=\r\nMessage-ID: <photo-1@example.com>\r\n\
         Date: Tue, 01 Dec 2026 11:00:00 +0800\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
         =E8=A1=A3=E6=9C=8D=E4=B8=8A=E6=9C=89=E6=B1=A1=E6=B8=8D=EF=BC=8C=E7=85=A7=E7=89=87=E8=A7=81=E9=99=84=E4=BB=B6=E3=80=82\r\n\
         --b1\r\nContent-Type: image/jpeg; name=\"stain.jpg\"\r\nContent-Disposition: attachment; filename=\"stain.jpg\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b1--\r\n",
        base64(&photo)
    )
    .into_bytes()
}

/// Only HTML, as web mail often sends.
fn html_only_mail() -> Vec<u8> {
    b"From: Han Meimei <meimei@example.org>\r\nTo: service@shop.example\r\n\
      Subject: =?UTF-8?B?6YCA5qy+6L+Y5rKh5Yiw6LSm?=\r\nMessage-ID: <html-1@example.org>\r\n\
      Date: Tue, 01 Dec 2026 12:00:00 +0800\r\nMIME-Version: 1.0\r\n\
      Content-Type: text/html; charset=UTF-8\r\n\r\n\
      <html><body><p>\xe9\x80\x80\xe6\xac\xbe<b>\xe4\xb8\x89\xe5\xa4\xa9</b>\xe4\xba\x86\xe8\xbf\x98\xe6\xb2\xa1\xe5\x88\xb0\xe8\xb4\xa6\xe3\x80\x82</p></body></html>\r\n"
        .to_vec()
}

/// An out-of-office answer: it must open nothing.
fn auto_reply() -> Vec<u8> {
    b"From: zhao@example.net\r\nTo: service@shop.example\r\nSubject: Out of office\r\n\
      Message-ID: <auto-1@example.net>\r\nAuto-Submitted: auto-replied\r\n\
      Date: Tue, 01 Dec 2026 12:30:00 +0800\r\n\r\nI am away until Monday.\r\n"
        .to_vec()
}

/// The customer answers the notice kesu sent about case `id`.
fn reply_to_notice(id: i64) -> Vec<u8> {
    format!(
        "From: =?GBK?Q?{}?= <zhang@example.cn>\r\nTo: service@shop.example\r\n\
         Subject: Re: case\r\nMessage-ID: <gbk-2@example.cn>\r\n\
         In-Reply-To: <kesu.case-{id}.1@shop.example>\r\n\
         Date: Tue, 01 Dec 2026 13:00:00 +0800\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n\
         好的，我等补发。\r\n",
        gbk_q("张三")
    )
    .into_bytes()
}

async fn mailbox(client: &Client, base: &str, admin: &str) -> Value {
    client
        .get(format!("{base}/api/v1/settings/mailbox"))
        .bearer_auth(admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Waits until the background poller's status satisfies `ok`.
async fn wait_for(
    client: &Client,
    base: &str,
    admin: &str,
    what: &str,
    ok: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..150 {
        let m = mailbox(client, base, admin).await;
        if ok(&m) {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: {}", mailbox(client, base, admin).await);
}

async fn cases(client: &Client, base: &str, token: &str) -> Vec<Value> {
    let r: Value = client
        .get(format!("{base}/api/v1/cases?per_page=50"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut items = r["items"].as_array().cloned().unwrap_or_default();
    items.sort_by_key(|c| c["id"].as_i64());
    items
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mailbox_is_read_over_imap_and_failures_are_shown_and_retried() {
    if !dovecot::available() {
        return;
    }
    let mut imap = Dovecot::start().await;
    for raw in [
        gbk_mail(),
        mail_with_photo(),
        html_only_mail(),
        auto_reply(),
    ] {
        imap.deliver(&raw);
    }
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("KESU_IMAP_CA_FILE", imap.ca_file.display().to_string()),
        ("KESU_MAILBOX_INTERVAL_SECS", "1".to_owned()),
    ];
    let server = start_with(dir.path(), Some("preset-pass-1"), &env);
    let base = server.base.clone();
    let client = Client::new();
    let admin = sign_in(&client, &base, "preset-pass-1").await;
    let r = client
        .post(format!("{base}/api/v1/users"))
        .bearer_auth(&admin)
        .json(&json!({"username": "mailroom", "password": "pass-word-1", "role": "agent"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    // A wrong password first: shown to the admin, never the password itself.
    let settings = json!({"host": "localhost", "port": imap.port, "username": dovecot::USER,
        "password": "wrong-password-9", "folder": "INBOX", "account": "mailroom"});
    let r = client
        .put(format!("{base}/api/v1/settings/mailbox"))
        .bearer_auth(&admin)
        .json(&settings)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let shown: Value = r.json().await.unwrap();
    assert_eq!(shown["has_password"], true);
    assert!(!shown.to_string().contains("wrong-password-9"), "{shown}");
    let m = wait_for(&client, &base, &admin, "the login is refused", |m| {
        m["status"]["error_code"] == "login"
    })
    .await;
    assert!(!m.to_string().contains("wrong-password-9"), "{m}");
    assert_eq!(m["status"]["opened"], 0);

    // The right password (the rest kept as it was): every message taken once.
    let r = client
        .put(format!("{base}/api/v1/settings/mailbox"))
        .bearer_auth(&admin)
        .json(
            &json!({"host": "localhost", "port": imap.port, "username": dovecot::USER,
            "password": dovecot::PASSWORD, "account": "mailroom"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let m = wait_for(&client, &base, &admin, "four messages taken", |m| {
        m["status"]["opened"] == 3 && m["status"]["ignored"] == 1
    })
    .await;
    assert!(m["status"]["error_code"].is_null(), "{m}");
    let agent = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": "mailroom", "password": "pass-word-1"}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let found = cases(&client, &base, &agent).await;
    assert_eq!(found.len(), 3, "{found:?}");
    let all = serde_json::to_string(&found).unwrap();
    for expected in ["玻璃杯碎了一个", "衣服上有污渍", "退款三天了还没到账"] {
        assert!(all.contains(expected), "{expected} in {all}");
    }
    assert!(found.iter().all(|c| c["channel"] == "email"));
    let gbk_case = found
        .iter()
        .find(|c| c["description"].as_str().unwrap_or("").contains("玻璃杯"))
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let photo_case = found
        .iter()
        .find(|c| c["description"].as_str().unwrap_or("").contains("污渍"))
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let files: Value = client
        .get(format!("{base}/api/v1/cases/{photo_case}/attachments"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(files["items"][0]["name"], "stain.jpg");
    assert_eq!(files["items"][0]["source"], "email");

    // The customer answers kesu's notice: onto the case, no new one.
    imap.deliver(&reply_to_notice(gbk_case));
    wait_for(&client, &base, &admin, "the reply threaded", |m| {
        m["status"]["threaded"] == 1
    })
    .await;
    assert_eq!(cases(&client, &base, &agent).await.len(), 3);
    let history: Value = client
        .get(format!("{base}/api/v1/cases/{gbk_case}/events"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(history.to_string().contains("我等补发"), "{history}");

    // The server goes away: the admin sees it, kesu keeps running and tries again.
    imap.stop();
    let m = wait_for(&client, &base, &admin, "the server is gone", |m| {
        m["status"]["error_code"] == "connect"
    })
    .await;
    assert_eq!(m["status"]["opened"], 3, "nothing taken twice");
    let r = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert!(r.status().is_success());
}
