// The words of a reminder's bubble: the call line a held reminder opens with.

#include <doctest/doctest.h>

#include "core/config.hpp"
#include "core/notification_text.hpp"

namespace stretch {

using namespace std::chrono_literals;

TEST_CASE("a reminder shown as a call ends says how long the call was, first") {
    CHECK(after_call_line(52min + 20s) == "You sat through a 52-minute call: time to stand up.");
    CHECK(after_call_line(30s) == "Your call is over: time to stand up.");
    CHECK(after_call_line(1h + 10min) == "You sat through a call of 1h10m: time to stand up.");

    Reminder r;
    r.rule = "stretch";
    r.stretch_id = "childs-pose";
    r.length = 5min;
    r.after_call = 52min;
    auto text = reminder_text(r, default_config().find_stretch("childs-pose"), TextOptions{false, true, false});
    CHECK(text.body.rfind("You sat through a 52-minute call: time to stand up.\n", 0) == 0);
    r.after_call.reset();
    text = reminder_text(r, default_config().find_stretch("childs-pose"), TextOptions{false, true, false});
    CHECK(text.body.find("call") == std::string::npos);
}

}  // namespace stretch
