-- Incidents (#19): the alert's "down" message, edited with the outage's length when the server
-- is back instead of a second, unrelated message. NULL: no open incident message.
ALTER TABLE alerts ADD COLUMN incident_message_id BIGINT;
