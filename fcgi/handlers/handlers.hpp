// Every REST handler; routes.cpp maps paths to them. Handlers are thin: read input, call the
// domain functions, shape the response. They throw ApiError for every failure.
#pragma once

#include "ctx.hpp"

namespace nt::handlers {

// accounts.cpp
Response register_user(Ctx& ctx);
Response login(Ctx& ctx);
Response refresh_token(Ctx& ctx);
Response logout(Ctx& ctx);
Response change_password(Ctx& ctx);
Response ws_ticket(Ctx& ctx);

// profile.cpp
Response get_profile(Ctx& ctx);
Response update_profile(Ctx& ctx);
Response get_user(Ctx& ctx);
Response search_users(Ctx& ctx);

// chats.cpp
Response list_chats(Ctx& ctx);
Response create_chat(Ctx& ctx);
Response get_chat(Ctx& ctx);
Response update_chat(Ctx& ctx);
Response add_participants(Ctx& ctx);
Response remove_participant(Ctx& ctx);

// messages.cpp
Response send_message(Ctx& ctx);
Response list_messages(Ctx& ctx);
Response read_message(Ctx& ctx);
Response edit_message(Ctx& ctx);
Response delete_message(Ctx& ctx);
Response unread_count(Ctx& ctx);
Response search_messages(Ctx& ctx);

// notifications.cpp
Response list_notifications(Ctx& ctx);
Response notification_count(Ctx& ctx);
Response read_notification(Ctx& ctx);
Response read_all_notifications(Ctx& ctx);

// calls.cpp
Response initiate_call(Ctx& ctx);
Response answer_call(Ctx& ctx);
Response decline_call(Ctx& ctx);
Response end_call(Ctx& ctx);
Response join_call(Ctx& ctx);
Response leave_call(Ctx& ctx);
Response invite_to_call(Ctx& ctx);
Response get_call(Ctx& ctx);
Response call_history(Ctx& ctx);
Response call_stats(Ctx& ctx);

// location.cpp
Response update_location(Ctx& ctx);
Response my_location(Ctx& ctx);
Response user_location(Ctx& ctx);
Response my_location_history(Ctx& ctx);
Response user_location_history(Ctx& ctx);
Response create_location_share(Ctx& ctx);
Response list_location_shares(Ctx& ctx);
Response update_location_share(Ctx& ctx);
Response delete_location_share(Ctx& ctx);
Response nearby_users(Ctx& ctx);
Response location_stats(Ctx& ctx);

// geofences.cpp
Response create_geofence(Ctx& ctx);
Response list_geofences(Ctx& ctx);
Response list_geofence_events(Ctx& ctx);
Response get_geofence(Ctx& ctx);
Response update_geofence(Ctx& ctx);
Response delete_geofence(Ctx& ctx);

// files.cpp
Response upload_file(Ctx& ctx);
Response get_file(Ctx& ctx);
Response get_file_thumbnail(Ctx& ctx);
Response delete_file(Ctx& ctx);
Response upload_avatar(Ctx& ctx);
Response get_avatar(Ctx& ctx);
Response get_avatar_thumbnail(Ctx& ctx);
Response list_stickers(Ctx& ctx);
Response get_sticker_image(Ctx& ctx);

// media_gifs.cpp
Response gif_search(Ctx& ctx);
Response gif_trending(Ctx& ctx);

// push.cpp
Response register_device_token(Ctx& ctx);
Response list_device_tokens(Ctx& ctx);
Response update_device_token(Ctx& ctx);
Response delete_device_token(Ctx& ctx);
Response send_push(Ctx& ctx);
Response broadcast_push(Ctx& ctx);
Response push_stats(Ctx& ctx);

// system.cpp
Response health(Ctx& ctx);
Response health_ready(Ctx& ctx);
Response languages(Ctx& ctx);
Response language_current(Ctx& ctx);
Response language_test(Ctx& ctx);
Response openapi(Ctx& ctx);

// ws_auth.cpp (internal: nginx auth_request for /ws)
Response ws_auth(Ctx& ctx);

}  // namespace nt::handlers
