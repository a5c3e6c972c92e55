// Throwaway RSA keys for the RS256 / FCM unit tests, made with OpenSSL at run time (no key
// material in the repository), and an RS256 verifier written directly on EVP so the tests
// check our signer against OpenSSL's verification rather than against itself.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "c_ptr.hpp"

namespace nt::test {

struct PemPair {
  std::string private_pem;  // PKCS#8 "BEGIN PRIVATE KEY", like Google's service-account files
  std::string public_pem;   // SubjectPublicKeyInfo "BEGIN PUBLIC KEY"
};

namespace rsa_detail {
using Pkey = CPtr<EVP_PKEY, EVP_PKEY_free>;
using Bio = CPtr<BIO, BIO_free>;

inline std::string bio_text(BIO* b) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(b, &data);
  return std::string(data, static_cast<size_t>(len));
}

inline PemPair pems_of(EVP_PKEY* key) {
  Bio priv(BIO_new(BIO_s_mem()));
  Bio pub(BIO_new(BIO_s_mem()));
  if (!priv || !pub ||
      PEM_write_bio_PrivateKey(priv.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
      PEM_write_bio_PUBKEY(pub.get(), key) != 1) {
    throw std::runtime_error("writing a test key as PEM failed");
  }
  return {bio_text(priv.get()), bio_text(pub.get())};
}
}  // namespace rsa_detail

// A fresh 2048-bit RSA key pair.
inline PemPair make_rsa_pems() {
  rsa_detail::Pkey key(EVP_RSA_gen(2048));
  if (!key) throw std::runtime_error("EVP_RSA_gen failed");
  return rsa_detail::pems_of(key.get());
}

// A P-256 key pair (not usable for RS256).
inline PemPair make_ec_pems() {
  rsa_detail::Pkey key(EVP_EC_gen("P-256"));
  if (!key) throw std::runtime_error("EVP_EC_gen failed");
  return rsa_detail::pems_of(key.get());
}

// `private_pem` re-written as "BEGIN RSA PRIVATE KEY" (PKCS#1), or encrypted under a
// passphrase when `passphrase` is not empty.
inline std::string rewrite_private_pem(const std::string& private_pem, bool traditional,
                                       const std::string& passphrase = "") {
  rsa_detail::Bio in(BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size())));
  rsa_detail::Pkey key(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
  rsa_detail::Bio out(BIO_new(BIO_s_mem()));
  if (!key || !out) throw std::runtime_error("reading the test key failed");
  const EVP_CIPHER* cipher = passphrase.empty() ? nullptr : EVP_aes_128_cbc();
  auto* kstr = reinterpret_cast<unsigned char*>(const_cast<char*>(passphrase.data()));
  const int klen = static_cast<int>(passphrase.size());
  const int ok = traditional ? PEM_write_bio_PrivateKey_traditional(out.get(), key.get(), cipher,
                                                                    kstr, klen, nullptr, nullptr)
                             : PEM_write_bio_PrivateKey(out.get(), key.get(), cipher, kstr, klen,
                                                        nullptr, nullptr);
  if (ok != 1) throw std::runtime_error("writing the test key failed");
  return rsa_detail::bio_text(out.get());
}

// Two key pairs shared by every test of the binary (RSA key generation takes a while).
inline const PemPair& rsa_key_a() {
  static const PemPair k = make_rsa_pems();
  return k;
}
inline const PemPair& rsa_key_b() {
  static const PemPair k = make_rsa_pems();
  return k;
}

// Whether `signature` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `data` under the
// public key `public_pem`.
inline bool rs256_verifies(const std::string& public_pem, std::string_view data,
                           std::string_view signature) {
  rsa_detail::Bio bio(BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size())));
  rsa_detail::Pkey key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  CPtr<EVP_MD_CTX, EVP_MD_CTX_free> ctx(EVP_MD_CTX_new());
  if (!key || !ctx) throw std::runtime_error("loading the test public key failed");
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
    throw std::runtime_error("EVP_DigestVerifyInit failed");
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                          data.size()) == 1;
}

}  // namespace nt::test
