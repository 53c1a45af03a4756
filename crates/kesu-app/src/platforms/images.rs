//! Fetching the photos of platform requests into their cases, in the background: a push is
//! answered at once, and a platform's slow or failing image server only delays the photos.
//! Each photo goes through the same checks as an upload (kind sniffed, metadata stripped,
//! size limit); one that fails is tried again with backoff, and one given up is noted on the
//! case.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use kesu_domain::attachment::Limits;
use kesu_store::{PendingImage, Store};
use tokio::sync::watch;

use crate::attachments::Upload;
use crate::error::{AppError, AppResult};
use crate::Clock;

/// Photos fetched in one round.
const BATCH: i64 = 20;
/// How long a server holds a claimed photo before another may take it.
const LEASE_SECS: i64 = 120;

/// The client photos are fetched with: bounded in time and redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::limited(3))
        .user_agent(concat!("kesu/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("a client with rustls and no custom roots builds")
}

/// Fetches due photos every `every` until `stop`.
pub async fn run(
    store: Store,
    clock: Arc<dyn Clock>,
    limits: Limits,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let client = client();
    loop {
        match fetch_due(&store, &client, &limits, clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(photos = n, "platform photos fetched"),
            Err(e) => tracing::warn!(error = %e, "fetching platform photos failed; retrying"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}

/// One round: fetches the photos due now. Returns how many were stored.
pub async fn fetch_due(
    store: &Store,
    client: &reqwest::Client,
    limits: &Limits,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let due = store
        .claim_platform_images(now, chrono::Duration::seconds(LEASE_SECS), BATCH)
        .await?;
    let mut stored = 0;
    for image in due {
        match fetch_one(client, &image, limits).await {
            Ok(upload) => match crate::attachments::prepare(vec![upload], *limits).await {
                Ok(files) => {
                    if store
                        .store_platform_image(image.id, image.case_id, files, now)
                        .await?
                        .is_some()
                    {
                        stored += 1;
                    }
                }
                // A file kesu never takes (a page, a script, too large): no use trying again.
                Err(e @ (AppError::UnsupportedType(_) | AppError::TooLarge(_))) => {
                    store
                        .platform_image_failed(&image, &e.to_string(), true, now)
                        .await?;
                }
                Err(e) => return Err(e),
            },
            Err(error) => {
                tracing::debug!(image = image.id, %error, "a platform photo could not be fetched");
                store
                    .platform_image_failed(&image, &error, false, now)
                    .await?;
            }
        }
    }
    Ok(stored)
}

/// The photo's bytes, read no further than the size limit allows.
async fn fetch_one(
    client: &reqwest::Client,
    image: &PendingImage,
    limits: &Limits,
) -> Result<Upload, String> {
    let mut response = client
        .get(&image.url)
        .send()
        .await
        .map_err(|e| format!("the platform's server could not be reached: {e}"))?;
    if !response.status().is_success() {
        return Err(format!(
            "the platform's server answered {}",
            response.status()
        ));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("the photo was cut off: {e}"))?
    {
        bytes.extend_from_slice(&chunk);
        if bytes.len() as u64 > limits.max_bytes {
            return Err(format!(
                "the photo is larger than the limit of {} MB",
                limits.max_bytes / (1024 * 1024)
            ));
        }
    }
    Ok(Upload {
        name: file_name(&image.url),
        bytes,
    })
}

/// The last part of the address's path, or a plain name when it has none.
fn file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let last = path.rsplit('/').next().unwrap_or("");
    let clean: String = last
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .take(80)
        .collect();
    if clean.is_empty() {
        "平台图片.jpg".to_owned()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn photos_are_named_after_their_address() {
        assert_eq!(
            super::file_name("https://img.example/a/b/IMG_01.jpg?x=1"),
            "IMG_01.jpg"
        );
        assert_eq!(super::file_name("https://img.example/"), "平台图片.jpg");
    }
}
