-- Issue 13: the process that stored a send (its replica id), so that on PostgreSQL another
-- replica can tell a send in flight on a live replica from one whose replica died. SQLite has
-- one process per file: the column stays NULL here, kept so both schemas match.
ALTER TABLE sends ADD COLUMN owner INTEGER;
