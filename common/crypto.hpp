// Small crypto helpers on OpenSSL: strict base64url (unpadded) and base64 (padded), HMAC-SHA256,
// SHA-256, constant-time comparison and CSPRNG output. All functions are thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nt {

std::string base64url_encode(std::string_view bytes);
// Strict decoding: only [A-Za-z0-9_-], no padding, no whitespace; nullopt otherwise.
std::optional<std::string> base64url_decode(std::string_view text);
// Standard alphabet (+/) with '=' padding and no line breaks.
std::string base64_encode(std::string_view bytes);
// Strict: length a multiple of 4, only the standard alphabet, at most two '=' and only at the
// end, zero leftover bits; nullopt otherwise.
std::optional<std::string> base64_decode(std::string_view text);

// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);
// Lower-case hex SHA-256.
std::string sha256_hex(std::string_view data);
std::string to_hex(std::string_view bytes);

bool constant_time_equal(std::string_view a, std::string_view b);

// `n` bytes from the OpenSSL CSPRNG; throws std::runtime_error if it fails.
std::string random_bytes(size_t n);
// A random token of `n` bytes as base64url.
std::string random_token(size_t n);
// A random RFC 4122 version 4 UUID.
std::string random_uuid();

}  // namespace nt
