DROP TABLE invitations;
ALTER TABLE users DROP COLUMN last_sign_in_at;
ALTER TABLE members DROP COLUMN removed_at, DROP COLUMN disabled_at;
