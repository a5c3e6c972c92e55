-- Message search (DESIGN.md §4.2): a tsvector of tokens made by common/search_tokens.cpp
-- (words, and CJK unigrams/bigrams), stored literally (no text-search parser), with a GIN
-- index; queries are tsquery literals made the same way.
ALTER TABLE messages ADD COLUMN search_vector tsvector;
CREATE INDEX messages_search ON messages USING gin (search_vector) WHERE NOT is_deleted;

-- Chats by recent activity for GET /chats.
CREATE INDEX chats_activity ON chats ((coalesce(last_message_at, created_at)) DESC);
-- Replies and message lookups by id are primary-key reads; history is (chat_id, seq).
CREATE INDEX messages_reply_to ON messages (reply_to_id) WHERE reply_to_id IS NOT NULL;
