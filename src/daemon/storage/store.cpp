#include "daemon/storage/store.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "shared/paths.hpp"
#include "shared/private_path.hpp"

namespace stretch {
namespace {

// "STRT": marks the file as ours, so a stranger's database is never migrated.
constexpr std::int64_t application_id = 0x53545254;
// A file this small (1 MiB at SQLite's default 4 KiB pages) is not worth
// rewriting, however much of it is free.
constexpr std::int64_t min_vacuum_pages = 256;

std::string timestamp(std::int64_t wall_s) {
    auto t = static_cast<std::time_t>(wall_s);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%S", &tm);
    return buffer;
}

std::int64_t pragma_integer(Database& db, std::string_view pragma) {
    return std::stoll(db.scalar(fmt::format("PRAGMA {}", pragma)).value_or("0"));
}

// Schema 1 had no count column, so its reminders would all read as count 0,
// which stats takes for a re-reminder and leaves out. Numbers them as the
// engine does: 1 for a new reminder, one more for each repeat of the one
// still up. A reminder is up until its break is answered (taken, snoozed,
// skipped) or naturally taken, a pause or standing closes it, or another
// break's reminder takes its place.
void number_old_reminders(Database& db) {
    std::vector<std::pair<std::int64_t, std::int64_t>> counts;  // id, count
    std::string shown;
    std::int64_t count = 0;
    Statement read(db.get(), "SELECT id, kind, break FROM events ORDER BY id");
    while (read.step()) {
        std::string kind = read.text(1);
        std::string rule = read.text(2);
        if (kind == "reminded") {
            count = rule == shown ? count + 1 : 1;
            shown = rule;
            counts.emplace_back(read.integer(0), count);
        } else if (kind == "paused" || kind == "stood" || (!shown.empty() && rule == shown)) {
            shown.clear();
        }
    }
    Statement write(db.get(), "UPDATE events SET count = ? WHERE id = ?");
    for (auto [id, n] : counts) write.bind(1, n).bind(2, id).run();
}

}  // namespace

HistoryRow history_row(const Record& r, std::int64_t wall_s) {
    HistoryRow row;
    row.time = wall_s;
    row.kind = r.kind;
    row.rule = r.rule;
    row.stretch = r.stretch;
    // Rounded as the announced event rounds it (views.cpp): the history says what subscribers were told.
    row.amount_s = std::chrono::round<std::chrono::seconds>(r.amount).count();
    row.count = r.count;
    row.origin = r.origin;
    row.detail = r.detail;
    return row;
}

std::filesystem::path Store::default_path() {
    if (auto state = env("XDG_STATE_HOME")) return std::filesystem::path(*state) / "stretch" / "stretch.db";
    if (auto home = env("HOME")) return std::filesystem::path(*home) / ".local" / "state" / "stretch" / "stretch.db";
    return "stretch.db";
}

Store::Store(EventLoop& loop, std::filesystem::path path, WallClock wall_clock)
    : wall_clock_(std::move(wall_clock)), path_(std::move(path)) {
    retry_timer_ = loop.add_timer(CLOCK_MONOTONIC, [this] { retry(); });
    try {
        make_private();
        open();
    } catch (const PrivatePathError& e) {
        refuse(e);
    } catch (const DatabaseError& e) {
        fail(e, "opening the history");
    }
}

// The history says when its user sat at the computer and when they left
// it: only they may read it. The directory is the store's own, so every
// regular file in it (the database, its WAL and SHM, files moved aside) is
// made private; the database's own files must also not be links or another
// user's, or the store will not use them.
void Store::make_private() {
    auto note = [this](std::optional<std::string> tightened) {
        if (!tightened) return;
        spdlog::warn("{}", *tightened);
        notices_.push_back(std::move(*tightened));
    };
    auto dir = path_.parent_path();
    note(make_private_directory("state directory", dir));
    std::vector<std::filesystem::path> own{path_, side_file("-wal"), side_file("-shm")};
    for (const auto& file : own) note(make_private_file("history database", file));
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (std::find(own.begin(), own.end(), entry.path()) != own.end() || !entry.is_regular_file(ec)) continue;
        try {
            note(make_private_file("history file", entry.path()));
        } catch (const PrivatePathError& e) {
            spdlog::warn("{}: {}", e.what(), e.fix());  // not one the store uses: it is only reported
        }
    }
}

std::filesystem::path Store::side_file(std::string_view suffix) const {
    auto side = path_;
    side += suffix;
    return side;
}

// The database file is created here, 0600, before SQLite opens it: SQLite
// would make it 0644 less the umask, and it gives the WAL and SHM files the
// database's own mode.
std::unique_ptr<Database> Store::open_database() {
    UniqueFd created = create_private_file(path_, O_RDWR);
    if (!created && errno != EEXIST)
        throw DatabaseError(SQLITE_CANTOPEN, fmt::format("cannot create \"{}\": {}", path_.string(), std::strerror(errno)));
    return std::make_unique<Database>(path_, true);
}

// The path named in the problem is the one refused, which may be the
// directory rather than the database.
void Store::refuse(const PrivatePathError& e) {
    problem_ = e.what();
    problem_names_path_ = true;
    fix_ = e.fix();
    spdlog::error("{}; keeping history in memory and trying again in {} s: {}", problem_, first_retry.count(), fix_);
    arm_retry();
}

std::string Store::whole_problem() const {
    return problem_names_path_ ? problem_ : fmt::format("history database \"{}\": {}", path_.string(), problem_);
}

void Store::open() {
    std::error_code ec;
    bool exists = std::filesystem::file_size(path_, ec) > 0 && !ec;
    try {
        db_ = open_database();
        if (exists) {
            auto check = db_->scalar("PRAGMA quick_check");
            if (check != "ok") throw DatabaseError(SQLITE_CORRUPT, fmt::format("integrity check says: {}", check.value_or("nothing")));
        }
    } catch (const DatabaseError& e) {
        if (!exists || (e.code() != SQLITE_CORRUPT && e.code() != SQLITE_NOTADB)) throw;
        db_.reset();
        move_aside(fmt::format("it is damaged ({})", e.what()));
        db_ = open_database();
    }
    std::int64_t app = std::stoll(db_->scalar("PRAGMA application_id").value_or("0"));
    std::int64_t version = db_->user_version();
    bool has_tables = db_->scalar("SELECT count(*) FROM sqlite_master").value_or("0") != "0";
    if ((app != application_id && has_tables) || version > schema_version) {
        db_.reset();
        move_aside(version > schema_version
                       ? fmt::format("it is from a newer stretch (schema {}, this one knows {})", version, schema_version)
                       : std::string("it is not a stretch database"));
        db_ = open_database();
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
        number_old_reminders(*db_);
        db_->exec("CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), saved INTEGER NOT NULL, json TEXT NOT NULL)");
    }
    if (version < 3) {
        // Version 3: a kind's own word (how a stretch felt, the form it replaced).
        db_->exec("ALTER TABLE events ADD COLUMN detail TEXT NOT NULL DEFAULT ''");
    }
    db_->set_user_version(schema_version);
    t.commit();
    if (version > 0) spdlog::info("history database upgraded from schema {} to {}", version, schema_version);
}

void Store::move_aside(std::string_view why) {
    auto aside = path_;
    auto stamp = timestamp(wall_clock_());
    aside += fmt::format(".broken-{}", stamp);
    // Never onto an earlier one moved aside in the same second.
    for (int n = 2; std::filesystem::exists(std::filesystem::symlink_status(aside)); ++n) {
        aside = path_;
        aside += fmt::format(".broken-{}-{}", stamp, n);
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

// A write failed: the events of the transaction it rolls back are kept in
// memory with the later ones, until a retry moves them all to the file. The
// file stays open for reading the events it has.
void Store::fail(const DatabaseError& e, std::string_view doing) {
    transaction_.reset();
    if (durable()) {
        problem_ = fmt::format("{}: {}", doing, e.what());
        fix_ = fix_for(e.code());
        spdlog::error("{}; keeping history in memory and trying again in {} s: {}", whole_problem(), first_retry.count(), fix_);
        arm_retry();
        // Memory ids follow the file's: the history lists both, and its ids stay unique and in order.
        if (db_) {
            try {
                next_memory_id_ = std::stoll(db_->scalar("SELECT coalesce(max(id), 0) + 1 FROM events").value_or("1"));
            } catch (const std::exception&) {  // no events table to read: there are only memory ids
            }
        }
    }
    for (auto& row : std::exchange(pending_, {})) {
        row.id = next_memory_id_++;
        memory_.push_back(std::move(row));
    }
}

// Reading failed too: from now on the history is only what is in memory.
void Store::stop_reading(const DatabaseError& e, std::string_view doing) {
    bool was_durable = durable();
    fail(e, doing);
    if (!was_durable)
        spdlog::warn("history database \"{}\": {}: {}; showing only the events kept in memory", path_.string(), doing, e.what());
    db_.reset();
}

std::string Store::fix_for(int sqlite_code) const {
    auto dir = path_.parent_path().string();
    // The store tries again by itself; `stretch reload` makes it try at once.
    constexpr std::string_view then = "stretchd tries again every few minutes, or at once on `stretch reload`";
    switch (sqlite_code) {
        case SQLITE_FULL: return fmt::format("free some space on the disk that holds \"{}\"; {}", dir, then);
        case SQLITE_READONLY:
        case SQLITE_CANTOPEN:
        case SQLITE_PERM:
        case SQLITE_AUTH: return fmt::format("make \"{}\" and the files in it writable for you; {}", dir, then);
        default: return fmt::format("check the free space and the permissions of \"{}\"; {}", dir, then);
    }
}

nlohmann::json Store::describe() const {
    nlohmann::json out = {{"durable", durable()}, {"path", path_.string()}};
    if (!durable()) {
        out["problem"] = problem_;
        out["fix"] = fix_;
    }
    if (!notices_.empty()) out["tightened"] = notices_;
    return out;
}

nlohmann::json Store::doctor_problem() const {
    if (durable()) return nullptr;
    return {{"problem", fmt::format("{}: history is kept in memory only, and lost if stretchd stops before the file takes it", whole_problem())},
            {"fix", fix_}};
}

void Store::begin() {
    if (!durable() || transaction_) return;
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
        fail(e, "committing events");
        return;
    }
    transaction_.reset();
    pending_.clear();
}

bool Store::record(const HistoryRow& row) {
    if (durable()) {
        try {
            Statement s(db_->get(),
                        "INSERT INTO events (time, kind, break, stretch, amount_s, count, origin, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
            s.bind(1, row.time).bind(2, record_kind_name(row.kind)).bind(3, row.rule).bind(4, row.stretch).bind(5, row.amount_s).bind(6, row.count).bind(7, row.origin).bind(8, row.detail);
            s.run();
            if (transaction_) pending_.push_back(row);
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
    if (!durable()) return;
    try {
        Statement s(db_->get(), "INSERT OR REPLACE INTO state (id, saved, json) VALUES (1, ?, ?)");
        s.bind(1, wall_s).bind(2, state_json).run();
    } catch (const DatabaseError& e) {
        fail(e, "saving the state");
    }
}

std::optional<std::string> Store::load_state() {
    // What is in memory is newer than what the file could take.
    if (!db_ || memory_state_) return memory_state_;
    try {
        Statement s(db_->get(), "SELECT json FROM state WHERE id = 1");
        if (s.step()) return s.text(0);
    } catch (const DatabaseError& e) {
        stop_reading(e, "reading the saved state");
    }
    return std::nullopt;
}

std::vector<HistoryRow> Store::history(std::int64_t since, std::int64_t until) {
    std::vector<HistoryRow> out;
    if (db_) {
        try {
            Statement s(db_->get(),
                        "SELECT id, time, kind, break, stretch, amount_s, count, origin, detail FROM events "
                        "WHERE time >= ? AND time < ? ORDER BY id");
            s.bind(1, since).bind(2, until);
            while (s.step()) {
                // A kind this version does not know was written by a newer one: not ours to count.
                auto kind = parse_record_kind(s.text(2));
                if (!kind) continue;
                HistoryRow row;
                row.id = s.integer(0);
                row.time = s.integer(1);
                row.kind = *kind;
                row.rule = s.text(3);
                row.stretch = s.text(4);
                row.amount_s = s.integer(5);
                row.count = s.integer(6);
                row.origin = s.text(7);
                row.detail = s.text(8);
                out.push_back(std::move(row));
            }
        } catch (const DatabaseError& e) {
            out.clear();
            stop_reading(e, "reading the history");
        }
    }
    for (auto& row : memory_)
        if (row.time >= since && row.time < until) out.push_back(row);
    return out;
}

void Store::prune(std::int64_t before) {
    std::erase_if(memory_, [&](auto& row) { return row.time < before; });
    if (!durable()) return;
    try {
        Statement s(db_->get(), "DELETE FROM events WHERE time < ?");
        s.bind(1, before).run();
        // Compacted when a quarter of the file is free pages (a first prune
        // after a long time, keep_days made shorter). Judged from the file, not
        // from prunes counted in memory, which a desktop rebooted daily resets.
        auto pages = pragma_integer(*db_, "page_count");
        auto free = pragma_integer(*db_, "freelist_count");
        if (pages >= min_vacuum_pages && free * 4 > pages) {
            spdlog::info("history database \"{}\": compacting: {} of its {} pages are free", path_.string(), free, pages);
            db_->exec("VACUUM");
        }
    } catch (const DatabaseError& e) {
        fail(e, "pruning old events");
    }
}

void Store::arm_retry() {
    retry_wait_ = retry_wait_ == std::chrono::seconds::zero() ? first_retry : std::min(retry_wait_ * 2, max_retry);
    retry_timer_.arm_in(retry_wait_);
}

std::optional<std::chrono::seconds> Store::next_retry() const {
    if (durable()) return std::nullopt;
    return retry_wait_;
}

// The file as it is now: reopened, since a connection opened on a read-only
// file stays read-only and one to a file moved or replaced writes to the old
// one. Until the new connection has taken the events, the old one (if any)
// goes on serving reads.
bool Store::retry() {
    if (durable()) return true;
    if (transaction_) {  // inside a write: the next try comes after it
        retry_timer_.arm_in(std::chrono::seconds(1));
        return false;
    }
    auto kept = std::move(db_);
    try {
        make_private();
        open();
        flush_memory();
    } catch (const std::exception& e) {
        if (kept || !db_) db_ = std::move(kept);
        retry_timer_.disarm();
        arm_retry();
        spdlog::debug("history database \"{}\" still refuses writes ({}); next try in {} s", path_.string(), e.what(),
                      retry_wait_.count());
        return false;
    }
    spdlog::info("history database \"{}\" takes writes again; moved the {} events kept in memory into it",
                 path_.string(), memory_.size());
    memory_.clear();
    problem_.clear();
    problem_names_path_ = false;
    fix_.clear();
    retry_wait_ = std::chrono::seconds::zero();
    retry_timer_.disarm();
    return true;
}

// All or none: a failure half-way leaves the events in memory and the file
// as it was.
void Store::flush_memory() {
    Transaction t(*db_);
    Statement insert(db_->get(),
                     "INSERT INTO events (time, kind, break, stretch, amount_s, count, origin, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    for (const auto& row : memory_) {
        insert.bind(1, row.time).bind(2, record_kind_name(row.kind)).bind(3, row.rule).bind(4, row.stretch).bind(5, row.amount_s);
        insert.bind(6, row.count).bind(7, row.origin).bind(8, row.detail).run();
    }
    if (memory_state_) {
        Statement s(db_->get(), "INSERT OR REPLACE INTO state (id, saved, json) VALUES (1, ?, ?)");
        s.bind(1, wall_clock_()).bind(2, *memory_state_).run();
    }
    t.commit();
}

}  // namespace stretch
