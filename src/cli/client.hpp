#pragma once
// The CLI's side of the socket: connect, send one request, read one reply.
// Nothing else happens on the way (no config parsing, no D-Bus), because
// `stretch next` runs in shell prompts.

#include <filesystem>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "shared/unique_fd.hpp"

namespace stretch {

// No daemon answers on the socket. Exit code 3.
class DaemonNotRunning : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The daemon answered {"ok":false,...}. Exit code 1.
class DaemonRefused : public std::runtime_error {
public:
    DaemonRefused(std::string code, const std::string& message) : std::runtime_error(message), code_(std::move(code)) {}
    const std::string& code() const { return code_; }

private:
    std::string code_;
};

class Client {
public:
    // Throws DaemonNotRunning when nothing listens at `path`.
    explicit Client(const std::filesystem::path& path);

    // Sends a request and returns the whole reply (ok or not).
    nlohmann::json call(std::string_view cmd, nlohmann::json args = nlohmann::json::object());
    // As call(), but throws DaemonRefused for an error reply.
    nlohmann::json request(std::string_view cmd, nlohmann::json args = nlohmann::json::object());
    // For subscribers: the next line from the daemon; nullopt at end of stream.
    std::optional<nlohmann::json> read_line();
    // Waits for replies with no time limit (subscribers).
    void wait_forever();

private:
    std::filesystem::path path_;
    UniqueFd fd_;
    std::string buffer_;
};

}  // namespace stretch
