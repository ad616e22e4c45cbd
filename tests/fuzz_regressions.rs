//! Regression tests for what the fuzzers in `fuzz/` found (see fuzz/README.md).
//!
//! Two kinds:
//! - named tests below, one per finding, calling the library function with the minimized
//!   input and asserting the correct behaviour;
//! - `replay_saved_inputs`, which runs every file in `tests/fuzz_regressions/<target>/`
//!   through the fuzz target's own property checks (`fuzz/src/checks.rs`, compiled in here),
//!   exactly as the fuzzer ran it. Saving a crash artifact there is enough to keep it fixed.

#[path = "../fuzz/src/checks.rs"]
mod checks;

use std::path::Path;

use sahifa::http::ApiError;
use sahifa::http::json::parse;
use sahifa::slugs::{Resource, check_explicit, usable};
use sahifa::text::markdown::render;
use sahifa::text::{self, MAX_SLUG_CHARS};

/// Every saved input of every target through that target's checks; reports all failures.
#[test]
fn replay_saved_inputs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    type Check = fn(&[u8]);
    let targets: [(&str, Check); 3] = [
        ("text", checks::text),
        ("markdown", checks::markdown),
        ("json_bodies", checks::json_bodies),
    ];
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (target, check) in targets {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths.into_iter().filter(|p| p.is_file()) {
            let data = std::fs::read(&path).expect("readable");
            replayed += 1;
            if let Err(panic) = std::panic::catch_unwind(|| check(&data)) {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                failures.push(format!("{target}/{name}: {message}"));
            }
        }
    }
    assert!(replayed > 0, "no saved inputs under {}", root.display());
    assert!(
        failures.is_empty(),
        "{} of {replayed} saved inputs fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// Findings (each fails until the bug is fixed)
// ---------------------------------------------------------------------------------------

/// The slug `check_explicit`'s error message proposes ("must be in slug form, e.g. `…`").
fn suggestion(message: &str) -> Option<&str> {
    message
        .split_once("e.g. `")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(s, _)| s)
}

/// Fuzz target `text`, property `explicit-suggestion`; minimized input `"џ"`.
///
/// `check_explicit` refuses a slug with a letter outside its alphabet (Cyrillic, Greek,
/// Devanagari, Arabic-script letters such as ٿ or ڤ …) and suggests `usable(slugify(s))`,
/// which keeps those letters (slugify keeps every script), so the suggestion is refused too:
/// `{"slug": "џ"}` → 422 "must be in slug form, e.g. `џ`".
#[test]
fn check_explicit_only_suggests_slugs_it_accepts() {
    for input in ["џ", "Новости", "ٿ", "ΑΘΗΝΑ", "हिन्दी"] {
        for resource in [Resource::Article, Resource::Section] {
            let Err(message) = check_explicit(input, resource) else {
                continue;
            };
            if let Some(proposed) = suggestion(&message) {
                assert_eq!(
                    check_explicit(proposed, resource),
                    Ok(()),
                    "check_explicit({input:?}) says {message:?}"
                );
            }
        }
    }
}

/// Fuzz target `text`, property `usable-slug`; minimized input: 73 ASCII digits.
///
/// `slugify` keeps up to `MAX_SLUG_CHARS` (80) digits, then `slugs::usable` prefixes an
/// all-digit slug with `article-`/`section-`, giving up to 88 characters: a generated slug
/// longer than the documented maximum, which `is_valid_slug` and `check_explicit` refuse (so
/// a client cannot send the article's own slug back in a PATCH).
#[test]
fn generated_slugs_of_numeric_titles_stay_within_max_slug_chars() {
    for resource in [Resource::Article, Resource::Section] {
        for digits in [73, 80, 200] {
            let title = "3".repeat(digits);
            let slug = usable(text::slugify(&title), resource);
            assert!(
                slug.chars().count() <= MAX_SLUG_CHARS,
                "usable(slugify({digits} digits)) = {slug:?} has {} characters",
                slug.chars().count()
            );
            assert!(text::is_valid_slug(&slug), "{slug:?} is not a valid slug");
            assert_eq!(check_explicit(&slug, resource), Ok(()), "{slug:?}");
        }
    }
}

/// Fuzz target `text`, property `excerpt-has-words`; minimized input: `"… "` followed by one
/// word longer than the allowance (max_chars = 16).
///
/// `excerpt` looks for the longest run of "whole sentences" that fits, and a lead that begins
/// with a sentence mark and a space (`… `, `. `, `! `) has a first "sentence" made of that mark
/// alone: when nothing longer fits, the excerpt is just `"…"`. A realistic case is an article
/// whose body opens with «… ثم قال» and runs on without a full stop for 280 characters.
#[test]
fn an_excerpt_is_never_only_punctuation() {
    let body = format!("… ثم قال {}", "الوزير إن المفاوضات مستمرة ".repeat(15));
    let cut = text::excerpt(&body, text::EXCERPT_CHARS);
    assert!(
        cut.chars().any(char::is_alphanumeric),
        "excerpt({body:?}) = {cut:?}"
    );
    let body = format!("… {}", "a".repeat(20));
    let cut = text::excerpt(&body, 16);
    assert!(
        cut.chars().any(char::is_alphanumeric),
        "excerpt({body:?}, 16) = {cut:?}"
    );
}

/// Found while checking the sanitizer's URL rules by hand (the fuzz check only judges
/// attributes a browser loads or follows, so it does not flag these).
///
/// ammonia's default attribute list keeps `cite` on `blockquote`, `q`, `del` and `ins`, and
/// ammonia filters URL schemes only in `href`/`src`-like attributes, so
/// `<blockquote cite="javascript:alert(1)">` comes out as written, although
/// `text::markdown`'s docs promise no `javascript:` or `data:` URLs. Browsers do not follow
/// `cite`, but scripts that turn it into a link do.
#[test]
fn markdown_cite_attributes_carry_no_script_urls() {
    for markdown in [
        "<blockquote cite=\"javascript:alert(1)\">x</blockquote>",
        "<q cite=\"javascript:alert(1)\">x</q>",
        "<del cite=\"data:text/html,<script>alert(1)</script>\">x</del>",
        "<ins cite=\"vbscript:msgbox(1)\">x</ins>",
    ] {
        let html = render(markdown).unwrap().to_ascii_lowercase();
        for scheme in ["javascript:", "data:", "vbscript:"] {
            assert!(
                !html.contains(scheme),
                "render({markdown:?}) = {html:?} keeps a {scheme} URL"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Interesting inputs the fuzzers produced that pass (kept so they stay passing)
// ---------------------------------------------------------------------------------------

/// Obfuscated script URLs: entities, control characters, whitespace, angle-bracket link
/// destinations, mixed case. `java script:` (a space inside) is a *relative* URL to a browser
/// and is harmless; the check judges URLs the way a browser parses them.
#[test]
fn obfuscated_script_urls_are_removed() {
    for markdown in [
        "<a href=\"  javascript:alert(1)\">x</a>",
        "<a href=\"java&#x09;script:alert(1)\">x</a>",
        "<a href=\"&#x6A;&#x61;vascript&#58;alert(1)\">x</a>",
        "<a href=\"java\nscript:alert(1)\">x</a>",
        "[x](<javascript:alert(1)>)",
        "[x](JAVASCRIPT:alert(1))",
        "[x]: vbscript:msgbox(1)\n\n[x]",
        "<img src=\"data:image/svg+xml,<svg onload=alert(1)>\">",
        "<a href=\"java script:alert(1)\">x</a>",
        "< script>alert(1)</script>",
        "<ScRiPt\n>alert(1)</script>",
        "<div\tonclick=x>y</div>",
    ] {
        let html = render(markdown).unwrap();
        checks::check_sanitized(markdown, &html);
    }
}

/// A plain-text excerpt keeps a literal `<` (in text, in code, or from `&lt;`): it is plain
/// text, escaped where it is shown. (Why the `text` target asserts "no `<`" only for inputs
/// with no `<` and no `&`.)
#[test]
fn excerpts_are_plain_text_and_keep_literal_angle_brackets() {
    assert_eq!(text::excerpt("a < b &lt;c&gt; `<i>`", 280), "a < b <c> <i>");
    assert_eq!(text::plain_text("<b>bold</b> <script>x</script>"), "bold");
}

/// A letter followed by more combining marks than fit in a slug (once found to leave the
/// cut between a letter and its marks): Devanagari is transliterated now, marks included,
/// and the Latin result is cut at the limit like any other.
#[test]
fn a_letter_with_too_many_marks_gives_a_slug_within_the_limit() {
    let title = format!("क{}", "\u{093F}".repeat(100));
    checks::check_slugify(&title);
    let slug = text::slugify(&title);
    assert!(slug.starts_with("ki") && slug.chars().count() <= text::MAX_SLUG_CHARS);
    assert!(text::is_valid_slug(&slug));
}

/// Bodies at the edges of the parser: an integral float for an integer, a top-level array,
/// nesting beyond serde_json's recursion limit, a number out of range, a lone surrogate.
#[test]
fn odd_json_bodies_give_400_or_422_never_a_panic() {
    use sahifa::articles::dto::CreateArticle;
    use sahifa::comments::dto::BulkModerate;

    let ok = parse::<CreateArticle>(br#"{"title":" x ","body":"b","section_id":1.0}"#);
    assert!(
        matches!(ok, Ok(ref a) if a.title == "x" && a.section_id == 1),
        "{ok:?}"
    );
    assert!(matches!(
        parse::<CreateArticle>(br#"["x","b",1]"#),
        Err(ApiError::Validation { .. })
    ));
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    assert!(matches!(
        parse::<CreateArticle>(deep.as_bytes()),
        Err(ApiError::BadRequest(..))
    ));
    assert!(matches!(
        parse::<BulkModerate>(br#"{"ids":[1e400],"status":"spam"}"#),
        Err(ApiError::BadRequest(..))
    ));
    assert!(matches!(
        parse::<BulkModerate>(br#"{"ids":[9007199254740993.0],"status":"spam"}"#),
        Err(ApiError::Validation { .. })
    ));
    for dto in 0..checks::DTOS.len() {
        checks::json_body(dto, br#"{"title":"\ud800","body":"\u0000"}"#);
        checks::json_body(dto, b" \t\n");
    }
}
