// The rules for private files and directories, on a real temporary
// directory, under the umasks users actually have.

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "shared/private_path.hpp"
#include "fakes/temp_dir.hpp"

namespace stretch {
namespace {

namespace fs = std::filesystem;

class UmaskScope {
public:
    explicit UmaskScope(mode_t mask) : old_(::umask(mask)) {}
    ~UmaskScope() { ::umask(old_); }
    UmaskScope(const UmaskScope&) = delete;
    UmaskScope& operator=(const UmaskScope&) = delete;

private:
    mode_t old_;
};

mode_t mode_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::lstat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

void write_file(const fs::path& p, mode_t mode) {
    std::ofstream(p) << "x";
    REQUIRE(::chmod(p.c_str(), mode) == 0);
}

}  // namespace

TEST_CASE("a missing directory and its missing parents are created 0700, and a new file 0600, under any umask") {
    for (mode_t mask : {mode_t{0}, mode_t{022}, mode_t{002}}) {
        CAPTURE(mask);
        TempDir tmp("private");
        UmaskScope scope(mask);
        auto dir = tmp.path() / "state" / "stretch";
        CHECK_FALSE(make_private_directory("state directory", dir).has_value());
        CHECK(mode_of(tmp.path() / "state") == 0700);
        CHECK(mode_of(dir) == 0700);
        auto file = dir / "stretch.db";
        REQUIRE(create_private_file(file));
        CHECK(mode_of(file) == 0600);
        CHECK_FALSE(create_private_file(file));  // never over an existing file
    }
}

TEST_CASE("an open directory and file are tightened, and the note names the path and both modes") {
    TempDir tmp("private");
    auto dir = tmp.path() / "stretch";
    REQUIRE(::mkdir(dir.c_str(), 0700) == 0);
    REQUIRE(::chmod(dir.c_str(), 0755) == 0);
    auto note = make_private_directory("state directory", dir);
    REQUIRE(note.has_value());
    CHECK(*note == "state directory \"" + dir.string() + "\" was mode 0755, open to other users; it is now 0700");
    CHECK(mode_of(dir) == 0700);
    CHECK_FALSE(make_private_directory("state directory", dir).has_value());

    auto file = dir / "stretch.db";
    write_file(file, 0644);
    REQUIRE(make_private_file("history database", file).has_value());
    CHECK(mode_of(file) == 0600);
    CHECK_FALSE(make_private_file("history database", dir / "absent").has_value());
}

TEST_CASE("the owner's own bits are left as the owner set them") {
    TempDir tmp("private");
    auto file = tmp.path() / "stretch.db";
    write_file(file, 0444);
    REQUIRE(make_private_file("history database", file).has_value());
    CHECK(mode_of(file) == 0400);
}

TEST_CASE("a symbolic link is refused and its target left as it was") {
    TempDir tmp("private");
    auto target = tmp.path() / "elsewhere";
    REQUIRE(::mkdir(target.c_str(), 0755) == 0);
    REQUIRE(::chmod(target.c_str(), 0755) == 0);
    auto link = tmp.path() / "stretch";
    fs::create_symlink(target, link);
    try {
        make_private_directory("state directory", link);
        FAIL("a link was accepted");
    } catch (const PrivatePathError& e) {
        CHECK(std::string(e.what()) == "state directory \"" + link.string() +
                                           "\": is a symbolic link; stretch keeps its files only in a directory of its own");
        CHECK(e.fix() == "remove the link (rm \"" + link.string() + "\") and start stretchd again");
    }
    CHECK(mode_of(target) == 0755);

    auto file_target = tmp.path() / "file";
    write_file(file_target, 0644);
    auto file_link = tmp.path() / "stretch.db";
    fs::create_symlink(file_target, file_link);
    CHECK_THROWS_AS(make_private_file("history database", file_link), PrivatePathError);
    CHECK_FALSE(create_private_file(file_link));
    CHECK(mode_of(file_target) == 0644);
}

TEST_CASE("a file where a directory belongs is refused, and so is a parent that is a file") {
    TempDir tmp("private");
    auto file = tmp.path() / "stretch";
    write_file(file, 0600);
    CHECK_THROWS_WITH_AS(make_private_directory("state directory", file),
                         ("state directory \"" + file.string() + "\": is not a directory").c_str(), PrivatePathError);
    CHECK_THROWS_WITH_AS(make_private_directory("state directory", file / "below"),
                         ("state directory \"" + (file / "below").string() + "\": cannot be created: Not a directory").c_str(),
                         PrivatePathError);
}

TEST_CASE("a directory of another user is refused and left alone") {
    if (::geteuid() != 0) return;  // only root can give a directory away; the integration tests run as root in CI
    TempDir tmp("private");
    auto dir = tmp.path() / "stretch";
    REQUIRE(::mkdir(dir.c_str(), 0755) == 0);
    REQUIRE(::chmod(dir.c_str(), 0755) == 0);
    REQUIRE(::chown(dir.c_str(), 65534, 65534) == 0);
    CHECK_THROWS_AS(make_private_directory("state directory", dir), PrivatePathError);
    CHECK(mode_of(dir) == 0755);
}

}  // namespace stretch
