#include "daemon/delivery/notifiers.hpp"

#include "daemon/delivery/bell_notifier.hpp"
#include "daemon/delivery/command_notifier.hpp"
#include "daemon/delivery/desktop_notifier.hpp"

namespace stretch {

Notifiers make_notifiers(EventLoop& loop, Server& server, const Notify& settings) {
    Notifiers out;
    out.emplace(Notify::Method::desktop, std::make_unique<DesktopNotifier>(loop));
    out.emplace(Notify::Method::command, std::make_unique<CommandNotifier>(loop, settings));
    out.emplace(Notify::Method::bell, std::make_unique<BellNotifier>(server));
    return out;
}

}  // namespace stretch
