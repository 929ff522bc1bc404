#include "daemon/store.hpp"

#include <sys/stat.h>

#include <ctime>
#include <system_error>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "ipc/paths.hpp"

namespace stretch {
namespace {

// "STRT": marks the file as ours, so a stranger's database is never migrated.
constexpr std::int64_t application_id = 0x53545254;
// How many prunes between compactions: prunes are daily, so about monthly.
constexpr int prunes_per_vacuum = 30;

std::string timestamp() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%S", &tm);
    return buffer;
}

}  // namespace

HistoryRow history_row(const Record& r, std::int64_t wall_s) {
    HistoryRow row;
    row.time = wall_s;
    row.kind = std::string(record_kind_name(r.kind));
    row.rule = r.rule;
    row.stretch = r.stretch;
    row.amount_s = std::chrono::duration_cast<std::chrono::seconds>(r.amount).count();
    row.count = r.count;
    row.origin = r.origin;
    return row;
}

std::filesystem::path Store::default_path() {
    if (auto state = env("XDG_STATE_HOME")) return std::filesystem::path(*state) / "stretch" / "stretch.db";
    if (auto home = env("HOME")) return std::filesystem::path(*home) / ".local" / "state" / "stretch" / "stretch.db";
    return "stretch.db";
}

Store::Store(std::filesystem::path path) : path_(std::move(path)) {
    std::error_code ec;
    std::filesystem::create_directories(path_.parent_path(), ec);
    try {
        open();
    } catch (const DatabaseError& e) {
        fail(e, "opening the history");
    }
}

void Store::open() {
    bool exists = std::filesystem::exists(path_);
    try {
        db_ = std::make_unique<Database>(path_, true);
        if (exists) {
            auto check = db_->scalar("PRAGMA quick_check");
            if (check != "ok") throw DatabaseError(SQLITE_CORRUPT, fmt::format("integrity check says: {}", check.value_or("nothing")));
        }
    } catch (const DatabaseError& e) {
        if (!exists || (e.code() != SQLITE_CORRUPT && e.code() != SQLITE_NOTADB)) throw;
        db_.reset();
        move_aside(fmt::format("it is damaged ({})", e.what()));
        db_ = std::make_unique<Database>(path_, true);
    }
    std::int64_t app = std::stoll(db_->scalar("PRAGMA application_id").value_or("0"));
    std::int64_t version = db_->user_version();
    bool has_tables = db_->scalar("SELECT count(*) FROM sqlite_master").value_or("0") != "0";
    if ((app != application_id && has_tables) || version > schema_version) {
        db_.reset();
        move_aside(version > schema_version
                       ? fmt::format("it is from a newer stretch (schema {}, this one knows {})", version, schema_version)
                       : std::string("it is not a stretch database"));
        db_ = std::make_unique<Database>(path_, true);
    }
    db_->exec("PRAGMA journal_mode = WAL");
    // FULL: a committed event survives even a power cut. Writes are a few
    // small rows an hour, so the fsyncs cost nothing that matters.
    db_->exec("PRAGMA synchronous = FULL");
    migrate();
}

void Store::migrate() {
    std::int64_t version = db_->user_version();
    if (version == schema_version) return;
    Transaction t(*db_);
    if (version < 1) {
        db_->exec(fmt::format("PRAGMA application_id = {}", application_id));
        db_->exec(R"(CREATE TABLE events (
                         id INTEGER PRIMARY KEY,
                         time INTEGER NOT NULL,
                         kind TEXT NOT NULL,
                         break TEXT NOT NULL DEFAULT '',
                         stretch TEXT NOT NULL DEFAULT '',
                         amount_s INTEGER NOT NULL DEFAULT 0,
                         origin TEXT NOT NULL DEFAULT ''))");
        db_->exec("CREATE INDEX events_time ON events(time)");
    }
    if (version < 2) {
        // Version 2: how many times (snoozes, reminders), and the live state.
        db_->exec("ALTER TABLE events ADD COLUMN count INTEGER NOT NULL DEFAULT 0");
        db_->exec("CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), saved INTEGER NOT NULL, json TEXT NOT NULL)");
    }
    db_->set_user_version(schema_version);
    t.commit();
    if (version > 0) spdlog::info("history database upgraded from schema {} to {}", version, schema_version);
}

void Store::move_aside(std::string_view why) {
    auto aside = path_;
    aside += fmt::format(".broken-{}", timestamp());
    // Never onto an earlier one moved aside in the same second.
    for (int n = 2; std::filesystem::exists(std::filesystem::symlink_status(aside)); ++n) {
        aside = path_;
        aside += fmt::format(".broken-{}-{}", timestamp(), n);
    }
    std::error_code ec;
    std::filesystem::rename(path_, aside, ec);
    for (const char* suffix : {"-wal", "-shm"}) {
        auto side = path_;
        side += suffix;
        auto side_aside = aside;
        side_aside += suffix;
        std::filesystem::rename(side, side_aside, ec);
    }
    spdlog::error("history database \"{}\": {}; moved it to \"{}\" and started a new one", path_.string(), why, aside.string());
}

void Store::fail(const DatabaseError& e, std::string_view doing) {
    transaction_.reset();  // rolls back what it can before the connection goes
    problem_ = fmt::format("{}: {}", doing, e.what());
    spdlog::error("history database \"{}\": {}; keeping history in memory until stretchd restarts (check the disk: "
                  "is it full or read-only?)",
                  path_.string(), problem_);
    db_.reset();
}

void Store::begin() {
    if (!db_ || transaction_) return;
    try {
        transaction_ = std::make_unique<Transaction>(*db_);
    } catch (const DatabaseError& e) {
        fail(e, "starting a write");
    }
}

void Store::commit() {
    if (!transaction_) return;
    try {
        transaction_->commit();
    } catch (const DatabaseError& e) {
        transaction_.reset();
        fail(e, "committing events");
        return;
    }
    transaction_.reset();
}

bool Store::record(const HistoryRow& row) {
    if (db_) {
        try {
            Statement s(db_->get(),
                        "INSERT INTO events (time, kind, break, stretch, amount_s, count, origin) VALUES (?, ?, ?, ?, ?, ?, ?)");
            s.bind(1, row.time).bind(2, row.kind).bind(3, row.rule).bind(4, row.stretch).bind(5, row.amount_s).bind(6, row.count).bind(7, row.origin);
            s.run();
            return true;
        } catch (const DatabaseError& e) {
            fail(e, "recording an event");
        }
    }
    HistoryRow copy = row;
    copy.id = next_memory_id_++;
    memory_.push_back(std::move(copy));
    return false;
}

void Store::save_state(const std::string& state_json, std::int64_t wall_s) {
    memory_state_ = state_json;
    if (!db_) return;
    try {
        Statement s(db_->get(), "INSERT OR REPLACE INTO state (id, saved, json) VALUES (1, ?, ?)");
        s.bind(1, wall_s).bind(2, state_json).run();
    } catch (const DatabaseError& e) {
        fail(e, "saving the state");
    }
}

std::optional<std::string> Store::load_state() {
    if (!db_) return memory_state_;
    try {
        Statement s(db_->get(), "SELECT json FROM state WHERE id = 1");
        if (s.step()) return s.text(0);
    } catch (const DatabaseError& e) {
        fail(e, "reading the saved state");
    }
    return std::nullopt;
}

std::vector<HistoryRow> Store::history(std::int64_t since, std::int64_t until) {
    std::vector<HistoryRow> out;
    if (db_) {
        try {
            Statement s(db_->get(),
                        "SELECT id, time, kind, break, stretch, amount_s, count, origin FROM events "
                        "WHERE time >= ? AND time < ? ORDER BY id");
            s.bind(1, since).bind(2, until);
            while (s.step()) {
                HistoryRow row;
                row.id = s.integer(0);
                row.time = s.integer(1);
                row.kind = s.text(2);
                row.rule = s.text(3);
                row.stretch = s.text(4);
                row.amount_s = s.integer(5);
                row.count = s.integer(6);
                row.origin = s.text(7);
                out.push_back(std::move(row));
            }
        } catch (const DatabaseError& e) {
            fail(e, "reading the history");
        }
    }
    for (auto& row : memory_)
        if (row.time >= since && row.time < until) out.push_back(row);
    return out;
}

void Store::prune(std::int64_t before) {
    std::erase_if(memory_, [&](auto& row) { return row.time < before; });
    if (!db_) return;
    try {
        Statement s(db_->get(), "DELETE FROM events WHERE time < ?");
        s.bind(1, before).run();
        if (++prunes_ % prunes_per_vacuum == 0) db_->exec("VACUUM");
    } catch (const DatabaseError& e) {
        fail(e, "pruning old events");
    }
}

}  // namespace stretch
