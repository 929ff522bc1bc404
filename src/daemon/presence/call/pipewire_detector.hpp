#pragma once
// Calls seen in PipeWire's registry: a client of the user's PipeWire that
// reads the registry only. It binds the nodes that may capture (capture
// streams, camera sources; pipewire_graph.hpp says which and how they count)
// to follow their state, and the links' ends from their announcements.
//
// On the daemon's loop, with no thread of its own: libpipewire's loop has
// one fd (an epoll set), watched by sd-event and iterated without waiting
// when it is readable. The data-loop thread every libpipewire 0.3 context
// starts is never started (see no_thread_utils in the .cpp).
//
// It works once PipeWire has answered (a socket that accepts is not yet
// PipeWire). Without PipeWire (its socket absent, or refusing) the detector
// waits for the socket to be made, with inotify on its directory: no
// timers, no wake-ups, and no libpipewire context; a socket just made is
// tried a few times 50 ms apart, since PipeWire binds it before it listens. When PipeWire goes away its captures end, describe() says so
// (logged once), and the detector connects again when it is back (at once
// where systemd keeps the socket, else when the new socket appears).

#include <filesystem>
#include <memory>
#include <string>

#include "daemon/plumbing/event_loop.hpp"
#include "daemon/presence/call/call_detector.hpp"
#include "daemon/presence/call/pipewire_graph.hpp"

namespace stretch {

// The socket libpipewire connects to: PIPEWIRE_REMOTE (a path, or a name)
// else "pipewire-0", in PIPEWIRE_RUNTIME_DIR, else XDG_RUNTIME_DIR. Empty
// when neither directory is set and the remote is no path.
std::filesystem::path pipewire_socket_path();

class PipeWireDetector final : public CallDetector {
public:
    PipeWireDetector(EventLoop& loop, std::filesystem::path socket);
    ~PipeWireDetector() override;

    std::vector<Capture> captures() const override;
    std::vector<CallDetectorReport> describe() const override;

    // For tests: the nodes followed now.
    std::size_t nodes() const { return graph_.nodes(); }

    struct Session;  // one connection; in the .cpp

private:
    enum class State { starting, working, absent, refused, lost, broken };

    void connect();
    void session_lost(int error);
    void wait_for_socket();
    void on_watch(const inotify_event& event);
    void set_state(State state, std::string why = {});
    void announce();

    EventLoop& loop_;
    std::filesystem::path socket_;
    std::unique_ptr<Session> session_;
    PipeWireGraph graph_;
    State state_ = State::starting;
    std::string why_;       // the error behind absent/refused/lost/broken
    std::string version_;   // the server's, once it said
    EventSource start_;     // the first connect, on the loop (never inside the constructor)
    EventSource teardown_;  // a lost session is dropped outside libpipewire's callbacks
    EventSource retry_;     // a socket just made may not listen yet: a few quick tries
    int quick_tries_ = 0;
    EventSource watch_;
    std::filesystem::path watched_;
    std::vector<Capture> announced_;
    std::vector<CallDetectorReport> announced_report_;
};

}  // namespace stretch
