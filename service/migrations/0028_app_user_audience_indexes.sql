-- Issue 16: who is told about a record is found per event (service/auth/audience.py), in the
-- transaction of the step that causes it. Without these indexes each lookup read every account
-- (10,000 on the bench: 3.3 ms a lookup, a referral step at 0.45 × the throughput of one that
-- tells nobody); with them each scope's branch reads only its organization's or role's accounts.
CREATE INDEX app_user_organization ON app_user (organization_id) WHERE active;
CREATE INDEX app_user_role ON app_user (role) WHERE active;
