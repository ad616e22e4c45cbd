//! `--media-dir`: attachments' files from a copy of `wp-content/uploads`, cleaned as uploads
//! are (type sniffed, size judged, metadata and GPS stripped) with their originals written to
//! the media store before the import's transaction begins. Their rows are written in that
//! transaction, and their renditions by the job runner. Stored files are content-addressed,
//! so a failed import leaves only unreachable files, which the next equal upload shares.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::LazyLock;

use futures_util::StreamExt;
use regex::{Captures, Regex};

use super::import::Attachments;
use crate::media::dto::Urls;
use crate::media::operations::{MediaService, Prepared, prepare};

/// Files cleaned at once: each decode holds a slot of the service's own limit anyway.
const CONCURRENT: usize = 4;

/// What `--media-dir` brought: the prepared file of each attachment that has one, and why
/// the others have none (they keep their WordPress URL).
#[derive(Debug, Default)]
pub struct Staged {
    pub files: HashMap<i64, Prepared>,
    /// Attachment id → why it stays a URL (no file, not an image, too large …).
    pub refused: HashMap<i64, String>,
}

/// Reads and cleans every attachment's file under `dir`; with `dry_run` nothing is stored.
pub async fn stage(
    service: &MediaService,
    dir: &Path,
    attachments: &Attachments,
    dry_run: bool,
) -> Staged {
    let mut staged = Staged::default();
    let mut work = futures_util::stream::iter(attachments.iter())
        .map(|(id, attachment)| async move {
            let outcome = match file_of(dir, &attachment.file, &attachment.url) {
                Err(why) => Err(why),
                Ok(path) => match std::fs::read(&path) {
                    Err(e) => Err(format!("{}: {e}", path.display())),
                    Ok(bytes) => prepare(service, bytes, dry_run)
                        .await
                        .map_err(|why| format!("{}: {why}", path.display())),
                },
            };
            (id, outcome)
        })
        .buffer_unordered(CONCURRENT);
    while let Some((id, outcome)) = work.next().await {
        match outcome {
            Ok(prepared) => {
                staged.files.insert(id, prepared);
            }
            Err(why) => {
                staged.refused.insert(id, why);
            }
        }
    }
    staged
}

/// An uploads URL in a body: the file's path under `uploads/`, without WordPress's size
/// suffix (`photo-300x200.jpg` is a resized copy of `photo.jpg`), and its extension.
static UPLOADS_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?:https?:)?//[^\s"'<>()]*?/wp-content/uploads/([^\s"'<>()?#]+?)(?:-\d+x\d+)?\.(jpe?g|png|gif|webp)\b"#,
    )
    .expect("a valid pattern")
});

/// Where the images of bodies go once their attachments are media items: each uploads path
/// (as `2024/05/photo.jpg`) to its cleaned original in the media store, so that bodies stop
/// pointing at the old site.
pub struct LocalImages(HashMap<String, String>);

impl LocalImages {
    pub fn new(attachments: &Attachments, staged: &Staged) -> Self {
        let urls = Urls::public();
        let mut by_path = HashMap::new();
        for (id, attachment) in attachments.iter() {
            let (Some(prepared), Some(path)) = (
                staged.files.get(&id),
                uploads_path(&attachment.file, &attachment.url),
            ) else {
                continue;
            };
            let name = format!("original.{}", prepared.format.extension());
            by_path.insert(path, urls.file(&prepared.blob_key, &name));
        }
        Self(by_path)
    }

    /// `html` with every uploads URL of a known file (any size of it) pointing at the file's
    /// media item.
    pub fn rewrite<'h>(&self, html: &'h str) -> Cow<'h, str> {
        if self.0.is_empty() {
            return Cow::Borrowed(html);
        }
        UPLOADS_URL.replace_all(html, |found: &Captures<'_>| {
            let path = format!("{}.{}", decode(&found[1]), &found[2]);
            self.0
                .get(&path)
                .cloned()
                .unwrap_or_else(|| found[0].to_owned())
        })
    }
}

fn decode(path: &str) -> String {
    percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned()
}

/// An attachment's path under `uploads/`: its `_wp_attached_file`, else the part of its URL
/// after `/wp-content/uploads/` (or WordPress.com's `/files/`).
fn uploads_path(attached: &str, url: &str) -> Option<String> {
    if !attached.trim().is_empty() {
        return Some(attached.trim().to_owned());
    }
    let path = url.split(['?', '#']).next().unwrap_or_default();
    ["/wp-content/uploads/", "/files/"]
        .iter()
        .find_map(|marker| path.split_once(marker).map(|(_, rest)| decode(rest)))
}

/// Where an attachment's file is under `dir`: its `_wp_attached_file` (`2024/05/a.jpg`), else
/// the part of its URL after `/wp-content/uploads/` (or WordPress.com's `/files/`). A path
/// that would leave `dir` (`..`, an absolute path, a link pointing out) is refused.
fn file_of(dir: &Path, attached: &str, url: &str) -> Result<PathBuf, String> {
    let relative = uploads_path(attached, url)
        .ok_or_else(|| format!("{url} is not under wp-content/uploads"))?;
    let relative = Path::new(&relative);
    if relative.as_os_str().is_empty()
        || !relative
            .components()
            .all(|part| matches!(part, Component::Normal(_)))
    {
        return Err(format!(
            "{} is not a path inside --media-dir",
            relative.display()
        ));
    }
    let path = dir.join(relative);
    let inside = match (path.canonicalize(), dir.canonicalize()) {
        (Ok(file), Ok(root)) => file.starts_with(root),
        (Err(e), _) => return Err(format!("{}: {e}", path.display())),
        (_, Err(e)) => return Err(format!("--media-dir {}: {e}", dir.display())),
    };
    if inside {
        Ok(path)
    } else {
        Err(format!("{} leads outside --media-dir", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_found_by_their_attached_path_or_url_and_never_outside_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("2024/05")).unwrap();
        std::fs::write(dir.path().join("2024/05/قمة.jpg"), b"x").unwrap();
        let found = dir.path().join("2024/05/قمة.jpg");
        assert_eq!(file_of(dir.path(), "2024/05/قمة.jpg", "").unwrap(), found);
        let url = "https://almufeed.example/wp-content/uploads/2024/05/%D9%82%D9%85%D8%A9.jpg";
        assert_eq!(file_of(dir.path(), "", url).unwrap(), found);
        for attached in ["../etc/passwd", "/etc/passwd", "2024/../../x"] {
            assert!(file_of(dir.path(), attached, "").is_err(), "{attached}");
        }
        assert!(file_of(dir.path(), "", "https://elsewhere.example/a.jpg").is_err());
        assert!(file_of(dir.path(), "2024/05/missing.jpg", "").is_err());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc/hostname", dir.path().join("2024/05/link.jpg"))
                .unwrap();
            assert!(file_of(dir.path(), "2024/05/link.jpg", "").is_err());
        }
    }

    #[test]
    fn body_images_of_known_files_point_at_their_media_items_in_any_size() {
        let images = LocalImages(HashMap::from([(
            "2024/05/قمة.jpg".to_owned(),
            "/media/k/original.jpg".to_owned(),
        )]));
        let html = concat!(
            r#"<img src="https://almufeed.example/wp-content/uploads/2024/05/%D9%82%D9%85%D8%A9-300x200.jpg">"#,
            r#"<a href="//almufeed.example/wp-content/uploads/2024/05/قمة.JPG">"#,
            r#"<img src="https://almufeed.example/wp-content/uploads/2024/05/other.jpg">"#,
        );
        assert_eq!(
            images.rewrite(html),
            concat!(
                r#"<img src="/media/k/original.jpg">"#,
                r#"<a href="//almufeed.example/wp-content/uploads/2024/05/قمة.JPG">"#,
                r#"<img src="https://almufeed.example/wp-content/uploads/2024/05/other.jpg">"#,
            )
        );
    }
}
