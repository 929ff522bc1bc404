#pragma once
// What stretchd keeps on disk: the history of events and the engine's live
// state, in one SQLite file ($XDG_STATE_HOME/stretch/stretch.db). Writes are
// small and synchronous (WAL mode), so an event is on disk before the
// command that caused it is answered.
//
// The directory is made 0700 and every file in it 0600, whatever the umask;
// one that is a symbolic link or another user's is not used (the history is
// then kept in memory, and status and doctor say why).
//
// A file that is corrupt, from a newer stretch, or not ours is never
// overwritten: it is moved aside with a timestamped name and a fresh one is
// started. When the disk refuses writes (read-only, full), the store says so
// once and keeps the history in memory, so the daemon goes on serving: the
// events of the write that failed and every later one are in memory, the
// earlier ones still read from the file, and status and doctor tell the user.
// It tries the file again later (30 s after the failure, the wait doubling
// to 10 minutes, or at once on retry()); once the file takes writes, the
// events kept in memory move into it, in order, in one transaction.
//
// The store reads no clock and no environment of its own: the daemon gives
// it the path, the loop its retry timer runs on, and the wall clock.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/effects.hpp"
#include "core/stats.hpp"
#include "daemon/plumbing/event_loop.hpp"
#include "daemon/storage/database.hpp"
#include "shared/private_path.hpp"

namespace stretch {

// A history event as stored: the core's HistoryEvent and its row id.
struct HistoryRow : HistoryEvent {
    std::int64_t id = 0;
};

class Store {
public:
    static constexpr std::int64_t schema_version = 3;
    static constexpr std::chrono::seconds first_retry{30};
    static constexpr std::chrono::seconds max_retry{600};
    // Unix time in seconds: names the files moved aside.
    using WallClock = std::function<std::int64_t()>;

    // Opens or creates the database at `path`; never throws: problems are
    // logged and the store falls back to memory. The retry timer runs on
    // `loop`, which must outlive the store.
    Store(EventLoop& loop, std::filesystem::path path, WallClock wall_clock);

    // Groups the writes up to commit() into one transaction: all or none of
    // them are on disk after a crash.
    void begin();
    void commit();
    // Appends an event. Returns false if it is only in memory.
    bool record(const HistoryRow& row);
    void save_state(const std::string& state_json, std::int64_t wall_s);
    std::optional<std::string> load_state();
    // Events with since <= time < until, oldest first.
    std::vector<HistoryRow> history(std::int64_t since, std::int64_t until);
    // Deletes events older than `before`, and compacts the file when much of
    // it is free pages.
    void prune(std::int64_t before);

    // Whether writes reach the file. After one fails, the writes go to
    // memory until a retry succeeds.
    bool durable() const { return problem_.empty(); }
    // Tries the file now: reopens it and moves the events kept in memory (and
    // the state) into it. True when the store is durable afterwards. On
    // failure the next try is armed, the wait doubled.
    bool retry();
    // How long after the last failure the next try comes; nullopt when durable.
    std::optional<std::chrono::seconds> next_retry() const;
    const std::filesystem::path& path() const { return path_; }
    // Why the store is in memory only, for status and doctor.
    const std::string& problem() const { return problem_; }
    // For status: {"durable", "path"}, when not durable the "problem" and a
    // "fix" for the user, and "tightened": what was open to other users at
    // start and was made private.
    nlohmann::json describe() const;
    // For doctor's problems[]: {"problem", "fix"}, or null when durable.
    nlohmann::json doctor_problem() const;

    // Where XDG says the database goes.
    static std::filesystem::path default_path();

private:
    void make_private();
    void refuse(const PrivatePathError& e);
    std::unique_ptr<Database> open_database();
    std::filesystem::path side_file(std::string_view suffix) const;
    void open();
    void migrate();
    void move_aside(std::string_view why);
    void fail(const DatabaseError& e, std::string_view doing);
    void stop_reading(const DatabaseError& e, std::string_view doing);
    std::string fix_for(int sqlite_code) const;
    std::string whole_problem() const;
    void arm_retry();
    void flush_memory();

    WallClock wall_clock_;
    std::filesystem::path path_;
    std::unique_ptr<Database> db_;
    std::unique_ptr<Transaction> transaction_;
    std::string problem_;
    bool problem_names_path_ = false;
    std::string fix_;
    std::vector<std::string> notices_;
    // The events of the open transaction: if it fails they go to memory_,
    // which a rollback would otherwise lose.
    std::vector<HistoryRow> pending_;
    std::vector<HistoryRow> memory_;  // when the disk will not take them
    std::optional<std::string> memory_state_;
    std::int64_t next_memory_id_ = 1;
    EventSource retry_timer_;
    std::chrono::seconds retry_wait_{0};  // zero: no try armed
};

HistoryRow history_row(const Record& record, std::int64_t wall_s);

}  // namespace stretch
