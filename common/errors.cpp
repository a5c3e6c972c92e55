#include "errors.hpp"

namespace nt {
namespace {

const ErrorInfo kErrors[] = {
    {Err::kBadRequest, 400, "bad_request", "error.bad_request"},
    {Err::kInvalidJson, 400, "invalid_json", "error.invalid_json"},
    {Err::kValidation, 422, "validation_error", "error.validation"},
    {Err::kUnsupportedMediaType, 415, "unsupported_media_type", "error.unsupported_media_type"},
    {Err::kPayloadTooLarge, 413, "payload_too_large", "error.payload_too_large"},
    {Err::kNotAuthenticated, 401, "not_authenticated", "error.not_authenticated"},
    {Err::kInvalidToken, 401, "invalid_token", "error.invalid_token"},
    {Err::kTokenExpired, 401, "token_expired", "error.token_expired"},
    {Err::kInvalidCredentials, 401, "invalid_credentials", "error.invalid_credentials"},
    {Err::kRefreshTokenReused, 401, "refresh_token_reused", "error.refresh_token_reused"},
    {Err::kSessionRevoked, 401, "session_revoked", "error.session_revoked"},
    {Err::kAccountDisabled, 403, "account_disabled", "error.account_disabled"},
    {Err::kWrongPassword, 403, "wrong_password", "error.wrong_password"},
    {Err::kForbidden, 403, "forbidden", "error.forbidden"},
    {Err::kNotFound, 404, "not_found", "error.not_found"},
    {Err::kMethodNotAllowed, 405, "method_not_allowed", "error.method_not_allowed"},
    {Err::kUsernameTaken, 409, "username_taken", "error.username_taken"},
    {Err::kEmailTaken, 409, "email_taken", "error.email_taken"},
    {Err::kConflict, 409, "conflict", "error.conflict"},
    {Err::kRateLimited, 429, "rate_limited", "error.rate_limited"},
    {Err::kUntrustedHost, 400, "untrusted_host", "error.untrusted_host"},
    {Err::kOriginNotAllowed, 403, "origin_not_allowed", "error.origin_not_allowed"},
    {Err::kServiceUnavailable, 503, "service_unavailable", "error.service_unavailable"},
    {Err::kInvalidImage, 400, "invalid_image", "error.invalid_image"},
    {Err::kFileTypeNotAllowed, 415, "file_type_not_allowed", "error.file_type_not_allowed"},
    {Err::kStorageQuotaExceeded, 413, "storage_quota_exceeded", "error.storage_quota_exceeded"},
    {Err::kStorageUnavailable, 503, "storage_unavailable", "error.storage_unavailable"},
    {Err::kGifProviderNotConfigured, 503, "gif_provider_not_configured",
     "error.gif_provider_not_configured"},
    {Err::kGifProviderUnavailable, 503, "gif_provider_unavailable", "error.gif_provider_unavailable"},
    {Err::kGeofenceLimitReached, 409, "geofence_limit_reached", "error.geofence_limit_reached"},
    {Err::kInternal, 500, "internal_error", "error.internal"},
};
static_assert(sizeof(kErrors) / sizeof(kErrors[0]) == static_cast<size_t>(Err::kCount),
              "every Err needs exactly one row in kErrors");

}  // namespace

const ErrorInfo& error_info(Err e) {
  const auto i = static_cast<size_t>(e);
  return i < static_cast<size_t>(Err::kCount) ? kErrors[i] : kErrors[static_cast<size_t>(Err::kInternal)];
}

void throw_field_error(std::string field, std::string code,
                       std::vector<std::pair<std::string, std::string>> args) {
  throw ApiError(Err::kValidation, {FieldError{std::move(field), std::move(code), std::move(args)}});
}

}  // namespace nt
