// The one route table: every path the API serves, in one readable list. Paths are written as
// in the OpenAPI document (docs/openapi.json); a unit test checks the two agree.
#include "handlers/handlers.hpp"
#include "router.hpp"

namespace nt {

using namespace handlers;

const std::vector<Route>& route_table() {
  static const std::vector<Route> kRoutes = {
      // System
      {"GET", "/health", health, Auth::kNone, "Liveness"},
      {"GET", "/health/ready", health_ready, Auth::kNone, "Readiness (Postgres and Redis)"},
      {"GET", "/api/v1/health", health, Auth::kNone, "Liveness"},
      {"GET", "/api/v1/health/ready", health_ready, Auth::kNone, "Readiness"},
      {"GET", "/api/v1/openapi.json", openapi, Auth::kNone, "This API's OpenAPI document"},
      // Accounts
      {"POST", "/api/v1/register", register_user, Auth::kNone, "Create an account"},
      {"POST", "/api/v1/login", login, Auth::kNone, "Sign in"},
      {"POST", "/api/v1/refresh-token", refresh_token, Auth::kNone, "Rotate the refresh token"},
      {"POST", "/api/v1/logout", logout, Auth::kRequired, "Sign out this session"},
      {"GET", "/api/v1/profile", get_profile, Auth::kRequired, "Own profile"},
      {"PUT", "/api/v1/profile", update_profile, Auth::kRequired, "Update own profile"},
      {"POST", "/api/v1/change-password", change_password, Auth::kRequired, "Change password"},
      {"GET", "/api/v1/users/search", search_users, Auth::kRequired, "Search users"},
      {"GET", "/api/v1/users/{user_id}", get_user, Auth::kRequired, "Public profile"},
      {"POST", "/api/v1/ws-ticket", ws_ticket, Auth::kRequired, "Single-use WebSocket ticket"},
      // Chats and messages
      {"GET", "/api/v1/chats", list_chats, Auth::kRequired, "My chats, most recent first"},
      {"POST", "/api/v1/chats", create_chat, Auth::kRequired, "Create a chat"},
      {"GET", "/api/v1/chats/{chat_id}", get_chat, Auth::kRequired, "Chat detail"},
      {"PUT", "/api/v1/chats/{chat_id}", update_chat, Auth::kRequired, "Update a group"},
      {"POST", "/api/v1/chats/{chat_id}/participants", add_participants, Auth::kRequired,
       "Add participants"},
      {"DELETE", "/api/v1/chats/{chat_id}/participants/{user_id}", remove_participant,
       Auth::kRequired, "Remove a participant or leave"},
      {"POST", "/api/v1/chats/{chat_id}/messages", send_message, Auth::kRequired, "Send a message"},
      {"GET", "/api/v1/chats/{chat_id}/messages", list_messages, Auth::kRequired, "Message history"},
      {"GET", "/api/v1/messages/unread/count", unread_count, Auth::kRequired, "Unread counts"},
      {"GET", "/api/v1/messages/search", search_messages, Auth::kRequired, "Search messages"},
      {"PUT", "/api/v1/messages/{message_id}/read", read_message, Auth::kRequired,
       "Move my read pointer"},
      {"PUT", "/api/v1/messages/{message_id}", edit_message, Auth::kRequired, "Edit a message"},
      {"DELETE", "/api/v1/messages/{message_id}", delete_message, Auth::kRequired,
       "Delete a message"},
      // Location
      {"POST", "/api/v1/location/update", update_location, Auth::kRequired, "Report my position"},
      {"GET", "/api/v1/location/current", my_location, Auth::kRequired, "My current position"},
      {"GET", "/api/v1/location/current/{user_id}", user_location, Auth::kRequired,
       "Someone's current position (while they share it with me)"},
      {"GET", "/api/v1/location/history", my_location_history, Auth::kRequired, "My location history"},
      {"GET", "/api/v1/location/history/{user_id}", user_location_history, Auth::kRequired,
       "Someone's location history since they share it with me"},
      {"POST", "/api/v1/location/shares", create_location_share, Auth::kRequired,
       "Share my location"},
      {"GET", "/api/v1/location/shares", list_location_shares, Auth::kRequired,
       "Active shares, mine and with me"},
      {"PUT", "/api/v1/location/shares/{share_id}", update_location_share, Auth::kRequired,
       "Change a share's duration"},
      {"DELETE", "/api/v1/location/shares/{share_id}", delete_location_share, Auth::kRequired,
       "Stop a share"},
      // Location: geofences (events before {geofence_id}: the first match wins)
      {"POST", "/api/v1/location/geofences", create_geofence, Auth::kRequired, "Create a geofence"},
      {"GET", "/api/v1/location/geofences", list_geofences, Auth::kRequired, "My geofences"},
      {"GET", "/api/v1/location/geofences/events", list_geofence_events, Auth::kRequired,
       "My geofence entries and exits"},
      {"GET", "/api/v1/location/geofences/{geofence_id}", get_geofence, Auth::kRequired,
       "One of my geofences"},
      {"PUT", "/api/v1/location/geofences/{geofence_id}", update_geofence, Auth::kRequired,
       "Change a geofence"},
      {"DELETE", "/api/v1/location/geofences/{geofence_id}", delete_geofence, Auth::kRequired,
       "Delete a geofence"},
      {"GET", "/api/v1/location/nearby", nearby_users, Auth::kRequired,
       "Users near me who share their location with me"},
      {"GET", "/api/v1/location/stats", location_stats, Auth::kRequired, "My location statistics"},
      // Calls
      {"POST", "/api/v1/video-calls/initiate", initiate_call, Auth::kRequired, "Start a call"},
      {"GET", "/api/v1/video-calls/history", call_history, Auth::kRequired, "My calls"},
      {"GET", "/api/v1/video-calls/stats", call_stats, Auth::kRequired, "My call statistics"},
      {"GET", "/api/v1/video-calls/{call_id}", get_call, Auth::kRequired, "One call"},
      {"POST", "/api/v1/video-calls/{call_id}/answer", answer_call, Auth::kRequired, "Answer"},
      {"POST", "/api/v1/video-calls/{call_id}/decline", decline_call, Auth::kRequired, "Decline"},
      {"POST", "/api/v1/video-calls/{call_id}/end", end_call, Auth::kRequired, "Hang up"},
      {"POST", "/api/v1/video-calls/{call_id}/join", join_call, Auth::kRequired,
       "Join a running call again"},
      {"POST", "/api/v1/video-calls/{call_id}/leave", leave_call, Auth::kRequired,
       "Leave a running call"},
      {"POST", "/api/v1/video-calls/{call_id}/participants", invite_to_call, Auth::kRequired,
       "Invite someone into a running call"},
      // Files and media
      {"POST", "/api/v1/files/upload", upload_file, Auth::kRequired, "Upload a file"},
      {"GET", "/api/v1/files/{file_id}", get_file, Auth::kRequired, "Download a file"},
      {"DELETE", "/api/v1/files/{file_id}", delete_file, Auth::kRequired, "Delete own upload"},
      {"GET", "/api/v1/files/{file_id}/thumbnail", get_file_thumbnail, Auth::kRequired,
       "A file's JPEG thumbnail"},
      {"POST", "/api/v1/upload-avatar", upload_avatar, Auth::kRequired, "Set own avatar"},
      {"GET", "/api/v1/users/{user_id}/avatar", get_avatar, Auth::kRequired, "A user's avatar"},
      {"GET", "/api/v1/users/{user_id}/avatar/thumbnail", get_avatar_thumbnail, Auth::kRequired,
       "A user's avatar thumbnail"},
      {"GET", "/api/v1/media/stickers", list_stickers, Auth::kRequired, "Sticker packs"},
      {"GET", "/api/v1/media/stickers/{sticker_id}/image", get_sticker_image, Auth::kRequired,
       "A sticker's image"},
      // Notifications
      {"GET", "/api/v1/notifications", list_notifications, Auth::kRequired, "In-app notifications"},
      {"GET", "/api/v1/notifications/count", notification_count, Auth::kRequired, "Unread count"},
      {"POST", "/api/v1/notifications/read-all", read_all_notifications, Auth::kRequired,
       "Mark all read"},
      {"POST", "/api/v1/notifications/{notification_id}/read", read_notification, Auth::kRequired,
       "Mark one read"},
      // Push notifications
      {"POST", "/api/v1/push-notifications/device-tokens", register_device_token, Auth::kRequired,
       "Register a device token"},
      {"GET", "/api/v1/push-notifications/device-tokens", list_device_tokens, Auth::kRequired,
       "My device tokens"},
      {"PUT", "/api/v1/push-notifications/device-tokens/{token_id}", update_device_token,
       Auth::kRequired, "Update one of my device tokens"},
      {"DELETE", "/api/v1/push-notifications/device-tokens/{token_id}", delete_device_token,
       Auth::kRequired, "Remove one of my device tokens"},
      {"POST", "/api/v1/push-notifications/send", send_push, Auth::kRequired,
       "Send a push to users (admins)"},
      {"POST", "/api/v1/push-notifications/broadcast", broadcast_push, Auth::kRequired,
       "Send a push to everyone (admins)"},
      {"GET", "/api/v1/push-notifications/stats", push_stats, Auth::kRequired, "Push delivery stats"},
      // GIFs (GIPHY)
      {"GET", "/api/v1/media/gifs/search", gif_search, Auth::kRequired, "Search GIFs"},
      {"GET", "/api/v1/media/gifs/trending", gif_trending, Auth::kRequired, "Trending GIFs"},
      // Languages
      {"GET", "/api/v1/languages", languages, Auth::kOptional, "Supported languages"},
      {"GET", "/api/v1/language/current", language_current, Auth::kOptional, "Request language"},
      {"GET", "/api/v1/language/test", language_test, Auth::kOptional, "Sample translations"},
      // Internal (reachable only through nginx's auth_request for /ws)
      {"GET", "/internal/ws-auth", ws_auth, Auth::kNone, "WebSocket handshake check"},
  };
  return kRoutes;
}

}  // namespace nt
