-- A counter per kind of list, moved in the same transaction as every change to what the list
-- can show. A server keeps the totals of the lists it served beside the counter they were
-- counted under, and counts again only once the counter has moved: a list's `meta.total`
-- stays exact without counting the archive on every request. The row is taken for update by
-- each writer, so on PostgreSQL a larger value always holds every change a smaller one held.
CREATE TABLE list_versions (
    name    TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
