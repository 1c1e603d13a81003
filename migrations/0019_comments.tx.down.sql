DROP TABLE risk_comments;
