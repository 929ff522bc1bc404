#pragma once
// The ways of reaching the user, one notifier per [notify] method. Adding a
// method is its name in Notify::Method, a row in make_notifiers() and its file.

#include <map>
#include <memory>

#include "core/config.hpp"
#include "daemon/delivery/notifier.hpp"
#include "daemon/plumbing/event_loop.hpp"

namespace stretch {

class Server;

using Notifiers = std::map<Notify::Method, std::unique_ptr<Notifier>>;

// The real notifiers: freedesktop notifications on the session bus, the
// [notify] command, the bell for terminals running `stretch watch`.
// `settings` is read at each use, so a reload takes effect at once.
Notifiers make_notifiers(EventLoop& loop, Server& server, const Notify& settings);

}  // namespace stretch
