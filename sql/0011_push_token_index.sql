-- Deleting a device token (DELETE /push/device-tokens/{id}) sets device_token_id to NULL in
-- every push_notifications row that names it (ON DELETE SET NULL). 0005's index covered only
-- pending rows, so Postgres scanned the whole table for the sent and failed ones, and no query
-- used that partial index otherwise (a token that moves to another account is refused by the
-- senders' claim, not by an update through it). One index over every row serves the cascade.
DROP INDEX push_notifications_token_pending;
CREATE INDEX push_notifications_device_token ON push_notifications (device_token_id);
