-- Changes waiting to reach an external search engine. A trigger on search_document (written in
-- the same transaction as every listing change) queues them, only while an external engine is
-- configured (search_sync.enabled, set at start-up), so nothing a client got a 2xx for is lost
-- when the engine is down: the rows stay until the engine has acknowledged them.
CREATE TABLE search_sync (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    enabled   boolean NOT NULL DEFAULT false
);
INSERT INTO search_sync (singleton, enabled) VALUES (true, false);

CREATE TABLE search_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service_id      uuid NOT NULL,
    operation       text NOT NULL CHECK (operation IN ('upsert', 'delete')),
    enqueued_at     timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text
);
CREATE INDEX search_outbox_due_idx ON search_outbox (next_attempt_at, id);

CREATE FUNCTION search_outbox_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT enabled FROM search_sync) THEN
        IF TG_OP = 'DELETE' THEN
            INSERT INTO search_outbox (service_id, operation) VALUES (OLD.service_id, 'delete');
        ELSE
            INSERT INTO search_outbox (service_id, operation) VALUES (NEW.service_id, 'upsert');
        END IF;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER search_document_outbox AFTER INSERT OR UPDATE OR DELETE ON search_document
    FOR EACH ROW EXECUTE FUNCTION search_outbox_enqueue();
