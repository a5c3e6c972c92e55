-- Push notifications (issue 5, DESIGN.md §4.5): one push_notifications row per device token
-- that a push goes to, delivered by the background jobs from the Redis Stream
-- nerutalk:push_jobs (common/push_service.hpp, common/push_delivery.hpp). Postgres is the
-- truth: a row is 'pending' until FCM accepted it ('sent') or it cannot be sent ('failed');
-- the stream only says "look at row N now", and rows that lost their stream entry are queued
-- again by the re-queue job.

ALTER TABLE push_notifications
    ADD COLUMN device_token_id BIGINT REFERENCES device_tokens(id) ON DELETE SET NULL,
    -- Copied from the token at queue time: stats by device type outlive a deleted token.
    ADD COLUMN device_type VARCHAR(20),
    ADD COLUMN priority VARCHAR(10) NOT NULL DEFAULT 'normal' CHECK (priority IN ('normal','high')),
    ADD COLUMN state VARCHAR(10) NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending','sent','failed')),
    -- Send attempts so far (a claim counts one).
    ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0,
    -- No attempt before this time: the lease of the sender that claimed the row, or the
    -- backoff after a retryable failure. NULL: due now.
    ADD COLUMN next_attempt_at TIMESTAMPTZ,
    -- When the row last got a stream entry (NULL: it has none and waits for next_attempt_at).
    ADD COLUMN queued_at TIMESTAMPTZ;

-- Rows sent or failed before this migration (none in practice) keep their meaning.
UPDATE push_notifications SET state = CASE WHEN is_sent THEN 'sent' ELSE 'failed' END;

-- The re-queue job: retries that are due, and rows whose stream entry may be lost.
CREATE INDEX push_notifications_retry_due ON push_notifications (next_attempt_at)
    WHERE state = 'pending' AND queued_at IS NULL;
CREATE INDEX push_notifications_queued ON push_notifications (queued_at)
    WHERE state = 'pending';
-- Pending rows of a token that moves to another account are failed (never sent to them).
CREATE INDEX push_notifications_token_pending ON push_notifications (device_token_id)
    WHERE state = 'pending';
-- Oldest-first trimming of a user's active tokens (PUSH_MAX_DEVICE_TOKENS).
CREATE INDEX device_tokens_user_last_used ON device_tokens (user_id, last_used) WHERE is_active;

-- Texts per type and language; {name} is a placeholder (common/push_templates.hpp). One row
-- per line: tests/unit/push_templates_test.cpp reads these lines to check the seed.
INSERT INTO notification_templates (notification_type, language, title_template, body_template)
VALUES
    ('new_message', 'en', 'New message from {sender}', '{preview}'),
    ('new_message', 'id', 'Pesan baru dari {sender}', '{preview}'),
    ('new_message', 'jp', '{sender}さんから新しいメッセージ', '{preview}'),
    ('new_message', 'ko', '{sender}님의 새 메시지', '{preview}'),
    ('new_message', 'cn', '来自{sender}的新消息', '{preview}'),
    ('new_group_message', 'en', '{sender} in {chat}', '{preview}'),
    ('new_group_message', 'id', '{sender} di {chat}', '{preview}'),
    ('new_group_message', 'jp', '{chat}の{sender}さん', '{preview}'),
    ('new_group_message', 'ko', '{chat}의 {sender}님', '{preview}'),
    ('new_group_message', 'cn', '{chat}中的{sender}', '{preview}'),
    ('mention', 'en', '{sender} mentioned you in {chat}', '{preview}'),
    ('mention', 'id', '{sender} menyebut Anda di {chat}', '{preview}'),
    ('mention', 'jp', '{sender}さんが{chat}であなたをメンションしました', '{preview}'),
    ('mention', 'ko', '{sender}님이 {chat}에서 회원님을 언급했습니다', '{preview}'),
    ('mention', 'cn', '{sender}在{chat}中提到了你', '{preview}'),
    ('incoming_call', 'en', 'Incoming {call_type} call', '{caller} is calling you'),
    ('incoming_call', 'id', 'Panggilan {call_type} masuk', '{caller} sedang menelepon Anda'),
    ('incoming_call', 'jp', '{call_type}の着信', '{caller}さんからの着信です'),
    ('incoming_call', 'ko', '{call_type} 수신', '{caller}님이 전화를 걸고 있습니다'),
    ('incoming_call', 'cn', '{call_type}来电', '{caller}正在呼叫你'),
    ('missed_call', 'en', 'Missed {call_type} call', 'You missed a call from {caller}'),
    ('missed_call', 'id', 'Panggilan {call_type} tak terjawab', 'Anda melewatkan panggilan dari {caller}'),
    ('missed_call', 'jp', '{call_type}の不在着信', '{caller}さんからの不在着信があります'),
    ('missed_call', 'ko', '부재중 {call_type}', '{caller}님의 부재중 전화가 있습니다'),
    ('missed_call', 'cn', '未接{call_type}', '你错过了{caller}的来电'),
    ('geofence_entry', 'en', 'Arrived: {geofence}', 'You have entered {geofence}.'),
    ('geofence_entry', 'id', 'Tiba: {geofence}', 'Anda telah memasuki {geofence}.'),
    ('geofence_entry', 'jp', '到着: {geofence}', '{geofence}に入りました。'),
    ('geofence_entry', 'ko', '도착: {geofence}', '{geofence}에 들어왔습니다.'),
    ('geofence_entry', 'cn', '到达：{geofence}', '你已进入{geofence}。'),
    ('geofence_exit', 'en', 'Left: {geofence}', 'You have left {geofence}.'),
    ('geofence_exit', 'id', 'Keluar: {geofence}', 'Anda telah meninggalkan {geofence}.'),
    ('geofence_exit', 'jp', '出発: {geofence}', '{geofence}を出ました。'),
    ('geofence_exit', 'ko', '출발: {geofence}', '{geofence}에서 나왔습니다.'),
    ('geofence_exit', 'cn', '离开：{geofence}', '你已离开{geofence}。'),
    ('location_share', 'en', '{sharer} shared their location', 'Tap to see where {sharer} is.'),
    ('location_share', 'id', '{sharer} membagikan lokasinya', 'Ketuk untuk melihat lokasi {sharer}.'),
    ('location_share', 'jp', '{sharer}さんが位置情報を共有しました', 'タップして{sharer}さんの現在地を表示'),
    ('location_share', 'ko', '{sharer}님이 위치를 공유했습니다', '탭하여 {sharer}님의 위치를 확인하세요.'),
    ('location_share', 'cn', '{sharer}与你共享了位置', '点击查看{sharer}的位置。'),
    ('admin', 'en', '{title}', '{body}'),
    ('admin', 'id', '{title}', '{body}'),
    ('admin', 'jp', '{title}', '{body}'),
    ('admin', 'ko', '{title}', '{body}'),
    ('admin', 'cn', '{title}', '{body}'),
    ('broadcast', 'en', '{title}', '{body}'),
    ('broadcast', 'id', '{title}', '{body}'),
    ('broadcast', 'jp', '{title}', '{body}'),
    ('broadcast', 'ko', '{title}', '{body}'),
    ('broadcast', 'cn', '{title}', '{body}')
ON CONFLICT (notification_type, language) DO NOTHING;
