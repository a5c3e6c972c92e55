// The S3 storage backend (AWS or any S3-compatible server at S3_ENDPOINT): PUT, GET, HEAD and
// DELETE signed with Signature V4 in header mode; downloads as presigned GET URLs valid
// S3_PRESIGN_SECONDS (at most 15 minutes) that carry the response content type and
// disposition. Addressing: path-style "{S3_ENDPOINT}/{bucket}/{key}" when S3_ENDPOINT is set,
// else virtual-hosted "https://{bucket}.s3.{region}.amazonaws.com/{key}".
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "storage.hpp"

namespace nt {

// Throws ConfigError when S3_ENDPOINT is malformed.
std::unique_ptr<Storage> make_s3_storage(const Config& cfg);

// Where the bucket's objects live, as sent on the wire and signed.
struct S3Bucket {
  std::string origin;       // "http://127.0.0.1:9000", "https://b.s3.us-east-1.amazonaws.com"
  std::string host;         // the Host header: host[:port], the port only when not the default
  std::string path_prefix;  // "/{bucket}" for path-style (after any path of S3_ENDPOINT), else ""
};

// The bucket of cfg (S3_ENDPOINT, AWS_S3_BUCKET, AWS_REGION). Pure. Throws ConfigError unless
// S3_ENDPOINT is "" or http(s)://host[:port][/path] without query, fragment or user info.
S3Bucket s3_bucket(const Config& cfg);
// The raw (percent-encoded) path of `key`'s object: path_prefix + "/" + key. The object's URL
// is origin + this. Pure. Throws StorageError unless valid_storage_key(key).
std::string s3_object_path(const S3Bucket& bucket, std::string_view key);

}  // namespace nt
