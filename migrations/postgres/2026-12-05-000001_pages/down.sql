DELETE FROM slug_redirects WHERE resource = 'page';
ALTER TABLE slug_redirects DROP CONSTRAINT slug_redirects_resource_check;
ALTER TABLE slug_redirects ADD CONSTRAINT slug_redirects_resource_check
    CHECK (resource IN ('article', 'section'));
DROP TABLE pages;
