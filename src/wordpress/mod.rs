//! Moving a newsroom in from WordPress: `sahifa import wordpress EXPORT.xml` reads the WXR
//! file WordPress exports and brings in its authors, categories, tags, posts, pages and
//! comments, and the old links to them; run again, it updates what changed.

pub mod content;
pub mod import;
pub mod media;
pub mod wxr;
