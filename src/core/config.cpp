#include "core/config.hpp"

#include <algorithm>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include "core/config_schema.hpp"
#include "core/duration.hpp"
#include "core/suggest.hpp"

namespace stretch {
namespace {

constexpr std::string_view duration_expected = "expected a duration like \"30m\" or \"1h15m\"";

bool contains(const std::vector<std::string>& v, std::string_view s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// A value as the user wrote it, for quoting in messages. Always one line:
// strings are escaped, tables are abbreviated.
std::string repr(const toml::node& node) {
    std::ostringstream out;
    if (auto s = node.as_string()) {
        out << '"';
        for (char c : s->get()) {
            if (c == '"' || c == '\\')
                out << '\\' << c;
            else if (c == '\n')
                out << "\\n";
            else if (static_cast<unsigned char>(c) < 0x20)
                out << ' ';
            else
                out << c;
        }
        out << '"';
    } else if (node.is_table() || node.is_array_of_tables()) {
        out << (node.is_table() ? "{...}" : "[{...}]");
    } else {
        node.visit([&](auto&& v) { out << v; });
    }
    return out.str();
}

// Turns one TOML document into a Config. Every failure goes through fail(),
// which throws a ConfigError naming file, line and column.
class Loader {
public:
    Loader(std::string_view source, const Config* fallback) : source_(source), fallback_(fallback) {}

    Config load(std::string_view text) {
        toml::table root;
        try {
            root = toml::parse(text, source_);
        } catch (const toml::parse_error& e) {
            fail(e.source(), fmt::format("invalid TOML: {}", e.description()));
        }
        check_keys(root, {"tracking", "schedule", "profile", "notify", "meeting", "history", "break", "stretch"}, "");

        Config config;
        if (fallback_) {
            config.tracking = fallback_->tracking;
            config.schedule = fallback_->schedule;
            config.profile = fallback_->profile;
            config.notify = fallback_->notify;
            config.meeting = fallback_->meeting;
            config.history = fallback_->history;
        }
        if (auto t = section(root, "tracking")) read_tracking(*t, config.tracking);
        if (auto t = section(root, "schedule")) read_schedule(*t, config.schedule);
        if (auto t = section(root, "profile")) read_profile(*t, config.profile);
        if (auto t = section(root, "notify")) read_notify(*t, config.notify);
        if (auto t = section(root, "meeting")) read_meeting(*t, config.meeting);
        if (auto t = section(root, "history")) config.history.keep_days = integer(*t, "keep_days", "[history]", config.history.keep_days, 1, 36500);

        if (auto stretches = array_of_tables(root, "stretch")) {
            for (auto& node : *stretches) config.stretches.push_back(read_stretch(*node.as_table()));
            check_stretch_references(config, *stretches);
        } else if (fallback_) {
            config.stretches = fallback_->stretches;
        } else {
            fail(root.source(), "no [[stretch]] entries: add at least one stretch");
        }

        if (auto breaks = array_of_tables(root, "break")) {
            for (auto& node : *breaks) config.breaks.push_back(read_break(*node.as_table(), config));
            check_break_names(config, *breaks);
        } else if (fallback_) {
            config.breaks = fallback_->breaks;
            // Built-in rules follow this file's [tracking] natural_break unless they set their own.
            for (auto& rule : config.breaks) rule.natural_break = resolve_natural_break(rule, rule.natural_break_set, config);
        } else {
            fail(root.source(), "no [[break]] rules: add at least one, e.g. name = \"micro\", every = \"30m\"");
        }
        check_pools(config, root);
        check_focus(config, root);
        return config;
    }

private:
    // Messages quote text straight from the file (key names, and what toml++
    // says it saw), which may hold newlines; the message must stay one line.
    [[noreturn]] void fail(const toml::source_region& where, std::string_view message) const {
        std::string line;
        for (char c : message) {
            if (c == '\n')
                line += "\\n";
            else
                line += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
        }
        throw ConfigError(fmt::format("{}:{}:{}: {}", source_, where.begin.line, where.begin.column, line));
    }

    [[noreturn]] void fail_value(const toml::node& node, std::string_view context, std::string_view key,
                                 std::string_view expected) const {
        fail(node.source(), fmt::format("{}: {} = {}: {}", context, key, repr(node), expected));
    }

    void check_keys(const toml::table& table, const std::vector<std::string>& allowed, std::string_view context) const {
        for (auto&& [key, node] : table) {
            if (contains(allowed, key.str())) continue;
            auto prefix = context.empty() ? std::string{} : fmt::format("{}: ", context);
            auto hint = did_you_mean(key.str(), allowed);
            if (hint.empty()) hint = fmt::format(": expected one of {}", fmt::join(allowed, ", "));
            fail(key.source(), fmt::format("{}unknown key \"{}\"{}", prefix, key.str(), hint));
        }
    }

    const toml::table* section(const toml::table& root, std::string_view name) const {
        auto node = root.get(name);
        if (!node) return nullptr;
        auto table = node->as_table();
        if (node->is_array_of_tables())
            fail(node->source(), fmt::format("config: [[{0}]]: expected a single [{0}] table, in single brackets", name));
        if (!table) fail_value(*node, "config", name, fmt::format("expected a table: [{}]", name));
        check_keys(*table, config_keys_of(name), fmt::format("[{}]", name));
        return table;
    }

    const toml::array* array_of_tables(const toml::table& root, std::string_view name) const {
        auto node = root.get(name);
        if (!node) return nullptr;
        auto array = node->as_array();
        if (node->is_table())
            fail(node->source(), fmt::format("config: [{0}]: expected [[{0}]], in double brackets, once per {0}", name));
        if (!array || !array->is_array_of_tables())
            fail_value(*node, "config", name, fmt::format("expected one or more [[{}]] tables", name));
        return array;
    }

    // Typed getters: return the fallback when the key is absent, fail when
    // it is present with the wrong type or value.
    Duration duration(const toml::table& t, std::string_view key, std::string_view ctx, std::optional<Duration> fb,
                      bool positive = true) const {
        auto node = t.get(key);
        if (!node) return required(t, key, ctx, fb);
        auto s = node->value<std::string>();
        auto d = s ? parse_duration(*s) : std::nullopt;
        if (!d) fail_value(*node, ctx, key, duration_expected);
        if (positive && d->count() <= 0) fail_value(*node, ctx, key, "expected a duration longer than zero");
        return *d;
    }

    std::string string(const toml::table& t, std::string_view key, std::string_view ctx,
                       std::optional<std::string> fb) const {
        auto node = t.get(key);
        if (!node) return required(t, key, ctx, fb);
        auto s = node->value<std::string>();
        if (!s) fail_value(*node, ctx, key, "expected a string in double quotes");
        if (s->empty()) fail_value(*node, ctx, key, "expected a non-empty string");
        return *s;
    }

    bool boolean(const toml::table& t, std::string_view key, std::string_view ctx, bool fb) const {
        auto node = t.get(key);
        if (!node) return fb;
        auto b = node->value<bool>();
        if (!b) fail_value(*node, ctx, key, "expected true or false");
        return *b;
    }

    int integer(const toml::table& t, std::string_view key, std::string_view ctx, int fb, int lo, int hi) const {
        auto node = t.get(key);
        if (!node) return fb;
        auto i = node->value_exact<int64_t>();
        if (!i || *i < lo || *i > hi) fail_value(*node, ctx, key, fmt::format("expected a whole number from {} to {}", lo, hi));
        return static_cast<int>(*i);
    }

    // An array of strings; each element is handed to `check` with its node
    // so element errors point at the element itself.
    template <typename Check>
    std::vector<std::string> strings(const toml::table& t, std::string_view key, std::string_view ctx,
                                     std::optional<std::vector<std::string>> fb, Check check) const {
        auto node = t.get(key);
        if (!node) return required(t, key, ctx, fb);
        auto array = node->as_array();
        if (!array) fail_value(*node, ctx, key, "expected an array of strings, e.g. [\"a\", \"b\"]");
        std::vector<std::string> out;
        for (auto& element : *array) {
            auto s = element.value<std::string>();
            if (!s) fail_value(element, ctx, key, "expected an array of strings, e.g. [\"a\", \"b\"]");
            check(element, *s);
            out.push_back(*s);
        }
        return out;
    }

    std::vector<std::string> strings(const toml::table& t, std::string_view key, std::string_view ctx,
                                     std::optional<std::vector<std::string>> fb) const {
        return strings(t, key, ctx, std::move(fb), [](const toml::node&, const std::string&) {});
    }

    template <typename T>
    T required(const toml::table& t, std::string_view key, std::string_view ctx, const std::optional<T>& fb) const {
        if (fb) return *fb;
        fail(t.source(), fmt::format("{}: missing key \"{}\"", ctx, key));
    }

    int clock(const toml::table& t, std::string_view key, std::string_view ctx, int fb, bool allow_end) const {
        auto node = t.get(key);
        if (!node) return fb;
        auto s = node->value<std::string>();
        auto c = s ? parse_clock(*s, allow_end) : std::nullopt;
        if (!c)
            fail_value(*node, ctx, key,
                       allow_end ? "expected a clock time from \"00:00\" to \"24:00\"" : "expected a clock time from \"00:00\" to \"23:59\"");
        return *c;
    }

    void read_tracking(const toml::table& t, Tracking& out) const {
        out.natural_break = duration(t, "natural_break", "[tracking]", out.natural_break);
        out.grace = duration(t, "grace", "[tracking]", out.grace, false);
        if (t.contains("source")) {
            std::vector<std::string> names = {"auto", "none"};
            names.insert(names.end() - 1, activity_source_names.begin(), activity_source_names.end());
            out.source = string(t, "source", "[tracking]", std::nullopt);
            if (!contains(names, out.source)) {
                std::string expected;
                for (auto it = names.begin(); it + 1 != names.end(); ++it) expected += fmt::format("\"{}\", ", *it);
                expected.resize(expected.size() - 2);
                fail_value(*t.get("source"), "[tracking]", "source",
                           fmt::format("expected {} or \"{}\"{}", expected, names.back(), did_you_mean(out.source, names)));
            }
        }
    }

    void read_schedule(const toml::table& t, Schedule& out) const {
        constexpr std::string_view ctx = "[schedule]";
        if (t.contains("days")) {
            out.days.fill(false);
            std::vector<std::string> names;
            for (int d = 0; d < 7; ++d) names.emplace_back(weekday_name(d));
            auto days = strings(t, "days", ctx, std::nullopt, [&](const toml::node& n, const std::string& s) {
                if (!parse_weekday(s))
                    fail_value(n, ctx, "days", fmt::format("expected a weekday: \"mon\" ... \"sun\"{}", did_you_mean(s, names)));
            });
            if (days.empty())
                fail_value(*t.get("days"), ctx, "days", "expected at least one weekday, e.g. [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]");
            for (auto& d : days) out.days[static_cast<std::size_t>(*parse_weekday(d))] = true;
        }
        out.from_s = clock(t, "from", ctx, out.from_s, false);
        out.to_s = clock(t, "to", ctx, out.to_s, true);
        if (out.from_s == out.to_s % seconds_per_day && out.to_s != seconds_per_day) {
            auto where = t.get("to") ? t.get("to") : t.get("from");
            fail(where ? where->source() : t.source(),
                 fmt::format("{}: from = \"{}\" and to = \"{}\" leave no hours: make them differ, "
                             "or use from = \"00:00\", to = \"24:00\" for all day",
                             ctx, format_clock(out.from_s), format_clock(out.to_s)));
        }
    }

    void read_profile(const toml::table& t, Profile& out) const {
        constexpr std::string_view ctx = "[profile]";
        out.equipment = strings(t, "equipment", ctx, out.equipment);
        if (t.contains("avoid")) {
            out.avoid.clear();
            auto avoid = strings(t, "avoid", ctx, std::nullopt, [&](const toml::node& n, const std::string& s) {
                if (!parse_position(s))
                    fail_value(n, ctx, "avoid",
                               fmt::format("expected a position: \"seated\", \"standing\" or \"floor\"{}",
                                           did_you_mean(s, {"seated", "standing", "floor"})));
            });
            for (auto& p : avoid) out.avoid.push_back(*parse_position(p));
        }
        out.repeat_after = integer(t, "repeat_after", ctx, out.repeat_after, 0, 100);
        out.focus = strings(t, "focus", ctx, out.focus, [&](const toml::node& n, const std::string& area) {
            if (!contains(body_areas(), area))
                fail_value(n, ctx, "focus", fmt::format("expected a body area{}; known areas: {}", did_you_mean(area, body_areas()),
                                                      fmt::join(body_areas(), ", ")));
        });
    }

    void read_notify(const toml::table& t, Notify& out) const {
        constexpr std::string_view ctx = "[notify]";
        std::vector<std::string> names = {"desktop", "command", "bell"};
        if (t.contains("methods")) {
            out.methods.clear();
            auto methods = strings(t, "methods", ctx, std::nullopt, [&](const toml::node& n, const std::string& m) {
                if (!contains(names, m))
                    fail_value(n, ctx, "methods", fmt::format("expected \"desktop\", \"command\" or \"bell\"{}", did_you_mean(m, names)));
            });
            for (auto& m : methods) out.methods.push_back(static_cast<Notify::Method>(std::find(names.begin(), names.end(), m) - names.begin()));
        }
        out.command = strings(t, "command", ctx, out.command);
        if (t.contains("command") && out.command.empty())
            fail_value(*t.get("command"), ctx, "command", "expected a program and its arguments, e.g. [\"notify-send\", \"Stretch\"]");
        out.command_timeout = duration(t, "command_timeout", ctx, out.command_timeout);
        out.critical_after = integer(t, "critical_after", ctx, out.critical_after, 0, 100);
        out.hold_max = duration(t, "hold_max", ctx, out.hold_max, false);
        if (t.contains("sound")) out.sound = string(t, "sound", ctx, std::nullopt);
        if (t.contains("mako_quiet_mode")) out.mako_quiet_mode = string(t, "mako_quiet_mode", ctx, std::nullopt);
    }

    void read_meeting(const toml::table& t, Meeting& out) const {
        constexpr std::string_view ctx = "[meeting]";
        out.enabled = boolean(t, "enabled", ctx, out.enabled);
        out.camera = boolean(t, "camera", ctx, out.camera);
        out.microphone = boolean(t, "microphone", ctx, out.microphone);
        out.settle = duration(t, "settle", ctx, out.settle, false);
        out.ignore = strings(t, "ignore", ctx, out.ignore, [&](const toml::node& n, const std::string& name) {
            if (name.empty()) fail_value(n, ctx, "ignore", "expected application names, e.g. [\"easyeffects\"]");
        });
        if (t.contains("hold_max")) out.hold_max = duration(t, "hold_max", ctx, std::nullopt);
    }

    Stretch read_stretch(const toml::table& t) const {
        Stretch s;
        auto idx = std::to_string(stretch_index_++);
        check_keys(t, config_keys_of("stretch"), fmt::format("stretch #{}", idx));
        s.id = string(t, "id", fmt::format("stretch #{}", idx), std::nullopt);
        auto ctx = fmt::format("stretch \"{}\"", s.id);
        auto id_node = t.get("id");
        if (!std::all_of(s.id.begin(), s.id.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }))
            fail_value(*id_node, ctx, "id", "expected lowercase letters, digits and '-' only");
        s.name = string(t, "name", ctx, std::nullopt);
        s.steps = strings(t, "steps", ctx, std::nullopt, [&](const toml::node& n, const std::string& step) {
            if (step.empty()) fail_value(n, ctx, "steps", "expected non-empty steps");
        });
        if (s.steps.empty()) fail_value(*t.get("steps"), ctx, "steps", "expected at least one step");

        auto hold_node = t.get("hold");
        if (!hold_node) required<int>(t, "hold", ctx, std::nullopt);
        auto hold_text = hold_node->value<std::string>();
        auto hold = hold_text ? parse_hold(*hold_text) : std::nullopt;
        if (!hold) fail_value(*hold_node, ctx, "hold", "expected a hold like \"30s\", \"20-30s\", \"1m\" or \"5-10 breaths\"");
        s.hold = *hold;

        if (auto reps = t.get("reps")) {
            std::optional<Reps> r;
            if (auto n = reps->value_exact<int64_t>(); n && *n > 0 && *n <= 100) r = Reps{static_cast<int>(*n), static_cast<int>(*n)};
            if (auto text = reps->value_exact<std::string>()) r = parse_reps(*text);
            if (!r) fail_value(*reps, ctx, "reps", "expected a count from 1 to 100 or a range like \"10-12\"");
            s.reps = *r;
        }
        s.per_side = boolean(t, "per_side", ctx, false);
        s.targets = strings(t, "targets", ctx, std::nullopt, [&](const toml::node& n, const std::string& area) {
            if (!contains(body_areas(), area))
                fail_value(n, ctx, "targets", fmt::format("expected a body area{}; known areas: {}", did_you_mean(area, body_areas()),
                                                        fmt::join(body_areas(), ", ")));
        });
        if (s.targets.empty()) fail_value(*t.get("targets"), ctx, "targets", "expected at least one body area");

        auto position_node = t.get("position");
        auto position_text = position_node ? position_node->value<std::string>() : std::nullopt;
        if (!position_node) required<int>(t, "position", ctx, std::nullopt);
        auto position = position_text ? parse_position(*position_text) : std::nullopt;
        if (!position) fail_value(*position_node, ctx, "position", "expected \"seated\", \"standing\" or \"floor\"");
        s.position = *position;

        s.equipment = strings(t, "equipment", ctx, std::vector<std::string>{});
        s.tags = strings(t, "tags", ctx, std::vector<std::string>{});
        if (t.contains("caution")) s.caution = string(t, "caution", ctx, std::nullopt);
        if (t.contains("variation_of")) s.variation_of = string(t, "variation_of", ctx, std::nullopt);
        return s;
    }

    void check_stretch_references(const Config& config, const toml::array& tables) const {
        std::set<std::string> seen;
        std::vector<std::string> ids;
        for (auto& s : config.stretches) ids.push_back(s.id);
        for (std::size_t i = 0; i < config.stretches.size(); ++i) {
            const auto& s = config.stretches[i];
            const auto& t = *tables[i].as_table();
            if (!seen.insert(s.id).second)
                fail_value(*t.get("id"), fmt::format("stretch \"{}\"", s.id), "id", "expected a unique id: another stretch has it");
            if (s.variation_of && (!contains(ids, *s.variation_of) || *s.variation_of == s.id)) {
                std::vector<std::string> others;
                for (auto& id : ids)
                    if (id != s.id) others.push_back(id);
                fail_value(*t.get("variation_of"), fmt::format("stretch \"{}\"", s.id), "variation_of",
                           fmt::format("expected the id of another stretch{}", did_you_mean(*s.variation_of, others)));
            }
        }
        check_variation_cycles(config, tables);
    }

    // variation_of points from the easier form to the harder one, so the
    // links must end at a hardest form; a loop would leave the picker with
    // no way to tell which is harder. Reported at the first stretch of the
    // loop in file order. Every link resolves by now.
    void check_variation_cycles(const Config& config, const toml::array& tables) const {
        for (std::size_t i = 0; i < config.stretches.size(); ++i) {
            const auto& start = config.stretches[i];
            std::vector<std::string> path{start.id};
            for (const Stretch* s = &start; s->variation_of;) {
                s = config.find_stretch(*s->variation_of);
                path.push_back(s->id);
                if (s->id == start.id) {
                    auto why = fmt::format("a cycle ({}): one of them must be the harder form", fmt::join(path, " → "));
                    fail_value(*tables[i].as_table()->get("variation_of"), fmt::format("stretch \"{}\"", start.id),
                               "variation_of", why);
                }
                // A chain that runs into a loop not through `start`: that loop is reported at its own first stretch.
                if (std::count(path.begin(), path.end(), s->id) > 1) break;
            }
        }
    }

    Duration resolve_natural_break(const BreakRule& rule, std::optional<Duration> own, const Config& config) const {
        return own.value_or(std::max(rule.duration, config.tracking.natural_break));
    }

    BreakRule read_break(const toml::table& t, const Config& config) const {
        BreakRule r;
        auto idx = std::to_string(break_index_++);
        check_keys(t, config_keys_of("break"), fmt::format("break #{}", idx));
        r.name = string(t, "name", fmt::format("break #{}", idx), std::nullopt);
        auto ctx = fmt::format("break \"{}\"", r.name);
        r.every = duration(t, "every", ctx, std::nullopt);
        r.duration = duration(t, "duration", ctx, std::nullopt);
        if (r.every <= r.duration)
            fail_value(*t.get("every"), ctx, "every",
                       fmt::format("expected more than duration = \"{}\": a break cannot come round before it ends",
                                   format_duration(r.duration)));
        std::optional<Duration> natural;
        if (t.contains("natural_break")) natural = duration(t, "natural_break", ctx, std::nullopt);
        r.natural_break_set = natural;
        r.natural_break = resolve_natural_break(r, natural, config);

        std::vector<std::string> known_tags;
        for (auto& s : config.stretches)
            for (auto& tag : s.tags)
                if (!contains(known_tags, tag)) known_tags.push_back(tag);
        r.tags = strings(t, "tags", ctx, std::vector<std::string>{}, [&](const toml::node& n, const std::string& tag) {
            if (!contains(known_tags, tag))
                fail_value(n, ctx, "tags", fmt::format("expected a tag some stretch has{}; known tags: {}", did_you_mean(tag, known_tags),
                                                     fmt::join(known_tags, ", ")));
        });
        r.targets = strings(t, "targets", ctx, std::vector<std::string>{}, [&](const toml::node& n, const std::string& area) {
            if (!contains(body_areas(), area))
                fail_value(n, ctx, "targets", fmt::format("expected a body area{}; known areas: {}", did_you_mean(area, body_areas()),
                                                        fmt::join(body_areas(), ", ")));
            if (std::none_of(config.stretches.begin(), config.stretches.end(), [&](auto& s) { return contains(s.targets, area); }))
                fail_value(n, ctx, "targets", "expected a body area some stretch targets");
        });
        r.snooze = duration(t, "snooze", ctx, std::chrono::minutes(5));
        r.max_snoozes = integer(t, "max_snoozes", ctx, 3, 0, 100);
        r.skippable = boolean(t, "skippable", ctx, true);
        r.remind_every = duration(t, "remind_every", ctx, std::chrono::minutes(5));
        r.enabled = boolean(t, "enabled", ctx, true);
        return r;
    }

    void check_break_names(const Config& config, const toml::array& tables) const {
        std::set<std::string> seen;
        for (std::size_t i = 0; i < config.breaks.size(); ++i)
            if (!seen.insert(config.breaks[i].name).second)
                fail_value(*tables[i].as_table()->get("name"), fmt::format("break \"{}\"", config.breaks[i].name), "name",
                           "expected a unique name: another [[break]] has it");
    }

    // Each enabled rule must be able to suggest something to this user.
    void check_pools(const Config& config, const toml::table& root) const {
        auto breaks = root.get("break") ? root.get("break")->as_array() : nullptr;
        for (std::size_t i = 0; i < config.breaks.size(); ++i) {
            const auto& rule = config.breaks[i];
            if (!rule.enabled || !config.pool(rule).empty()) continue;
            const toml::source_region* where = &root.source();
            if (breaks) {
                where = &(*breaks)[i].source();
            } else {
                // A built-in rule: the user's own stretches or profile left it empty.
                Config open = config;  // the same library with no profile to filter it
                open.profile = Profile{};
                for (auto& s : open.stretches) s.equipment.clear();
                if (auto stretches = root.get("stretch"); stretches && open.pool(rule).empty()) {
                    std::vector<std::string> wants;
                    if (!rule.tags.empty()) wants.push_back(fmt::format("tags = [\"{}\"]", fmt::join(rule.tags, "\", \"")));
                    if (!rule.targets.empty())
                        wants.push_back(fmt::format("targets = [\"{}\"]", fmt::join(rule.targets, "\", \"")));
                    fail(stretches->as_array()->front().source(),
                         fmt::format("built-in break \"{}\" draws from {}: expected one of your [[stretch]] entries "
                                     "to match, or your own [[break]] rules",
                                     rule.name, fmt::join(wants, " or ")));
                }
                if (auto profile = root.get("profile"))
                    where = &(profile->as_table()->get("avoid") ? profile->as_table()->get("avoid") : profile)->source();
            }
            fail(*where, fmt::format("break \"{}\": no stretch can be suggested: every stretch it draws from needs "
                                    "equipment not in [profile] equipment or a position in [profile] avoid; "
                                    "widen its tags or targets, or relax the profile",
                                    rule.name));
        }
    }

    // A focus area no stretch can serve would never get its turn.
    void check_focus(const Config& config, const toml::table& root) const {
        const toml::array* written = nullptr;
        if (auto profile = root.get("profile"); profile && profile->as_table())
            if (auto focus = profile->as_table()->get("focus")) written = focus->as_array();
        for (std::size_t i = 0; i < config.profile.focus.size(); ++i) {
            const auto& area = config.profile.focus[i];
            auto targets = [&](const Stretch& s) { return contains(s.targets, area); };
            if (std::any_of(config.stretches.begin(), config.stretches.end(), [&](auto& s) { return targets(s) && config.allows(s); }))
                continue;
            bool in_library = std::any_of(config.stretches.begin(), config.stretches.end(), targets);
            auto why = in_library ? "every stretch for it needs equipment not in [profile] equipment or a position in "
                                    "[profile] avoid; relax the profile or choose another area"
                                  : "no stretch in the library targets it; add a [[stretch]] for it or choose another area";
            // Not written here: the focus comes from the fallback, and this file's library or profile emptied it.
            const toml::source_region& where = written && i < written->size() ? (*written)[i].source()
                                               : root.get("profile")           ? root.get("profile")->source()
                                                                               : root.source();
            fail(where, fmt::format("[profile]: focus = \"{}\": {}", area, why));
        }
    }

    std::string source_;
    const Config* fallback_;
    mutable int stretch_index_ = 1;
    mutable int break_index_ = 1;
};

}  // namespace

std::string_view notify_method_name(Notify::Method m) {
    switch (m) {
        case Notify::Method::desktop: return "desktop";
        case Notify::Method::command: return "command";
        case Notify::Method::bell: return "bell";
    }
    return "desktop";
}

bool Schedule::active_at(LocalTime t) const {
    bool today = days[static_cast<std::size_t>(t.weekday)];
    int s = t.seconds_of_day;
    if (from_s < to_s) return today && s >= from_s && s < to_s;
    // The hours span midnight: the early part belongs to the previous day's shift.
    bool yesterday = days[static_cast<std::size_t>((t.weekday + 6) % 7)];
    return (today && s >= from_s) || (yesterday && s < to_s);
}

std::optional<int> Schedule::seconds_until_change(LocalTime t) const {
    bool now = active_at(t);
    // Changes can only happen at from, to or midnight; try each in order of
    // distance over the next eight days.
    std::vector<int> offsets;
    for (int day = 0; day <= 8; ++day)
        for (int at : {from_s, to_s % seconds_per_day, 0}) {
            int offset = day * seconds_per_day + at - t.seconds_of_day;
            if (offset > 0) offsets.push_back(offset);
        }
    std::sort(offsets.begin(), offsets.end());
    for (int offset : offsets) {
        int total = t.seconds_of_day + offset;
        LocalTime then{(t.weekday + total / seconds_per_day) % 7, total % seconds_per_day};
        if (active_at(then) != now) return offset;
    }
    return std::nullopt;
}

const Stretch* Config::find_stretch(std::string_view id) const {
    for (auto& s : stretches)
        if (s.id == id) return &s;
    return nullptr;
}

const BreakRule* Config::find_break(std::string_view name) const {
    for (auto& b : breaks)
        if (b.name == name) return &b;
    return nullptr;
}

bool Config::allows(const Stretch& s) const {
    if (std::find(profile.avoid.begin(), profile.avoid.end(), s.position) != profile.avoid.end()) return false;
    return std::all_of(s.equipment.begin(), s.equipment.end(), [&](auto& e) { return contains(profile.equipment, e); });
}

std::vector<const Stretch*> Config::pool(const BreakRule& rule) const {
    std::vector<const Stretch*> out;
    bool any = rule.tags.empty() && rule.targets.empty();
    for (auto& s : stretches) {
        if (!allows(s)) continue;
        bool drawn = any || std::any_of(s.tags.begin(), s.tags.end(), [&](auto& tag) { return contains(rule.tags, tag); }) ||
                     std::any_of(s.targets.begin(), s.targets.end(), [&](auto& a) { return contains(rule.targets, a); });
        if (drawn) out.push_back(&s);
    }
    return out;
}

Duration Config::shortest_natural_break() const {
    std::optional<Duration> shortest;
    for (auto& b : breaks)
        if (b.enabled && (!shortest || b.natural_break < *shortest)) shortest = b.natural_break;
    return shortest.value_or(tracking.natural_break);
}

Config load_config(std::string_view text, std::string_view source_name, const Config* fallback) {
    return Loader(source_name, fallback).load(text);
}

const Config& default_config() {
    static const Config config = load_config(default_config_text(), "built-in default config");
    return config;
}

}  // namespace stretch
