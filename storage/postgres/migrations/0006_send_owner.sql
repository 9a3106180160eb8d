-- The replica that stored a send (mirrors storage/sqlite/migrations/0006): while that replica
-- lives it holds the advisory lock (replicas, owner), and its sends still `submitting` are in
-- flight; once it is gone they are marked unknown by whichever replica looks next.
ALTER TABLE sends ADD COLUMN owner INTEGER;
