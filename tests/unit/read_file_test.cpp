// Whole-file and whole-descriptor reads (common/read_file.hpp): contents, the size cap, and
// the errno a caller reports.
#include "read_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

namespace nt {
namespace {

TEST(ReadFile, WholeFileUpToItsCap) {
  const std::string path = testing::TempDir() + "read_file_test.bin";
  const std::string bytes = std::string("a\0b", 3) + std::string(200000, 'x');  // > one buffer
  std::ofstream(path, std::ios::binary) << bytes;
  EXPECT_EQ(read_file(path), bytes);
  EXPECT_EQ(read_file(path, bytes.size()), bytes);  // exactly at the cap
  errno = 0;
  EXPECT_EQ(read_file(path, bytes.size() - 1), std::nullopt);
  EXPECT_EQ(errno, EFBIG);
  std::ofstream(path, std::ios::binary | std::ios::trunc).flush();
  EXPECT_EQ(read_file(path, 0), std::string());
  std::remove(path.c_str());
}

TEST(ReadFile, MissingFileAndDirectoryGiveTheirErrno) {
  errno = 0;
  EXPECT_EQ(read_file(testing::TempDir() + "no/such/file"), std::nullopt);
  EXPECT_EQ(errno, ENOENT);
  errno = 0;
  EXPECT_EQ(read_file(testing::TempDir()), std::nullopt);
  EXPECT_EQ(errno, EISDIR);
}

TEST(ReadFile, DescriptorIsReadToItsEndAcrossWrites) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  UniqueFd in(fds[0]);
  UniqueFd out(fds[1]);
  std::thread writer([&] {
    for (int i = 0; i < 3; ++i) ASSERT_EQ(::write(out.get(), "part", 4), 4);
    out.reset();
  });
  const auto got = read_to_end(in.get());
  writer.join();
  EXPECT_EQ(got, "partpartpart");
}

}  // namespace
}  // namespace nt
