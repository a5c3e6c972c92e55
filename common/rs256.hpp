// RS256 (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 §3.3) signing with a PEM RSA private key,
// and the JWT that Google's OAuth2 JWT-bearer grant expects (vectors/fcm.md §2). Only signing:
// NeruTalk never verifies RS256 tokens itself.
//
// Thread-safety: an RsaPrivateKey is immutable after construction; sign() may be called from
// any number of threads at once (each call uses its own EVP_MD_CTX).
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "c_ptr.hpp"
#include "json.hpp"

namespace nt {

// Thrown for a key that does not load or a signature OpenSSL refuses to make; what() carries
// OpenSSL's reason but never key material.
class Rs256Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RsaPrivateKey {
 public:
  // Parses a PEM private key ("BEGIN PRIVATE KEY" PKCS#8 or "BEGIN RSA PRIVATE KEY" PKCS#1).
  // Throws Rs256Error when it is not PEM, is encrypted, or is not an RSA key.
  static RsaPrivateKey from_pem(std::string_view pem);

  // The raw RSASSA-PKCS1-v1_5 SHA-256 signature of `data` (as long as the modulus).
  std::string sign(std::string_view data) const;

 private:
  explicit RsaPrivateKey(EVP_PKEY* key) : key_(key, FreeWith<EVP_PKEY_free>{}) {}
  std::shared_ptr<EVP_PKEY> key_;  // shared: copies of the key object are cheap and read-only
};

// base64url(header) "." base64url(claims) "." base64url(RS256 signature), with the header
// {"alg":"RS256","typ":"JWT"} plus "kid" when `key_id` is not empty.
std::string jwt_sign_rs256(const Json& claims, const RsaPrivateKey& key, std::string_view key_id);

// The text of OpenSSL's most recent error on this thread (and clears the queue), or `fallback`.
std::string openssl_error_text(const char* fallback);

}  // namespace nt
