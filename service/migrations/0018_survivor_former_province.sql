-- Which province merged away in 2025 a survivor comes from, when the caseworker named it (Sóc Trăng,
-- now part of Cần Thơ): home_province keeps the current code for filters and case codes, and this
-- name lets matching measure distances from the former province's centre instead of the new one's,
-- tens of km away. A coarse place like home_province, so stored plain.
ALTER TABLE survivor ADD COLUMN home_former_province text;
