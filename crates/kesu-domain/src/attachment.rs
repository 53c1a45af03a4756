//! Evidence files: which files a case takes (photos, short videos, PDFs, known by their bytes,
//! never by their names), the limits on an upload, and the name a file is offered under.

use serde::{Deserialize, Serialize};

/// How much one upload may carry. Defaults: 10 files of 20 MB each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_files: usize,
    pub max_bytes: u64,
    /// Largest image kesu decodes (width × height), so a small file that unpacks into an
    /// enormous picture is refused instead of exhausting memory.
    pub max_pixels: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_files: 10,
            max_bytes: 20 * 1024 * 1024,
            max_pixels: 50_000_000,
        }
    }
}

impl Limits {
    /// The request body an upload of `max_files` full files needs, with room for the
    /// multipart framing.
    pub fn max_body(&self) -> usize {
        (self.max_files as u64 * self.max_bytes + 1024 * 1024).min(usize::MAX as u64) as usize
    }
}

/// A kind of file kesu keeps, as its bytes show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Jpeg,
    Png,
    Gif,
    Webp,
    Mp4,
    QuickTime,
    Webm,
    Pdf,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Jpeg,
        Kind::Png,
        Kind::Gif,
        Kind::Webp,
        Kind::Mp4,
        Kind::QuickTime,
        Kind::Webm,
        Kind::Pdf,
    ];

    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::Gif => "image/gif",
            Kind::Webp => "image/webp",
            Kind::Mp4 => "video/mp4",
            Kind::QuickTime => "video/quicktime",
            Kind::Webm => "video/webm",
            Kind::Pdf => "application/pdf",
        }
    }

    pub fn from_content_type(content_type: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.content_type() == content_type)
    }

    /// The extension a file of this kind is offered under.
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpg",
            Kind::Png => "png",
            Kind::Gif => "gif",
            Kind::Webp => "webp",
            Kind::Mp4 => "mp4",
            Kind::QuickTime => "mov",
            Kind::Webm => "webm",
            Kind::Pdf => "pdf",
        }
    }

    /// A still picture kesu can make a thumbnail of.
    pub fn is_image(self) -> bool {
        matches!(self, Kind::Jpeg | Kind::Png | Kind::Gif | Kind::Webp)
    }

    pub fn is_video(self) -> bool {
        matches!(self, Kind::Mp4 | Kind::QuickTime | Kind::Webm)
    }

    /// Shown in the browser (`inline`) rather than only downloaded: pictures and videos,
    /// which browsers never run. PDFs are downloaded: viewers may run their scripts.
    pub fn inline(self) -> bool {
        self.is_image() || self.is_video()
    }
}

/// Why a file is not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Markup or a script, whatever its name says: browsers would run it.
    #[error("the bytes of “{name}” are {found}, not a photo, video or PDF: such files are never taken, whatever their name")]
    Active { name: String, found: &'static str },
    /// Something else kesu does not keep.
    #[error("the bytes of “{name}” are {found}; kesu takes photos (JPEG, PNG, GIF, WebP), videos (MP4, MOV, WebM) and PDFs")]
    Unsupported { name: String, found: String },
    #[error("“{name}” is empty")]
    Empty { name: String },
}

/// What the bytes are, whatever the file is called. Markup (HTML, SVG, XML) and scripts are
/// refused even where they start like an image would.
pub fn sniff(name: &str, bytes: &[u8]) -> Result<Kind, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty { name: name.into() });
    }
    if let Some(found) = active_content(bytes) {
        return Err(Refusal::Active {
            name: name.into(),
            found,
        });
    }
    let found = infer::get(bytes);
    let kind = found.and_then(|t| match t.mime_type() {
        "image/jpeg" => Some(Kind::Jpeg),
        "image/png" => Some(Kind::Png),
        "image/gif" => Some(Kind::Gif),
        "image/webp" => Some(Kind::Webp),
        "video/mp4" => Some(Kind::Mp4),
        "video/quicktime" => Some(Kind::QuickTime),
        "video/webm" => Some(Kind::Webm),
        "application/pdf" => Some(Kind::Pdf),
        _ => None,
    });
    kind.ok_or_else(|| Refusal::Unsupported {
        name: name.into(),
        found: found.map_or_else(
            || "of no kind kesu recognises".to_owned(),
            |t| t.mime_type().to_owned(),
        ),
    })
}

/// Markup or script anywhere near the start (after a byte-order mark and white space): what a
/// browser sniffing the bytes would render as a page. Looks at the first 1 KiB, lower-cased.
fn active_content(bytes: &[u8]) -> Option<&'static str> {
    let head: Vec<u8> = bytes
        .iter()
        .take(1024)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    let text = String::from_utf8_lossy(&head);
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let starts = |p: &str| trimmed.starts_with(p);
    if starts("<svg") || text.contains("<svg") {
        return Some("SVG (markup that can run scripts)");
    }
    if starts("<!doctype html")
        || starts("<html")
        || ["<script", "<iframe", "<body", "<head", "javascript:"]
            .iter()
            .any(|t| text.contains(t))
    {
        return Some("HTML");
    }
    if starts("<?xml") || starts("<") {
        return Some("markup (XML)");
    }
    if starts("#!") {
        return Some("a script");
    }
    None
}

/// The name a file is shown and offered under: its last path part, without control or
/// direction characters, quotes or separators, at most 100 characters, ending in the
/// extension of what its bytes are (so a JPEG called `a.html` downloads as `a.html.jpg`).
pub fn display_name(name: &str, kind: Kind) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| {
            !c.is_control()
                && !matches!(c, '"' | '\'' | ';' | '<' | '>' | '`')
                && !('\u{200b}'..='\u{200f}').contains(c)
                && !('\u{202a}'..='\u{202e}').contains(c)
                && !('\u{2066}'..='\u{2069}').contains(c)
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let stem: String = if cleaned.is_empty() {
        "附件".to_owned()
    } else {
        cleaned.chars().take(100).collect()
    };
    let ext = kind.extension();
    let has_ext = stem.rsplit_once('.').is_some_and(|(_, e)| {
        e.eq_ignore_ascii_case(ext) || (ext == "jpg" && e.eq_ignore_ascii_case("jpeg"))
    });
    if has_ext {
        stem
    } else {
        format!("{stem}.{ext}")
    }
}

#[cfg(test)]
#[path = "attachment_tests.rs"]
mod tests;
