//! `sahifa import wordpress`: a WXR export into the newsroom, in one transaction.
//!
//! The file is read twice, streaming: first for what items refer to across the file
//! (attachments, by id: featured images and galleries may come before the attachment), then
//! to import. Every imported item is recorded in `import_map` under the export's site address
//! with a checksum of what the export said; a second run updates what changed, adds what is
//! new and leaves the rest alone, so nothing is duplicated.

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use percent_encoding::percent_decode_str;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::content;
use super::media::{LocalImages, Staged};
use super::wxr::{self, Comment, Header, Item, Record, Term};
use crate::articles::derived::{BodyFormat, Derived};
use crate::articles::dto::{CreateArticle, FeaturedImage};
use crate::articles::{self, Status};
use crate::comments::model::{self as comments, CommentStatus, NewComment};
use crate::db::DbConnection;
use crate::db::schema::import_map;
use crate::http::ApiError;
use crate::media;
use crate::media::operations::ImportedText;
use crate::pages::PageStatus;
use crate::pages::model::{self as pages, NewPage, PageChanges, PageRow};
use crate::redirects::model::{self as legacy, Target};
use crate::redirects::operations::normalize as normalize_path;
use crate::sections::model::{self as sections, NewSection, SectionChanges, SectionRow};
use crate::slugs;
use crate::text;
use crate::users::model::{self as users, NewUser};

/// A password hash no password matches: imported authors cannot log in until an admin sets
/// their password and activates them.
pub const NO_PASSWORD: &str = "!imported-without-password";

/// What happened to each kind of item, and why anything was skipped.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub source: String,
    pub wxr_version: String,
    pub dry_run: bool,
    pub counts: BTreeMap<&'static str, Counts>,
    pub skipped: Vec<Skip>,
    /// Private and password-protected posts, imported as drafts (WordPress ids).
    pub private_as_drafts: Vec<i64>,
    /// Sticky posts: Sahifa has no featured flag yet (WordPress ids).
    pub sticky_not_featured: Vec<i64>,
    /// Navigation menu items: Sahifa has no menus yet.
    pub menu_items_not_imported: usize,
    /// Posts filed under more than one category: the first became the section.
    pub extra_categories_dropped: usize,
    /// Attachments: their files stay where they are, and articles point at their URLs.
    pub attachments_kept_as_urls: usize,
    /// Shortcodes left as text, by name.
    pub shortcodes_left: BTreeMap<String, usize>,
    pub old_paths_recorded: usize,
}

#[derive(Debug, Default, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub imported: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub skipped: usize,
}

#[derive(Debug, Serialize, Clone, PartialEq, Eq)]
pub struct Skip {
    pub kind: &'static str,
    pub id: String,
    pub reason: String,
}

/// Why an import stopped (nothing was written).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// `offset` is the byte where reading stopped; [`wxr::line_and_column`] locates it.
    #[error("malformed XML: {message}")]
    Malformed { offset: u64, message: String },
    #[error("{0}")]
    NotWxr(String),
    #[error("could not read the export: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Api(ApiError),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    /// Not a failure: a dry run rolls back with its report.
    #[error("dry run")]
    DryRun(Box<Report>),
}

impl From<ApiError> for ImportError {
    fn from(error: ApiError) -> Self {
        Self::Api(error)
    }
}

/// An attachment, as the first pass reads it.
#[derive(Debug, Clone, Default)]
pub struct Attachment {
    pub url: String,
    pub alt: String,
    pub title: String,
    pub caption: String,
    /// Its path under `wp-content/uploads` (`_wp_attached_file`), when the export has it.
    pub file: String,
    /// Its uploader's login.
    pub creator: String,
}

/// What the first pass learns: attachments by id.
#[derive(Debug, Default)]
pub struct Attachments(HashMap<i64, Attachment>);

impl Attachments {
    /// Reads them from a whole export.
    pub fn read(input: impl BufRead) -> Result<Self, wxr::ReadError<std::convert::Infallible>> {
        let mut found = HashMap::new();
        wxr::read(input, |_, record| {
            if let Record::Item(item) = record
                && item.post_type == "attachment"
                && !item.attachment_url.is_empty()
            {
                let meta = |key: &str| item.meta(key).unwrap_or_default().to_owned();
                found.insert(
                    item.id,
                    Attachment {
                        url: item.attachment_url.clone(),
                        alt: meta("_wp_attachment_image_alt"),
                        title: item.title.clone(),
                        caption: item.excerpt.trim().to_owned(),
                        file: meta("_wp_attached_file"),
                        creator: item.creator.clone(),
                    },
                );
            }
            Ok(())
        })?;
        Ok(Self(found))
    }

    /// Its URL and alt text.
    fn get(&self, id: i64) -> Option<(String, String)> {
        self.0.get(&id).map(|a| (a.url.clone(), a.alt.clone()))
    }

    pub fn iter(&self) -> impl Iterator<Item = (i64, &Attachment)> {
        self.0.iter().map(|(id, a)| (*id, a))
    }
}

/// Imports an export read from `input` into `c`, in one transaction; with `dry_run`, the
/// transaction is rolled back and the report says what would have happened.
pub fn import(
    c: &mut DbConnection,
    input: impl BufRead,
    attachments: &Attachments,
    staged: Option<&Staged>,
    dry_run: bool,
    now: NaiveDateTime,
) -> Result<Report, ImportError> {
    let outcome = crate::db::write_transaction(c, |c| {
        let mut importer = Importer::new(attachments, staged, now);
        importer.report.dry_run = dry_run;
        let read = wxr::read(input, |header, record| importer.record(c, header, record));
        let header = match read {
            Ok(header) => header,
            Err(wxr::ReadError::Malformed { offset, message }) => {
                return Err(ImportError::Malformed { offset, message });
            }
            Err(wxr::ReadError::NotWxr(why)) => {
                return Err(ImportError::NotWxr(format!(
                    "not a WordPress export (WXR): {why}"
                )));
            }
            Err(wxr::ReadError::Sink(e)) => return Err(e),
        };
        importer.finish(c, &header)?;
        if dry_run {
            return Err(ImportError::DryRun(Box::new(importer.report)));
        }
        Ok(importer.report)
    });
    match outcome {
        Err(ImportError::DryRun(report)) => Ok(*report),
        other => other,
    }
}

struct Importer<'a> {
    attachments: &'a Attachments,
    /// The attachments' files, with `--media-dir`.
    staged: Option<&'a Staged>,
    /// Attachment id → its media item, once looked at (`None`: it stays a URL).
    media_items: HashMap<i64, Option<i64>>,
    /// Where bodies' images go once their files are media items.
    local_images: Option<LocalImages>,
    now: NaiveDateTime,
    report: Report,
    source: String,
    /// Categories wait until all are read (the first tag or item): a parent may come after
    /// its child.
    categories: Vec<Term>,
    /// Category slug (as exported) → section id.
    sections: HashMap<String, i64>,
    /// Category slug → its parent's slug, for archive paths (`/category/news/politics`).
    category_parents: HashMap<String, String>,
    /// Author login → user id.
    authors: HashMap<String, i64>,
    /// Page id → (Sahifa page id, WordPress parent id), parents linked at the end.
    page_parents: Vec<(i64, i64)>,
    tags: Vec<Term>,
}

impl<'a> Importer<'a> {
    fn new(attachments: &'a Attachments, staged: Option<&'a Staged>, now: NaiveDateTime) -> Self {
        Self {
            attachments,
            staged,
            media_items: HashMap::new(),
            local_images: staged.map(|staged| LocalImages::new(attachments, staged)),
            now,
            report: Report::default(),
            source: String::new(),
            categories: Vec::new(),
            sections: HashMap::new(),
            category_parents: HashMap::new(),
            authors: HashMap::new(),
            page_parents: Vec::new(),
            tags: Vec::new(),
        }
    }

    fn count(&mut self, kind: &'static str, outcome: Outcome) {
        let counts = self.report.counts.entry(kind).or_default();
        match outcome {
            Outcome::Imported => counts.imported += 1,
            Outcome::Updated => counts.updated += 1,
            Outcome::Unchanged => counts.unchanged += 1,
        }
    }

    /// The media item of an attachment whose file `--media-dir` brought, written on first
    /// use (a post may come before its featured image in the export); `None` when it has
    /// no file, and it keeps its URL.
    fn media_item(&mut self, c: &mut DbConnection, id: i64) -> Result<Option<i64>, ImportError> {
        if let Some(known) = self.media_items.get(&id) {
            return Ok(*known);
        }
        let Some(staged) = self.staged else {
            return Ok(None);
        };
        let (Some(prepared), Some(attachment)) =
            (staged.files.get(&id), self.attachments.0.get(&id))
        else {
            if let Some(why) = staged.refused.get(&id) {
                self.skip("media", id, why.clone());
            }
            self.media_items.insert(id, None);
            return Ok(None);
        };
        let uploader = if attachment.creator.trim().is_empty() {
            None
        } else {
            let creator = Item {
                creator: attachment.creator.clone(),
                ..Item::default()
            };
            Some(self.author_of(c, &creator)?)
        };
        let caption = Some(truncate(&attachment.caption, 1000)).filter(|c| !c.is_empty());
        let alt = truncate(&attachment.alt, 1000);
        let sum = checksum(&[&prepared.blob_key, &alt, &format!("{caption:?}")]);
        let source_id = id.to_string();
        // The language of its words, as for posts (the export has no language per item).
        let lang = language_of(
            &Header::default(),
            &format!("{alt} {}", caption.as_deref().unwrap_or_default()),
        );
        let text = ImportedText {
            uploader_id: uploader,
            filename: attachment
                .file
                .rsplit('/')
                .next()
                .unwrap_or(&attachment.title),
            alt: &alt,
            caption: caption.as_deref(),
            credit: None,
            lang: &lang,
        };
        let existing = match mapped(c, &self.source, "attachment", &source_id)? {
            Some((media_id, old)) => media::model::find(c, media_id)?.map(|row| (row, old)),
            None => None,
        };
        let media_id = match existing {
            Some((row, old)) if old == sum => {
                self.count("media", Outcome::Unchanged);
                self.media_items.insert(id, Some(row.id));
                return Ok(Some(row.id));
            }
            Some((row, _)) if row.blob_key == prepared.blob_key => {
                let changes = media::model::MediaChanges {
                    alt: Some(alt.clone()),
                    caption: Some(caption.clone()),
                    ..Default::default()
                };
                media::model::update(c, row.id, row.version, &changes, self.now)?;
                self.count("media", Outcome::Updated);
                row.id
            }
            // A new file under the same attachment: a new item, which the posts take up.
            Some(_) => {
                self.count("media", Outcome::Updated);
                media::operations::insert_prepared(c, prepared, &text, self.now)?
            }
            None => {
                self.count("media", Outcome::Imported);
                media::operations::insert_prepared(c, prepared, &text, self.now)?
            }
        };
        remember(
            c,
            &self.source,
            "attachment",
            &source_id,
            media_id,
            &sum,
            self.now,
        )?;
        self.media_items.insert(id, Some(media_id));
        Ok(Some(media_id))
    }

    /// A post's or page's content as HTML, shortcodes and blocks converted (the unknown
    /// shortcodes counted in the report).
    fn body_of(&mut self, item: &Item) -> String {
        let converted = content::convert(&item.content, &|id| self.attachments.get(id));
        for (name, n) in &converted.unknown_shortcodes {
            *self.report.shortcodes_left.entry(name.clone()).or_default() += n;
        }
        if converted.html.trim().is_empty() {
            return "<p></p>".to_owned();
        }
        // After the conversion, so that galleries' and captions' images are moved too.
        match &self.local_images {
            Some(images) => images.rewrite(&converted.html).into_owned(),
            None => converted.html,
        }
    }

    /// Skips a post or page that cannot be kept (a body nested too deeply to sanitize), and
    /// its comments with it: one such item does not stop the rest of the archive.
    fn skip_with_comments(&mut self, kind: &'static str, item: &Item, reason: String) {
        for comment in &item.comments {
            self.skip(
                "comments",
                comment.id,
                format!("its {} was skipped", &kind[..4]),
            );
        }
        self.skip(kind, item.id, reason);
    }

    fn skip(&mut self, kind: &'static str, id: impl ToString, reason: impl Into<String>) {
        self.report.counts.entry(kind).or_default().skipped += 1;
        self.report.skipped.push(Skip {
            kind,
            id: id.to_string(),
            reason: reason.into(),
        });
    }

    fn record(
        &mut self,
        c: &mut DbConnection,
        header: &Header,
        record: Record,
    ) -> Result<(), ImportError> {
        if self.source.is_empty() {
            self.source = source_of(header);
            self.report.source = self.source.clone();
            self.report.wxr_version = header.wxr_version.clone();
        }
        if matches!(record, Record::Tag(_) | Record::Item(_)) {
            self.import_categories(c)?;
        }
        match record {
            Record::Author(author) => self.author(c, &author),
            Record::Category(category) => {
                self.categories.push(category);
                Ok(())
            }
            Record::Tag(tag) => {
                self.tags.push(tag);
                Ok(())
            }
            Record::Item(item) => self.item(c, header, &item),
        }
    }

    fn author(&mut self, c: &mut DbConnection, author: &wxr::Author) -> Result<(), ImportError> {
        let source_id = author
            .id
            .map_or_else(|| author.login.clone(), |id| id.to_string());
        let email = if author.email.contains('@') {
            author.email.to_lowercase()
        } else {
            format!("{}@wordpress.invalid", slug_text(&author.login))
        };
        let name = decode_entities(if author.display_name.trim().is_empty() {
            &author.login
        } else {
            &author.display_name
        });
        let sum = checksum(&[&author.login, &email, &name]);
        let id = match mapped(c, &self.source, "author", &source_id)? {
            Some((id, _)) => {
                self.count("authors", Outcome::Unchanged);
                id
            }
            None => {
                // An account the newsroom already has (the admin who runs the import) is
                // linked, never changed.
                let id = match users::find_by_email(c, &email)? {
                    Some(user) => {
                        self.count("authors", Outcome::Unchanged);
                        user.id
                    }
                    None => {
                        let user = users::insert(
                            c,
                            &NewUser {
                                email: &email,
                                display_name: &name,
                                role: "author",
                                active: false,
                                password_hash: NO_PASSWORD,
                                created_at: self.now,
                                updated_at: self.now,
                            },
                        )?;
                        self.count("authors", Outcome::Imported);
                        user.id
                    }
                };
                remember(c, &self.source, "author", &source_id, id, &sum, self.now)?;
                id
            }
        };
        self.authors.insert(author.login.clone(), id);
        self.old_path(c, &format!("/author/{}", author.login), Target::Author, id)?;
        Ok(())
    }

    /// Sections from the buffered categories, parents first.
    fn import_categories(&mut self, c: &mut DbConnection) -> Result<(), ImportError> {
        let mut waiting = std::mem::take(&mut self.categories);
        for category in &waiting {
            if let Some(parent) = &category.parent_slug {
                self.category_parents
                    .insert(category.slug.clone(), parent.clone());
            }
        }
        while !waiting.is_empty() {
            let before = waiting.len();
            let mut later = Vec::new();
            for category in waiting {
                match category.parent_slug.as_deref() {
                    Some(parent) if !self.sections.contains_key(parent) => later.push(category),
                    _ => self.category(c, &category)?,
                }
            }
            if later.len() == before {
                // Parents that are not in the export: the rest become top-level sections.
                for mut category in later {
                    let parent = category.parent_slug.take().unwrap_or_default();
                    self.category(c, &category)?;
                    self.report.skipped.push(Skip {
                        kind: "category_parent",
                        id: category.slug.clone(),
                        reason: format!(
                            "its parent `{}` is not in the export; imported at the top level",
                            decode_slug(&parent)
                        ),
                    });
                }
                break;
            }
            waiting = later;
        }
        Ok(())
    }

    fn category(&mut self, c: &mut DbConnection, category: &Term) -> Result<(), ImportError> {
        let source_id = category
            .id
            .map_or_else(|| category.slug.clone(), |id| id.to_string());
        let name = truncate(&decode_entities(category.name.trim()), 100);
        let name = if name.is_empty() {
            decode_slug(&category.slug)
        } else {
            name
        };
        let parent_id = category
            .parent_slug
            .as_deref()
            .and_then(|p| self.sections.get(p).copied());
        let description = decode_entities(category.description.trim());
        let wanted_slug = decode_slug(&category.slug);
        let sum = checksum(&[&name, &wanted_slug, &description, &format!("{parent_id:?}")]);
        let id = match mapped(c, &self.source, "category", &source_id)? {
            Some((id, old)) if sections::find(c, id)?.is_some() => {
                if old == sum {
                    self.count("categories", Outcome::Unchanged);
                } else {
                    let current = sections::find(c, id)?.ok_or(ApiError::Internal)?;
                    let slug = slug_for::<SectionRow>(c, &wanted_slug, &name, Some(id))?;
                    sections::update(
                        c,
                        &current,
                        &SectionChanges {
                            name: Some(name.clone()),
                            slug: Some(slug).filter(|s| *s != current.slug),
                            description: Some(Some(description.clone()).filter(|d| !d.is_empty())),
                            parent_id: Some(parent_id),
                            position: None,
                        },
                        self.now,
                    )?;
                    remember(c, &self.source, "category", &source_id, id, &sum, self.now)?;
                    self.count("categories", Outcome::Updated);
                }
                id
            }
            _ => {
                let slug = slug_for::<SectionRow>(c, &wanted_slug, &name, None)?;
                let row = sections::insert(
                    c,
                    &NewSection {
                        name: &name,
                        slug: &slug,
                        description: Some(description.as_str()).filter(|d| !d.is_empty()),
                        parent_id,
                        position: 0,
                        created_at: self.now,
                        updated_at: self.now,
                    },
                )?;
                remember(
                    c,
                    &self.source,
                    "category",
                    &source_id,
                    row.id,
                    &sum,
                    self.now,
                )?;
                self.count("categories", Outcome::Imported);
                row.id
            }
        };
        self.sections.insert(category.slug.clone(), id);
        // The archive path holds every ancestor's slug: /category/news/politics/ (a loop of
        // parents, which WordPress prevents, stops at the depth WordPress allows).
        let mut archive = vec![decode_slug(&category.slug)];
        let mut parent = category.parent_slug.clone();
        while let Some(p) = parent.take()
            && archive.len() < 64
        {
            archive.insert(0, decode_slug(&p));
            parent = self.category_parents.get(&p).cloned();
        }
        self.old_path(
            c,
            &format!("/category/{}", archive.join("/")),
            Target::Section,
            id,
        )?;
        if let Some(term_id) = category.id {
            self.old_path(c, &format!("/?cat={term_id}"), Target::Section, id)?;
        }
        Ok(())
    }

    fn item(
        &mut self,
        c: &mut DbConnection,
        header: &Header,
        item: &Item,
    ) -> Result<(), ImportError> {
        match item.post_type.as_str() {
            "post" => self.post(c, header, item),
            "page" => self.page(c, header, item),
            "attachment" => {
                if self.media_item(c, item.id)?.is_none() {
                    self.report.attachments_kept_as_urls += 1;
                }
                Ok(())
            }
            "nav_menu_item" => {
                self.report.menu_items_not_imported += 1;
                Ok(())
            }
            other => {
                let reason = format!("post type `{other}` has no place in Sahifa");
                self.skip("items", item.id, reason);
                Ok(())
            }
        }
    }

    fn post(
        &mut self,
        c: &mut DbConnection,
        header: &Header,
        item: &Item,
    ) -> Result<(), ImportError> {
        let (status, published_at) = match item.status.as_str() {
            "publish" => (Status::Published, item.date_gmt.or(item.date)),
            "future" => (Status::Published, item.date_gmt.or(item.date)),
            "draft" => (Status::Draft, None),
            "pending" => (Status::Review, None),
            "private" => (Status::Draft, None),
            "trash" => {
                self.skip("posts", item.id, "in the trash");
                return Ok(());
            }
            other => {
                self.skip("posts", item.id, format!("status `{other}`"));
                return Ok(());
            }
        };
        let behind_password = !item.password.is_empty() && status == Status::Published;
        let status = if behind_password {
            Status::Draft
        } else {
            status
        };
        let body = self.body_of(item);
        let derived = match Derived::of_format(&body, BodyFormat::Html) {
            Ok(derived) => derived,
            Err(deep) => {
                self.skip_with_comments("posts", item, deep.to_string());
                return Ok(());
            }
        };
        if item.status == "private" || behind_password {
            self.report.private_as_drafts.push(item.id);
        }
        let published_at = published_at.filter(|_| status == Status::Published);
        if item.sticky {
            self.report.sticky_not_featured.push(item.id);
        }
        let categories: Vec<&str> = item
            .terms
            .iter()
            .filter(|t| t.domain == "category")
            .map(|t| t.slug.as_str())
            .collect();
        if categories.len() > 1 {
            self.report.extra_categories_dropped += 1;
        }
        let section_id = match categories.iter().find_map(|slug| self.sections.get(*slug)) {
            Some(id) => *id,
            None => self.uncategorized(c)?,
        };
        let tags: Vec<String> = item
            .terms
            .iter()
            .filter(|t| t.domain == "post_tag")
            .map(|t| truncate(&decode_entities(t.name.trim()), 50))
            .filter(|t| !t.is_empty())
            .collect();
        let author_id = self.author_of(c, item)?;
        let thumbnail: Option<i64> = item
            .meta("_thumbnail_id")
            .and_then(|id| id.trim().parse().ok());
        let featured_media_id = match thumbnail {
            Some(id) => self.media_item(c, id)?,
            None => None,
        };
        let featured_image = thumbnail
            .filter(|_| featured_media_id.is_none())
            .and_then(|id| self.attachments.get(id))
            .map(|(url, alt)| FeaturedImage {
                url,
                alt: Some(alt).filter(|a| !a.is_empty()),
                caption: None,
            });
        let title = truncate(&item.title, 300);
        let title = if title.trim().is_empty() {
            format!("({})", item.id)
        } else {
            title
        };
        let wanted_slug = if item.slug.is_empty() {
            title.clone()
        } else {
            decode_slug(&item.slug)
        };
        let input = CreateArticle {
            title: title.clone(),
            slug: Some(wanted_slug.clone()),
            excerpt: Some(truncate(item.excerpt.trim(), 1000)).filter(|e| !e.is_empty()),
            body,
            body_format: Some(BodyFormat::Html),
            status: Some(status),
            section_id,
            tags: Some(tags),
            featured_image,
            featured_media_id,
            lang: Some(language_of(header, &item.title)),
            meta_title: seo(
                item,
                &["_yoast_wpseo_title", "rank_math_title"],
                &title,
                &header.title,
            ),
            meta_description: seo(
                item,
                &["_yoast_wpseo_metadesc", "rank_math_description"],
                &title,
                &header.title,
            ),
            comments_open: Some(item.comment_status != "closed"),
            published_at: published_at.map(Into::into),
            authors: None,
            byline: None,
            source: None,
            source_url: None,
            breaking: None,
            breaking_until: None,
            featured: None,
            position: None,
            translation_of: None,
        };
        let sum = checksum(&[
            &format!("{input:?}"),
            &author_id.to_string(),
            &format!("{:?}", item.date_gmt),
        ]);
        let source_id = item.id.to_string();
        let id = match mapped(c, &self.source, "post", &source_id)? {
            Some((id, old)) if articles::model::find(c, id)?.is_some() => {
                if old == sum {
                    self.count("posts", Outcome::Unchanged);
                } else {
                    let slug =
                        slug_for::<articles::model::SummaryRow>(c, &wanted_slug, &title, Some(id))?;
                    let input = CreateArticle {
                        slug: Some(slug),
                        ..input
                    };
                    articles::operations::overwrite(c, id, &input, &derived, self.now)?;
                    remember(c, &self.source, "post", &source_id, id, &sum, self.now)?;
                    self.count("posts", Outcome::Updated);
                }
                id
            }
            _ => {
                let slug = slug_for::<articles::model::SummaryRow>(c, &wanted_slug, &title, None)?;
                let input = CreateArticle {
                    slug: Some(slug),
                    ..input
                };
                let created = item.date_gmt.or(item.date).unwrap_or(self.now);
                let id = articles::operations::insert(c, author_id, &input, &derived, created)?;
                remember(c, &self.source, "post", &source_id, id, &sum, self.now)?;
                self.count("posts", Outcome::Imported);
                id
            }
        };
        self.old_path(c, &item.link, Target::Article, id)?;
        self.old_path(c, &format!("/?p={}", item.id), Target::Article, id)?;
        if !item.guid.is_empty() {
            self.old_path(c, &item.guid, Target::Article, id)?;
        }
        self.comments(c, item, id)?;
        Ok(())
    }

    fn page(
        &mut self,
        c: &mut DbConnection,
        _header: &Header,
        item: &Item,
    ) -> Result<(), ImportError> {
        let status = match item.status.as_str() {
            "publish" if item.password.is_empty() => PageStatus::Published,
            "publish" | "private" | "draft" | "pending" | "future" => PageStatus::Draft,
            "trash" => {
                self.skip("pages", item.id, "in the trash");
                return Ok(());
            }
            other => {
                self.skip("pages", item.id, format!("status `{other}`"));
                return Ok(());
            }
        };
        let body = self.body_of(item);
        let body_html = match text::markdown::sanitize(&body) {
            Ok(html) => html,
            Err(deep) => {
                self.skip_with_comments("pages", item, deep.to_string());
                return Ok(());
            }
        };
        if item.status == "private" || !item.password.is_empty() {
            self.report.private_as_drafts.push(item.id);
        }
        if !item.comments.is_empty() {
            let reason = "pages take no comments in Sahifa";
            for comment in &item.comments {
                self.skip("comments", comment.id, reason);
            }
        }
        let title = truncate(&item.title, 300);
        let title = if title.trim().is_empty() {
            format!("({})", item.id)
        } else {
            title
        };
        let wanted_slug = if item.slug.is_empty() {
            title.clone()
        } else {
            decode_slug(&item.slug)
        };
        let published_at = (status == PageStatus::Published)
            .then(|| item.date_gmt.or(item.date))
            .flatten();
        let lang = language_of(_header, &item.title);
        let sum = checksum(&[
            &title,
            &wanted_slug,
            &body,
            status.as_str(),
            &item.menu_order.to_string(),
            &item.parent.to_string(),
            &format!("{published_at:?}"),
            &lang,
        ]);
        let source_id = item.id.to_string();
        let id = match mapped(c, &self.source, "page", &source_id)? {
            Some((id, old)) if pages::find(c, id)?.is_some() => {
                if old == sum {
                    self.count("pages", Outcome::Unchanged);
                } else {
                    let current = pages::find(c, id)?.ok_or(ApiError::Internal)?;
                    let slug = slug_for::<PageRow>(c, &wanted_slug, &title, Some(id))?;
                    pages::update(
                        c,
                        &current,
                        &PageChanges {
                            title: Some(title.clone()),
                            slug: Some(slug).filter(|s| *s != current.slug),
                            body: Some(body.clone()),
                            body_html: Some(body_html.clone()),
                            status: Some(status.as_str().to_owned()),
                            menu_order: Some(item.menu_order),
                            lang: Some(lang.clone()),
                            published_at: Some(published_at),
                            ..PageChanges::default()
                        },
                        self.now,
                    )?;
                    remember(c, &self.source, "page", &source_id, id, &sum, self.now)?;
                    self.count("pages", Outcome::Updated);
                }
                id
            }
            _ => {
                let slug = slug_for::<PageRow>(c, &wanted_slug, &title, None)?;
                let created = item.date_gmt.or(item.date).unwrap_or(self.now);
                let row = pages::insert(
                    c,
                    &NewPage {
                        title: &title,
                        slug: &slug,
                        body: &body,
                        body_html: &body_html,
                        status: status.as_str(),
                        parent_id: None,
                        menu_order: item.menu_order,
                        lang: &lang,
                        meta_title: None,
                        meta_description: None,
                        published_at,
                        created_at: created,
                        updated_at: self.now,
                    },
                )?;
                pages::set_body_format(c, row.id, BodyFormat::Html.as_str())?;
                remember(c, &self.source, "page", &source_id, row.id, &sum, self.now)?;
                self.count("pages", Outcome::Imported);
                row.id
            }
        };
        if item.parent != 0 {
            self.page_parents.push((id, item.parent));
        }
        self.old_path(c, &item.link, Target::Page, id)?;
        self.old_path(c, &format!("/?page_id={}", item.id), Target::Page, id)?;
        Ok(())
    }

    /// The comments of an imported post, threads kept: parents first, whatever the file's
    /// order.
    fn comments(
        &mut self,
        c: &mut DbConnection,
        item: &Item,
        article_id: i64,
    ) -> Result<(), ImportError> {
        // WordPress comment id → (Sahifa id, depth).
        let mut placed: HashMap<i64, (i64, i32)> = HashMap::new();
        let mut waiting: Vec<&Comment> = item.comments.iter().collect();
        waiting.sort_by_key(|comment| comment.id);
        while !waiting.is_empty() {
            let before = waiting.len();
            let mut later = Vec::new();
            for comment in waiting {
                if comment.parent != 0
                    && !placed.contains_key(&comment.parent)
                    && item.comments.iter().any(|other| other.id == comment.parent)
                {
                    later.push(comment);
                    continue;
                }
                let parent = placed.get(&comment.parent).copied();
                if let Some(placed_as) = self.comment(c, comment, article_id, parent)? {
                    placed.insert(comment.id, placed_as);
                }
            }
            if later.len() == before {
                // A loop of parents: the rest are imported as top-level comments.
                for comment in later {
                    if let Some(placed_as) = self.comment(c, comment, article_id, None)? {
                        placed.insert(comment.id, placed_as);
                    }
                }
                break;
            }
            waiting = later;
        }
        Ok(())
    }

    fn comment(
        &mut self,
        c: &mut DbConnection,
        comment: &Comment,
        article_id: i64,
        parent: Option<(i64, i32)>,
    ) -> Result<Option<(i64, i32)>, ImportError> {
        if !matches!(comment.kind.as_str(), "" | "comment") {
            self.skip("comments", comment.id, format!("a {}", comment.kind));
            return Ok(None);
        }
        let status = match comment.approved.as_str() {
            "1" | "approve" => CommentStatus::Approved,
            "0" | "hold" => CommentStatus::Pending,
            "spam" => CommentStatus::Spam,
            "trash" | "post-trashed" => CommentStatus::Trash,
            other => {
                self.skip("comments", comment.id, format!("status `{other}`"));
                return Ok(None);
            }
        };
        let depth = parent.map_or(0, |(_, depth)| depth + 1);
        let author = truncate(&decode_entities(comment.author.trim()), 100);
        let author = if author.is_empty() {
            "—".to_owned()
        } else {
            author
        };
        let body = comment.content.trim().to_owned();
        let url = Some(comment.author_url.as_str()).filter(|u| !u.is_empty());
        let ip = Some(comment.author_ip.as_str()).filter(|ip| !ip.is_empty());
        let created = comment.date_gmt.or(comment.date).unwrap_or(self.now);
        let sum = checksum(&[
            &author,
            &comment.author_email,
            &body,
            status.as_str(),
            &format!("{parent:?}{url:?}{ip:?}{created}"),
        ]);
        let source_id = comment.id.to_string();
        let id = match mapped(c, &self.source, "comment", &source_id)? {
            Some((id, old)) if comments::find(c, id)?.is_some() => {
                if old == sum {
                    self.count("comments", Outcome::Unchanged);
                } else {
                    let current = comments::find(c, id)?.ok_or(ApiError::Internal)?;
                    comments::overwrite_imported(
                        c,
                        id,
                        &author,
                        &comment.author_email,
                        &body,
                        url,
                        self.now,
                    )?;
                    if current.status() != status {
                        let current = comments::find(c, id)?.ok_or(ApiError::Internal)?;
                        comments::set_status(c, &current, status, self.now)?;
                    }
                    remember(c, &self.source, "comment", &source_id, id, &sum, self.now)?;
                    self.count("comments", Outcome::Updated);
                }
                id
            }
            _ => {
                let id = comments::insert(
                    c,
                    &NewComment {
                        article_id,
                        parent_id: parent.map(|(id, _)| id),
                        depth,
                        author_name: &author,
                        author_email: &comment.author_email,
                        body: &body,
                        status: status.as_str(),
                        client_ip: ip,
                        author_url: url,
                        created_at: created,
                        updated_at: created,
                    },
                )?;
                remember(c, &self.source, "comment", &source_id, id, &sum, self.now)?;
                self.count("comments", Outcome::Imported);
                id
            }
        };
        Ok(Some((id, depth)))
    }

    /// The user a post's `dc:creator` names; an unknown login becomes an inactive author.
    fn author_of(&mut self, c: &mut DbConnection, item: &Item) -> Result<i64, ImportError> {
        if let Some(id) = self.authors.get(&item.creator) {
            return Ok(*id);
        }
        let login = if item.creator.trim().is_empty() {
            "wordpress".to_owned()
        } else {
            item.creator.clone()
        };
        self.author(
            c,
            &wxr::Author {
                id: None,
                login: login.clone(),
                email: String::new(),
                display_name: login.clone(),
            },
        )?;
        self.authors
            .insert(item.creator.clone(), self.authors[&login]);
        Ok(self.authors[&login])
    }

    /// The section of posts filed under no category the export has.
    fn uncategorized(&mut self, c: &mut DbConnection) -> Result<i64, ImportError> {
        const KEY: &str = "\u{0}uncategorized";
        if let Some(id) = self.sections.get(KEY) {
            return Ok(*id);
        }
        self.category(
            c,
            &Term {
                id: None,
                slug: "uncategorized".into(),
                name: "Uncategorized".into(),
                parent_slug: None,
                description: String::new(),
            },
        )?;
        let id = self.sections["uncategorized"];
        self.sections.insert(KEY.into(), id);
        Ok(id)
    }

    fn old_path(
        &mut self,
        c: &mut DbConnection,
        raw: &str,
        target: Target,
        id: i64,
    ) -> Result<(), ImportError> {
        if let Some(path) = normalize_path(raw).filter(|p| p != "/") {
            legacy::remember(c, &path, target, id, self.now)?;
            self.report.old_paths_recorded += 1;
        }
        Ok(())
    }

    /// After the last record: page parents, tags' archive paths, and the report's tallies.
    fn finish(&mut self, c: &mut DbConnection, _header: &Header) -> Result<(), ImportError> {
        self.import_categories(c)?;
        for (id, wordpress_parent) in std::mem::take(&mut self.page_parents) {
            let parent =
                mapped(c, &self.source, "page", &wordpress_parent.to_string())?.map(|(id, _)| id);
            if let (Some(parent), Some(current)) = (parent, pages::find(c, id)?)
                && current.parent_id != Some(parent)
            {
                pages::update(
                    c,
                    &current,
                    &PageChanges {
                        parent_id: Some(Some(parent)),
                        ..PageChanges::default()
                    },
                    self.now,
                )?;
            }
        }
        for tag in std::mem::take(&mut self.tags) {
            let name = decode_entities(tag.name.trim());
            match crate::tags::model::id_for(c, &name)? {
                Some(id) => {
                    let source_id = tag.id.map_or_else(|| tag.slug.clone(), |id| id.to_string());
                    let sum = checksum(&[&name]);
                    let outcome = match mapped(c, &self.source, "tag", &source_id)? {
                        Some((mapped_id, old)) if mapped_id == id && old == sum => {
                            Outcome::Unchanged
                        }
                        known => {
                            remember(c, &self.source, "tag", &source_id, id, &sum, self.now)?;
                            if known.is_some() {
                                Outcome::Updated
                            } else {
                                Outcome::Imported
                            }
                        }
                    };
                    self.count("tags", outcome);
                    self.old_path(
                        c,
                        &format!("/tag/{}", decode_slug(&tag.slug)),
                        Target::Tag,
                        id,
                    )?;
                }
                None => self.skip("tags", tag.slug.clone(), "no imported post has it"),
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy)]
enum Outcome {
    Imported,
    Updated,
    Unchanged,
}

/// The source an export's items are mapped under: the site's address, so that exports of
/// two sites never update each other's items.
fn source_of(header: &Header) -> String {
    let site = [&header.base_site_url, &header.base_blog_url, &header.link]
        .into_iter()
        .find(|s| !s.trim().is_empty())
        .map_or("wordpress", |s| s.as_str());
    site.trim().trim_end_matches('/').to_lowercase()
}

fn mapped(
    c: &mut DbConnection,
    source: &str,
    kind: &str,
    source_id: &str,
) -> QueryResult<Option<(i64, String)>> {
    import_map::table
        .find((source, kind, source_id))
        .select((import_map::target_id, import_map::checksum))
        .first(c)
        .optional()
}

fn remember(
    c: &mut DbConnection,
    source: &str,
    kind: &str,
    source_id: &str,
    target_id: i64,
    checksum: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(import_map::table.find((source, kind, source_id))).execute(c)?;
    diesel::insert_into(import_map::table)
        .values((
            import_map::source.eq(source),
            import_map::kind.eq(kind),
            import_map::source_id.eq(source_id),
            import_map::target_id.eq(target_id),
            import_map::checksum.eq(checksum),
            import_map::created_at.eq(now),
            import_map::updated_at.eq(now),
        ))
        .execute(c)?;
    Ok(())
}

fn checksum(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// WordPress stores Arabic slugs percent-encoded (`%d8%a7…`): the Unicode they stand for.
pub fn decode_slug(slug: &str) -> String {
    percent_decode_str(slug.trim())
        .decode_utf8_lossy()
        .into_owned()
}

/// A slug for an imported item: the old one when it is free and in slug form, else the
/// first free form of it (`-2`, `-3` …), or one made from the title.
fn slug_for<T: slugs::Slugged>(
    c: &mut DbConnection,
    wanted: &str,
    title: &str,
    except: Option<i64>,
) -> Result<String, ApiError> {
    let base = if text::slugify(wanted).is_empty() {
        title
    } else {
        wanted
    };
    slugs::choose::<T>(c, None, base, except)
}

fn slug_text(login: &str) -> String {
    let slug = text::slugify(login);
    if slug.is_empty() {
        "author".to_owned()
    } else {
        slug
    }
}

/// WordPress keeps names HTML-escaped (`الخليج &amp; العالم`).
fn decode_entities(raw: &str) -> String {
    raw.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&#39;", "'")
}

fn truncate(value: &str, max_chars: usize) -> String {
    value.chars().take(max_chars).collect()
}

/// The language of an item: Arabic when its title has Arabic letters, else English when the
/// site's own title has none, else Arabic (the site's language).
fn language_of(header: &Header, title: &str) -> String {
    let arabic = |s: &str| s.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c));
    if arabic(title) || (title.trim().is_empty() && arabic(&header.title)) {
        "ar".into()
    } else if title.chars().any(char::is_alphabetic) {
        "en".into()
    } else {
        "ar".into()
    }
}

/// An SEO plugin's title or description, its variables filled in (Yoast writes
/// `%%title%% %%sep%% %%sitename%%`, Rank Math `%title% %sep% %sitename%`).
fn seo(item: &Item, keys: &[&str], title: &str, site: &str) -> Option<String> {
    let raw = keys.iter().find_map(|key| item.meta(key)).map(str::trim)?;
    let filled = raw
        .replace("%%title%%", title)
        .replace("%title%", title)
        .replace("%%sitename%%", site)
        .replace("%sitename%", site)
        .replace("%%sep%%", "-")
        .replace("%sep%", "-");
    let cleaned: String = filled
        .split_whitespace()
        .filter(|word| !(word.starts_with('%') && word.ends_with('%') && word.len() > 2))
        .collect::<Vec<_>>()
        .join(" ");
    Some(truncate(&cleaned, 200)).filter(|s| !s.is_empty())
}

/// The first pass over the export at `path`: its attachments. A malformed file's error names
/// its line and column.
pub fn read_attachments(path: &std::path::Path) -> Result<Attachments, ImportError> {
    let file = std::fs::File::open(path)?;
    match Attachments::read(std::io::BufReader::new(file)) {
        Ok(found) => Ok(found),
        Err(wxr::ReadError::Malformed { offset, message }) => Err(locate(path, offset, message)),
        Err(wxr::ReadError::NotWxr(why)) => Err(ImportError::NotWxr(format!(
            "not a WordPress export (WXR): {why}"
        ))),
        Err(wxr::ReadError::Sink(never)) => match never {},
    }
}

/// [`import`] of the export at `path` (the second pass, after [`read_attachments`]), with a
/// progress bar on a terminal. A malformed file's error names its line and column.
pub fn import_file(
    c: &mut DbConnection,
    path: &std::path::Path,
    attachments: &Attachments,
    staged: Option<&Staged>,
    dry_run: bool,
    now: NaiveDateTime,
) -> Result<Report, ImportError> {
    use indicatif::{ProgressBar, ProgressStyle};
    use std::io::BufReader;
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    // Drawn on a terminal only; in CI and scripts it stays silent.
    let progress = ProgressBar::new(size).with_style(
        ProgressStyle::with_template("importing [{bar:40}] {bytes}/{total_bytes} ({eta} left)")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    let result = import(
        c,
        BufReader::new(progress.wrap_read(file)),
        attachments,
        staged,
        dry_run,
        now,
    );
    progress.finish_and_clear();
    match result {
        Err(ImportError::Malformed { offset, message }) => Err(locate(path, offset, message)),
        other => other,
    }
}

/// A malformed-XML error with the line and column of `offset` in the file at `path`.
fn locate(path: &std::path::Path, offset: u64, message: String) -> ImportError {
    use std::io::Read;
    let mut head = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(offset).read_to_end(&mut head));
    match read {
        Ok(_) => {
            let (line, column) = wxr::line_and_column(&head, offset);
            ImportError::NotWxr(format!(
                "malformed XML at line {line}, column {column}: {message}; nothing was imported"
            ))
        }
        Err(_) => ImportError::NotWxr(format!(
            "malformed XML at byte {offset}: {message}; nothing was imported"
        )),
    }
}

impl Report {
    /// The report as lines for a person: per-kind counts, then each skip with its reason.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "{} {} (WXR {}):\n",
            if self.dry_run {
                "would import from"
            } else {
                "imported from"
            },
            self.source,
            self.wxr_version
        );
        for (kind, n) in &self.counts {
            out.push_str(&format!(
                "  {kind:<12} {} imported, {} updated, {} unchanged, {} skipped\n",
                n.imported, n.updated, n.unchanged, n.skipped
            ));
        }
        let notes = [
            (
                self.private_as_drafts.len(),
                "private or password-protected, imported as drafts",
            ),
            (
                self.sticky_not_featured.len(),
                "sticky posts (no featured flag yet; listed in the report)",
            ),
            (self.menu_items_not_imported, "menu items (no menus yet)"),
            (
                self.extra_categories_dropped,
                "posts in more than one category (the first is the section)",
            ),
            (
                self.attachments_kept_as_urls,
                "attachments kept at their URLs (no file from --media-dir)",
            ),
            (self.old_paths_recorded, "old paths recorded for redirects"),
        ];
        for (n, what) in notes {
            if n > 0 {
                out.push_str(&format!("  {n} {what}\n"));
            }
        }
        for (name, n) in &self.shortcodes_left {
            out.push_str(&format!("  shortcode [{name}] left as text {n} time(s)\n"));
        }
        for skip in &self.skipped {
            out.push_str(&format!(
                "  skipped {} {}: {}\n",
                skip.kind, skip.id, skip.reason
            ));
        }
        out
    }
}
