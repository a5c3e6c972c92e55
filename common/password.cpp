#include "password.hpp"

#include <crypt.h>

#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "crypto.hpp"

namespace nt {

std::string bcrypt_with_setting(std::string_view password, std::string_view setting) {
  if (password.find('\0') != std::string_view::npos) return "";
  auto data = std::make_unique<crypt_data>();
  std::memset(data.get(), 0, sizeof(crypt_data));
  const std::string pw(password);
  const std::string st(setting);
  char* out = crypt_rn(pw.c_str(), st.c_str(), data.get(), sizeof(crypt_data));
  if (out == nullptr || out[0] == '*') return "";
  return out;
}

std::string hash_password(std::string_view password, int cost) {
  if (password.size() > kBcryptMaxPasswordBytes) {
    throw std::runtime_error("password longer than bcrypt's 72-byte limit");
  }
  const std::string rnd = random_bytes(16);
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), rnd.data(),
                       static_cast<int>(rnd.size()), setting, sizeof setting) == nullptr) {
    throw std::runtime_error("crypt_gensalt_rn failed");
  }
  std::string hash = bcrypt_with_setting(password, setting);
  if (hash.empty()) throw std::runtime_error("crypt_rn failed");
  return hash;
}

bool verify_password(std::string_view password, std::string_view hash) {
  if (hash.size() < 29 || hash.substr(0, 2) != "$2") return false;
  if (password.size() > kBcryptMaxPasswordBytes) return false;
  const std::string computed = bcrypt_with_setting(password, hash);
  return !computed.empty() && constant_time_equal(computed, hash);
}

const std::string& dummy_password_hash(int cost) {
  static std::mutex mu;
  static std::map<int, std::string> hashes;
  std::lock_guard<std::mutex> lock(mu);
  auto it = hashes.find(cost);
  if (it == hashes.end()) it = hashes.emplace(cost, hash_password(random_token(18), cost)).first;
  return it->second;
}

}  // namespace nt
