//! Attachment bytes in both of their homes: the database (on both backends), and a folder,
//! where the row names the file and holds no bytes. Content is stored once however often
//! it is attached.

use chrono::{DateTime, Utc};
use kesu_domain::attachment::Kind;
use kesu_domain::history::Author;
use kesu_domain::registration::RegistrationForm;
use kesu_domain::{Actor, Policy, Role};
use kesu_store::{sha256_hex, AttachmentSource, NewAttachment, Store};
use sqlx::{Connection, Row};

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T02:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

async fn a_case(store: &Store) -> i64 {
    let form: RegistrationForm = serde_json::from_value(serde_json::json!({
        "channel": "platform", "complainant": {"name": "王小明"},
        "category": "damaged", "demand": "refund", "description": "杯子碎了"
    }))
    .unwrap();
    let actor = Actor::staff("amy", Role::Agent, None);
    let reg = form.parse(t0()).unwrap();
    store
        .create_case(&reg, &actor, 1, None, t0(), &Policy::default())
        .await
        .unwrap()
        .0
        .case
        .id
}

fn pdf(text: &str) -> NewAttachment {
    NewAttachment {
        name: format!("{text}.pdf"),
        kind: Kind::Pdf,
        bytes: format!("%PDF-1.4\n{text}\n%%EOF").into_bytes(),
        clean: None,
        thumb: None,
        width: None,
        height: None,
    }
}

async fn blob_rows(url: &str) -> Vec<(String, bool)> {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    sqlx::query("SELECT sha256, bytes IS NULL AS empty FROM attachment_blobs ORDER BY sha256")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let empty = r
                .try_get::<bool, _>("empty")
                .unwrap_or_else(|_| r.try_get::<i64, _>("empty").unwrap() == 1);
            (r.try_get("sha256").unwrap(), empty)
        })
        .collect()
}

async fn stores_each_content_once(store: &Store, url: &str, in_folder: bool) {
    let case = a_case(store).await;
    let author = Author::Staff("amy".into());
    let stored = store
        .add_attachments(
            case,
            vec![pdf("a"), pdf("a"), pdf("b")],
            &author,
            AttachmentSource::Staff,
            t0(),
        )
        .await
        .unwrap();
    assert_eq!(stored.len(), 3);
    assert_eq!(stored[0].sha256, stored[1].sha256);
    let rows = blob_rows(url).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows.iter().all(|(_, empty)| *empty == in_folder),
        "{rows:?}"
    );
    let a = pdf("a");
    assert_eq!(
        store.blob(&sha256_hex(&a.bytes)).await.unwrap(),
        Some(a.bytes)
    );
    assert_eq!(store.attachments(case).await.unwrap(), stored);
    assert_eq!(store.blob(&"0".repeat(64)).await.unwrap(), None);
}

#[tokio::test]
async fn in_the_sqlite_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = kesu_store::sqlite_url_in(dir.path());
    let store = Store::connect(&url).await.unwrap();
    stores_each_content_once(&store, &url, false).await;
}

#[tokio::test]
async fn in_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let url = kesu_store::sqlite_url_in(dir.path());
    let mut store = Store::connect(&url).await.unwrap();
    let folder = dir.path().join("files");
    store.keep_attachments_in(folder.clone());
    stores_each_content_once(&store, &url, true).await;
    let sha = sha256_hex(&pdf("b").bytes);
    assert!(folder.join(&sha[..2]).join(&sha).is_file());
}

#[tokio::test]
async fn in_the_postgres_database() {
    let Some(admin) = kesu_store::testing::postgres_admin_url() else {
        eprintln!("SKIPPED: attachments on PostgreSQL (KESU_TEST_POSTGRES_URL not set)");
        return;
    };
    let url = kesu_store::testing::fresh_postgres_database(&admin).await;
    let store = Store::connect(&url).await.unwrap();
    stores_each_content_once(&store, &url, false).await;
}
