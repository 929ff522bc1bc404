// stretch-man-keys TEMPLATE OUTPUT: fills the key lists of the stretch.toml(5)
// page from config_keys(), the table the config loader validates against, so
// the page cannot document a key the loader does not know or miss one it does.
//
// In TEMPLATE (scdoc), a line `@KEYS section@` becomes the keys of that
// section. A section without its line, or a line naming no section, is an
// error: the page would be incomplete or wrong.

#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/config_schema.hpp"

namespace {

// scdoc reads * and _ as emphasis and \ as an escape.
std::string escape(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '*' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

// The schema marks a required key by an empty default; the optional keys
// without a default say so in their text.
std::string default_of(const stretch::ConfigKey& k) {
    if (!k.fallback.empty()) return fmt::format("default *{}*", escape(k.fallback));
    return k.doc.find("(optional)") != std::string_view::npos ? "optional" : "required";
}

std::string keys_of(std::string_view section) {
    std::string out;
    for (const auto& k : stretch::config_keys()) {
        if (k.section != section) continue;
        if (!out.empty()) out += "\n";
        out += fmt::format("*{}* (_{}_, {})\n\t{}\n", escape(k.key), escape(k.type), default_of(k), escape(k.doc));
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: stretch-man-keys TEMPLATE OUTPUT\n";
        return 2;
    }
    std::ifstream in(argv[1]);
    if (!in) {
        std::cerr << fmt::format("stretch-man-keys: cannot read \"{}\"\n", argv[1]);
        return 1;
    }
    std::set<std::string_view> missing;
    for (const auto& k : stretch::config_keys()) missing.insert(k.section);

    std::ostringstream page;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (line.starts_with("@KEYS ") && line.ends_with("@")) {
            std::string section = line.substr(6, line.size() - 7);
            std::string keys = keys_of(section);
            if (keys.empty()) {
                std::cerr << fmt::format("{}:{}: no config section \"{}\" in config_keys()\n", argv[1], number,
                                         section);
                return 1;
            }
            missing.erase(section);
            page << keys;
        } else {
            page << line << '\n';
        }
    }
    if (!missing.empty()) {
        for (auto section : missing)
            std::cerr << fmt::format("{}: section \"{}\" has keys but no \"@KEYS {}@\" line\n", argv[1], section,
                                     section);
        return 1;
    }
    std::ofstream out(argv[2]);
    out << page.str();
    if (!out.flush()) {
        std::cerr << fmt::format("stretch-man-keys: cannot write \"{}\"\n", argv[2]);
        return 1;
    }
    return 0;
}
