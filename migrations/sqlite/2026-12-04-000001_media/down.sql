ALTER TABLE articles DROP COLUMN featured_media_id;
DROP TABLE article_media;
DROP TABLE media;
