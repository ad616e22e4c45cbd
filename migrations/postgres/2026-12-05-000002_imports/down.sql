ALTER TABLE comments DROP COLUMN author_url;
ALTER TABLE pages DROP COLUMN body_format;
ALTER TABLE articles DROP COLUMN body_format;
DROP TABLE legacy_paths;
DROP TABLE import_map;
