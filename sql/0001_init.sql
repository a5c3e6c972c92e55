-- NeruTalk schema: the seed README's tables (same names and columns, timestamps as
-- timestamptz) plus what DESIGN.md §3 adds. Applied by nerutalk-migrate in one transaction.

CREATE OR REPLACE FUNCTION rfc3339(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

CREATE TABLE users (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    username VARCHAR(50) UNIQUE NOT NULL,
    email VARCHAR(255) UNIQUE NOT NULL,
    password_hash VARCHAR(255) NOT NULL,
    display_name VARCHAR(100),
    avatar_url VARCHAR(255),
    bio TEXT,
    is_active BOOLEAN NOT NULL DEFAULT true,
    is_verified BOOLEAN NOT NULL DEFAULT false,
    is_admin BOOLEAN NOT NULL DEFAULT false,
    language VARCHAR(2),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen TIMESTAMPTZ,
    CONSTRAINT users_username_lower CHECK (username = lower(username)),
    CONSTRAINT users_language_known CHECK (language IS NULL OR language IN ('en','id','jp','ko','cn'))
);
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
-- Prefix search on username and display name (GET /users/search).
CREATE INDEX users_username_pattern ON users (username text_pattern_ops);
CREATE INDEX users_display_name_lower_pattern ON users (lower(display_name) text_pattern_ops);

-- One row per refresh-token family (a login on one device). The refresh token carries the
-- family id (sid) and a generation jti; only the current jti is accepted, an older one is a
-- reuse and revokes the family (RFC 9700 §4.14.2).
CREATE TABLE sessions (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    current_jti VARCHAR(64) NOT NULL,
    generation INTEGER NOT NULL DEFAULT 1,
    user_agent VARCHAR(255),
    ip_address VARCHAR(64),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL,
    absolute_expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    revoked_reason VARCHAR(32)
);
CREATE INDEX sessions_user_active ON sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE user_settings (
    user_id UUID PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    show_online_status BOOLEAN NOT NULL DEFAULT true,
    show_last_seen BOOLEAN NOT NULL DEFAULT true,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE user_blocks (
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    blocked_user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, blocked_user_id)
);

CREATE TABLE user_keys (
    user_id UUID PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    public_key TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE chats (
    id BIGSERIAL PRIMARY KEY,
    name VARCHAR(255),
    description TEXT,
    chat_type VARCHAR(20) NOT NULL DEFAULT 'private' CHECK (chat_type IN ('private','group')),
    created_by UUID REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seq BIGINT NOT NULL DEFAULT 0,
    last_message_at TIMESTAMPTZ,
    -- For private chats: the two user ids in order, so get-or-create is one unique lookup.
    private_key VARCHAR(80) UNIQUE
);

CREATE TABLE files (
    id BIGSERIAL PRIMARY KEY,
    uploader_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    chat_id BIGINT REFERENCES chats(id) ON DELETE SET NULL,
    storage_key VARCHAR(512) NOT NULL,
    thumbnail_key VARCHAR(512),
    file_name VARCHAR(255) NOT NULL,
    mime_type VARCHAR(100) NOT NULL,
    media_type VARCHAR(20) NOT NULL,
    file_size BIGINT NOT NULL,
    width INTEGER,
    height INTEGER,
    is_deleted BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX files_uploader ON files (uploader_id, created_at);
CREATE INDEX files_chat ON files (chat_id);

CREATE TABLE messages (
    id BIGSERIAL PRIMARY KEY,
    chat_id BIGINT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    sender_id UUID REFERENCES users(id),
    seq BIGINT NOT NULL,
    content TEXT,
    message_type VARCHAR(20) NOT NULL DEFAULT 'text',
    file_url VARCHAR(255),
    file_name VARCHAR(255),
    file_size INTEGER,
    file_id BIGINT REFERENCES files(id) ON DELETE SET NULL,
    sticker_id BIGINT,
    reply_to_id BIGINT REFERENCES messages(id) ON DELETE SET NULL,
    metadata JSONB,
    client_msg_id VARCHAR(64),
    is_edited BOOLEAN NOT NULL DEFAULT false,
    is_deleted BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (chat_id, seq),
    UNIQUE (sender_id, client_msg_id)
);

CREATE TABLE chat_participants (
    id BIGSERIAL PRIMARY KEY,
    chat_id BIGINT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role VARCHAR(20) NOT NULL DEFAULT 'member' CHECK (role IN ('admin','member')),
    joined_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    left_at TIMESTAMPTZ,
    joined_seq BIGINT NOT NULL DEFAULT 0,
    last_read_seq BIGINT NOT NULL DEFAULT 0,
    last_delivered_seq BIGINT NOT NULL DEFAULT 0,
    UNIQUE (chat_id, user_id)
);
CREATE INDEX chat_participants_user ON chat_participants (user_id) WHERE left_at IS NULL;

CREATE TABLE notifications (
    id BIGSERIAL PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    notification_type VARCHAR(50) NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    data JSONB,
    is_read BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX notifications_user ON notifications (user_id, id DESC);
CREATE INDEX notifications_user_unread ON notifications (user_id) WHERE NOT is_read;

CREATE TABLE video_calls (
    id BIGSERIAL PRIMARY KEY,
    channel_name VARCHAR(255) UNIQUE NOT NULL,
    call_type VARCHAR(20) NOT NULL DEFAULT 'video' CHECK (call_type IN ('video','audio')),
    status VARCHAR(20) NOT NULL DEFAULT 'initiated',
    initiated_by UUID REFERENCES users(id),
    chat_id BIGINT REFERENCES chats(id) ON DELETE SET NULL,
    started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    answered_at TIMESTAMPTZ,
    ended_at TIMESTAMPTZ,
    duration INTEGER
);
CREATE INDEX video_calls_ringing ON video_calls (started_at) WHERE status = 'initiated';

CREATE TABLE call_participants (
    id BIGSERIAL PRIMARY KEY,
    call_id BIGINT NOT NULL REFERENCES video_calls(id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    agora_uid BIGINT,
    status VARCHAR(20) NOT NULL DEFAULT 'invited',
    joined_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    left_at TIMESTAMPTZ,
    UNIQUE (call_id, user_id)
);
CREATE INDEX call_participants_user ON call_participants (user_id, call_id DESC);

CREATE TABLE device_tokens (
    id BIGSERIAL PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token VARCHAR(4096) UNIQUE NOT NULL,
    device_type VARCHAR(20) CHECK (device_type IN ('ios','android','web')),
    device_id VARCHAR(255),
    is_active BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX device_tokens_user ON device_tokens (user_id) WHERE is_active;

CREATE TABLE push_notifications (
    id BIGSERIAL PRIMARY KEY,
    user_id UUID REFERENCES users(id) ON DELETE CASCADE,
    title VARCHAR(255) NOT NULL,
    body TEXT NOT NULL,
    notification_type VARCHAR(50),
    category VARCHAR(50),
    data JSONB,
    is_sent BOOLEAN NOT NULL DEFAULT false,
    fcm_message_id VARCHAR(255),
    error_message TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at TIMESTAMPTZ
);
CREATE INDEX push_notifications_user ON push_notifications (user_id, created_at);

CREATE TABLE notification_templates (
    id BIGSERIAL PRIMARY KEY,
    notification_type VARCHAR(50) NOT NULL,
    language VARCHAR(2) NOT NULL,
    title_template TEXT NOT NULL,
    body_template TEXT NOT NULL,
    UNIQUE (notification_type, language)
);

CREATE TABLE user_locations (
    id BIGSERIAL PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    latitude DECIMAL(10, 7) NOT NULL,
    longitude DECIMAL(10, 7) NOT NULL,
    accuracy DECIMAL(8, 2),
    altitude DECIMAL(10, 2),
    speed DECIMAL(8, 2),
    heading DECIMAL(5, 2),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX user_locations_user_time ON user_locations (user_id, created_at);

CREATE TABLE location_shares (
    id BIGSERIAL PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    target_user_id UUID REFERENCES users(id) ON DELETE CASCADE,
    expires_at TIMESTAMPTZ,
    is_active BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    ended_at TIMESTAMPTZ
);
CREATE INDEX location_shares_user_active ON location_shares (user_id) WHERE is_active;
CREATE INDEX location_shares_target_active ON location_shares (target_user_id) WHERE is_active;

CREATE TABLE geofence_areas (
    id BIGSERIAL PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name VARCHAR(255) NOT NULL,
    center_latitude DECIMAL(10, 7) NOT NULL,
    center_longitude DECIMAL(10, 7) NOT NULL,
    radius_meters INTEGER NOT NULL,
    notify_on_entry BOOLEAN NOT NULL DEFAULT true,
    notify_on_exit BOOLEAN NOT NULL DEFAULT true,
    is_active BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX geofence_areas_user ON geofence_areas (user_id) WHERE is_active;

CREATE TABLE geofence_states (
    geofence_id BIGINT NOT NULL REFERENCES geofence_areas(id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    is_inside BOOLEAN NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (geofence_id, user_id)
);

CREATE TABLE geofence_events (
    id BIGSERIAL PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    geofence_id BIGINT REFERENCES geofence_areas(id) ON DELETE CASCADE,
    event_type VARCHAR(20) NOT NULL CHECK (event_type IN ('entry','exit')),
    latitude DECIMAL(10, 7),
    longitude DECIMAL(10, 7),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX geofence_events_user ON geofence_events (user_id, id DESC);
