//! Table definitions for the Diesel DSL, shared by both backends.
//! Kept in step with `migrations/` by hand; the test suite exercises every table.

diesel::table! {
    instance_settings (name) {
        name -> Text,
        value -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        display_name -> Text,
        role -> Text,
        active -> Bool,
        password_hash -> Text,
        token_version -> BigInt,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        family -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));

diesel::table! {
    sections (id) {
        id -> BigInt,
        name -> Text,
        slug -> Text,
        description -> Nullable<Text>,
        parent_id -> Nullable<BigInt>,
        position -> Integer,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    articles (id) {
        id -> BigInt,
        title -> Text,
        slug -> Text,
        excerpt -> Text,
        excerpt_is_custom -> Bool,
        body -> Text,
        body_html -> Text,
        status -> Text,
        section_id -> BigInt,
        author_id -> BigInt,
        featured_image_url -> Nullable<Text>,
        featured_image_alt -> Nullable<Text>,
        featured_image_caption -> Nullable<Text>,
        lang -> Text,
        meta_title -> Nullable<Text>,
        meta_description -> Nullable<Text>,
        reading_time_minutes -> Integer,
        comment_count -> BigInt,
        comments_open -> Bool,
        published_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    tags (id) {
        id -> BigInt,
        name -> Text,
        key -> Text,
        slug -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    article_tags (article_id, tag_id) {
        article_id -> BigInt,
        tag_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    slug_redirects (resource, slug) {
        resource -> Text,
        slug -> Text,
        target_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    comments (id) {
        id -> BigInt,
        article_id -> BigInt,
        parent_id -> Nullable<BigInt>,
        depth -> Integer,
        author_name -> Text,
        author_email -> Text,
        body -> Text,
        status -> Text,
        client_ip -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    related_articles (article_id) {
        article_id -> BigInt,
        candidates -> Text,
    }
}

diesel::joinable!(comments -> articles (article_id));
diesel::joinable!(articles -> sections (section_id));
diesel::joinable!(articles -> users (author_id));
diesel::joinable!(article_tags -> articles (article_id));
diesel::joinable!(article_tags -> tags (tag_id));

// The full-text index (an FTS5 table on SQLite, a tsvector table on PostgreSQL). Only its
// rowid is declared: matching and ranking are backend SQL, kept in `search/`.
diesel::table! {
    article_search (rowid) {
        rowid -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    instance_settings,
    users,
    refresh_tokens,
    sections,
    articles,
    tags,
    article_tags,
    slug_redirects,
    comments,
    article_search,
);
