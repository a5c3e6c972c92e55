// limit/offset query parameters per DESIGN.md §2: limit defaults to 50 and is capped at 100;
// a non-numeric or negative value is a 422.
#pragma once

#include <cstdint>
#include <optional>

#include "ctx.hpp"
#include "http.hpp"

namespace nt {

struct Paging {
  int64_t limit = 50;
  int64_t offset = 0;
};

Paging read_paging(const Request& req);

// ?before_id= / ?after_id= of a cursor-paged list (messages, geofence events): positive ids,
// at most one of them (422 invalid_format / out_of_range / only_one_of otherwise).
struct IdCursor {
  std::optional<int64_t> before_id;
  std::optional<int64_t> after_id;
};
IdCursor read_id_cursor(const Ctx& ctx);

}  // namespace nt
