#include "daemon/delivery/toplevel_states.hpp"

#include <algorithm>

namespace stretch {

bool ToplevelStates::apply(auto&& change) {
    bool before = focused_fullscreen();
    change();
    return focused_fullscreen() != before;
}

void ToplevelStates::added(Id id) { toplevels_[id] = {}; }

void ToplevelStates::state(Id id, std::span<const std::uint32_t> states) {
    // The array replaces the previous one: a state not in it is off.
    Flags& f = toplevels_[id].pending;
    f.activated = std::ranges::find(states, activated) != states.end();
    f.fullscreen = std::ranges::find(states, fullscreen) != states.end();
}

bool ToplevelStates::done(Id id) {
    return apply([&] {
        auto it = toplevels_.find(id);
        if (it != toplevels_.end()) it->second.applied = it->second.pending;
    });
}

bool ToplevelStates::plasma_state(Id id, std::uint32_t flags) {
    return apply([&] {
        auto it = toplevels_.find(id);
        if (it == toplevels_.end()) return;  // after unmapped: it is gone
        Flags f{(flags & plasma_active) != 0, (flags & plasma_fullscreen) != 0};
        it->second.pending = it->second.applied = f;
    });
}

bool ToplevelStates::closed(Id id) {
    return apply([&] { toplevels_.erase(id); });
}

bool ToplevelStates::finished() {
    return apply([&] { toplevels_.clear(); });
}

bool ToplevelStates::focused_fullscreen() const {
    return std::ranges::any_of(toplevels_, [](const auto& t) { return t.second.applied.both(); });
}

}  // namespace stretch
