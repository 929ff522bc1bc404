#pragma once
// Fitting text for a person to the width of their terminal. Only a terminal
// gets wrapped text: output read by a program (a pipe, a file) keeps its
// lines whole, whatever $COLUMNS says, so that scripts see the same lines on
// every machine.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stretch {

// The width to fit standard output to when it is a terminal: $COLUMNS if it
// is a number, else the terminal's own width, else 80. nullopt when standard
// output is not a terminal.
std::optional<std::size_t> terminal_width();

// The columns `text` takes on a terminal: escape sequences (colours) none,
// wide characters (emoji, CJK) two, combining marks none, others one.
std::size_t display_width(std::string_view text);

// `text` followed by spaces to fill `width` columns (display_width, so an
// emoji or a coloured word lines up too); `text` alone when it is as wide.
std::string pad(std::string_view text, std::size_t width);

// Rows of cells as lines of aligned columns, two spaces apart: each column
// as wide as its widest cell, the last one not padded. A row may be short.
std::vector<std::string> align_columns(const std::vector<std::vector<std::string>>& rows);

// Wraps every line wider than `width` at spaces, never inside a word (a word
// longer than the line is left whole). A continued line hangs under where
// the line's text begins: after a list marker ("1. ", "- "), else under its
// second column (text after a gap of two or more spaces, when that is in the
// left half), else at the line's own indent. Lines that fit are unchanged.
std::string wrap(std::string_view text, std::size_t width);

// wrap() to terminal_width(); the text as it is when there is no terminal.
std::string fit_to_terminal(std::string_view text);

}  // namespace stretch
