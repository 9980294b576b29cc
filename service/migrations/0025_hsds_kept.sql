-- Issue 17 A: what an imported HSDS package holds that Kết Nối has no column for is kept, so it
-- goes back out on export: cost options and funding of a service, programs, funding and
-- identifiers of an organization, and the service's and organization's own HSDS fields we do not
-- model (program_id, url, interpretation services, a fees text, tax status …). Each row is the
-- HSDS record as imported (its own fields, nothing nested); it goes with its owner.
CREATE TABLE hsds_kept (
    service_id      uuid REFERENCES service (id) ON DELETE CASCADE,
    organization_id uuid REFERENCES organization (id) ON DELETE CASCADE,
    hsds_table      text NOT NULL CHECK (hsds_table IN (
        'service', 'organization', 'cost_option', 'funding', 'program', 'organization_identifier')),
    position        integer NOT NULL,
    record          jsonb NOT NULL,
    CONSTRAINT hsds_kept_one_owner CHECK ((service_id IS NULL) <> (organization_id IS NULL))
);
CREATE INDEX hsds_kept_service ON hsds_kept (service_id) WHERE service_id IS NOT NULL;
CREATE INDEX hsds_kept_organization ON hsds_kept (organization_id) WHERE organization_id IS NOT NULL;
