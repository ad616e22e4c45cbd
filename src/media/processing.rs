//! Image processing, as pure functions of bytes: what an upload is (sniffed from its bytes,
//! never from its name or header), whether it may be decoded at all (its header's size is
//! judged before any pixel is), the cleaned original (oriented, every metadata block gone),
//! and the renditions, placeholder and dominant colour made from it.
//!
//! Metadata is stripped by construction: nothing of the uploaded file is stored or served but
//! pixels re-encoded by this module, so no EXIF (GPS position, camera serial), XMP or IPTC
//! block can survive, whatever the container hid it in.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, GenericImageView, ImageDecoder, ImageFormat, ImageReader, Limits};

/// The widths of the renditions, in pixels (never larger than the source).
pub const WIDTHS: [u32; 5] = [320, 640, 960, 1280, 1920];

/// The crops made around the focal point, as (name, width ratio, height ratio), each at
/// [`CROP_WIDTHS`] that fit the source.
pub const CROPS: [(&str, u32, u32); 3] = [("16x9", 16, 9), ("4x3", 4, 3), ("1x1", 1, 1)];
pub const CROP_WIDTHS: [u32; 2] = [640, 1280];

/// The longest side accepted: WebP cannot encode more than 16,383 pixels a side, and a
/// 1 × 60,000 strip is no photograph.
pub const MAX_SIDE: u32 = 16_383;

/// JPEG quality of the stored original and of JPEG renditions; WebP renditions' quality.
const JPEG_QUALITY: u8 = 88;
const WEBP_QUALITY: f32 = 80.0;

/// The formats accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Self::Jpeg => "jpeg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Gif => "gif",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [Self::Jpeg, Self::Png, Self::Webp, Self::Gif]
            .into_iter()
            .find(|f| f.name() == name)
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            other => other.name(),
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Gif => "image/gif",
        }
    }

    fn image_format(self) -> ImageFormat {
        match self {
            Self::Jpeg => ImageFormat::Jpeg,
            Self::Png => ImageFormat::Png,
            Self::Webp => ImageFormat::WebP,
            Self::Gif => ImageFormat::Gif,
        }
    }
}

/// Why an upload was refused. Each maps to one problem type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the file is empty")]
    Empty,
    #[error("{0}")]
    Unsupported(String),
    #[error("{0}")]
    TooManyPixels(String),
    #[error("{0}")]
    Corrupt(String),
}

/// The limits an upload is held to.
#[derive(Debug, Clone, Copy)]
pub struct PixelLimits {
    pub max_pixels: u64,
}

/// An accepted upload: the decoded (and oriented) image and what was learnt on the way.
pub struct Accepted {
    pub format: Format,
    pub image: DynamicImage,
    /// The credit embedded in the file's IPTC, XMP or EXIF, for `credit` when none is given.
    pub embedded_credit: Option<String>,
}

/// Sniffs, judges and decodes an upload: refused when its bytes are no JPEG, PNG, WebP or
/// GIF (SVG, HEIC, a PDF named `.jpg`), when its header announces more pixels than allowed
/// (judged before decoding, so a decompression bomb costs nothing), or when it does not
/// decode (truncated, corrupt). GIFs give their first frame. The EXIF orientation is applied.
pub fn accept(bytes: &[u8], limits: PixelLimits) -> Result<Accepted, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    let format = sniff(bytes)?;
    let mut reader = ImageReader::new(Cursor::new(bytes));
    reader.set_format(format.image_format());
    let mut decoder_limits = Limits::default();
    decoder_limits.max_image_width = Some(MAX_SIDE);
    decoder_limits.max_image_height = Some(MAX_SIDE);
    // Room for the largest accepted image as 8-bit RGBA, twice (decoding may convert).
    decoder_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8).max(64 << 20));
    reader.limits(decoder_limits);
    let mut decoder = reader.into_decoder().map_err(|e| judge_error(format, e))?;
    let (width, height) = decoder.dimensions();
    check_size(width, height, limits)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let embedded_credit = super::credit::embedded(&super::credit::Blocks {
        exif: decoder.exif_metadata().ok().flatten(),
        iptc: decoder.iptc_metadata().ok().flatten(),
        xmp: decoder.xmp_metadata().ok().flatten(),
    });
    if format == Format::Jpeg && !has_end_marker(bytes) {
        return Err(Refusal::Corrupt(
            "the JPEG is truncated: it has no end-of-image marker".into(),
        ));
    }
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| judge_error(format, e))?;
    image.apply_orientation(orientation);
    Ok(Accepted {
        format,
        image,
        embedded_credit,
    })
}

/// The format, from the file's first bytes.
pub fn sniff(bytes: &[u8]) -> Result<Format, Refusal> {
    let unsupported = || {
        Refusal::Unsupported(
            "the file is not a JPEG, PNG, WebP or GIF image (judged by its content, not its \
             name or Content-Type)"
                .into(),
        )
    };
    match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg) => Ok(Format::Jpeg),
        Ok(ImageFormat::Png) => Ok(Format::Png),
        Ok(ImageFormat::WebP) => Ok(Format::Webp),
        Ok(ImageFormat::Gif) => Ok(Format::Gif),
        // Decoding AVIF needs the C library dav1d (`image`'s `avif-native`), which a machine
        // with only the Rust toolchain lacks; the pure-Rust decoders are too young to trust
        // with hostile files.
        Ok(ImageFormat::Avif) => Err(Refusal::Unsupported(
            "AVIF is not accepted yet: send the photo as JPEG, PNG or WebP".into(),
        )),
        _ => Err(unsupported()),
    }
}

fn check_size(width: u32, height: u32, limits: PixelLimits) -> Result<(), Refusal> {
    if width == 0 || height == 0 {
        return Err(Refusal::Corrupt("the image has no pixels".into()));
    }
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(Refusal::TooManyPixels(format!(
            "the image is {width} × {height} pixels; no side may exceed {MAX_SIDE}"
        )));
    }
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.max_pixels {
        return Err(Refusal::TooManyPixels(format!(
            "the image is {width} × {height} = {pixels} pixels; the limit is {} \
             (SAHIFA_MEDIA_MAX_PIXELS)",
            limits.max_pixels
        )));
    }
    Ok(())
}

fn judge_error(format: Format, error: image::ImageError) -> Refusal {
    match error {
        image::ImageError::Limits(_) => Refusal::TooManyPixels(format!(
            "the image is larger than the limits allow ({MAX_SIDE} pixels a side)"
        )),
        image::ImageError::Unsupported(e) => Refusal::Unsupported(format!(
            "this {} variant is not supported: {e}",
            format.name()
        )),
        other => Refusal::Corrupt(format!(
            "the {} could not be decoded: {other}",
            format.name()
        )),
    }
}

/// A JPEG ends with the EOI marker (FF D9), possibly followed by a little trailing data; a
/// truncated one does not, though decoders fill its missing rows with grey without a word.
fn has_end_marker(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(64 * 1024)..];
    tail.windows(2).any(|w| w == [0xFF, 0xD9])
}

/// One encoded file.
#[derive(Debug, Clone)]
pub struct Encoded {
    /// The file's name within the item's folder: `original.jpg`, `w640.webp`, `16x9-w1280.webp`.
    pub name: String,
    pub width: u32,
    pub height: u32,
    pub format: Format,
    /// The crop's ratio name, for crops.
    pub crop: Option<&'static str>,
    pub bytes: Vec<u8>,
}

/// The stored original: the oriented pixels re-encoded in the source's format, with nothing
/// else of the file.
pub fn original(image: &DynamicImage, format: Format) -> Result<Encoded, String> {
    let (width, height) = image.dimensions();
    Ok(Encoded {
        name: format!("original.{}", format.extension()),
        width,
        height,
        format,
        crop: None,
        bytes: encode(image, format, 95)?,
    })
}

/// Everything made from the original: renditions at each width that fits, in WebP and in
/// the source's format, crops around the focal point, a BlurHash and the dominant colour.
pub struct Derived {
    pub files: Vec<Encoded>,
    pub placeholder: Option<String>,
    pub dominant_color: String,
}

pub fn derive(image: &DynamicImage, format: Format, focal: (f64, f64)) -> Result<Derived, String> {
    let (width, _) = image.dimensions();
    let mut files = Vec::new();
    // Largest first, each made from the one before: cheaper than from the source each time,
    // and no visible loss at these ratios.
    let mut widths: Vec<u32> = WIDTHS.iter().copied().filter(|w| *w <= width).collect();
    if widths.is_empty() {
        widths.push(width);
    }
    widths.reverse();
    let mut previous: Option<DynamicImage> = None;
    for w in widths {
        let from = previous.as_ref().unwrap_or(image);
        let scaled = scale_to_width(from, w);
        files.push(file(&scaled, Format::Webp, None, format!("w{w}.webp"))?);
        if format != Format::Webp {
            files.push(file(
                &scaled,
                format,
                None,
                format!("w{w}.{}", format.extension()),
            )?);
        }
        previous = Some(scaled);
    }
    for (name, rw, rh) in CROPS {
        let cropped = crop_around(image, rw, rh, focal);
        for w in CROP_WIDTHS.into_iter().filter(|w| *w <= cropped.width()) {
            let scaled = scale_to_width(&cropped, w);
            files.push(file(
                &scaled,
                Format::Webp,
                Some(name),
                format!("{name}-w{w}.webp"),
            )?);
        }
    }
    let small = image.thumbnail(32, 32).to_rgba8();
    let placeholder = blurhash::encode(4, 3, small.width(), small.height(), small.as_raw()).ok();
    Ok(Derived {
        files,
        placeholder,
        dominant_color: dominant_color(&small),
    })
}

fn file(
    image: &DynamicImage,
    format: Format,
    crop: Option<&'static str>,
    name: String,
) -> Result<Encoded, String> {
    Ok(Encoded {
        name,
        width: image.width(),
        height: image.height(),
        format,
        crop,
        bytes: encode(image, format, JPEG_QUALITY)?,
    })
}

fn scale_to_width(image: &DynamicImage, width: u32) -> DynamicImage {
    if image.width() == width {
        return image.clone();
    }
    let height =
        ((u64::from(image.height()) * u64::from(width)) / u64::from(image.width())).max(1) as u32;
    image.resize_exact(width, height, image::imageops::FilterType::CatmullRom)
}

/// The largest `rw:rh` region of the image whose centre is as close to the focal point
/// (fractions of width and height) as the image's edges allow.
pub fn crop_around(image: &DynamicImage, rw: u32, rh: u32, focal: (f64, f64)) -> DynamicImage {
    let (w, h) = (u64::from(image.width()), u64::from(image.height()));
    let (cw, ch) = if w * u64::from(rh) > h * u64::from(rw) {
        (h * u64::from(rw) / u64::from(rh), h)
    } else {
        (w, w * u64::from(rh) / u64::from(rw))
    };
    let (cw, ch) = (cw.max(1), ch.max(1));
    let centre = |size: u64, crop: u64, at: f64| -> u64 {
        let wanted = (at.clamp(0.0, 1.0) * size as f64) - crop as f64 / 2.0;
        (wanted.max(0.0) as u64).min(size - crop)
    };
    let (x, y) = (centre(w, cw, focal.0), centre(h, ch, focal.1));
    image.crop_imm(x as u32, y as u32, cw as u32, ch as u32)
}

/// The most common colour of a small copy (in buckets of 32 levels per channel), as the
/// mean of its bucket: what a page shows before the image arrives.
fn dominant_color(small: &image::RgbaImage) -> String {
    let mut buckets = std::collections::HashMap::<(u8, u8, u8), (u64, [u64; 3])>::new();
    for p in small.pixels() {
        if p[3] < 128 {
            continue;
        }
        let entry = buckets
            .entry((p[0] >> 5, p[1] >> 5, p[2] >> 5))
            .or_insert((0, [0; 3]));
        entry.0 += 1;
        for c in 0..3 {
            entry.1[c] += u64::from(p[c]);
        }
    }
    let Some((_, (count, sums))) = buckets
        .into_iter()
        .max_by_key(|(key, (count, _))| (*count, std::cmp::Reverse(*key)))
    else {
        return "#000000".into();
    };
    format!(
        "#{:02x}{:02x}{:02x}",
        sums[0] / count,
        sums[1] / count,
        sums[2] / count
    )
}

fn encode(image: &DynamicImage, format: Format, jpeg_quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    match format {
        Format::Jpeg => {
            let rgb = image.to_rgb8();
            JpegEncoder::new_with_quality(&mut out, jpeg_quality)
                .encode_image(&rgb)
                .map_err(|e| e.to_string())?;
        }
        Format::Webp => {
            let memory = if image.color().has_alpha() {
                let rgba = image.to_rgba8();
                webp::Encoder::from_rgba(rgba.as_raw(), rgba.width(), rgba.height())
                    .encode(WEBP_QUALITY)
            } else {
                let rgb = image.to_rgb8();
                webp::Encoder::from_rgb(rgb.as_raw(), rgb.width(), rgb.height())
                    .encode(WEBP_QUALITY)
            };
            out.extend_from_slice(&memory);
        }
        Format::Png | Format::Gif => {
            let converted;
            let image = if format == Format::Gif {
                converted = DynamicImage::ImageRgba8(image.to_rgba8());
                &converted
            } else {
                image
            };
            image
                .write_to(&mut Cursor::new(&mut out), format.image_format())
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        }));
        let mut out = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    const LIMITS: PixelLimits = PixelLimits {
        max_pixels: 50_000_000,
    };

    #[test]
    fn renditions_never_exceed_the_source() {
        let accepted = accept(&png(700, 300), LIMITS).unwrap();
        let derived = derive(&accepted.image, accepted.format, (0.5, 0.5)).unwrap();
        let widths: Vec<u32> = derived
            .files
            .iter()
            .filter(|f| f.crop.is_none())
            .map(|f| f.width)
            .collect();
        assert_eq!(widths, [640, 640, 320, 320]);
        assert!(derived.placeholder.is_some());
        assert!(derived.dominant_color.starts_with('#'));
    }

    #[test]
    fn a_small_image_gets_one_rendition_at_its_own_width() {
        let accepted = accept(&png(100, 50), LIMITS).unwrap();
        let derived = derive(&accepted.image, accepted.format, (0.5, 0.5)).unwrap();
        assert!(
            derived
                .files
                .iter()
                .all(|f| f.width == 100 || f.crop.is_some())
        );
    }

    #[test]
    fn crops_follow_the_focal_point_within_the_edges() {
        let image = DynamicImage::ImageRgb8(image::RgbImage::new(1600, 900));
        let square = crop_around(&image, 1, 1, (1.0, 0.5));
        assert_eq!((square.width(), square.height()), (900, 900));
        let left = crop_around(&image, 1, 1, (0.0, 0.5));
        assert_eq!(left.width(), 900);
    }

    #[test]
    fn bad_inputs_are_refused_by_kind() {
        assert_eq!(accept(b"", LIMITS).err(), Some(Refusal::Empty));
        assert!(matches!(
            accept(
                b"<svg xmlns='http://www.w3.org/2000/svg'><script>x</script></svg>",
                LIMITS
            ),
            Err(Refusal::Unsupported(_))
        ));
        let avif = b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf";
        assert!(matches!(accept(avif, LIMITS), Err(Refusal::Unsupported(m)) if m.contains("AVIF")));
        let mut truncated = png(64, 64);
        truncated.truncate(truncated.len() / 2);
        assert!(matches!(
            accept(&truncated, LIMITS),
            Err(Refusal::Corrupt(_))
        ));
        assert!(matches!(
            accept(&png(1, 20_000), LIMITS),
            Err(Refusal::TooManyPixels(_))
        ));
    }
}
