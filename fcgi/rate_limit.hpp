// Fixed-window counters in Redis shared by every worker process: INCR + EXPIRE NX in one
// round trip. Used for login and registration, which fail closed (503) when Redis is down.
#pragma once

#include <string>

#include "ctx.hpp"

namespace nt {

// Counts one hit on `key`; throws ApiError 429 with Retry-After when the count passes `limit`
// within `window_s`. Throws RedisUnavailable (→ 503) when Redis cannot be reached.
void rate_limit_hit(Ctx& ctx, const std::string& key, int64_t limit, int64_t window_s);

// Throws 429 if `key` is already at `limit` (counted elsewhere by rate_limit_hit/record).
void rate_limit_check(Ctx& ctx, const std::string& key, int64_t limit);

// Counts one hit without checking (e.g. a failed password for the per-account counter).
void rate_limit_record(Ctx& ctx, const std::string& key, int64_t window_s);

}  // namespace nt
