#pragma once
// The engine's live state as JSON, for the store. Times on the monotonic
// clock only mean something within one boot, so the saved state carries the
// wall clock and the boot id with it, and decoding moves every time onto
// the current boot's clock.

#include <optional>
#include <string>

#include "core/engine.hpp"

namespace stretch {

std::string encode_state(const EngineState& state, const Now& now, const std::string& boot_id);

struct RestoredState {
    EngineState state;
    Duration downtime{};  // how long nobody was counting
};

// Nullopt if the text is not a saved state we understand.
std::optional<RestoredState> decode_state(const std::string& text, const Now& now, const std::string& boot_id);

// /proc/sys/kernel/random/boot_id, or empty.
std::string read_boot_id();

}  // namespace stretch
