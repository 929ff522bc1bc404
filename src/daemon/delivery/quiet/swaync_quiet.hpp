#pragma once
// swaync's do-not-disturb (sway-notification-center, org.erikreider.swaync.cc
// on the session bus): asked with GetDnd when swaync appears, then followed
// through the Subscribe (0.7: count, dnd, cc_open) and SubscribeV2 (later:
// count, dnd, cc_open, inhibited) signals it sends on every change. No
// swaync means not quiet.

#include <cstdint>
#include <string>

#include "daemon/delivery/quiet_source.hpp"
#include "daemon/plumbing/bus.hpp"

namespace stretch {

class SwayncQuiet : public QuietSource {
public:
    explicit SwayncQuiet(EventLoop& loop);

    std::string_view name() const override { return "swaync"; }
    bool quiet() const override { return present_ && dnd_; }
    std::string describe() const override;

private:
    void connected(sd_bus* bus);
    void ask();
    void set(bool present, bool dnd);

    bool present_ = false;
    bool dnd_ = false;
    std::uint64_t generation_ = 0;  // an answer from an swaync that has gone is ignored
    BusLink bus_;                   // last: its callbacks use everything above
};

}  // namespace stretch
