#include "core/stats.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace stretch {
namespace {

struct Span {
    std::int64_t start = 0;
    std::int64_t end = 0;
};

std::int64_t overlap(Span a, Span b) {
    return std::max<std::int64_t>(0, std::min(a.end, b.end) - std::max(a.start, b.start));
}

using K = RecordKind;

bool opens_presence(K kind) { return kind == K::start || kind == K::back || kind == K::sat; }
bool closes_presence(K kind) { return kind == K::away || kind == K::stood || kind == K::stop; }
bool is_break_point(K kind) { return kind == K::taken || kind == K::natural || kind == K::stood || kind == K::stop || kind == K::start; }

// What the history says about the whole range, worked out once.
struct Timeline {
    std::vector<Span> present;            // runs at the desk, in order
    std::vector<std::int64_t> breaks;     // break point times, sorted
    std::vector<bool> counts_as_natural;  // per event: the first `natural` of its absence
};

// A call runs from its `call_started` for the length its `call` carries.
std::vector<Span> call_spans(const std::vector<HistoryEvent>& events, std::int64_t now) {
    std::vector<Span> out;
    std::int64_t from = 0;
    bool started = false;
    for (const auto& e : events) {
        if (e.kind == K::call_started) {
            from = e.time;
            started = true;
        } else if (e.kind == K::call) {
            std::int64_t begin = started ? from : e.time - e.amount_s;
            out.push_back({begin, begin + e.amount_s});
            started = false;
        }
    }
    if (started) out.push_back({from, now});
    return out;
}

Timeline timeline(const std::vector<HistoryEvent>& events, std::int64_t since, std::int64_t now) {
    Timeline t;
    t.counts_as_natural.resize(events.size(), false);
    // The run under way: is_open, since open_at. (Not a std::optional: GCC 12
    // warns, wrongly, that it may be read uninitialized once inlined.)
    bool is_open = false;
    std::int64_t open_at = 0;
    auto open = [&](std::int64_t at) {
        is_open = true;
        open_at = at;
    };
    bool presence_known = false;
    bool absence_counted = false;
    std::int64_t previous = since;
    auto close = [&](std::int64_t at) {
        t.present.push_back({open_at, std::max(open_at, at)});
        is_open = false;
    };
    for (std::size_t i = 0; i < events.size(); ++i) {
        const auto& e = events[i];
        bool changes = opens_presence(e.kind) || closes_presence(e.kind);
        if (changes && !presence_known) {
            presence_known = true;
            if (closes_presence(e.kind)) open(since);
        }
        if (e.kind == K::start) {
            // Still present: stretchd died without a `stop`.
            if (is_open) close(previous);
            open(e.time);
        } else if (e.kind == K::back) {
            // The absence began amount_s ago, perhaps before its `away` row:
            // the run it ended is cut back to then. (After a stop and start,
            // the run cut is the empty one the start opened.)
            std::int64_t absent_from = e.time - e.amount_s;
            if (is_open)
                close(absent_from);
            else if (!t.present.empty()) {
                auto& last = t.present.back();
                last.end = std::max(last.start, std::min(last.end, absent_from));
            }
            open(e.time);
        } else if (e.kind == K::sat) {
            if (!is_open) open(e.time);
        } else if (closes_presence(e.kind)) {
            if (is_open) close(e.time);
        }
        if (changes) absence_counted = false;
        if (e.kind == K::natural && !absence_counted) {
            t.counts_as_natural[i] = true;
            absence_counted = true;
        }
        if (is_break_point(e.kind)) t.breaks.push_back(e.time);
        previous = e.time;
    }
    if (is_open) close(now);
    std::erase_if(t.present, [](const Span& s) { return s.end <= s.start; });
    std::sort(t.breaks.begin(), t.breaks.end());
    return t;
}

std::int64_t sitting(const Timeline& t, Span span) {
    std::int64_t total = 0;
    for (auto& run : t.present) total += overlap(run, span);
    return total;
}

// The span cut at every break point inside it; the present time in each
// piece, and the largest.
std::int64_t longest_sitting(const Timeline& t, Span span) {
    std::vector<std::int64_t> cuts = {span.start};
    for (auto b : t.breaks)
        if (b > span.start && b < span.end) cuts.push_back(b);
    cuts.push_back(span.end);
    std::vector<std::int64_t> piece(cuts.size() - 1, 0);
    for (auto& run : t.present) {
        if (overlap(run, span) == 0) continue;
        // The piece the run starts in, then each one it reaches.
        auto after = std::upper_bound(cuts.begin(), cuts.end(), std::max(run.start, span.start));
        for (auto i = static_cast<std::size_t>(after - cuts.begin()) - 1; i < piece.size() && cuts[i] < run.end; ++i)
            piece[i] += overlap(run, {cuts[i], cuts[i + 1]});
    }
    return piece.empty() ? 0 : *std::max_element(piece.begin(), piece.end());
}

std::vector<std::string> areas_of(const std::set<std::string>& areas) {
    std::vector<std::string> out;
    for (auto& a : body_areas())
        if (areas.count(a)) out.push_back(a);
    for (auto& a : areas)
        if (std::find(body_areas().begin(), body_areas().end(), a) == body_areas().end()) out.push_back(a);
    return out;
}

std::vector<StretchCount> top_of(const std::map<std::string, std::int64_t>& done, const Config& config) {
    std::vector<StretchCount> out;
    for (auto& [id, count] : done) {
        auto* s = config.find_stretch(id);
        out.push_back({id, s ? s->name : id, count});
    }
    // Ties keep the map's order: by id.
    std::stable_sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.count > b.count; });
    if (out.size() > 3) out.resize(3);
    return out;
}

DayStats figures(const Timeline& t, const std::vector<Span>& calls, const std::vector<HistoryEvent>& events, Span span,
                 const Config& config) {
    DayStats d;
    d.sitting_s = sitting(t, span);
    d.longest_sitting_s = longest_sitting(t, span);
    for (auto& call : calls) d.call_s += overlap(call, span);
    std::set<std::string> areas;
    std::map<std::string, std::int64_t> done;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const auto& e = events[i];
        if (e.time < span.start || e.time >= span.end) continue;
        if (e.kind == K::reminded && e.count == 1)
            ++d.reminded;
        else if (e.kind == K::natural && t.counts_as_natural[i])
            ++d.natural;
        else if (e.kind == K::snoozed)
            ++d.snoozed;
        else if (e.kind == K::skipped)
            ++d.skipped;
        else if (e.kind == K::taken) {
            ++d.taken;
            if (e.stretch.empty()) continue;
            ++done[e.stretch];
            if (auto* s = config.find_stretch(e.stretch)) areas.insert(s->targets.begin(), s->targets.end());
        }
    }
    if (d.taken + d.skipped > 0)
        d.share_taken = static_cast<double>(d.taken) / static_cast<double>(d.taken + d.skipped);
    d.areas = areas_of(areas);
    d.top_stretches = top_of(done, config);
    return d;
}

}  // namespace

Stats compute_stats(const std::vector<HistoryEvent>& events, std::int64_t since, std::int64_t now,
                    const std::vector<LocalDay>& days, const Config& config) {
    Stats out;
    Timeline t = timeline(events, since, now);
    std::vector<Span> calls = call_spans(events, now);
    for (auto& day : days) {
        out.days.push_back(figures(t, calls, events, {day.start, day.end}, config));
        out.days.back().date = day.date;
    }
    if (!days.empty()) out.total = figures(t, calls, events, {days.front().start, days.back().end}, config);
    return out;
}

}  // namespace stretch
