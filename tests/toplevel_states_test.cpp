// The toplevel bookkeeping behind the Wayland full-screen probe, fed events
// as zwlr_foreign_toplevel_handle_v1 sends them (states apply at `done`,
// `closed` and the manager's `finished` forget) and as KWin's
// org_kde_plasma_window sends them (`state_changed` bits apply at once,
// `unmapped` forgets).

#include "daemon/delivery/toplevel_states.hpp"

#include <cstdint>
#include <vector>

#include <doctest/doctest.h>

namespace stretch {
namespace {

constexpr std::uint32_t maximized = 0, activated = ToplevelStates::activated, fullscreen = ToplevelStates::fullscreen;
using States = std::vector<std::uint32_t>;

TEST_CASE("a focused full-screen window counts once done applies its states") {
    ToplevelStates t;
    t.added(1);
    t.state(1, States{activated, fullscreen});
    CHECK_FALSE(t.focused_fullscreen());  // pending until done
    CHECK(t.done(1));
    CHECK(t.focused_fullscreen());
}

TEST_CASE("a full-screen window that is not focused does not count") {
    ToplevelStates t;
    t.added(1);
    t.state(1, States{fullscreen, maximized});
    CHECK_FALSE(t.done(1));
    CHECK_FALSE(t.focused_fullscreen());
}

TEST_CASE("leaving full screen changes the answer at done") {
    ToplevelStates t;
    t.added(1);
    t.state(1, States{activated, fullscreen});
    t.done(1);
    t.state(1, States{activated});
    CHECK(t.focused_fullscreen());
    CHECK(t.done(1));
    CHECK_FALSE(t.focused_fullscreen());
    // The same states again: no change to announce.
    t.state(1, States{activated});
    CHECK_FALSE(t.done(1));
}

TEST_CASE("focus moving from a full-screen window to another ends it, and back starts it") {
    ToplevelStates t;
    t.added(1);
    t.added(2);
    t.state(1, States{activated, fullscreen});
    t.done(1);
    t.state(2, States{});
    t.done(2);
    REQUIRE(t.focused_fullscreen());
    // The compositor sends the old window's states first, then the new one's.
    t.state(1, States{fullscreen});
    CHECK(t.done(1));
    CHECK_FALSE(t.focused_fullscreen());
    t.state(2, States{activated});
    CHECK_FALSE(t.done(2));
    t.state(2, States{});
    t.done(2);
    t.state(1, States{activated, fullscreen});
    CHECK(t.done(1));
    CHECK(t.focused_fullscreen());
}

TEST_CASE("a closed full-screen window no longer counts") {
    ToplevelStates t;
    t.added(7);
    t.state(7, States{activated, fullscreen});
    t.done(7);
    CHECK(t.closed(7));
    CHECK_FALSE(t.focused_fullscreen());
    CHECK(t.count() == 0);
    CHECK_FALSE(t.closed(7));  // twice: nothing left to change
}

TEST_CASE("closing another window leaves the full-screen one counted") {
    ToplevelStates t;
    t.added(1);
    t.added(2);
    t.state(1, States{activated, fullscreen});
    t.done(1);
    CHECK_FALSE(t.closed(2));
    CHECK(t.focused_fullscreen());
}

TEST_CASE("the manager finishing forgets every window") {
    ToplevelStates t;
    t.added(1);
    t.added(2);
    t.state(1, States{activated, fullscreen});
    t.done(1);
    CHECK(t.finished());
    CHECK_FALSE(t.focused_fullscreen());
    CHECK(t.count() == 0);
    CHECK_FALSE(t.finished());
}

TEST_CASE("done for a window never announced changes nothing") {
    ToplevelStates t;
    CHECK_FALSE(t.done(3));
    CHECK_FALSE(t.focused_fullscreen());
}

// KWin's bits, as org_kde_plasma_window_management's `state` enum has them.
constexpr std::uint32_t plasma_active = 1u << 0, plasma_minimized = 1u << 1, plasma_maximized = 1u << 2,
                        plasma_fullscreen = 1u << 3, plasma_closeable = 1u << 8, plasma_fullscreenable = 1u << 11;

TEST_CASE("KDE: an active full-screen window counts at once, with the other bits ignored") {
    ToplevelStates t;
    t.added(1);
    CHECK_FALSE(t.plasma_state(1, plasma_closeable | plasma_fullscreenable));
    CHECK(t.plasma_state(1, plasma_active | plasma_fullscreen | plasma_closeable | plasma_fullscreenable));
    CHECK(t.focused_fullscreen());
    // The same bits again, or other bits changing: no change to announce.
    CHECK_FALSE(t.plasma_state(1, plasma_active | plasma_fullscreen));
    CHECK(t.focused_fullscreen());
}

TEST_CASE("KDE: full screen without focus, or focus without full screen, does not count") {
    ToplevelStates t;
    t.added(1);
    CHECK_FALSE(t.plasma_state(1, plasma_fullscreen));
    CHECK_FALSE(t.plasma_state(1, plasma_active | plasma_maximized));
    CHECK_FALSE(t.plasma_state(1, plasma_active | plasma_minimized));
    CHECK_FALSE(t.focused_fullscreen());
}

TEST_CASE("KDE: leaving full screen, or losing focus, ends it") {
    ToplevelStates t;
    t.added(1);
    t.plasma_state(1, plasma_active | plasma_fullscreen);
    CHECK(t.plasma_state(1, plasma_active));
    CHECK_FALSE(t.focused_fullscreen());
    CHECK(t.plasma_state(1, plasma_active | plasma_fullscreen));
    CHECK(t.plasma_state(1, plasma_fullscreen));
    CHECK_FALSE(t.focused_fullscreen());
}

TEST_CASE("KDE: focus moving to another window and back") {
    ToplevelStates t;
    t.added(1);
    t.added(2);
    t.plasma_state(1, plasma_active | plasma_fullscreen);
    t.plasma_state(2, 0);
    // KWin sends the newly active window's bits first, then the old one's.
    CHECK_FALSE(t.plasma_state(2, plasma_active));  // two active for a moment: still full-screen
    CHECK(t.plasma_state(1, plasma_fullscreen));
    CHECK_FALSE(t.focused_fullscreen());
    CHECK(t.plasma_state(1, plasma_active | plasma_fullscreen));
    CHECK_FALSE(t.plasma_state(2, 0));
    CHECK(t.focused_fullscreen());
}

TEST_CASE("KDE: an unmapped window is forgotten, and its late bits change nothing") {
    ToplevelStates t;
    t.added(1);
    t.plasma_state(1, plasma_active | plasma_fullscreen);
    CHECK(t.closed(1));
    CHECK_FALSE(t.focused_fullscreen());
    CHECK(t.count() == 0);
    CHECK_FALSE(t.plasma_state(1, plasma_active | plasma_fullscreen));
    CHECK(t.count() == 0);
}

TEST_CASE("KDE: bits for a window never announced change nothing") {
    ToplevelStates t;
    CHECK_FALSE(t.plasma_state(7, plasma_active | plasma_fullscreen));
    CHECK_FALSE(t.focused_fullscreen());
}

}  // namespace
}  // namespace stretch
