#include "error_json.hpp"

#include "i18n.hpp"

namespace nt {

Json field_errors_json(const ApiError& e, const std::string& lang) {
  if (e.fields().empty()) return Json();
  Json errors = Json::array();
  for (const FieldError& f : e.fields()) {
    errors.append(Json::object()
                      .set("field", f.field)
                      .set("code", f.code)
                      .set("message", tr_args("field." + f.code, lang, f.args)));
  }
  return errors;
}

}  // namespace nt
