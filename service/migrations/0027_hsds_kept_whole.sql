-- Issue 17 A, lossless: hsds_kept also holds, for a listing, a place or a service area that cannot
-- become one of ours (no province of Viet Nam) whole, as HSDS wrote it ('service_at_location' with
-- its location, addresses and accessibility nested; 'service_area'), and the details of the rows we
-- do model that our columns do not hold ('*_detail', at the row's position among its listing's): a
-- place's description, transport and url, an address's second line, a schedule's notes, a
-- contact's name and title, a phone's extension, an area's extent, a document's uri.
ALTER TABLE hsds_kept DROP CONSTRAINT hsds_kept_hsds_table_check;
ALTER TABLE hsds_kept ADD CONSTRAINT hsds_kept_hsds_table_check CHECK (hsds_table IN (
    'service', 'organization', 'cost_option', 'funding', 'program', 'organization_identifier',
    'service_at_location', 'service_area',
    'service_at_location_detail', 'service_area_detail', 'schedule_detail', 'contact_detail',
    'required_document_detail', 'language_detail'));
