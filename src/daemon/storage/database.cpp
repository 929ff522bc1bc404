#include "daemon/storage/database.hpp"

#include <fmt/format.h>

namespace stretch {

void check_sqlite(sqlite3* db, int rc, std::string_view what) {
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
    const char* message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    throw DatabaseError(rc & 0xff, fmt::format("{}: {}", what, message));
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
    sqlite3_stmt* s = nullptr;
    check_sqlite(db, sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &s, nullptr), "prepare");
    stmt_.reset(s);
}

Statement& Statement::bind(int index, std::int64_t value) {
    check_sqlite(db_, sqlite3_bind_int64(stmt_.get(), index, value), "bind");
    return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
    check_sqlite(db_, sqlite3_bind_text(stmt_.get(), index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT), "bind");
    return *this;
}

Statement& Statement::bind_null(int index) {
    check_sqlite(db_, sqlite3_bind_null(stmt_.get(), index), "bind");
    return *this;
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_.get());
    check_sqlite(db_, rc, "step");
    return rc == SQLITE_ROW;
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

void Statement::reset() {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_.get(), column); }

std::string Statement::text(int column) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), column));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), column))) : std::string{};
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL; }

Database::Database(const std::filesystem::path& path, bool create) {
    sqlite3* db = nullptr;
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    db_.reset(db);
    check_sqlite(db, rc, fmt::format("open \"{}\"", path.string()));
    // A busy database (another reader) is waited for briefly rather than failed.
    sqlite3_busy_timeout(db, 200);
}

void Database::exec(std::string_view sql) {
    char* error = nullptr;
    int rc = sqlite3_exec(db_.get(), std::string(sql).c_str(), nullptr, nullptr, &error);
    std::string message = error ? error : "";
    sqlite3_free(error);
    if (rc != SQLITE_OK) throw DatabaseError(rc & 0xff, fmt::format("{}: {}", sql.substr(0, 40), message));
}

std::optional<std::string> Database::scalar(std::string_view sql) {
    Statement s(db_.get(), sql);
    if (!s.step()) return std::nullopt;
    return s.text(0);
}

std::int64_t Database::user_version() {
    Statement s(db_.get(), "PRAGMA user_version");
    s.step();
    return s.integer(0);
}

void Database::set_user_version(std::int64_t version) { exec(fmt::format("PRAGMA user_version = {}", version)); }

Transaction::Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
    if (!done_) {
        try {
            db_.exec("ROLLBACK");
        } catch (...) {  // nothing more to do in a destructor
        }
    }
}

void Transaction::commit() {
    db_.exec("COMMIT");
    done_ = true;
}

}  // namespace stretch
