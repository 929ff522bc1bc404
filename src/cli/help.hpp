#pragma once
// How stretch explains itself: `stretch --help` and `stretch help [COMMAND]`
// print the same text, laid out to fit 80 columns, and a command line that
// does not parse gets one line on stderr naming what was wrong, with "did
// you mean" for a mistyped command.

#include <stdexcept>
#include <string>
#include <vector>

namespace CLI {
class App;
class ParseError;
}  // namespace CLI

namespace stretch {

// A usage error: exit code 2. main() prints it after "stretch: ".
class Usage : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One line per option and per subcommand, the descriptions in a column and
// wrapped under it. For `app` and every subcommand added after this call.
void use_tidy_help(CLI::App& app);

// What `stretch WORDS --help` prints, for the command named by `words`
// ({"snooze"}, {"config", "check"}; none: stretch itself). Throws Usage for
// a name that is not a command, with the closest one.
std::string help_text(const CLI::App& app, const std::vector<std::string>& words);

// The message for a command line CLI11 refused (without "stretch: "), e.g.
// `unknown command "snoze": did you mean "snooze"? (stretch help lists them all)`.
std::string usage_message(const CLI::App& app, const CLI::ParseError& error);

}  // namespace stretch
