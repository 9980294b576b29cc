-- Search and HSDS lists filter by organization (a partner's own listings, organization_id=).
CREATE INDEX search_document_organization_idx ON search_document (organization_id);
