DROP TABLE notification_reads;
DROP TABLE notification_watermarks;
DROP INDEX events_subject_label_idx;
DROP INDEX events_subject_id_idx;
DROP INDEX events_actor_idx;
DROP INDEX events_created_idx;
