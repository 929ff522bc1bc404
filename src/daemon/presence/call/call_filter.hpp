#pragma once
// Which captures make a call, by the user's [meeting] settings: the camera
// and microphone switches, and the applications whose capture is no call
// (`ignore`, compared without regard to case: "EasyEffects" is
// "easyeffects"). Pure; the daemon passes the detectors' captures through it
// before telling the engine a call is on.

#include <algorithm>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "daemon/presence/call/capture.hpp"

namespace stretch {

inline bool same_name(std::string_view a, std::string_view b) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

inline bool counts_as_call(const Capture& capture, const Meeting& meeting) {
    if (!meeting.enabled) return false;
    if (capture.device == CaptureDevice::camera && !meeting.camera) return false;
    if (capture.device == CaptureDevice::microphone && !meeting.microphone) return false;
    return std::none_of(meeting.ignore.begin(), meeting.ignore.end(),
                        [&](const std::string& name) { return same_name(name, capture.application); });
}

inline std::vector<Capture> call_captures(const std::vector<Capture>& captures, const Meeting& meeting) {
    std::vector<Capture> out;
    for (const auto& c : captures)
        if (counts_as_call(c, meeting)) out.push_back(c);
    return out;
}

}  // namespace stretch
