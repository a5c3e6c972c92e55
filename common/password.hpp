// bcrypt ($2b$) password hashing through libxcrypt's crypt_rn. Thread-safe: every call uses its
// own crypt_data. Passwords over 72 bytes are refused by the callers' validation, never
// truncated here silently (hash_password throws for them).
#pragma once

#include <string>
#include <string_view>

namespace nt {

constexpr size_t kBcryptMaxPasswordBytes = 72;

// A new "$2b$<cost>$..." hash with a random salt. Throws std::runtime_error on failure.
std::string hash_password(std::string_view password, int cost);

// crypt(3) of `password` with `setting` (a full hash or its 29-char prefix); "" on failure.
std::string bcrypt_with_setting(std::string_view password, std::string_view setting);

// Constant-time comparison of bcrypt(password, hash) with hash; false for malformed hashes.
bool verify_password(std::string_view password, std::string_view hash);

// A valid hash of a random password at `cost`, computed once, so that logins for unknown
// users spend the same time as for known ones.
const std::string& dummy_password_hash(int cost);

}  // namespace nt
