#include "rs256.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "c_ptr.hpp"
#include "crypto.hpp"

namespace nt {
namespace {

// An encrypted key must fail instead of prompting for a passphrase on the terminal.
int refuse_passphrase(char*, int, int, void*) {
  return -1;
}

}  // namespace

std::string openssl_error_text(const char* fallback) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return fallback;
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

RsaPrivateKey RsaPrivateKey::from_pem(std::string_view pem) {
  if (pem.find("-----BEGIN") == std::string_view::npos) {
    throw Rs256Error("not a PEM private key (no -----BEGIN line)");
  }
  ERR_clear_error();
  CPtr<BIO, BIO_free> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) throw Rs256Error(openssl_error_text("BIO_new_mem_buf failed"));
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, refuse_passphrase, nullptr);
  if (raw == nullptr) {
    throw Rs256Error("not a readable PEM private key: " +
                     openssl_error_text("PEM_read_bio_PrivateKey failed"));
  }
  RsaPrivateKey key(raw);
  if (EVP_PKEY_get_base_id(raw) != EVP_PKEY_RSA) {
    throw Rs256Error("the private key is not an RSA key (RS256 needs RSA)");
  }
  return key;
}

std::string RsaPrivateKey::sign(std::string_view data) const {
  CPtr<EVP_MD_CTX, EVP_MD_CTX_free> ctx(EVP_MD_CTX_new());
  if (!ctx) throw Rs256Error(openssl_error_text("EVP_MD_CTX_new failed"));
  // RSA keys sign with PKCS#1 v1.5 padding unless told otherwise: exactly RS256.
  if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1) {
    throw Rs256Error(openssl_error_text("EVP_DigestSignInit failed"));
  }
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, in, data.size()) != 1) {
    throw Rs256Error(openssl_error_text("EVP_DigestSign (size) failed"));
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                     data.size()) != 1) {
    throw Rs256Error(openssl_error_text("EVP_DigestSign failed"));
  }
  sig.resize(len);
  return sig;
}

std::string jwt_sign_rs256(const Json& claims, const RsaPrivateKey& key, std::string_view key_id) {
  Json header = Json::object();
  header.set("alg", "RS256").set("typ", "JWT");
  if (!key_id.empty()) header.set("kid", key_id);
  const std::string signing_input =
      base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
  return signing_input + "." + base64url_encode(key.sign(signing_input));
}

}  // namespace nt
