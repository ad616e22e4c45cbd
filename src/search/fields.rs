//! The index's schema: what an article becomes in it.
//!
//! The four text fields are analyzed by [`analysis::TOKENIZER`] with positions (for phrases
//! and proximity); `words` holds the same text unstemmed, the vocabulary that spelling
//! suggestions come from. Everything a list filters or sorts on is a fast field (a column
//! per segment), read per matching document, never stored.

use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, NumericOptions, STRING, Schema, TextFieldIndexing,
    TextOptions,
};

use super::analysis;

/// Raised whenever what is indexed, or how, changes: an index of another version is rebuilt
/// at start.
pub const VERSION: u32 = 3;

/// The fields of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub title: Field,
    pub tags: Field,
    pub excerpt: Field,
    pub body: Field,
    pub words: Field,
    pub status: Field,
    pub published_at: Field,
    pub updated_at: Field,
    pub section_id: Field,
    pub author_id: Field,
    pub tag_ids: Field,
    pub title_key: Field,
    pub version: Field,
}

/// Fast-field names, for the columns read per document.
pub mod column {
    pub const ID: &str = "id";
    pub const STATUS: &str = "status";
    pub const PUBLISHED_AT: &str = "published_at";
    pub const UPDATED_AT: &str = "updated_at";
    pub const SECTION_ID: &str = "section_id";
    pub const AUTHOR_ID: &str = "author_id";
    pub const TAG_IDS: &str = "tag_ids";
    pub const TITLE_KEY: &str = "title_key";
    pub const VERSION: &str = "version";
}

/// An article as the index sees it.
#[derive(Debug, Clone)]
pub struct Article {
    pub id: i64,
    pub title: String,
    pub excerpt: String,
    /// The body as a reader sees it (plain text, not Markdown syntax).
    pub body: String,
    pub tags: Vec<String>,
    pub tag_ids: Vec<i64>,
    pub status: String,
    pub published_at: Option<i64>,
    pub updated_at: i64,
    pub section_id: i64,
    pub author_id: i64,
    /// The row's version: a change applied twice (the log may repeat itself) is skipped when
    /// the index already holds this version.
    pub version: i64,
}

/// The stored statuses, as numbers in the index.
pub fn status_code(status: &str) -> u64 {
    match status {
        "draft" => 0,
        "review" => 1,
        "published" => 2,
        "archived" => 3,
        _ => 9,
    }
}

/// `published` as a number in the index.
pub const PUBLISHED: u64 = 2;

impl Fields {
    /// The schema, and its fields.
    pub fn schema() -> (Schema, Self) {
        let mut builder = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analysis::TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        // Only which documents hold a word matters for the vocabulary (its document
        // frequency), not where or how often.
        let vocabulary = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analysis::WORDS_TOKENIZER)
                .set_index_option(IndexRecordOption::Basic),
        );
        let column = NumericOptions::default() | FAST;
        let fields = Self {
            // Indexed too: updates delete the old document by its id.
            id: builder.add_u64_field(column::ID, NumericOptions::default() | FAST | INDEXED),
            title: builder.add_text_field("title", text.clone()),
            tags: builder.add_text_field("tags", text.clone()),
            excerpt: builder.add_text_field("excerpt", text.clone()),
            body: builder.add_text_field("body", text),
            words: builder.add_text_field("words", vocabulary),
            status: builder.add_u64_field(column::STATUS, column.clone()),
            published_at: builder.add_i64_field(column::PUBLISHED_AT, column.clone()),
            updated_at: builder.add_i64_field(column::UPDATED_AT, column.clone()),
            section_id: builder.add_u64_field(column::SECTION_ID, column.clone()),
            author_id: builder.add_u64_field(column::AUTHOR_ID, column.clone()),
            tag_ids: builder.add_u64_field(column::TAG_IDS, column.clone()),
            title_key: builder.add_text_field(column::TITLE_KEY, STRING | FAST),
            version: builder.add_i64_field(column::VERSION, column.clone()),
        };
        (builder.build(), fields)
    }

    /// The fields of an index's schema; `None` when it is not this version's.
    pub fn of(schema: &Schema) -> Option<Self> {
        let field = |name: &str| schema.get_field(name).ok();
        Some(Self {
            id: field(column::ID)?,
            title: field("title")?,
            tags: field("tags")?,
            excerpt: field("excerpt")?,
            body: field("body")?,
            words: field("words")?,
            status: field(column::STATUS)?,
            published_at: field(column::PUBLISHED_AT)?,
            updated_at: field(column::UPDATED_AT)?,
            section_id: field(column::SECTION_ID)?,
            author_id: field(column::AUTHOR_ID)?,
            tag_ids: field(column::TAG_IDS)?,
            title_key: field(column::TITLE_KEY)?,
            version: field(column::VERSION)?,
        })
    }

    /// The document of `article`.
    pub fn document(&self, article: &Article) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_u64(self.id, article.id as u64);
        doc.add_text(self.title, &article.title);
        let tags = article.tags.join("\n");
        doc.add_text(self.tags, &tags);
        doc.add_text(self.excerpt, &article.excerpt);
        doc.add_text(self.body, &article.body);
        for text in [&article.title, &tags, &article.excerpt, &article.body] {
            doc.add_text(self.words, text);
        }
        doc.add_u64(self.status, status_code(&article.status));
        if let Some(at) = article.published_at {
            doc.add_i64(self.published_at, at);
        }
        doc.add_i64(self.updated_at, article.updated_at);
        doc.add_u64(self.section_id, article.section_id as u64);
        doc.add_u64(self.author_id, article.author_id as u64);
        for tag in &article.tag_ids {
            doc.add_u64(self.tag_ids, *tag as u64);
        }
        doc.add_text(self.title_key, &article.title);
        doc.add_i64(self.version, article.version);
        doc
    }
}
