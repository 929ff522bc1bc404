#pragma once
// A private directory for one test, removed with everything in it when the
// test ends: /tmp/stretch-<what>-XXXXXX.

#include <doctest/doctest.h>

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace stretch {

class TempDir {
public:
    explicit TempDir(std::string_view what = "test") {
        std::string pattern = (std::filesystem::temp_directory_path() / ("stretch-" + std::string(what) + "-XXXXXX")).string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace stretch
