DROP TABLE IF EXISTS member_preferences;
