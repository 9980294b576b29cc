-- A uniform random order of the directory: a 32-bit hash of the service id (whatever ids an
-- importer brings, sequential or time-ordered ones included). The first N listings in this order
-- are a random sample of them, which broad searches rank from and estimate their counts by
-- (search/postgres.py, Sampling); the index lets a search read that sample without a sort.
ALTER TABLE search_document ADD COLUMN sample_key integer NOT NULL
    GENERATED ALWAYS AS (('x' || left(md5(service_id::text), 8))::bit(32)::integer) STORED;
CREATE INDEX search_document_sample_idx ON search_document (sample_key);
