//! What kesu makes of a photo: a copy without metadata (EXIF, with the place it was taken,
//! never reaches people who may not see personal data) and a thumbnail. Decoding is bounded
//! by the limits' pixel count and by memory, so a small file that unpacks into an enormous
//! picture is refused, not decoded.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use kesu_domain::attachment::{Kind, Limits};

/// The longest side of a thumbnail, in pixels.
pub const THUMB_SIDE: u32 = 320;

/// A decoded photo's copies.
#[derive(Debug)]
pub struct Processed {
    /// Re-encoded from the pixels alone, turned upright: no metadata survives.
    pub clean: Vec<u8>,
    pub thumb: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Why a photo could not be processed.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    #[error("“{name}” is {width} × {height} pixels; kesu takes pictures of at most {max} pixels")]
    TooManyPixels {
        name: String,
        width: u64,
        height: u64,
        max: u64,
    },
    #[error("“{name}” cannot be read as a picture: {why}")]
    Unreadable { name: String, why: String },
}

/// Decodes a photo within `limits` and makes its clean copy and thumbnail. CPU-heavy: call
/// it off the async workers.
pub fn process(
    name: &str,
    kind: Kind,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Processed, MediaError> {
    let unreadable = |why: String| MediaError::Unreadable {
        name: name.to_owned(),
        why,
    };
    let format = match kind {
        Kind::Jpeg => ImageFormat::Jpeg,
        Kind::Png => ImageFormat::Png,
        Kind::Gif => ImageFormat::Gif,
        Kind::Webp => ImageFormat::WebP,
        _ => return Err(unreadable("not a still picture".into())),
    };
    // The header's size first: a decoder may read far (and allocate much) before it tells.
    if let Ok(size) = imagesize::blob_size(bytes) {
        check_pixels(name, size.width as u64, size.height as u64, limits)?;
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut bounds = image::Limits::default();
    // Room for the widest pixel type a decoder may use (16-bit RGBA).
    bounds.max_alloc = Some(limits.max_pixels.saturating_mul(8).max(64 * 1024 * 1024));
    reader.limits(bounds);
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| unreadable(e.to_string()))?;
    let (width, height) = decoder.dimensions();
    check_pixels(name, width.into(), height.into(), limits)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|e| unreadable(e.to_string()))?;
    picture.apply_orientation(orientation);
    let (width, height) = (picture.width(), picture.height());
    let clean = if kind == Kind::Jpeg {
        jpeg(&DynamicImage::ImageRgb8(picture.to_rgb8()), 90)
    } else {
        png(&picture)
    }
    .map_err(unreadable)?;
    let small = picture.thumbnail(THUMB_SIDE, THUMB_SIDE);
    let thumb = jpeg(&DynamicImage::ImageRgb8(small.to_rgb8()), 80).map_err(unreadable)?;
    Ok(Processed {
        clean,
        thumb,
        width,
        height,
    })
}

fn check_pixels(name: &str, width: u64, height: u64, limits: &Limits) -> Result<(), MediaError> {
    if width.saturating_mul(height) > limits.max_pixels {
        return Err(MediaError::TooManyPixels {
            name: name.to_owned(),
            width,
            height,
            max: limits.max_pixels,
        });
    }
    Ok(())
}

fn jpeg(picture: &DynamicImage, quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    picture
        .write_with_encoder(encoder)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

fn png(picture: &DynamicImage) -> Result<Vec<u8>, String> {
    let mut out = Cursor::new(Vec::new());
    picture
        .write_to(&mut out, ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}
