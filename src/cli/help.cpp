#include "cli/help.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/terminal.hpp"
#include "core/suggest.hpp"

namespace stretch {
namespace {

// Help is laid out for the narrowest common terminal; a narrower one gets it
// wrapped again on the way out (terminal.hpp).
constexpr std::size_t help_width = 80;
constexpr std::size_t name_column = 22;

class TidyHelp : public CLI::Formatter {
public:
    TidyHelp() { column_width(name_column); }

    // Only the value's name ("PATH"): allowed values, ranges and exclusions
    // are in the description, in words.
    std::string make_option_opts(const CLI::Option* opt) const override {
        return opt->get_option_text().empty() ? std::string{} : " " + opt->get_option_text();
    }
    std::string make_option(const CLI::Option* opt, bool positional) const override {
        return entry(make_option_name(opt, positional) + make_option_opts(opt), make_option_desc(opt));
    }
    std::string make_subcommand(const CLI::App* sub) const override {
        return entry(sub->get_name(), sub->get_description());
    }

private:
    static std::string entry(const std::string& name, const std::string& description) {
        std::string head = "  " + name;
        if (description.empty()) return head + "\n";
        // A name too long for its column gets its description on the next line.
        head = head.size() + 2 <= name_column ? fmt::format("{:<{}}", head, name_column)
                                              : fmt::format("{}\n{:<{}}", head, "", name_column);
        return wrap(head + description, help_width) + "\n";
    }
};

std::vector<std::string> subcommand_names(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
        names.push_back(sub->get_name());
    return names;
}

const CLI::App* find_subcommand(const CLI::App& app, const std::string& name) {
    auto found = app.get_subcommands([&](const CLI::App* sub) { return sub->get_name() == name; });
    return found.empty() ? nullptr : found.front();
}

// "a b", or just one of them when the other is empty.
std::string joined(const std::string& a, const std::string& b) { return a.empty() ? b : b.empty() ? a : a + " " + b; }

// `under`: the command `word` was given to, after "stretch" ("" or "config").
std::string unknown_command(const CLI::App& command, const std::string& under, const std::string& word) {
    std::string listing = joined("stretch help", under);
    if (auto match = closest_match(word, subcommand_names(command)))
        return fmt::format("unknown command \"{}\": did you mean \"{}\"? ({} lists them all)", joined(under, word),
                           joined(under, *match), listing);
    return fmt::format("unknown command \"{}\": {} lists them all", joined(under, word), listing);
}

}  // namespace

void use_tidy_help(CLI::App& app) { app.formatter(std::make_shared<TidyHelp>()); }

std::string help_text(const CLI::App& app, const std::vector<std::string>& words) {
    const CLI::App* command = &app;
    std::string under;
    for (const auto& word : words) {
        const CLI::App* sub = find_subcommand(*command, word);
        if (!sub) throw Usage(unknown_command(*command, under, word));
        command = sub;
        under = joined(under, word);
    }
    return command->get_formatter()->make_help(command, joined(app.get_name(), under), CLI::AppFormatMode::Normal);
}

std::string usage_message(const CLI::App& app, const CLI::ParseError& error) {
    // The innermost command CLI11 had entered when it gave up.
    const CLI::App* command = &app;
    std::string under;
    while (!command->get_subcommands().empty()) {
        command = command->get_subcommands().front();
        under = joined(under, command->get_name());
    }
    // A word where a command was expected: a mistyped command.
    if (!subcommand_names(*command).empty()) {
        for (const auto& word : app.remaining(true)) {
            if (word.starts_with("-")) continue;
            if (!find_subcommand(*command, word)) return unknown_command(*command, under, word);
            break;
        }
    }
    if (under.empty()) return fmt::format("{} (stretch help lists the commands and options)", error.what());
    return fmt::format("{}: {} (stretch help {} shows how to call it)", under, error.what(), under);
}

}  // namespace stretch
