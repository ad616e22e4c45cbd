//! Anti-spam that costs a real commenter nothing: no captcha, no account.

/// More links than this in one comment marks it as spam: real readers rarely post more.
pub const MAX_LINKS: usize = 3;

/// Why a comment is filed as spam without a moderator's look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ham,
    /// The hidden `website` field was filled: only bots see it.
    Honeypot,
    TooManyLinks,
}

pub fn judge(body: &str, honeypot: Option<&str>) -> Verdict {
    if honeypot.is_some_and(|h| !h.trim().is_empty()) {
        return Verdict::Honeypot;
    }
    let lower = body.to_lowercase();
    let links = ["http://", "https://", "www."]
        .iter()
        .map(|marker| lower.matches(marker).count())
        .sum::<usize>();
    if links > MAX_LINKS {
        Verdict::TooManyLinks
    } else {
        Verdict::Ham
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bots_and_link_farms_are_caught_and_readers_are_not() {
        assert_eq!(judge("مقال رائع، شكراً", None), Verdict::Ham);
        assert_eq!(judge("مقال رائع", Some("")), Verdict::Ham);
        assert_eq!(
            judge("مقال رائع", Some("https://spam.example")),
            Verdict::Honeypot
        );
        assert_eq!(
            judge("انظر https://a.example و https://b.example", None),
            Verdict::Ham
        );
        let farm = "http://a.example https://b.example www.c.example HTTPS://d.example";
        assert_eq!(judge(farm, None), Verdict::TooManyLinks);
    }
}
