#include "rate_limit.hpp"

#include "errors.hpp"

namespace nt {
namespace {

[[noreturn]] void throw_limited(Ctx& ctx, const std::string& key) {
  RedisReplyPtr ttl = ctx.redis.command({"TTL", key});
  ApiError e(Err::kRateLimited, "rate limit " + key);
  e.retry_after = ttl->type == REDIS_REPLY_INTEGER && ttl->integer > 0
                      ? static_cast<int>(ttl->integer)
                      : 1;
  throw e;
}

}  // namespace

void rate_limit_hit(Ctx& ctx, const std::string& key, int64_t limit, int64_t window_s) {
  auto replies = ctx.redis.pipeline(
      {{"INCR", key}, {"EXPIRE", key, std::to_string(window_s), "NX"}});
  if (replies[0]->type != REDIS_REPLY_INTEGER) throw RedisUnavailable("INCR failed");
  if (replies[0]->integer > limit) throw_limited(ctx, key);
}

void rate_limit_check(Ctx& ctx, const std::string& key, int64_t limit) {
  RedisReplyPtr r = ctx.redis.command({"GET", key});
  if (r->type == REDIS_REPLY_ERROR) throw RedisUnavailable("GET failed");
  if (r->type == REDIS_REPLY_STRING && std::stoll(std::string(r->str, r->len)) >= limit) {
    throw_limited(ctx, key);
  }
}

void rate_limit_record(Ctx& ctx, const std::string& key, int64_t window_s) {
  ctx.redis.pipeline({{"INCR", key}, {"EXPIRE", key, std::to_string(window_s), "NX"}});
}

}  // namespace nt
