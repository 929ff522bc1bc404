// The history store on a real SQLite file in a temporary directory: its
// fallback to memory when the disk refuses writes, and its retry, which moves
// what memory kept into the file once the disk takes writes again. The
// failures are ones the test controls whoever runs it (root ignores file
// modes): a file size limit (the full disk of SQLite's point of view) and a
// path component that is a file. Retries are called directly; the store's
// timer only decides when they come, which next_retry() tells.

#include <doctest/doctest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "daemon/storage/store.hpp"
#include "fakes/temp_dir.hpp"

namespace stretch {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// While it lives, no file of this process grows past the size of the largest
// of `files`: a write past it fails with EFBIG (SIGXFSZ ignored), as a write
// to a full disk fails.
class FileSizeLimit {
public:
    explicit FileSizeLimit(const std::vector<fs::path>& files) {
        REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_) == 0);
        old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
        rlim_t limit = 0;
        for (const auto& f : files) {
            std::error_code ec;
            auto size = fs::file_size(f, ec);
            if (!ec) limit = std::max<rlim_t>(limit, size);
        }
        rlimit lower = old_;
        lower.rlim_cur = limit;
        REQUIRE(::setrlimit(RLIMIT_FSIZE, &lower) == 0);
    }
    ~FileSizeLimit() { lift(); }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;
    void lift() {
        if (lifted_) return;
        ::setrlimit(RLIMIT_FSIZE, &old_);
        std::signal(SIGXFSZ, old_handler_);
        lifted_ = true;
    }

private:
    rlimit old_{};
    void (*old_handler_)(int) = SIG_DFL;
    bool lifted_ = false;
};

// The store's errors are expected here: kept out of the test's output.
struct QuietLog {
    QuietLog() : old_(spdlog::get_level()) { spdlog::set_level(spdlog::level::off); }
    ~QuietLog() { spdlog::set_level(old_); }
    spdlog::level::level_enum old_;
};

HistoryRow row(std::int64_t time, std::string kind) {
    HistoryRow r;
    r.time = time;
    auto parsed = parse_record_kind(kind);
    REQUIRE_MESSAGE(parsed, "no record kind \"" << kind << "\"");
    r.kind = *parsed;
    r.rule = "micro";
    r.origin = "cli";
    return r;
}

std::vector<std::string> kinds(const std::vector<HistoryRow>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.emplace_back(record_kind_name(r.kind));
    return out;
}

std::vector<std::int64_t> ids(const std::vector<HistoryRow>& rows) {
    std::vector<std::int64_t> out;
    for (const auto& r : rows) out.push_back(r.id);
    return out;
}

// What the file holds, read through a connection of its own.
std::vector<std::string> kinds_in_file(const fs::path& path) {
    Database db(path, false);
    std::vector<std::string> out;
    Statement s(db.get(), "SELECT kind FROM events ORDER BY id");
    while (s.step()) out.push_back(s.text(0));
    return out;
}

std::optional<std::string> state_in_file(const fs::path& path) {
    Database db(path, false);
    return db.scalar("SELECT json FROM state WHERE id = 1");
}

constexpr std::int64_t t0 = 1'700'000'000;
const auto fixed_clock = [] { return t0; };

// One event written as the daemon writes them: with the state, in one transaction.
void write(Store& store, const HistoryRow& r, const std::string& state) {
    store.begin();
    store.record(r);
    store.save_state(state, r.time);
    store.commit();
}

TEST_CASE("a write the disk refuses is kept in memory, and a retry moves it into the file, in order") {
    QuietLog quiet;
    TempDir dir("store");
    EventLoop loop;
    auto path = dir.path() / "stretch" / "stretch.db";
    Store store(loop, path, fixed_clock);
    REQUIRE(store.durable());
    CHECK_FALSE(store.next_retry());
    write(store, row(t0, "start"), "{\"n\":1}");
    write(store, row(t0 + 1, "taken"), "{\"n\":2}");
    REQUIRE(store.durable());

    {
        auto wal = path;
        wal += "-wal";
        FileSizeLimit full({path, wal});
        write(store, row(t0 + 2, "paused"), "{\"n\":3}");
        CHECK_FALSE(store.durable());
        CHECK(store.next_retry() == 30s);
        CHECK_FALSE(store.record(row(t0 + 3, "resumed")));
        store.save_state("{\"n\":4}", t0 + 3);

        auto history = store.history(0, t0 + 10);
        CHECK(kinds(history) == std::vector<std::string>{"start", "taken", "paused", "resumed"});
        CHECK(ids(history) == std::vector<std::int64_t>{1, 2, 3, 4});

        // Each try that fails doubles the wait, up to ten minutes.
        std::vector<std::chrono::seconds> waits;
        for (int i = 0; i < 6; ++i) {
            CHECK_FALSE(store.retry());
            waits.push_back(*store.next_retry());
        }
        CHECK(waits == std::vector<std::chrono::seconds>{60s, 120s, 240s, 480s, 600s, 600s});
        CHECK_FALSE(store.durable());
        full.lift();
    }
    CHECK(kinds_in_file(path) == std::vector<std::string>{"start", "taken"});

    CHECK(store.retry());
    CHECK(store.durable());
    CHECK_FALSE(store.next_retry());
    CHECK(store.describe()["durable"] == true);
    CHECK(store.doctor_problem().is_null());
    CHECK(kinds_in_file(path) == std::vector<std::string>{"start", "taken", "paused", "resumed"});
    CHECK(state_in_file(path) == "{\"n\":4}");
    // Listed once each: from the file now, not from memory as well.
    auto history = store.history(0, t0 + 10);
    CHECK(kinds(history) == std::vector<std::string>{"start", "taken", "paused", "resumed"});
    CHECK(ids(history) == std::vector<std::int64_t>{1, 2, 3, 4});

    // And the writes after it go to the file again.
    write(store, row(t0 + 4, "stood"), "{\"n\":5}");
    CHECK(store.durable());
    CHECK(kinds_in_file(path) == std::vector<std::string>{"start", "taken", "paused", "resumed", "stood"});
    CHECK(state_in_file(path) == "{\"n\":5}");
}

TEST_CASE("a store that cannot make its directory keeps the history in memory until the path can be used") {
    QuietLog quiet;
    TempDir dir("store");
    EventLoop loop;
    auto blocker = dir.path() / "state";
    std::ofstream(blocker) << "a file where the directory should be";
    auto path = blocker / "stretch" / "stretch.db";
    Store store(loop, path, fixed_clock);
    CHECK_FALSE(store.durable());
    CHECK(store.next_retry() == 30s);
    CHECK(store.describe()["durable"] == false);
    CHECK_FALSE(store.doctor_problem().is_null());
    CHECK_FALSE(store.record(row(t0, "start")));
    CHECK_FALSE(store.record(row(t0 + 1, "taken")));
    store.save_state("{\"n\":1}", t0 + 1);

    CHECK_FALSE(store.retry());
    CHECK(store.next_retry() == 60s);
    CHECK(kinds(store.history(0, t0 + 10)) == std::vector<std::string>{"start", "taken"});

    fs::remove(blocker);
    CHECK(store.retry());
    CHECK(store.durable());
    CHECK(kinds_in_file(path) == std::vector<std::string>{"start", "taken"});
    CHECK(state_in_file(path) == "{\"n\":1}");
    CHECK(kinds(store.history(0, t0 + 10)) == std::vector<std::string>{"start", "taken"});
    CHECK(store.load_state() == "{\"n\":1}");
}

TEST_CASE("a retry while durable does nothing") {
    QuietLog quiet;
    TempDir dir("store");
    EventLoop loop;
    auto path = dir.path() / "stretch.db";
    Store store(loop, path, fixed_clock);
    write(store, row(t0, "start"), "{}");
    CHECK(store.retry());
    CHECK(kinds_in_file(path) == std::vector<std::string>{"start"});
}

TEST_CASE("a damaged file is moved aside under the time the daemon's clock gives, not the machine's") {
    QuietLog quiet;
    TempDir dir("store");
    EventLoop loop;
    auto path = dir.path() / "stretch.db";
    std::ofstream(path) << std::string(4096, 'x');
    constexpr std::int64_t when = 86400 * 365;  // 1971: no machine clock reads that
    Store store(loop, path, [] { return when; });
    CHECK(store.durable());
    auto t = static_cast<std::time_t>(when);
    std::tm tm{};
    localtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
    auto aside = path;
    aside += std::string(".broken-") + stamp;
    CHECK(fs::exists(aside));
}

}  // namespace
}  // namespace stretch
