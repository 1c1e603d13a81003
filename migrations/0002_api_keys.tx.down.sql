ALTER TABLE events DROP CONSTRAINT IF EXISTS events_actor_api_key_fkey;
DROP TABLE IF EXISTS api_keys;
