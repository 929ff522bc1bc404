#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include "version.hpp"
int main(int argc, char** argv) {
    CLI::App app{"stretch"};
    app.set_version_flag("--version", fmt::format("stretch {}", stretch::version));
    CLI11_PARSE(app, argc, argv);
}
