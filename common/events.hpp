// The shared schema between the API and the realtime daemon: Redis key and channel names and
// the event envelopes. Both sides build and read events only through these functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "json.hpp"

namespace nt {

// Keys (DESIGN.md §6).
std::string key_ws_ticket(std::string_view ticket);
std::string key_revoked_session(std::string_view session_id);
std::string key_user_status(std::string_view user_id);
std::string key_presence(std::string_view user_id);
std::string key_rate_limit(std::string_view scope, std::string_view subject);

// Pub/sub channels.
std::string user_channel(std::string_view user_id);
std::string chat_channel(int64_t chat_id);
inline constexpr const char* kChannelPrefixUser = "nerutalk:user:";
inline constexpr const char* kChannelPrefixChat = "nerutalk:chat:";

// Event types carried on the bus and to clients.
namespace ev {
inline constexpr const char* kSessionRevoked = "session_revoked";
inline constexpr const char* kConnected = "connected";
inline constexpr const char* kPong = "pong";
inline constexpr const char* kAck = "ack";
inline constexpr const char* kError = "error";
inline constexpr const char* kResyncRequired = "resync_required";
}  // namespace ev

// A bus message: {"type": type, "data": data}. What daemons forward or act on.
std::string bus_message(std::string_view type, const Json& data);

// The client envelope: {"type", "data", "timestamp", "language"} (seed format).
std::string client_envelope(std::string_view type, const Json& data, std::string_view language);

}  // namespace nt
