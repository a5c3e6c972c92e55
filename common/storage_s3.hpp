// The S3 storage backend (AWS or any S3-compatible server at S3_ENDPOINT): PUT, GET, HEAD and
// DELETE signed with Signature V4 in header mode; downloads as presigned GET URLs valid
// S3_PRESIGN_SECONDS (at most 15 minutes) that carry the response content type and
// disposition. Addressing: path-style "{S3_ENDPOINT}/{bucket}/{key}" when S3_ENDPOINT is set,
// else virtual-hosted "https://{bucket}.s3.{region}.amazonaws.com/{key}".
#pragma once

#include <memory>

#include "storage.hpp"

namespace nt {

std::unique_ptr<Storage> make_s3_storage(const Config& cfg);

}  // namespace nt
