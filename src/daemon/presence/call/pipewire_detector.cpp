#include "daemon/presence/call/pipewire_detector.hpp"

#include <sys/epoll.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>

#include <fmt/format.h>
#include <pipewire/data-loop.h>
#include <pipewire/impl-module.h>
#include <pipewire/pipewire.h>
#include <spa/utils/result.h>
#include <spa/utils/string.h>
#include <spdlog/spdlog.h>

namespace stretch {
namespace {

NodeProps props_of(const spa_dict* dict) {
    NodeProps out;
    if (dict == nullptr) return out;
    const spa_dict_item* item = nullptr;
    spa_dict_for_each(item, dict) out.emplace(item->key, item->value ? item->value : "");
    return out;
}

NodeState state_of(pw_node_state state) {
    switch (state) {
        case PW_NODE_STATE_ERROR:
            return NodeState::error;
        case PW_NODE_STATE_CREATING:
            return NodeState::creating;
        case PW_NODE_STATE_SUSPENDED:
            return NodeState::suspended;
        case PW_NODE_STATE_IDLE:
            return NodeState::idle;
        case PW_NODE_STATE_RUNNING:
            return NodeState::running;
    }
    return NodeState::error;
}

void init_pipewire() {
    static const bool done = [] {
        pw_init(nullptr, nullptr);
        return true;
    }();
    (void)done;
}

}  // namespace

std::filesystem::path pipewire_socket_path() {
    const char* remote = std::getenv("PIPEWIRE_REMOTE");
    std::string name = remote && *remote ? remote : "pipewire-0";
    if (name.front() == '/') return name;
    const char* dir = std::getenv("PIPEWIRE_RUNTIME_DIR");
    if (dir == nullptr) dir = std::getenv("XDG_RUNTIME_DIR");
    if (dir == nullptr || *dir == '\0') return {};
    return std::filesystem::path(dir) / name;
}

// One connection to PipeWire: its loop, context, core, registry and the
// nodes bound. Its callbacks only update the detector's graph (or report
// the connection broken); the detector looks at the result after each turn.
struct PipeWireDetector::Session {
    struct Node {
        Session* session = nullptr;
        std::uint32_t id = 0;
        pw_proxy* proxy = nullptr;
        spa_hook listener{};
    };

    explicit Session(PipeWireDetector& d) : owner(d) {}
    ~Session() {
        io.reset();
        for (auto& [id, node] : nodes) {
            spa_hook_remove(&node->listener);
            pw_proxy_destroy(node->proxy);
        }
        nodes.clear();
        if (registry) {
            spa_hook_remove(&registry_listener);
            pw_proxy_destroy(reinterpret_cast<pw_proxy*>(registry));
        }
        if (core) {
            spa_hook_remove(&core_listener);
            pw_core_disconnect(core);
        }
        if (context) pw_context_destroy(context);
        if (loop) {
            pw_loop_leave(loop);
            pw_loop_destroy(loop);
        }
    }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Returns 0, or the errno of what failed.
    int open(const std::filesystem::path& socket);

    // libpipewire's callbacks: they update the detector's graph, or report
    // the connection broken.
    static void on_node_info(void* data, const pw_node_info* info);
    static void on_global(void* data, std::uint32_t id, std::uint32_t, const char* type, std::uint32_t,
                          const spa_dict* props);
    static void on_global_remove(void* data, std::uint32_t id);
    static void on_core_info(void* data, const pw_core_info* info);
    static void on_core_error(void* data, std::uint32_t id, int, int res, const char* message);
    void bind_node(std::uint32_t id, NodeProps global);
    void unbind(std::uint32_t id);

    PipeWireDetector& owner;
    pw_loop* loop = nullptr;
    pw_context* context = nullptr;
    pw_core* core = nullptr;
    pw_registry* registry = nullptr;
    spa_hook core_listener{}, registry_listener{};
    std::map<std::uint32_t, std::unique_ptr<Node>> nodes;
    EventSource io;
};

void PipeWireDetector::Session::on_node_info(void* data, const pw_node_info* info) {
    auto* node = static_cast<Node*>(data);
    auto& graph = node->session->owner.graph_;
    if (info->change_mask & PW_NODE_CHANGE_MASK_PROPS) graph.node_props(node->id, props_of(info->props));
    graph.node_state(node->id, state_of(info->state));
}

void PipeWireDetector::Session::on_global(void* data, std::uint32_t id, std::uint32_t, const char* type, std::uint32_t,
                                          const spa_dict* props) {
    auto* session = static_cast<Session*>(data);
    if (spa_streq(type, PW_TYPE_INTERFACE_Link)) {
        // A link's ends are in its announcement: nothing to bind.
        const char* out = props ? spa_dict_lookup(props, PW_KEY_LINK_OUTPUT_NODE) : nullptr;
        const char* in = props ? spa_dict_lookup(props, PW_KEY_LINK_INPUT_NODE) : nullptr;
        if (out && in) session->owner.graph_.link(id, std::strtoul(out, nullptr, 10), std::strtoul(in, nullptr, 10));
        return;
    }
    if (!spa_streq(type, PW_TYPE_INTERFACE_Node) || props == nullptr) return;
    // Asked on the two keys alone: a registry of thousands of nodes is
    // looked at without copying their properties.
    NodeProps keys;
    for (const char* key : {PW_KEY_MEDIA_CLASS, PW_KEY_MEDIA_ROLE})
        if (const char* value = spa_dict_lookup(props, key)) keys.emplace(key, value);
    if (node_worth_following(keys)) session->bind_node(id, props_of(props));
}

void PipeWireDetector::Session::on_global_remove(void* data, std::uint32_t id) {
    auto* session = static_cast<Session*>(data);
    session->owner.graph_.remove(id);
    session->unbind(id);
}

void PipeWireDetector::Session::on_core_info(void* data, const pw_core_info* info) {
    auto* session = static_cast<Session*>(data);
    if (info->version) session->owner.version_ = info->version;
    // PipeWire answered: until then a connection may be to a socket whose
    // server is dying (it accepts, then closes).
    session->owner.set_state(State::working);
}

void PipeWireDetector::Session::on_core_error(void* data, std::uint32_t id, int, int res, const char* message) {
    auto* session = static_cast<Session*>(data);
    if (id != PW_ID_CORE) {
        spdlog::debug("pipewire: error on object {}: {} ({})", id, message ? message : "", spa_strerror(res));
        return;
    }
    session->owner.session_lost(res);
}

namespace {

// Filled in by name: the event structs grow with libpipewire's versions.
const pw_node_events node_events = [] {
    pw_node_events e{};
    e.version = PW_VERSION_NODE_EVENTS;
    e.info = PipeWireDetector::Session::on_node_info;
    return e;
}();

const pw_registry_events registry_events = [] {
    pw_registry_events e{};
    e.version = PW_VERSION_REGISTRY_EVENTS;
    e.global = PipeWireDetector::Session::on_global;
    e.global_remove = PipeWireDetector::Session::on_global_remove;
    return e;
}();

const pw_core_events core_events = [] {
    pw_core_events e{};
    e.version = PW_VERSION_CORE_EVENTS;
    e.info = PipeWireDetector::Session::on_core_info;
    e.error = PipeWireDetector::Session::on_core_error;
    return e;
}();

}  // namespace

int PipeWireDetector::Session::open(const std::filesystem::path& socket) {
    init_pipewire();
    loop = pw_loop_new(nullptr);
    if (loop == nullptr) return errno ? errno : ENOMEM;
    pw_loop_enter(loop);
    // No config file (a client's loads real-time and portal modules we do
    // not need), no D-Bus, and libpipewire's own log for errors only: its
    // warnings about real-time scheduling would fill the journal.
    context = pw_context_new(
        loop, pw_properties_new(PW_KEY_CONFIG_NAME, "null", "support.dbus", "false", "log.level", "1", nullptr), 0);
    if (context == nullptr) return errno ? errno : ENOMEM;
    // libpipewire 0.3 starts a data-loop thread in every context, for the
    // real-time processing of nodes a client makes; a registry reader makes
    // none. Stopping it here joins it: the process has one thread again,
    // and whatever is later invoked on that loop runs at once in the caller
    // (libpipewire does so for a loop no thread is in).
    pw_data_loop_stop(pw_context_get_data_loop(context));
    if (pw_context_load_module(context, "libpipewire-module-protocol-native", nullptr, nullptr) == nullptr)
        return errno ? errno : ENOENT;
    core = pw_context_connect(context, pw_properties_new(PW_KEY_REMOTE_NAME, socket.c_str(), nullptr), 0);
    if (core == nullptr) return errno ? errno : ECONNREFUSED;
    pw_core_add_listener(core, &core_listener, &core_events, this);
    registry = pw_core_get_registry(core, PW_VERSION_REGISTRY, 0);
    if (registry == nullptr) return errno ? errno : ENOMEM;
    pw_registry_add_listener(registry, &registry_listener, &registry_events, this);
    io = owner.loop_.add_io(pw_loop_get_fd(loop), EPOLLIN, [this](std::uint32_t) {
        // Without waiting: sd-event said there is something to do.
        pw_loop_iterate(loop, 0);
        owner.announce();
    });
    return 0;
}

void PipeWireDetector::Session::bind_node(std::uint32_t id, NodeProps global) {
    auto* proxy = static_cast<pw_proxy*>(pw_registry_bind(registry, id, PW_TYPE_INTERFACE_Node, PW_VERSION_NODE, 0));
    if (proxy == nullptr) return;
    auto node = std::make_unique<Node>();
    node->session = this;
    node->id = id;
    node->proxy = proxy;
    pw_proxy_add_object_listener(proxy, &node->listener, &node_events, node.get());
    owner.graph_.node_props(id, std::move(global));
    unbind(id);
    nodes.emplace(id, std::move(node));
}

void PipeWireDetector::Session::unbind(std::uint32_t id) {
    auto it = nodes.find(id);
    if (it == nodes.end()) return;
    spa_hook_remove(&it->second->listener);
    pw_proxy_destroy(it->second->proxy);
    nodes.erase(it);
}

PipeWireDetector::PipeWireDetector(EventLoop& loop, std::filesystem::path socket)
    : loop_(loop), socket_(std::move(socket)) {
    start_ = loop_.add_defer([this] { connect(); });
    retry_ = loop_.add_timer(CLOCK_MONOTONIC, [this] { connect(); });
}

PipeWireDetector::~PipeWireDetector() = default;

std::vector<Capture> PipeWireDetector::captures() const {
    if (state_ != State::working) return {};
    return graph_.captures();
}

std::vector<CallDetectorReport> PipeWireDetector::describe() const {
    std::string at = fmt::format("\"{}\"", socket_.string());
    std::string detail;
    switch (state_) {
        case State::starting:
            detail = fmt::format("connecting to PipeWire at {}", at);
            break;
        case State::working:
            detail =
                version_.empty() ? fmt::format("PipeWire at {}", at) : fmt::format("PipeWire {} at {}", version_, at);
            break;
        case State::absent:
            detail = fmt::format("no PipeWire at {}: calls are seen through it once it starts", at);
            break;
        case State::refused:
            detail = fmt::format(
                "PipeWire at {} refused the connection ({}): calls are seen through it once it starts again", at, why_);
            break;
        case State::lost:
            detail = fmt::format("lost PipeWire at {} ({}): calls are seen through it once it is back", at, why_);
            break;
        case State::broken:
            detail = why_;
            break;
    }
    return {{CallDetectorName::pipewire, state_ == State::working, std::move(detail)}};
}

void PipeWireDetector::session_lost(int error) {
    // Inside libpipewire's callback: say so now, drop the session later. A
    // connection made while PipeWire was lost that closes before PipeWire
    // answered (a dying server's socket) is the same loss, not a new one.
    if (state_ != State::lost) set_state(State::lost, error == -EPIPE ? "the connection closed" : spa_strerror(error));
    teardown_ = loop_.add_defer([this] {
        session_.reset();
        graph_.clear();
        announce();
        // Where systemd keeps the socket, PipeWire starts again on the next
        // connection: try once at once, then wait for the socket.
        connect();
    });
}

void PipeWireDetector::connect() {
    if (session_) return;
    if (socket_.empty()) {
        set_state(State::broken,
                  "neither PIPEWIRE_RUNTIME_DIR nor XDG_RUNTIME_DIR is set, so PipeWire cannot be found");
        announce();
        return;
    }
    // No socket, no libpipewire: a machine without PipeWire pays nothing for it.
    std::error_code ec;
    bool there = std::filesystem::exists(std::filesystem::symlink_status(socket_, ec));
    auto session = there ? std::make_unique<Session>(*this) : nullptr;
    int error = session ? session->open(socket_) : ENOENT;
    if (error == 0) {
        session_ = std::move(session);
        watch_.reset();
        watched_.clear();
        quick_tries_ = 0;
        version_.clear();
        // Working once PipeWire answers (on_core_info); lost it stays lost till then.
        if (state_ != State::lost) set_state(State::starting);
        announce();
        return;
    }
    session.reset();
    graph_.clear();
    // libpipewire says EHOSTDOWN for a socket that is not there.
    bool missing = error == EHOSTDOWN || error == ENOENT;
    bool refused = error == ECONNREFUSED;
    if (state_ != State::lost) {
        if (missing)
            set_state(State::absent);
        else
            set_state(refused ? State::refused : State::broken,
                      refused ? std::strerror(error)
                              : fmt::format("cannot connect to PipeWire at \"{}\": {}", socket_.string(),
                                            std::strerror(error)));
    }
    wait_for_socket();
    // A socket just made is bound before it listens: a few quick tries.
    if (refused && quick_tries_ > 0) {
        --quick_tries_;
        retry_.arm_in(std::chrono::milliseconds(50));
    }
    announce();
}

void PipeWireDetector::wait_for_socket() {
    auto dir = socket_.parent_path();
    std::error_code ec;
    while (!std::filesystem::is_directory(dir, ec) && dir.has_relative_path()) dir = dir.parent_path();
    if (watch_ && dir == watched_) return;
    watch_ = loop_.add_inotify(
        dir.c_str(), IN_CREATE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR,
        [this](const inotify_event& e) { on_watch(e); }, ec);
    watched_ = watch_ ? dir : std::filesystem::path();
    if (!watch_) spdlog::warn("pipewire: cannot watch \"{}\" for PipeWire's socket: {}", dir.string(), ec.message());
}

// Wakes only for the name that leads to the socket: the socket itself in
// its directory, else the next directory down towards it.
void PipeWireDetector::on_watch(const inotify_event& e) {
    bool self = e.mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_Q_OVERFLOW);
    auto relative = socket_.lexically_relative(watched_);
    std::string next = relative.empty() ? std::string() : relative.begin()->string();
    if (!self && (e.len == 0 || next != e.name)) return;
    if (self) watched_.clear();
    if (!self && relative == std::filesystem::path(e.name)) quick_tries_ = 5;
    // Not from inside the watch's own callback: connecting may replace it.
    start_ = loop_.add_defer([this] { connect(); });
}

void PipeWireDetector::set_state(State state, std::string why) {
    State before = state_;
    state_ = state;
    why_ = std::move(why);
    if (state == before) return;
    auto at = socket_.string();
    switch (state) {
        case State::working:
            spdlog::info("pipewire: watching for calls in PipeWire at \"{}\"", at);
            break;
        case State::absent:
            spdlog::info("pipewire: no PipeWire at \"{}\"; calls are seen through it once it starts", at);
            break;
        case State::refused:
            spdlog::info("pipewire: PipeWire at \"{}\" refused the connection ({}); waiting for it to start again", at,
                         why_);
            break;
        case State::lost:
            spdlog::warn(
                "pipewire: lost PipeWire at \"{}\" ({}): a call seen through it ends here; waiting for it to come back",
                at, why_);
            break;
        case State::broken:
            spdlog::warn("pipewire: {}", why_);
            break;
        case State::starting:
            break;
    }
}

void PipeWireDetector::announce() {
    auto now = captures();
    auto report = describe();
    if (now == announced_ && report == announced_report_) return;
    announced_ = std::move(now);
    announced_report_ = std::move(report);
    changed();
}

}  // namespace stretch
