-- Issue 16, point 3: a listing its organization confirmed ("Still right") is not stale in search
-- results either, as on its own page; the search document carries the confirmation date beside the
-- coordinator's verification. Existing documents take it from their listing (an external engine
-- gets it at the next `ketnoi reindex`).
ALTER TABLE search_document ADD COLUMN confirmed_at timestamptz;

UPDATE search_document d SET confirmed_at = s.confirmed_at
FROM service s
WHERE s.id = d.service_id AND s.confirmed_at IS NOT NULL;
