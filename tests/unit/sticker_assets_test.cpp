// The sticker pack the project ships (assets/stickers/, sql/0004_stickers.sql): every row of
// the migration has its image, every image has its row, and each one is the 512x512 PNG with
// transparency that the row says, which nerutalk-migrate checks the same way before upload.
#include <gd.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>

#include "c_ptr.hpp"
#include "image_probe.hpp"
#include "storage.hpp"
#include "test_files.hpp"

namespace nt {
namespace {

namespace fs = std::filesystem;

struct StickerRow {
  int64_t id = 0, pack_id = 0;
  std::string name, storage_key;
  uint32_t width = 0, height = 0;
};

// The sticker rows of the migration, by asset path relative to assets/.
std::map<std::string, StickerRow> rows_of_migration() {
  const std::string sql = test::read_file(NERUTALK_SQL_DIR "/0004_stickers.sql");
  // (id, pack_id, 'name', 'emoji', 'storage_key', 'image/png', width, height, sort_order)
  const std::regex row(
      R"(\((\d+), (\d+), '([^']+)', '[^']+', '([^']+)', 'image/png', (\d+), (\d+), \d+\))");
  std::map<std::string, StickerRow> rows;
  for (auto it = std::sregex_iterator(sql.begin(), sql.end(), row); it != std::sregex_iterator();
       ++it) {
    StickerRow r;
    r.id = std::stoll((*it)[1]);
    r.pack_id = std::stoll((*it)[2]);
    r.name = (*it)[3];
    r.storage_key = (*it)[4];
    r.width = static_cast<uint32_t>(std::stoul((*it)[5]));
    r.height = static_cast<uint32_t>(std::stoul((*it)[6]));
    rows["stickers/" + std::to_string(r.pack_id) + "/" + std::to_string(r.id) + ".png"] = r;
  }
  return rows;
}

std::set<std::string> asset_files() {
  std::set<std::string> files;
  const fs::path root = NERUTALK_ASSETS_DIR;
  for (const auto& e : fs::recursive_directory_iterator(root / "stickers")) {
    if (e.is_regular_file()) files.insert(fs::relative(e.path(), root).generic_string());
  }
  return files;
}

TEST(StickerAssets, TheMigrationNamesExactlyTheShippedFiles) {
  const auto rows = rows_of_migration();
  EXPECT_GE(rows.size(), 12u);
  std::set<std::string> named;
  std::set<std::string> names;
  for (const auto& [path, row] : rows) {
    named.insert(path);
    names.insert(row.name);
    EXPECT_EQ(row.storage_key, storage_keys::sticker(row.pack_id, row.id, "png"));
    EXPECT_TRUE(valid_storage_key(row.storage_key)) << row.storage_key;
  }
  EXPECT_EQ(names.size(), rows.size()) << "two stickers share a name";
  EXPECT_EQ(named, asset_files());
}

TEST(StickerAssets, EveryImageIsTheTransparentPngItsRowDescribes) {
  std::set<std::string> distinct;
  for (const auto& [path, row] : rows_of_migration()) {
    SCOPED_TRACE(path);
    const std::string bytes = test::read_file(std::string(NERUTALK_ASSETS_DIR) + "/" + path);
    ASSERT_FALSE(bytes.empty());
    EXPECT_LT(bytes.size(), 64u * 1024) << "keep the shipped images small";
    EXPECT_EQ(sniff(bytes).type, SniffedType::kPng);
    uint32_t w = 0, h = 0;
    ASSERT_EQ(image_dimensions(bytes, SniffedType::kPng, &w, &h), ProbeResult::kOk);
    EXPECT_EQ(w, 512u);
    EXPECT_EQ(h, 512u);
    EXPECT_EQ(w, row.width);
    EXPECT_EQ(h, row.height);
    // It decodes, and its corners are see-through (a sticker, not a square picture).
    CPtr<gdImage, gdImageDestroy> im(
        gdImageCreateFromPngPtr(static_cast<int>(bytes.size()), const_cast<char*>(bytes.data())));
    ASSERT_TRUE(im);
    EXPECT_EQ(gdImageSX(im.get()), 512);
    for (const auto& [x, y] : {std::pair{0, 0}, {511, 0}, {0, 511}, {511, 511}}) {
      EXPECT_EQ(gdTrueColorGetAlpha(gdImageGetTrueColorPixel(im.get(), x, y)), gdAlphaTransparent);
    }
    // ...and its middle is opaque.
    EXPECT_EQ(gdTrueColorGetAlpha(gdImageGetTrueColorPixel(im.get(), 256, 300)), gdAlphaOpaque);
    distinct.insert(bytes);
  }
  EXPECT_EQ(distinct.size(), rows_of_migration().size()) << "two stickers are the same image";
}

}  // namespace
}  // namespace nt
