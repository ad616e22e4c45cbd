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
        featured_media_id -> Nullable<BigInt>,
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
        body_format -> Text,
        byline -> Nullable<Text>,
        source -> Nullable<Text>,
        source_url -> Nullable<Text>,
        content_updated_at -> Nullable<Timestamp>,
        breaking_until -> Nullable<Timestamp>,
        featured -> Bool,
        position -> Nullable<Integer>,
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
        author_url -> Nullable<Text>,
    }
}

diesel::joinable!(comments -> articles (article_id));
diesel::joinable!(articles -> sections (section_id));
diesel::joinable!(articles -> users (author_id));
diesel::joinable!(article_tags -> articles (article_id));
diesel::joinable!(article_tags -> tags (tag_id));

// The search change log (`search::changes`). PostgreSQL's table also has `xid`, the writing
// transaction, which only PostgreSQL-specific SQL reads.
diesel::table! {
    changes (seq) {
        seq -> BigInt,
        resource -> Text,
        resource_id -> BigInt,
        action -> Text,
        slug -> Text,
        url -> Nullable<Text>,
        changed_at -> Timestamp,
        tx -> BigInt,
    }
}

diesel::table! {
    search_changes (seq) {
        seq -> BigInt,
        article_id -> BigInt,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    jobs (id) {
        id -> BigInt,
        kind -> Text,
        payload -> Text,
        unique_key -> Nullable<Text>,
        state -> Text,
        run_at -> Timestamp,
        attempts -> Integer,
        max_attempts -> Integer,
        last_error -> Nullable<Text>,
        lease_owner -> Nullable<Text>,
        lease_expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

// The media library (`media`).
diesel::table! {
    media (id) {
        id -> BigInt,
        uploader_id -> Nullable<BigInt>,
        filename -> Text,
        blob_key -> Text,
        format -> Text,
        byte_size -> BigInt,
        width -> Integer,
        height -> Integer,
        status -> Text,
        alt -> Text,
        caption -> Nullable<Text>,
        credit -> Nullable<Text>,
        lang -> Text,
        focal_x -> Double,
        focal_y -> Double,
        translations -> Text,
        renditions -> Text,
        placeholder -> Nullable<Text>,
        dominant_color -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    article_media (article_id, media_id) {
        article_id -> BigInt,
        media_id -> BigInt,
    }
}

diesel::table! {
    pages (id) {
        id -> BigInt,
        title -> Text,
        slug -> Text,
        body -> Text,
        body_html -> Text,
        status -> Text,
        parent_id -> Nullable<BigInt>,
        menu_order -> Integer,
        lang -> Text,
        meta_title -> Nullable<Text>,
        meta_description -> Nullable<Text>,
        published_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        body_format -> Text,
    }
}

diesel::table! {
    import_map (source, kind, source_id) {
        source -> Text,
        kind -> Text,
        source_id -> Text,
        target_id -> BigInt,
        checksum -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    legacy_paths (path) {
        path -> Text,
        resource -> Text,
        target_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(article_media -> articles (article_id));
diesel::joinable!(article_media -> media (media_id));

diesel::table! {
    events (id) {
        id -> BigInt,
        event_type -> Text,
        payload -> Text,
        public -> Bool,
        section_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> BigInt,
        url -> Text,
        events -> Text,
        description -> Text,
        active -> Bool,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_until -> Nullable<Timestamp>,
        disabled_reason -> Nullable<Text>,
        failing_since -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        endpoint_id -> BigInt,
        event_id -> BigInt,
        event_type -> Text,
        state -> Text,
        attempts -> Integer,
        last_status -> Nullable<Integer>,
        last_latency_ms -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        response_excerpt -> Nullable<Text>,
        created_at -> Timestamp,
        last_attempt_at -> Nullable<Timestamp>,
        next_attempt_at -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> BigInt,
        delivery_id -> BigInt,
        attempt -> Integer,
        attempted_at -> Timestamp,
        status -> Nullable<Integer>,
        latency_ms -> Integer,
        error -> Nullable<Text>,
        response_excerpt -> Nullable<Text>,
    }
}

diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_deliveries -> events (event_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));

diesel::table! {
    api_keys (id) {
        id -> BigInt,
        name -> Text,
        prefix -> Text,
        secret_hash -> Text,
        scopes -> Text,
        rate_limit -> Integer,
        created_by -> BigInt,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor_user_id -> Nullable<BigInt>,
        actor_key_id -> Nullable<BigInt>,
        action -> Text,
        resource_type -> Text,
        resource_id -> Nullable<Text>,
        fields -> Text,
        outcome -> Text,
        client_ip -> Nullable<Text>,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    revisions (id) {
        id -> BigInt,
        resource_type -> Text,
        resource_id -> BigInt,
        editor_id -> Nullable<BigInt>,
        snapshot -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    list_versions (name) {
        name -> Text,
        version -> BigInt,
    }
}

diesel::table! {
    article_previews (article_id) {
        article_id -> BigInt,
        revoked_before -> Timestamp,
    }
}

diesel::table! {
    article_authors (article_id, user_id) {
        article_id -> BigInt,
        user_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    article_corrections (id) {
        id -> BigInt,
        article_id -> BigInt,
        note -> Text,
        editor_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    article_translations (article_id) {
        article_id -> BigInt,
        original_id -> BigInt,
    }
}

diesel::table! {
    menus (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    menu_items (id) {
        id -> BigInt,
        menu_id -> BigInt,
        parent_id -> Nullable<BigInt>,
        position -> Integer,
        label -> Text,
        description -> Nullable<Text>,
        kind -> Text,
        target_id -> Nullable<BigInt>,
        url -> Nullable<Text>,
    }
}

diesel::joinable!(menu_items -> menus (menu_id));
diesel::joinable!(article_authors -> articles (article_id));
diesel::joinable!(article_authors -> users (user_id));
diesel::joinable!(article_corrections -> articles (article_id));

diesel::allow_tables_to_appear_in_same_query!(
    media,
    article_media,
    jobs,
    instance_settings,
    users,
    refresh_tokens,
    sections,
    articles,
    tags,
    article_tags,
    slug_redirects,
    comments,
    search_changes,
    changes,
    pages,
    import_map,
    legacy_paths,
    events,
    webhook_endpoints,
    webhook_deliveries,
    webhook_attempts,
    api_keys,
    audit_log,
    revisions,
    article_previews,
    list_versions,
    article_authors,
    article_corrections,
    menus,
    menu_items,
    article_translations,
);
