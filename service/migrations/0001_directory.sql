-- Reference data (filled from service/data/*.json at start-up), accounts, and the directory.

CREATE TABLE province (
    code         text PRIMARY KEY,
    name         text NOT NULL,
    former_names text[] NOT NULL DEFAULT '{}',
    lat          double precision NOT NULL,
    lon          double precision NOT NULL
);

CREATE TABLE taxonomy_term (
    code        text PRIMARY KEY,
    parent_code text REFERENCES taxonomy_term (code),
    name_vi     text NOT NULL,
    name_en     text NOT NULL
);

CREATE TABLE organization (
    id             uuid PRIMARY KEY,
    name           text NOT NULL,
    alternate_name text,
    description    text NOT NULL DEFAULT '',
    kind           text NOT NULL,
    parent_id      uuid REFERENCES organization (id),
    email          text,
    website        text,
    verified_at    timestamptz,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organization_not_own_parent CHECK (parent_id IS DISTINCT FROM id)
);
CREATE INDEX organization_parent_idx ON organization (parent_id);

CREATE TABLE app_user (
    id              uuid PRIMARY KEY,
    email           text NOT NULL,
    password_hash   text NOT NULL,
    role            text NOT NULL CHECK (role IN ('partner', 'caseworker', 'coordinator', 'admin')),
    organization_id uuid REFERENCES organization (id),
    display_name    text NOT NULL DEFAULT '',
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT app_user_org_required CHECK (role = 'admin' OR organization_id IS NOT NULL)
);
CREATE UNIQUE INDEX app_user_email_key ON app_user (lower(email));

CREATE TABLE api_token (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    token_hash   bytea NOT NULL UNIQUE,
    label        text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    last_used_at timestamptz
);
CREATE INDEX api_token_user_idx ON api_token (user_id);

-- Failed logins per key (email, client address) in fixed windows; shared by every replica.
CREATE TABLE rate_limit_hit (
    bucket       text NOT NULL,
    key          text NOT NULL,
    window_start timestamptz NOT NULL,
    hits         integer NOT NULL,
    PRIMARY KEY (bucket, key, window_start)
);

CREATE TABLE service (
    id                      uuid PRIMARY KEY,
    organization_id         uuid NOT NULL REFERENCES organization (id),
    name                    text NOT NULL,
    alternate_name          text,
    description             text NOT NULL DEFAULT '',
    status                  text NOT NULL,
    categories              text[] NOT NULL DEFAULT '{}',
    populations             text[] NOT NULL DEFAULT '{}',
    eligibility_description text NOT NULL DEFAULT '',
    min_age                 integer,
    max_age                 integer,
    genders                 text[] NOT NULL DEFAULT '{}',
    languages               text[] NOT NULL DEFAULT '{}',
    fee                     text NOT NULL,
    application_process     text NOT NULL DEFAULT '',
    required_documents      text[] NOT NULL DEFAULT '{}',
    accepting_referrals     boolean NOT NULL DEFAULT true,
    capacity_total          integer,
    capacity_available      integer,
    visibility              text NOT NULL,
    last_verified_at        timestamptz,
    verified_by             uuid REFERENCES app_user (id),
    version                 integer NOT NULL DEFAULT 1,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT service_capacity_within_total
        CHECK (capacity_available IS NULL OR capacity_total IS NULL OR capacity_available <= capacity_total),
    CONSTRAINT service_age_range CHECK (min_age IS NULL OR max_age IS NULL OR min_age <= max_age)
);
CREATE INDEX service_organization_idx ON service (organization_id);

CREATE TABLE location (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organization (id),
    name            text NOT NULL DEFAULT '',
    street          text NOT NULL DEFAULT '',
    commune         text NOT NULL DEFAULT '',
    province_code   text NOT NULL REFERENCES province (code),
    lat             double precision,
    lon             double precision,
    confidential    boolean NOT NULL DEFAULT false,
    accessibility   text NOT NULL DEFAULT ''
);
CREATE INDEX location_organization_idx ON location (organization_id);

CREATE TABLE service_at_location (
    service_id  uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    location_id uuid NOT NULL REFERENCES location (id) ON DELETE CASCADE,
    position    integer NOT NULL,
    PRIMARY KEY (service_id, location_id)
);
CREATE INDEX service_at_location_location_idx ON service_at_location (location_id);

CREATE TABLE service_area (
    service_id uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    area       text NOT NULL,  -- a province code, or 'national'
    PRIMARY KEY (service_id, area)
);

CREATE TABLE contact_point (
    id              uuid PRIMARY KEY,
    service_id      uuid REFERENCES service (id) ON DELETE CASCADE,
    organization_id uuid REFERENCES organization (id) ON DELETE CASCADE,
    position        integer NOT NULL,
    kind            text NOT NULL,
    value           text NOT NULL,
    hours           text NOT NULL DEFAULT '',
    is_24_7         boolean NOT NULL DEFAULT false,
    languages       text[] NOT NULL DEFAULT '{}',
    CONSTRAINT contact_point_one_owner CHECK ((service_id IS NULL) <> (organization_id IS NULL))
);
CREATE INDEX contact_point_service_idx ON contact_point (service_id);
CREATE INDEX contact_point_organization_idx ON contact_point (organization_id);

CREATE TABLE schedule (
    id         uuid PRIMARY KEY,
    service_id uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    weekday    integer NOT NULL CHECK (weekday BETWEEN 1 AND 7),  -- ISO: 1 = Monday
    opens_at   time NOT NULL,
    closes_at  time NOT NULL
);
CREATE INDEX schedule_service_idx ON schedule (service_id);

CREATE TABLE service_revision (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service_id uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    version    integer NOT NULL,
    action     text NOT NULL,
    actor_id   uuid REFERENCES app_user (id),
    at         timestamptz NOT NULL DEFAULT now(),
    changes    jsonb NOT NULL
);
CREATE INDEX service_revision_service_idx ON service_revision (service_id, id);

-- Each distinct combination of facet values listings have. Listings point at one, so facet
-- counts group small integers instead of arrays, then expand the few groups found.
CREATE TABLE search_facet_set (
    id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    categories  text[] NOT NULL,
    provinces   text[] NOT NULL,
    populations text[] NOT NULL,
    CONSTRAINT search_facet_set_values_key UNIQUE (categories, provinces, populations)
);

-- One row per listing, kept in step with it inside the same transaction: what PostgresSearch reads.
CREATE TABLE search_document (
    service_id          uuid PRIMARY KEY REFERENCES service (id) ON DELETE CASCADE,
    organization_id     uuid NOT NULL,
    visibility          text NOT NULL,
    status              text NOT NULL,
    name                text NOT NULL,
    organization_name   text NOT NULL,
    categories          text[] NOT NULL,
    populations         text[] NOT NULL,
    provinces           text[] NOT NULL,
    facet_set           integer NOT NULL REFERENCES search_facet_set (id),
    languages           text[] NOT NULL,
    fee                 text NOT NULL,
    hotlines            text[] NOT NULL,
    accepting_referrals boolean NOT NULL,
    capacity_available  integer,
    always_open         boolean NOT NULL,
    open_week           int4multirange NOT NULL,
    public_lat          double precision[] NOT NULL,
    public_lon          double precision[] NOT NULL,
    staff_lat           double precision[] NOT NULL,
    staff_lon           double precision[] NOT NULL,
    public_box          box,  -- bounding box of the public points, to skip far listings cheaply
    staff_box           box,
    last_verified_at    timestamptz,
    updated_at          timestamptz NOT NULL,
    terms               tsvector NOT NULL,  -- every distinct word, no positions: for matching
    name_terms          tsvector NOT NULL   -- weighted words and word pairs of the names: for ranking
);
CREATE INDEX search_document_terms_idx ON search_document USING gin (terms);
CREATE INDEX search_document_categories_idx ON search_document USING gin (categories);
CREATE INDEX search_document_provinces_idx ON search_document USING gin (provinces);
CREATE INDEX search_document_updated_idx ON search_document (updated_at DESC);
