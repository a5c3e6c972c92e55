-- Files, avatars, stickers and storage bookkeeping (issue 4, DESIGN.md §4.4).

-- Bytes of live uploads per user, checked against USER_STORAGE_QUOTA_BYTES in the upload
-- transaction and given back on delete.
ALTER TABLE users ADD COLUMN storage_used_bytes BIGINT NOT NULL DEFAULT 0
    CHECK (storage_used_bytes >= 0);

-- Blobs that may exist in storage without a live files row: written by an upload that has not
-- committed yet (due when the upload should long have finished) or left by a delete (due at
-- once). The storage GC job removes the keys of due rows, gives back `refund_bytes` of quota
-- and deletes the row; an upload that commits deletes its own row in the same transaction.
CREATE TABLE storage_intents (
    id BIGSERIAL PRIMARY KEY,
    user_id UUID,
    keys TEXT[] NOT NULL,
    refund_bytes BIGINT NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX storage_intents_due ON storage_intents (due_at);

-- Access through messages ("a member of a chat where the file was sent") and the temp-upload
-- expiry both look files up from messages.
CREATE INDEX messages_file ON messages (file_id) WHERE file_id IS NOT NULL;
-- Uploads never tied to a chat expire after TEMP_FILE_TTL_HOURS unless a message uses them.
CREATE INDEX files_temp ON files (created_at) WHERE chat_id IS NULL AND NOT is_deleted;

CREATE TABLE sticker_packs (
    id BIGINT PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    description VARCHAR(255),
    author VARCHAR(100),
    sort_order INTEGER NOT NULL DEFAULT 0,
    is_active BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE stickers (
    id BIGINT PRIMARY KEY,
    pack_id BIGINT NOT NULL REFERENCES sticker_packs(id) ON DELETE CASCADE,
    name VARCHAR(100) NOT NULL,
    emoji VARCHAR(16),
    storage_key VARCHAR(512) NOT NULL,
    mime_type VARCHAR(100) NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX stickers_pack ON stickers (pack_id, sort_order);

-- New messages may only name stickers that exist (older rows are not re-checked).
ALTER TABLE messages ADD CONSTRAINT messages_sticker_fk FOREIGN KEY (sticker_id)
    REFERENCES stickers(id) ON DELETE SET NULL NOT VALID;
