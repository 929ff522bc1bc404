#include "cli/doctor_view.hpp"

#include <fmt/format.h>

namespace stretch {

using nlohmann::json;

std::string render_doctor(const json& reply, const Style& style) {
    std::string out;
    const json& active = reply.value("active", json::object());
    std::string source = active.value("source", "none");
    out += style.bold(source == "none" ? "Activity: not tracked" : fmt::format("Activity: {}", source)) +
           fmt::format(" — {}\n", active.value("detail", ""));
    out += style.dim(fmt::format("[tracking] source = \"{}\"", reply.value("setting", "auto"))) + "\n\n";

    out += "Sources, best first:\n";
    for (const json& p : reply.value("probes", json::array())) {
        std::string state = p.value("state", "");
        std::string mark = state == "active" ? style.accent("✓") : state == "failed" ? style.warn("✗") : style.dim("·");
        std::string shown_state = state == "not_used" ? "not used" : state;
        out += fmt::format("  {} {:<8} {:<9} {}\n", mark, p.value("source", ""), shown_state, p.value("detail", ""));
        if (p.contains("fix")) out += fmt::format("    {} {}\n", style.dim("fix:"), p.value("fix", ""));
    }

    const json& env = reply.value("environment", json::object());
    auto shown = [](const json& v) { return v.is_string() && !v.get<std::string>().empty() ? v.get<std::string>() : "(not set)"; };
    out += fmt::format("\nDISPLAY={}  WAYLAND_DISPLAY={}  {}\n", shown(env.value("DISPLAY", json())),
                       shown(env.value("WAYLAND_DISPLAY", json())),
                       style.dim(env.value("user_manager", false) ? "(with the systemd user manager's environment)"
                                                                  : "(the daemon's own environment; no systemd user manager answered)"));
    const json& logind = reply.value("logind", json::object());
    out += fmt::format("Lock and suspend: logind {}\n", logind.value("detail", ""));
    if (const json& h = reply.value("history", json()); h.is_object()) {
        out += fmt::format("History: {}\n", h.value("durable", true) ? fmt::format("\"{}\" (only you can read it)", h.value("path", ""))
                                                                      : style.warn("in memory only (see below)"));
        for (const json& t : h.value("tightened", json::array()))
            out += fmt::format("  {} {}\n", style.dim("made private at start:"), t.get<std::string>());
    }
    const json& notify = reply.value("notify", json::object());
    if (notify.contains("methods"))
        for (const json& m : notify["methods"])
            out += fmt::format("Reminders: {}{}\n", m.value("detail", ""), m.value("available", false) ? "" : style.dim(" (unavailable)"));
    if (const json& f = reply.value("fullscreen", json()); f.is_object()) {
        const json& in_use = f.value("in_use", json::array());
        std::string names;
        for (const json& n : in_use) names += (names.empty() ? "" : ", ") + n.get<std::string>();
        out += fmt::format("Full screen: {}\n", names.empty() ? "off (no reminder waits for a full-screen window)"
                                                               : fmt::format("seen through {}", names));
        for (const json& p : f.value("probes", json::array()))
            out += fmt::format("  {} {:<29} {}\n", p.value("in_use", false) ? style.accent("✓") : style.dim("·"),
                               p.value("source", ""), p.value("detail", ""));
    }
    if (const json& c = reply.value("calls", json()); c.is_object()) {
        const json& captures = c.value("captures", json::array());
        std::string in_use;
        for (const json& k : captures)
            in_use += fmt::format("{}{} in use by {} ({}){}", in_use.empty() ? "" : "; ", k.value("device", ""),
                                  k.value("application", ""), k.value("detector", ""),
                                  k.value("counts", true) ? "" : ", not a call by your [meeting] settings");
        if (!c.value("enabled", true))
            in_use += in_use.empty() ? "off ([meeting] enabled = false)" : " (calls are off: [meeting] enabled = false)";
        out += fmt::format("Calls: {}\n", in_use.empty() ? "no camera or microphone in use now" : in_use);
        for (const json& d : c.value("detectors", json::array()))
            out += fmt::format("  {} {:<12} {}\n", d.value("working", false) ? style.accent("✓") : style.dim("·"),
                               d.value("detector", ""), d.value("detail", ""));
    }
    const json& quiet = reply.value("quiet", json::object());
    for (const json& q : quiet.value("sources", json::array()))
        out += fmt::format("Do not disturb: {}{}\n", q.value("detail", ""), q.value("quiet", false) ? style.warn(" (holding reminders)") : "");

    const json& problems = reply.value("problems", json::array());
    if (problems.empty()) {
        out += "\n" + style.accent("No problems found.") + "\n";
        return out;
    }
    out += "\n" + style.bold(fmt::format("{} {} found:", problems.size(), problems.size() == 1 ? "problem" : "problems")) + "\n";
    for (const json& p : problems) {
        out += fmt::format("  {} {}\n", style.warn("•"), p.value("problem", ""));
        if (!p.value("fix", "").empty()) out += fmt::format("    {} {}\n", style.dim("fix:"), p.value("fix", ""));
    }
    return out;
}

}  // namespace stretch
