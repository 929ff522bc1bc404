#include "cli/terminal.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>

#include "shared/paths.hpp"

namespace stretch {
namespace {

constexpr std::size_t fallback_width = 80;

// The next character of `text` at byte `i`: where the one after it starts,
// and how many columns it takes.
struct Glyph {
    std::size_t end;
    std::size_t width;
};

std::size_t code_point_width(char32_t c) {
    if (c < 0x20 || (c >= 0x7f && c < 0xa0)) return 0;
    if ((c >= 0x0300 && c <= 0x036f) || (c >= 0x200b && c <= 0x200f) || (c >= 0xfe00 && c <= 0xfe0f)) return 0;
    bool wide = (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) ||
                (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
                (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) || (c >= 0x1f680 && c <= 0x1f6ff) ||
                (c >= 0x1f900 && c <= 0x1f9ff) || (c >= 0x20000 && c <= 0x3fffd);
    return wide ? 2 : 1;
}

Glyph next_glyph(std::string_view text, std::size_t i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte == 0x1b) {
        // CSI (colours): ESC [ parameters, then a final byte from @ to ~.
        if (i + 1 < text.size() && text[i + 1] == '[') {
            std::size_t j = i + 2;
            while (j < text.size() && !(text[j] >= 0x40 && text[j] <= 0x7e)) ++j;
            return {std::min(j + 1, text.size()), 0};
        }
        return {std::min(i + 2, text.size()), 0};
    }
    std::size_t length = byte < 0x80           ? 1
                         : (byte >> 5) == 0x6  ? 2
                         : (byte >> 4) == 0xe  ? 3
                         : (byte >> 3) == 0x1e ? 4
                                               : 0;
    if (length == 0 || i + length > text.size()) return {i + 1, 1};  // not UTF-8: one cell per byte
    char32_t c = length == 1 ? byte : byte & (0x7f >> length);
    for (std::size_t k = 1; k < length; ++k) c = (c << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
    return {i + length, code_point_width(c)};
}

// The column a continued line starts at (see wrap()).
std::size_t hanging_indent(std::string_view line, std::size_t width) {
    std::size_t lead = line.find_first_not_of(' ');
    if (lead == std::string_view::npos) return 0;
    std::string_view text = line.substr(lead);
    std::size_t digits = text.find_first_not_of("0123456789");
    if (digits > 0 && digits != std::string_view::npos && text.substr(digits).starts_with(". "))
        return lead + digits + 2;
    if (text.starts_with("- ")) return lead + 2;
    if (text.starts_with("• ")) return lead + 2;
    std::size_t col = lead;
    for (std::size_t i = lead; i < line.size();) {
        if (line[i] == ' ' && i + 1 < line.size() && line[i + 1] == ' ') {
            while (i < line.size() && line[i] == ' ') ++i, ++col;
            return col <= width / 2 ? col : lead;
        }
        auto glyph = next_glyph(line, i);
        col += glyph.width;
        i = glyph.end;
    }
    return lead;
}

void wrap_line(std::string_view line, std::size_t width, std::string& out) {
    if (display_width(line) <= width) {
        out += line;
        return;
    }
    std::size_t indent = std::min(hanging_indent(line, width), width / 2);
    std::string rest(line);
    for (;;) {
        // The last space that ends a line no wider than `width`, or failing
        // that the first one (a word wider than the room overflows).
        // Only after a word at or past the indent: a break before it would
        // leave the marker or the first column on a line of its own.
        std::size_t fitting = std::string::npos, overflowing = std::string::npos, col = 0;
        bool past_indent = false;
        for (std::size_t i = 0; i < rest.size();) {
            if (rest[i] == ' ') {
                if (past_indent && col <= width) fitting = i;
                if (past_indent && col > width) {
                    overflowing = i;
                    break;
                }
                ++col, ++i;
                continue;
            }
            auto glyph = next_glyph(rest, i);
            if (col >= indent && glyph.width > 0) past_indent = true;
            col += glyph.width;
            i = glyph.end;
        }
        if (col <= width && overflowing == std::string::npos) {
            out += rest;
            return;
        }
        std::size_t at = fitting != std::string::npos ? fitting : overflowing;
        if (at == std::string::npos) {
            out += rest;
            return;
        }
        std::size_t head_end = rest.find_last_not_of(' ', at);
        std::size_t tail = rest.find_first_not_of(' ', at);
        out.append(rest, 0, head_end + 1);
        if (tail == std::string::npos) return;
        out += '\n';
        rest = std::string(indent, ' ') + rest.substr(tail);
    }
}

}  // namespace

std::optional<std::size_t> terminal_width() {
    if (!isatty(STDOUT_FILENO)) return std::nullopt;
    if (auto columns = env("COLUMNS")) {
        std::size_t value = 0;
        auto [end, error] = std::from_chars(columns->data(), columns->data() + columns->size(), value);
        if (error == std::errc() && end == columns->data() + columns->size() && value > 0) return value;
    }
    winsize size{};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    return fallback_width;
}

std::size_t display_width(std::string_view text) {
    std::size_t width = 0;
    for (std::size_t i = 0; i < text.size();) {
        auto glyph = next_glyph(text, i);
        width += glyph.width;
        i = glyph.end;
    }
    return width;
}

std::string pad(std::string_view text, std::size_t width) {
    std::string out(text);
    out.append(width - std::min(width, display_width(text)), ' ');
    return out;
}

std::vector<std::string> align_columns(const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> widths;
    for (auto& row : rows)
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (widths.size() <= i) widths.push_back(0);
            widths[i] = std::max(widths[i], display_width(row[i]));
        }
    std::vector<std::string> lines;
    for (auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (i + 1 == row.size()) line += row[i];
            else line += pad(row[i], widths[i]) + "  ";
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        lines.push_back(std::move(line));
    }
    return lines;
}

std::string wrap(std::string_view text, std::size_t width) {
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        wrap_line(text.substr(0, nl), width, out);
        if (nl == std::string_view::npos) break;
        out += '\n';
        text.remove_prefix(nl + 1);
    }
    return out;
}

std::string fit_to_terminal(std::string_view text) {
    auto width = terminal_width();
    return width ? wrap(text, *width) : std::string(text);
}

}  // namespace stretch
