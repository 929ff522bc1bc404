#pragma once
// Logging to stderr in the form the journal understands: `<N>` syslog level
// prefixes when stderr is connected to the journal (JOURNAL_STREAM matches),
// plain timestamped lines otherwise.

#include <string_view>

namespace stretch {

// Throws std::invalid_argument naming the accepted levels.
void setup_logging(std::string_view level);

}  // namespace stretch
