// Storage keys (common/storage.hpp: valid_storage_key and the seed's layout in storage_keys)
// and where the S3 backend addresses objects (common/storage_s3.hpp), without any network:
// download() only signs a URL, so it is checked here too.
#include <gtest/gtest.h>

#include <string>

#include "storage.hpp"
#include "storage_s3.hpp"

namespace nt {
namespace {

using namespace std::string_literals;

TEST(ValidStorageKey, AcceptsServerGeneratedKeys) {
  EXPECT_TRUE(valid_storage_key("a"));
  EXPECT_TRUE(valid_storage_key("chat-files/12/34.jpg"));
  EXPECT_TRUE(valid_storage_key("temp/thumbnails/5_thumb.jpg"));
  EXPECT_TRUE(valid_storage_key("a.b/..c/d.."));  // dots inside a segment are fine
  EXPECT_TRUE(valid_storage_key(std::string(512, 'k')));
}

TEST(ValidStorageKey, RejectsEverythingElse) {
  EXPECT_FALSE(valid_storage_key(""));
  EXPECT_FALSE(valid_storage_key(std::string(513, 'k')));
  for (const char* key : {"/a", "a/", "a//b", ".", "..", "./a", "a/./b", "a/../b", "../etc/passwd",
                          "A.jpg", "a b", "a\\b", "a%2fb", "a?b", "a#b", "a:b", "caf\xc3\xa9"}) {
    EXPECT_FALSE(valid_storage_key(key)) << key;
  }
  EXPECT_FALSE(valid_storage_key("a.jpg\0.php"s));
}

TEST(StorageKeys, FollowTheSeedLayout) {
  EXPECT_EQ(storage_keys::chat_file(12, 34, "jpg"), "chat-files/12/34.jpg");
  EXPECT_EQ(storage_keys::chat_thumbnail(12, 34), "chat-files/12/thumbnails/34_thumb.jpg");
  EXPECT_EQ(storage_keys::temp_file(34, "pdf"), "temp/34.pdf");
  EXPECT_EQ(storage_keys::temp_thumbnail(34), "temp/thumbnails/34_thumb.jpg");
  const std::string user = "0b7f7c1e-2f7a-4d1e-9a55-6c1d2b3e4f50";
  EXPECT_EQ(storage_keys::avatar_original(user), "avatars/" + user + "/original.jpg");
  EXPECT_EQ(storage_keys::avatar_thumbnail(user), "avatars/" + user + "/thumbnail.jpg");
  EXPECT_EQ(storage_keys::sticker(3, 45, "webp"), "stickers/packs/3/45.webp");
}

TEST(StorageKeys, AreValidKeys) {
  for (const std::string& key :
       {storage_keys::chat_file(9223372036854775807, 1, "docx"), storage_keys::chat_thumbnail(1, 2),
        storage_keys::temp_file(1, "mp4"), storage_keys::temp_thumbnail(1),
        storage_keys::avatar_original("0b7f7c1e-2f7a-4d1e-9a55-6c1d2b3e4f50"),
        storage_keys::avatar_thumbnail("0b7f7c1e-2f7a-4d1e-9a55-6c1d2b3e4f50"),
        storage_keys::sticker(1, 2, "png")}) {
    EXPECT_TRUE(valid_storage_key(key)) << key;
  }
}

Config s3_config(const std::string& endpoint) {
  Config cfg;
  cfg.storage_backend = "s3";
  cfg.aws_access_key_id = "AKIDEXAMPLE";
  cfg.aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  cfg.aws_s3_bucket = "nerutalk-media";
  cfg.aws_region = "eu-west-1";
  cfg.s3_endpoint = endpoint;
  cfg.s3_presign_seconds = 600;
  return cfg;
}

TEST(S3Bucket, VirtualHostedOnAwsWithoutEndpoint) {
  const S3Bucket b = s3_bucket(s3_config(""));
  EXPECT_EQ(b.origin, "https://nerutalk-media.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(b.host, "nerutalk-media.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(s3_object_path(b, "chat-files/1/2.jpg"), "/chat-files/1/2.jpg");
}

TEST(S3Bucket, PathStyleOnEndpointKeepsANonDefaultPort) {
  const S3Bucket b = s3_bucket(s3_config("http://127.0.0.1:9000"));
  EXPECT_EQ(b.origin, "http://127.0.0.1:9000");
  EXPECT_EQ(b.host, "127.0.0.1:9000");
  EXPECT_EQ(s3_object_path(b, "temp/7.png"), "/nerutalk-media/temp/7.png");
}

TEST(S3Bucket, HostHeaderDropsTheSchemesDefaultPort) {
  EXPECT_EQ(s3_bucket(s3_config("https://minio.example.com:443/")).host, "minio.example.com");
  EXPECT_EQ(s3_bucket(s3_config("http://minio.example.com:80")).host, "minio.example.com");
  EXPECT_EQ(s3_bucket(s3_config("https://minio.example.com:80")).host, "minio.example.com:80");
  EXPECT_EQ(s3_bucket(s3_config("http://[::1]:9000")).host, "[::1]:9000");
  EXPECT_EQ(s3_bucket(s3_config("http://[::1]")).host, "[::1]");
}

TEST(S3Bucket, EndpointPathComesBeforeTheBucket) {
  const S3Bucket b = s3_bucket(s3_config("https://gw.example.com/storage/"));
  EXPECT_EQ(b.origin, "https://gw.example.com");
  EXPECT_EQ(s3_object_path(b, "a/b"), "/storage/nerutalk-media/a/b");
}

TEST(S3Bucket, MalformedEndpointIsAConfigError) {
  for (const char* ep : {"minio:9000", "ftp://minio", "http://", "https:///b", "http://u:p@minio",
                         "http://minio:0", "http://minio:65536", "http://minio:9x",
                         "http://minio:", "http://minio/?a=1", "http://minio/#f", "http://:9000"}) {
    EXPECT_THROW(s3_bucket(s3_config(ep)), ConfigError) << ep;
    EXPECT_THROW(make_storage(s3_config(ep)), ConfigError) << ep;
  }
}

TEST(S3Bucket, InvalidKeyIsAStorageError) {
  const S3Bucket b = s3_bucket(s3_config(""));
  EXPECT_THROW(s3_object_path(b, "../secret"), StorageError);
  EXPECT_THROW(s3_object_path(b, "Upper.jpg"), StorageError);
}

TEST(S3Download, IsAPresignedUrlCarryingTypeAndDisposition) {
  Config cfg = s3_config("http://127.0.0.1:9000");
  cfg.aws_session_token = "session/token+1";
  const auto store = make_storage(cfg);
  EXPECT_STREQ(store->name(), "s3");
  const DownloadTarget t = store->download("chat-files/1/2.pdf",
                                           {"application/pdf", "attachment; filename=\"a b.pdf\""});
  EXPECT_FALSE(t.internal_redirect);
  const std::string prefix = "http://127.0.0.1:9000/nerutalk-media/chat-files/1/2.pdf?";
  ASSERT_EQ(t.location.rfind(prefix, 0), 0u) << t.location;
  const std::string query = t.location.substr(prefix.size());
  for (const char* part :
       {"X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Credential=AKIDEXAMPLE%2F",
        "%2Feu-west-1%2Fs3%2Faws4_request", "X-Amz-Expires=600", "X-Amz-SignedHeaders=host",
        "X-Amz-Security-Token=session%2Ftoken%2B1", "response-content-type=application%2Fpdf",
        "response-content-disposition=attachment%3B%20filename%3D%22a%20b.pdf%22",
        "&X-Amz-Signature="}) {
    EXPECT_NE(query.find(part), std::string::npos) << part << " in " << query;
  }
}

TEST(S3Download, WithoutOptionsAddsNoResponseOverrides) {
  const auto store = make_storage(s3_config(""));
  const DownloadTarget t = store->download("avatars/u/original.jpg", {});
  EXPECT_EQ(t.location.rfind(
                "https://nerutalk-media.s3.eu-west-1.amazonaws.com/avatars/u/original.jpg?", 0),
            0u);
  EXPECT_EQ(t.location.find("response-"), std::string::npos);
  EXPECT_EQ(t.location.find("X-Amz-Security-Token"), std::string::npos);
  EXPECT_THROW(store->download("../x", {}), StorageError);
}

}  // namespace
}  // namespace nt
