-- Every committed change to what anonymous readers can see is announced on the channel
-- `sahifa_readers_view`, so that each Sahifa instance sharing this database drops the
-- responses it keeps in memory (src/http/cache.rs, src/http/cache/listener.rs).
--
-- Triggers rather than application code: a NOTIFY sent by a trigger is part of the writing
-- transaction, delivered when (and only if) it commits, whichever program wrote — a request
-- on any instance, a `sahifa` command, or an editor fixing a typo in psql. PostgreSQL folds
-- identical notifications of one transaction into one.
CREATE FUNCTION sahifa_announce_readers_view_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sahifa_readers_view', '');
    RETURN NULL;
END
$$;

-- Tables whose every change can show in a public response (statement level: one call per
-- statement, however many rows it touched).
CREATE TRIGGER announce_readers_view_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON users FOR EACH STATEMENT EXECUTE FUNCTION sahifa_announce_readers_view_change();
CREATE TRIGGER announce_readers_view_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON sections FOR EACH STATEMENT EXECUTE FUNCTION sahifa_announce_readers_view_change();
CREATE TRIGGER announce_readers_view_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON articles FOR EACH STATEMENT EXECUTE FUNCTION sahifa_announce_readers_view_change();
CREATE TRIGGER announce_readers_view_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON tags FOR EACH STATEMENT EXECUTE FUNCTION sahifa_announce_readers_view_change();
CREATE TRIGGER announce_readers_view_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON article_tags FOR EACH STATEMENT EXECUTE FUNCTION sahifa_announce_readers_view_change();
CREATE TRIGGER announce_readers_view_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON slug_redirects FOR EACH STATEMENT EXECUTE FUNCTION sahifa_announce_readers_view_change();
CREATE TRIGGER announce_readers_view_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON article_search FOR EACH STATEMENT EXECUTE FUNCTION sahifa_announce_readers_view_change();
CREATE TRIGGER announce_readers_view_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON related_articles FOR EACH STATEMENT EXECUTE FUNCTION sahifa_announce_readers_view_change();

-- Comments only while approved: a submission waiting for moderation changes nothing readers
-- see, and must not empty every instance's cache (readers submit many).
CREATE TRIGGER announce_readers_view_change_on_insert AFTER INSERT ON comments
    FOR EACH ROW WHEN (NEW.status = 'approved')
    EXECUTE FUNCTION sahifa_announce_readers_view_change();
CREATE TRIGGER announce_readers_view_change_on_update AFTER UPDATE ON comments
    FOR EACH ROW WHEN (OLD.status = 'approved' OR NEW.status = 'approved')
    EXECUTE FUNCTION sahifa_announce_readers_view_change();
CREATE TRIGGER announce_readers_view_change_on_delete AFTER DELETE ON comments
    FOR EACH ROW WHEN (OLD.status = 'approved')
    EXECUTE FUNCTION sahifa_announce_readers_view_change();
CREATE TRIGGER announce_readers_view_change_on_truncate AFTER TRUNCATE ON comments
    FOR EACH STATEMENT EXECUTE FUNCTION sahifa_announce_readers_view_change();
