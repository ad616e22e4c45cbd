//! Micro-benchmarks of the text functions on long Arabic text: `cargo bench --bench text`.
//! They run on every write (slugs, excerpts, rendering, indexing) and every search query.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// A long Arabic article in the way newsrooms type it: tashkeel, tatweel, hamza forms,
/// Arabic-Indic digits, Arabic punctuation, Markdown.
fn article() -> String {
    let paragraph = "التقى وزيرُ الدفاعِ الياباني نظيرَه الأمريكي على هامش قمةٍ دولية، وناقش الجانبان سُبُلَ \
        تعزيز التحالف بين البلدين في ظلِّ توتراتٍ إقليمية متصاعدة. وقال الوزير في مستهل اللقاء: «نأمل أن \
        نعمل معاً ككيانٍ واحد»؛ فيما أكد الجانب الأمريكي التزامه بالدفاع عن حلفائه، مشيراً إلى ما يُعرف بـ«الردع \
        الموسّع». واتفق الطرفان على تحسين هياكل القيادة قبل مارس ٢٠٢٥، في خطوةٍ وصفها محللون بأنها الأكبـــر منذ عقود؟";
    let mut text = String::from("## خلفية\n\n");
    for n in 0..40 {
        text.push_str(paragraph);
        text.push_str(if n % 5 == 4 {
            "\n\n- نقطة أولى\n- نقطة **ثانية**\n\n"
        } else {
            "\n\n"
        });
    }
    text
}

fn benches(c: &mut Criterion) {
    let body = article();
    let title = "طوكيو وواشنطن تبحثان «توسيع» التعاونِ الأمنيّ في ظلِّ توتراتٍ إقليمية متصاعدة";
    let mut group = c.benchmark_group("text");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("normalize (long article)", |b| {
        b.iter(|| sahifa::text::normalize(black_box(&body)))
    });
    group.bench_function("stem_tokens (long article)", |b| {
        b.iter(|| sahifa::text::stem_tokens(black_box(&body)))
    });
    group.bench_function("plain_text (long article)", |b| {
        b.iter(|| sahifa::text::plain_text(black_box(&body)))
    });
    group.bench_function("excerpt (long article)", |b| {
        b.iter(|| sahifa::text::excerpt(black_box(&body), sahifa::text::EXCERPT_CHARS))
    });
    group.bench_function("markdown::render (long article)", |b| {
        b.iter(|| sahifa::text::markdown::render(black_box(&body)))
    });
    group.finish();
    let mut small = c.benchmark_group("text-title");
    small.throughput(Throughput::Bytes(title.len() as u64));
    small.bench_function("slugify (title)", |b| {
        b.iter(|| sahifa::text::slugify(black_box(title)))
    });
    small.bench_function("normalize (title)", |b| {
        b.iter(|| sahifa::text::normalize(black_box(title)))
    });
    small.finish();
}

criterion_group!(text, benches);
criterion_main!(text);
