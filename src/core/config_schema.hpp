#pragma once
// Every key the config accepts, with its type, default and meaning. The
// loader rejects keys that are not here, and the stretch.toml(5) man page is
// generated from the same table, so the two cannot drift apart.

#include <span>
#include <string_view>
#include <vector>
#include <string>

namespace stretch {

struct ConfigKey {
    std::string_view section;   // "tracking", "schedule", "profile", "notify", "meeting", "history", "break", "stretch"
    std::string_view key;
    std::string_view type;      // as the user writes it: "duration", "string array", ...
    std::string_view fallback;  // the default, as TOML; empty when the key is required
    std::string_view doc;
};

std::span<const ConfigKey> config_keys();
std::vector<std::string> config_keys_of(std::string_view section);

}  // namespace stretch
