-- The media library (src/media/): uploaded images, their renditions, and which articles use
-- them.
--
-- blob_key: the folder of the item's files in the media store, a keyed hash of the uploaded
-- bytes (equal uploads share their files; nobody without the server's media key can compute
-- it from a photo they hold). status: `processing` until the renditions exist, then `ready`
-- (or `failed` when the stored original could not be decoded again).
CREATE TABLE media (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    uploader_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    filename       TEXT NOT NULL,
    blob_key       TEXT NOT NULL,
    format         TEXT NOT NULL,
    byte_size      BIGINT NOT NULL,
    width          INTEGER NOT NULL,
    height         INTEGER NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('processing', 'ready', 'failed')),
    alt            TEXT NOT NULL,
    caption        TEXT,
    credit         TEXT,
    lang           TEXT NOT NULL,
    focal_x        DOUBLE NOT NULL,
    focal_y        DOUBLE NOT NULL,
    -- {"en": {"alt": "...", "caption": "..."}}: the text in other languages.
    translations   TEXT NOT NULL,
    -- [{"name": "w640.webp", "width": 640, "height": 427, "format": "webp", "bytes": 1234, "crop": null}]
    renditions     TEXT NOT NULL,
    placeholder    TEXT,
    dominant_color TEXT,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX media_blob_key ON media (blob_key);
CREATE INDEX media_uploader ON media (uploader_id, id);

-- Which articles use which media, as featured image or inline in the body; kept by every
-- article write, so a delete can say what still uses an item.
CREATE TABLE article_media (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    media_id   INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, media_id)
);
CREATE INDEX article_media_media ON article_media (media_id, article_id);

ALTER TABLE articles ADD COLUMN featured_media_id INTEGER REFERENCES media (id) ON DELETE SET NULL;
