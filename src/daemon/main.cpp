#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include "version.hpp"
int main(int argc, char** argv) {
    CLI::App app{"stretchd"};
    app.set_version_flag("--version", fmt::format("stretchd {}", stretch::version));
    CLI11_PARSE(app, argc, argv);
}
