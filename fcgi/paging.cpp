#include "paging.hpp"

#include <cerrno>
#include <cstdlib>
#include <vector>

#include "errors.hpp"

namespace nt {

Paging read_paging(const Request& req) {
  Paging p;
  std::vector<FieldError> errors;
  const auto parse = [&](const char* name, int64_t* out, int64_t max) {
    const auto v = query_param(req.query, name);
    if (!v) return;
    char* end = nullptr;
    errno = 0;
    const long long n = std::strtoll(v->c_str(), &end, 10);
    if (v->empty() || *end != '\0' || errno != 0 || n < 0) {
      errors.push_back({name, "invalid_format", {}});
      return;
    }
    *out = n < max ? n : max;
  };
  parse("limit", &p.limit, 100);
  parse("offset", &p.offset, 1000000);
  if (!errors.empty()) throw ApiError(Err::kValidation, errors);
  return p;
}

IdCursor read_id_cursor(const Ctx& ctx) {
  IdCursor c{ctx.int_query("before_id", 1, INT64_MAX), ctx.int_query("after_id", 1, INT64_MAX)};
  if (c.before_id && c.after_id) {
    throw_field_error("after_id", "only_one_of", {{"fields", "before_id, after_id"}});
  }
  return c;
}

}  // namespace nt
