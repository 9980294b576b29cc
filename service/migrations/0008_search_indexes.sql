-- Search indexes measured by bench/ at 100,000 listings: each lets a search read an index instead
-- of every listing's row.

-- searches with nothing to rank (no text, no point: the directory's opening page, filter-only
-- lists, HSDS pages): totals and facet counts from an index-only scan of who may see each listing
-- and its facet set
CREATE INDEX search_document_facet_idx ON search_document (visibility, status, facet_set) INCLUDE (organization_id);

-- "recently updated" pages in their full order (ties by id), so the page needs no sort
DROP INDEX search_document_updated_idx;
CREATE INDEX search_document_updated_idx ON search_document (updated_at DESC, service_id);

-- distance within a radius: the bounding-box test finds the nearby listings without a full scan
CREATE INDEX search_document_public_box_idx ON search_document USING gist (public_box);
CREATE INDEX search_document_staff_box_idx ON search_document USING gist (staff_box);

-- the language filter (languages @> ARRAY[language])
CREATE INDEX search_document_languages_idx ON search_document USING gin (languages);
