#include "error_json.hpp"
#include "storage.hpp"

#include "i18n.hpp"
#include "pg.hpp"
#include "redis.hpp"

namespace nt {

namespace {

ApiError unavailable(std::string detail, int retry_after) {
  ApiError e(Err::kServiceUnavailable, std::move(detail));
  e.retry_after = retry_after;
  return e;
}

ApiError from_db_error(const DbError& e) {
  const std::string& s = e.sqlstate();
  const std::string detail = "sqlstate " + s + ": " + e.what();
  if (s == "23505") return ApiError(Err::kConflict, detail);
  if (s == "40001" || s == "40P01" || s == "57014" || s == "55P03" || s == "53300") {
    return unavailable(detail, 1);
  }
  if (s == "22P02" || s == "22003" || s == "22021") return ApiError(Err::kBadRequest, detail);
  return ApiError(Err::kInternal, detail);
}

}  // namespace

ApiError current_exception_as_api_error() {
  try {
    throw;
  } catch (const ApiError& e) {
    return e;
  } catch (const DbUnavailable& e) {
    return unavailable(e.what(), 2);
  } catch (const RedisUnavailable& e) {
    return unavailable(e.what(), 2);
  } catch (const StorageError& e) {
    ApiError out(Err::kStorageUnavailable, std::string("storage: ") + e.what());
    out.retry_after = 2;
    return out;
  } catch (const DbError& e) {
    return from_db_error(e);
  } catch (const std::exception& e) {
    return ApiError(Err::kInternal, std::string("unexpected: ") + e.what());
  } catch (...) {
    return ApiError(Err::kInternal, "unexpected non-standard exception");
  }
}

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
