-- The coordinators' verification queue reads listings never verified first, then the oldest.
CREATE INDEX service_verification_idx ON service (last_verified_at NULLS FIRST, updated_at, id);
