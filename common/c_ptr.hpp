// std::unique_ptr for a C library handle released by one function, so that each wrapper names
// its free function once instead of writing a deleter struct:
//   CPtr<CURL, curl_easy_cleanup> curl(curl_easy_init());
// Header-only: the thumbnailer, the tools and the tests use it without linking common.
#pragma once

#include <memory>

namespace nt {

// A deleter that calls `Free` (unique_ptr calls it only for a non-null handle).
template <auto Free>
struct FreeWith {
  template <typename T>
  void operator()(T* handle) const {
    Free(handle);
  }
};

template <typename T, auto Free>
using CPtr = std::unique_ptr<T, FreeWith<Free>>;

}  // namespace nt
