-- Idempotency-Key on the creates a flaky connection may send twice (service/idempotency.py): per
-- account, which key made which resource, and a keyed hash of the request that made it. The answer
-- itself is not kept (a case's answer holds decrypted identifiers): a repeat reads the resource again.
CREATE TABLE idempotency_key (
    user_id     uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    key         text NOT NULL,
    fingerprint bytea NOT NULL,
    resource_id uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_key_created_idx ON idempotency_key (created_at);
