// Text from the config (stretch names, steps, cautions, rule names) goes into
// notification bodies that servers read as markup. Whatever that text holds,
// the only markup in a body must be our own <b>...</b>, and the body must
// read exactly like the plain-text one once the markup is taken out.
//
// The input is split into lines: name, rule, caution, targets (comma
// separated), then steps. The whole input is also escaped on its own.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/notification_text.hpp"

using namespace stretch;

namespace {

void check(bool ok, std::string_view what, std::string_view text) {
    if (ok) return;
    std::fprintf(stderr, "property violated: %.*s\ntext: \"%.*s\"\n", static_cast<int>(what.size()), what.data(),
                 static_cast<int>(text.size()), text.data());
    std::abort();
}

// Markup back to plain text: the three entities escape_markup writes and
// <b>/</b> are the whole vocabulary; anything else is not well formed.
std::optional<std::string> plain_of(std::string_view markup, bool tags_allowed) {
    constexpr std::pair<std::string_view, char> entities[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}};
    std::string out;
    bool bold = false;
    for (std::size_t i = 0; i < markup.size();) {
        auto rest = markup.substr(i);
        auto entity =
            std::find_if(std::begin(entities), std::end(entities), [&](auto& e) { return rest.starts_with(e.first); });
        if (entity != std::end(entities)) {
            out += entity->second;
            i += entity->first.size();
            continue;
        }
        std::string_view tag = bold ? "</b>" : "<b>";
        if (tags_allowed && rest.starts_with(tag)) {
            bold = !bold;
            i += tag.size();
            continue;
        }
        if (rest[0] == '&' || rest[0] == '<' || rest[0] == '>') return std::nullopt;
        out += rest[0];
        ++i;
    }
    if (bold) return std::nullopt;
    return out;
}

std::vector<std::string> split(std::string_view text, char separator) {
    std::vector<std::string> out;
    for (std::size_t start = 0;;) {
        auto end = text.find(separator, start);
        out.emplace_back(text.substr(start, end - start));
        if (end == std::string_view::npos) return out;
        start = end + 1;
    }
}

void check_escape(std::string_view text) {
    auto escaped = escape_markup(text);
    check(escaped.find_first_of("<>") == std::string::npos, "escaped text has no raw < or >", text);
    check(plain_of(escaped, false) == std::string(text), "every & starts an entity, and unescaping gives the text back",
          text);
    if (text.find_first_of("&<>") == std::string_view::npos)
        check(escaped == text, "text without & < > is left alone", text);
}

void check_reminder(const Reminder& reminder, const Stretch* stretch, std::string_view input) {
    for (bool actions : {false, true})
        for (bool full : {false, true}) {
            auto plain = reminder_text(reminder, stretch, TextOptions{false, actions, full});
            auto markup = reminder_text(reminder, stretch, TextOptions{true, actions, full});
            check(markup.summary == plain.summary, "the summary is the same with or without markup", input);
            auto read = plain_of(markup.body, true);
            check(read.has_value(), "a markup body is well formed: only <b>...</b> and the three entities", input);
            check(*read == plain.body, "a markup body reads like the plain body", input);
            if (stretch) check(plain.body.starts_with(stretch->name), "the body starts with the stretch's name", input);
        }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    check_escape(input);

    auto lines = split(input, '\n');
    lines.resize(std::max<std::size_t>(lines.size(), 5));
    Stretch s;
    s.name = lines[0];
    if (!lines[2].empty()) s.caution = lines[2];
    s.targets = split(lines[3], ',');
    s.steps.assign(lines.begin() + 4, lines.end());
    // The numbers only need to vary between inputs, not to be chosen by them.
    int n = static_cast<int>(size % 7) + 1;
    s.hold = Hold{size % 2 ? Hold::Unit::breaths : Hold::Unit::seconds, n, n + static_cast<int>(size % 3)};
    s.reps = Reps{1, n};
    s.per_side = size % 2 == 0;

    Reminder r;
    r.rule = lines[1];
    r.stretch_id = "fuzz";
    r.sitting = std::chrono::minutes(size);
    r.snoozes_left = static_cast<int>(size % 3);
    r.skippable = size % 5 != 0;
    check_reminder(r, &s, input);
    check_reminder(r, nullptr, input);
    return 0;
}
