#include "daemon/plumbing/log.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <stdexcept>

#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "shared/paths.hpp"

namespace stretch {
namespace {

// systemd sets JOURNAL_STREAM=DEV:INODE for the stream it connected us to.
bool stderr_is_journal() {
    auto stream = env("JOURNAL_STREAM");
    if (!stream) return false;
    struct stat st {};
    if (fstat(fileno(stderr), &st) < 0) return false;
    return *stream == fmt::format("{}:{}", st.st_dev, st.st_ino);
}

class SyslogPrefix : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        static constexpr char levels[] = {'7', '7', '6', '4', '3', '2', '6'};  // trace ... critical, off
        dest.push_back('<');
        dest.push_back(levels[msg.level]);
        dest.push_back('>');
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<SyslogPrefix>(); }
};

}  // namespace

void setup_logging(std::string_view level) {
    auto parsed = spdlog::level::from_str(std::string(level));
    if (parsed == spdlog::level::off && level != "off")
        throw std::invalid_argument(fmt::format("--log-level \"{}\": expected trace, debug, info, warning, error or off", level));
    auto logger = spdlog::stderr_logger_st("stretchd");
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    if (stderr_is_journal())
        formatter->add_flag<SyslogPrefix>('*').set_pattern("%*%v");
    else
        formatter->set_pattern("%Y-%m-%d %H:%M:%S.%e %l: %v");
    logger->set_formatter(std::move(formatter));
    logger->set_level(parsed);
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(std::move(logger));
}

}  // namespace stretch
