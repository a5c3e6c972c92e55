#include "router.hpp"

#include <algorithm>
#include <string_view>

namespace nt {
namespace {

bool match_pattern(std::string_view pattern, std::string_view path,
                   std::map<std::string, std::string>* params) {
  while (true) {
    if (pattern.empty() || path.empty()) return pattern.empty() && path.empty();
    if (pattern[0] != '/' || path[0] != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const size_t pe = std::min(pattern.find('/'), pattern.size());
    const size_t se = std::min(path.find('/'), path.size());
    const std::string_view pseg = pattern.substr(0, pe);
    const std::string_view seg = path.substr(0, se);
    if (pseg.size() > 2 && pseg.front() == '{' && pseg.back() == '}') {
      if (seg.empty()) return false;
      (*params)[std::string(pseg.substr(1, pseg.size() - 2))] = std::string(seg);
    } else if (pseg != seg) {
      return false;
    }
    pattern.remove_prefix(pe);
    path.remove_prefix(se);
  }
}

}  // namespace

RouteMatch match_route(const std::vector<Route>& routes, const std::string& method,
                       const std::string& path) {
  RouteMatch m;
  const std::string effective = method == "HEAD" ? "GET" : method;
  for (const Route& r : routes) {
    std::map<std::string, std::string> params;
    if (!match_pattern(r.pattern, path, &params)) continue;
    if (effective == r.method && m.route == nullptr) {
      m.route = &r;
      m.params = std::move(params);
    }
    if (std::find(m.allow.begin(), m.allow.end(), r.method) == m.allow.end()) {
      m.allow.emplace_back(r.method);
    }
  }
  if (m.route == nullptr && !m.allow.empty() &&
      std::find(m.allow.begin(), m.allow.end(), "GET") != m.allow.end()) {
    m.allow.emplace_back("HEAD");
  }
  return m;
}

}  // namespace nt
