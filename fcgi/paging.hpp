// limit/offset query parameters per DESIGN.md §2: limit defaults to 50 and is capped at 100;
// a non-numeric or negative value is a 422.
#pragma once

#include <cstdint>

#include "http.hpp"

namespace nt {

struct Paging {
  int64_t limit = 50;
  int64_t offset = 0;
};

Paging read_paging(const Request& req);

}  // namespace nt
