// The one error table: every error a client can see has a code here, mapped to an HTTP status,
// a stable snake_case string and an i18n key. Handlers throw ApiError; one catch site per door
// (the FastCGI worker, the WebSocket dispatcher) turns it into the JSON error body.
#pragma once

#include <exception>
#include <string>
#include <utility>
#include <vector>

namespace nt {

enum class Err {
  kBadRequest,
  kInvalidJson,
  kValidation,
  kUnsupportedMediaType,
  kPayloadTooLarge,
  kNotAuthenticated,
  kInvalidToken,
  kTokenExpired,
  kInvalidCredentials,
  kRefreshTokenReused,
  kSessionRevoked,
  kAccountDisabled,
  kWrongPassword,
  kForbidden,
  kNotFound,
  kMethodNotAllowed,
  kUsernameTaken,
  kEmailTaken,
  kConflict,
  kRateLimited,
  kUntrustedHost,
  kOriginNotAllowed,
  kServiceUnavailable,
  kInvalidImage,
  kFileTypeNotAllowed,
  kStorageQuotaExceeded,
  kStorageUnavailable,
  kGifProviderNotConfigured,
  kGifProviderUnavailable,
  kGeofenceLimitReached,
  kInternal,
  kCount
};

struct ErrorInfo {
  Err err;
  int status;
  const char* code;      // stable, part of the API
  const char* i18n_key;  // message shown to the user
};

// The row for an error; never fails.
const ErrorInfo& error_info(Err e);

// One invalid field of a 422: field name, stable code and named arguments for the message.
struct FieldError {
  std::string field;
  std::string code;
  std::vector<std::pair<std::string, std::string>> args;
};

class ApiError : public std::exception {
 public:
  explicit ApiError(Err e, std::string log_detail = {}) : err_(e), log_(std::move(log_detail)) {}
  ApiError(Err e, std::vector<FieldError> fields) : err_(e), fields_(std::move(fields)) {}

  Err err() const { return err_; }
  const std::vector<FieldError>& fields() const { return fields_; }
  // What the operator's log gets; never sent to the client.
  const std::string& log_detail() const { return log_; }
  const char* what() const noexcept override { return error_info(err_).code; }

  int retry_after = 0;               // seconds, for 429/503
  std::vector<std::string> allow;    // methods, for 405

 private:
  Err err_;
  std::vector<FieldError> fields_;
  std::string log_;
};

// Throws a 422 for one field.
[[noreturn]] void throw_field_error(std::string field, std::string code,
                                    std::vector<std::pair<std::string, std::string>> args = {});

}  // namespace nt
