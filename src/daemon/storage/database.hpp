#pragma once
// A small RAII layer over the SQLite C API: a connection, prepared
// statements, transactions. Errors throw DatabaseError carrying SQLite's
// result code, so the store can tell a full disk from a corrupt file.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace stretch {

class DatabaseError : public std::runtime_error {
public:
    DatabaseError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
    int code() const { return code_; }  // primary result code: SQLITE_CORRUPT, SQLITE_FULL, ...

private:
    int code_;
};

class Statement {
public:
    Statement(sqlite3* db, std::string_view sql);
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, std::string_view value);
    Statement& bind_null(int index);
    // Steps once: true while there is a row to read.
    bool step();
    // Runs to completion and resets for reuse.
    void run();
    void reset();
    std::int64_t integer(int column) const;
    std::string text(int column) const;
    bool is_null(int column) const;

private:
    struct Finalize {
        void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
    };
    sqlite3* db_;
    std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
};

class Database {
public:
    // Opens (creating if asked) the file. Throws DatabaseError.
    Database(const std::filesystem::path& path, bool create);
    sqlite3* get() const { return db_.get(); }
    void exec(std::string_view sql);
    std::int64_t user_version();
    void set_user_version(std::int64_t version);
    // Runs `sql` and returns the first column of the first row, if any.
    std::optional<std::string> scalar(std::string_view sql);

private:
    struct Close {
        void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
    };
    std::unique_ptr<sqlite3, Close> db_;
};

// Commits when commit() is called; rolls back if destroyed before.
class Transaction {
public:
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Database& db_;
    bool done_ = false;
};

// Throws DatabaseError for a failed SQLite call.
void check_sqlite(sqlite3* db, int rc, std::string_view what);

}  // namespace stretch
