#include "polylogue/transcript/image_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace polylogue::transcript {
namespace {

TEST(ConfinedPath, StaysInsideOnlyForPlainRelativePaths) {
    for (const char* good : {"images/lab/1-a.png", "a.png", "images/./lab/x.png", "a..b/c..png"}) {
        EXPECT_TRUE(is_confined_path(good)) << good;
    }
    const std::vector<std::string> bad_paths{"",         "/etc/passwd",         "..",
                                             "../x.png", "images/../../x.png",  "images/..",
                                             "a\\..\\b", std::string{"a\0b", 3}};
    for (const auto& bad : bad_paths) {
        EXPECT_FALSE(is_confined_path(bad)) << bad;
    }
}

TEST(ImageFile, ReadsFilesInsideTheDataDirAndNothingOutside) {
    test::temp_dir dir;
    const auto data_dir = dir / "var";
    dir.write("var/images/lab/1.png", "inside");
    dir.write("secret.png", "outside");
    std::filesystem::create_symlink(dir / "secret.png", data_dir / "images/lab/link.png");
    EXPECT_EQ(read_image_file(data_dir, "images/lab/1.png", 100), "inside");
    EXPECT_EQ(read_image_file(data_dir, "../secret.png", 100), std::nullopt);
    EXPECT_EQ(read_image_file(data_dir, (dir / "secret.png").string(), 100), std::nullopt);
    EXPECT_EQ(read_image_file(data_dir, "images/lab/link.png", 100), std::nullopt);
    EXPECT_EQ(read_image_file(data_dir, "images/lab/missing.png", 100), std::nullopt);
    EXPECT_EQ(read_image_file(data_dir, "images/lab", 100), std::nullopt);
}

TEST(ImageFile, AFileOverTheReadersLimitIsNotRead) {
    test::temp_dir dir;
    dir.write("var/images/lab/1.png", "0123456789");
    EXPECT_EQ(read_image_file(dir / "var", "images/lab/1.png", 10), "0123456789");
    EXPECT_EQ(read_image_file(dir / "var", "images/lab/1.png", 9), std::nullopt);
}

}  // namespace
}  // namespace polylogue::transcript
