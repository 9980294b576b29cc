-- Survivor cases and everything tracked against them, plus the hash-chained audit log.

CREATE TABLE case_counter (
    prefix text NOT NULL,
    year   integer NOT NULL,
    last   integer NOT NULL,
    PRIMARY KEY (prefix, year)
);

CREATE TABLE survivor (
    id                     uuid PRIMARY KEY,
    case_code              text NOT NULL UNIQUE,
    organization_id        uuid NOT NULL REFERENCES organization (id),
    assigned_caseworker_id uuid REFERENCES app_user (id),
    case_type              text NOT NULL,
    identification_status  text NOT NULL,
    accompanying_child     boolean NOT NULL DEFAULT false,
    sex                    text,
    birth_year             integer,
    nationality            text NOT NULL DEFAULT 'VN',
    languages              text[] NOT NULL DEFAULT '{}',
    home_province          text REFERENCES province (code),
    home_commune           text,
    returned_from          text,
    return_date            date,
    risk_level             text NOT NULL DEFAULT 'medium',
    contact_channel        text,
    contact_safe_hours     text,
    do_not_contact         boolean NOT NULL DEFAULT false,
    status                 text NOT NULL DEFAULT 'open',
    closure_reason         text,
    closed_at              timestamptz,
    -- personal identifiers: AES-GCM ciphertexts, never plaintext
    full_name_enc          bytea,
    phone_enc              bytea,
    address_enc            bytea,
    id_document_enc        bytea,
    name_index             bytea,  -- keyed hash of the folded full name, for exact-name lookup
    deidentified_at        timestamptz,
    version                integer NOT NULL DEFAULT 1,
    created_by             uuid REFERENCES app_user (id),
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX survivor_organization_idx ON survivor (organization_id);
CREATE INDEX survivor_caseworker_idx ON survivor (assigned_caseworker_id);
CREATE INDEX survivor_name_index_idx ON survivor (name_index);

CREATE TABLE consent (
    id              uuid PRIMARY KEY,
    survivor_id     uuid NOT NULL REFERENCES survivor (id) ON DELETE CASCADE,
    purpose         text NOT NULL,
    organization_id uuid REFERENCES organization (id),  -- NULL: all partners
    method          text NOT NULL,
    evidence        text NOT NULL DEFAULT '',
    granted_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz,
    withdrawn_at    timestamptz,
    withdrawn_by    uuid REFERENCES app_user (id),
    recorded_by     uuid REFERENCES app_user (id)
);
CREATE INDEX consent_survivor_idx ON consent (survivor_id);

CREATE TABLE plan (
    id                 uuid PRIMARY KEY,
    survivor_id        uuid NOT NULL REFERENCES survivor (id) ON DELETE CASCADE,
    number             integer NOT NULL,
    is_current         boolean NOT NULL DEFAULT true,
    status             text NOT NULL DEFAULT 'draft',
    notes              text NOT NULL DEFAULT '',
    survivor_agreed_at timestamptz,
    agreement_method   text,
    submitted_at       timestamptz,
    approved_at        timestamptz,
    approved_by        uuid REFERENCES app_user (id),
    review_note        text,
    version            integer NOT NULL DEFAULT 1,
    created_by         uuid REFERENCES app_user (id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (survivor_id, number)
);
CREATE UNIQUE INDEX plan_one_current_idx ON plan (survivor_id) WHERE is_current;

CREATE TABLE milestone (
    id                          uuid PRIMARY KEY,
    plan_id                     uuid NOT NULL REFERENCES plan (id) ON DELETE CASCADE,
    domain                      text NOT NULL,
    title                       text NOT NULL,
    target_date                 date,
    responsible_organization_id uuid REFERENCES organization (id),
    entitlement                 text,  -- the Art. 37 regime this milestone delivers, if any
    status                      text NOT NULL DEFAULT 'planned',
    note                        text NOT NULL DEFAULT '',
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX milestone_plan_idx ON milestone (plan_id);
CREATE INDEX milestone_open_target_idx ON milestone (target_date) WHERE status IN ('planned', 'in_progress');

CREATE TABLE referral (
    id                        uuid PRIMARY KEY,
    survivor_id               uuid NOT NULL REFERENCES survivor (id) ON DELETE CASCADE,
    milestone_id              uuid REFERENCES milestone (id),
    service_id                uuid NOT NULL REFERENCES service (id),
    receiving_organization_id uuid NOT NULL REFERENCES organization (id),
    referring_organization_id uuid NOT NULL REFERENCES organization (id),
    created_by                uuid REFERENCES app_user (id),
    consent_id                uuid REFERENCES consent (id),
    emergency_reason          text,
    emergency_approved_by     uuid REFERENCES app_user (id),
    urgency                   text NOT NULL,
    shared_summary            text NOT NULL,
    status                    text NOT NULL,
    reason_code               text,
    sent_at                   timestamptz,
    due_at                    timestamptz,
    responded_at              timestamptz,
    completed_at              timestamptz,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT referral_consent_or_emergency CHECK (consent_id IS NOT NULL OR emergency_approved_by IS NOT NULL)
);
CREATE INDEX referral_survivor_idx ON referral (survivor_id);
CREATE INDEX referral_receiving_idx ON referral (receiving_organization_id, status);
CREATE INDEX referral_due_idx ON referral (due_at) WHERE status = 'sent';

CREATE TABLE referral_event (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    referral_id uuid NOT NULL REFERENCES referral (id) ON DELETE CASCADE,
    from_status text,
    to_status   text NOT NULL,
    actor_id    uuid REFERENCES app_user (id),
    at          timestamptz NOT NULL DEFAULT now(),
    reason_code text,
    note        text NOT NULL DEFAULT ''
);
CREATE INDEX referral_event_referral_idx ON referral_event (referral_id, id);

CREATE TABLE follow_up (
    id              uuid PRIMARY KEY,
    survivor_id     uuid NOT NULL REFERENCES survivor (id) ON DELETE CASCADE,
    date            date NOT NULL,
    method          text NOT NULL,
    notes           text NOT NULL DEFAULT '',
    indicators      jsonb NOT NULL,
    economic        double precision,
    social          double precision,
    psychosocial    double precision,
    composite       double precision,
    scoring_version text NOT NULL,
    recorded_by     uuid REFERENCES app_user (id),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX follow_up_survivor_idx ON follow_up (survivor_id, date);

-- Append-only: every read and write of survivor data. Each row's hash covers its content and the
-- previous row's hash; audit_head keeps the last link so a cut-off tail is noticed too.
CREATE TABLE audit_log (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at              timestamptz NOT NULL,
    actor_id        uuid,
    actor_role      text,
    action          text NOT NULL,
    entity          text NOT NULL,
    entity_id       uuid,
    survivor_id     uuid,
    organization_id uuid,
    details         jsonb NOT NULL DEFAULT '{}',
    prev_hash       bytea NOT NULL,
    hash            bytea NOT NULL
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id);
CREATE INDEX audit_log_survivor_idx ON audit_log (survivor_id);
CREATE INDEX audit_log_organization_idx ON audit_log (organization_id, id);

CREATE TABLE audit_head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_id   bigint NOT NULL,
    last_hash bytea NOT NULL
);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
