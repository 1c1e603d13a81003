-- Registers lock optimistically on an integer version, like risks: a form
-- carries the version it was rendered from and a stale save is refused.
ALTER TABLE registers ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);
