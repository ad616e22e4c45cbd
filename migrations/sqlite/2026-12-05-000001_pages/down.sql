DELETE FROM slug_redirects WHERE resource = 'page';
CREATE TABLE slug_redirects_old (
    resource   TEXT NOT NULL CHECK (resource IN ('article', 'section')),
    slug       TEXT NOT NULL,
    target_id  BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (resource, slug)
);
INSERT INTO slug_redirects_old SELECT resource, slug, target_id, created_at FROM slug_redirects;
DROP TABLE slug_redirects;
ALTER TABLE slug_redirects_old RENAME TO slug_redirects;
DROP TABLE pages;
