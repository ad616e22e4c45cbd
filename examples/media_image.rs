//! Writes a photo-like JPEG for the media benchmark (`bench/media`): gradients with noise, so
//! its size per pixel is close to a camera's.
//!
//!     cargo run --release --example media_image -- WIDTH HEIGHT QUALITY NOISE OUT.jpg

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [width, height, quality, noise, out] = args.as_slice() else {
        eprintln!("usage: media_image WIDTH HEIGHT QUALITY NOISE OUT.jpg");
        std::process::exit(2);
    };
    let (width, height): (u32, u32) = (width.parse().unwrap(), height.parse().unwrap());
    let (quality, noise): (u8, u32) = (quality.parse().unwrap(), noise.parse().unwrap());
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % u64::from(noise.max(1))) as u32
    };
    let image = RgbImage::from_fn(width, height, |x, y| {
        let base = [
            x * 200 / width,
            y * 200 / height,
            (x + y) * 100 / (width + height),
        ];
        Rgb(base.map(|b| (b + next()).min(255) as u8))
    });
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, quality)
        .encode_image(&image)
        .unwrap();
    std::fs::write(out, &bytes).unwrap();
    println!("{} bytes", bytes.len());
}
