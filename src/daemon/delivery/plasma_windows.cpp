#include "daemon/delivery/plasma_windows.hpp"

#include <wayland-client.h>

#include "kde-plasma-window-management-client.h"

namespace stretch {
namespace {

static_assert(ToplevelStates::plasma_active == ORG_KDE_PLASMA_WINDOW_MANAGEMENT_STATE_ACTIVE);
static_assert(ToplevelStates::plasma_fullscreen == ORG_KDE_PLASMA_WINDOW_MANAGEMENT_STATE_FULLSCREEN);
static_assert(PlasmaWindows::min_version == ORG_KDE_PLASMA_WINDOW_DESTROY_SINCE_VERSION);

ToplevelStates::Id id_of(org_kde_plasma_window* window) { return reinterpret_cast<ToplevelStates::Id>(window); }

}  // namespace

// The protocol's C callbacks, with `data` the PlasmaWindows.
struct PlasmaWindowsEvents {
    static PlasmaWindows& self(void* data) { return *static_cast<PlasmaWindows*>(data); }

    // A compositor may send both announcements for one window (some do,
    // whatever the version): only the one that goes with the version counts.
    static void window(void* data, org_kde_plasma_window_management* manager, std::uint32_t id) {
        auto& s = self(data);
        if (s.version_ >= ORG_KDE_PLASMA_WINDOW_MANAGEMENT_WINDOW_WITH_UUID_SINCE_VERSION) return;
        s.on_window(org_kde_plasma_window_management_get_window(manager, id));
    }
    static void window_with_uuid(void* data, org_kde_plasma_window_management* manager, std::uint32_t,
                                 const char* uuid) {
        self(data).on_window(org_kde_plasma_window_management_get_window_by_uuid(manager, uuid));
    }

    static void state_changed(void* data, org_kde_plasma_window* window, std::uint32_t flags) {
        auto& s = self(data);
        s.on_change_(s.states_.plasma_state(id_of(window), flags));
    }
    static void unmapped(void* data, org_kde_plasma_window* window) { self(data).on_unmapped(window); }

    // The desktop, the stacking order, titles, icons, geometry and the rest
    // do not matter here.
    static void ignore_manager(void*, org_kde_plasma_window_management*, auto...) {}
    static void ignore(void*, org_kde_plasma_window*, auto...) {}

    static constexpr org_kde_plasma_window_management_listener manager_events{
        .show_desktop_changed = ignore_manager,
        .window = window,
        .stacking_order_changed = ignore_manager,
        .stacking_order_uuid_changed = ignore_manager,
        .window_with_uuid = window_with_uuid,
    };
    static constexpr org_kde_plasma_window_listener window_events{
        .title_changed = ignore,
        .app_id_changed = ignore,
        .state_changed = state_changed,
        .virtual_desktop_changed = ignore,
        .themed_icon_name_changed = ignore,
        .unmapped = unmapped,
        .initial_state = ignore,
        .parent_window = ignore,
        .geometry = ignore,
        .icon_changed = ignore,
        .pid_changed = ignore,
        .virtual_desktop_entered = ignore,
        .virtual_desktop_left = ignore,
        .application_menu = ignore,
        .activity_entered = ignore,
        .activity_left = ignore,
        .resource_name_changed = ignore,
    };
};

// The manager has no destructor request: only our proxy goes.
void PlasmaWindows::Destroy::operator()(org_kde_plasma_window_management* p) const {
    org_kde_plasma_window_management_destroy(p);
}
void PlasmaWindows::Destroy::operator()(org_kde_plasma_window* p) const { org_kde_plasma_window_destroy(p); }

std::uint32_t PlasmaWindows::max_version() {
    return static_cast<std::uint32_t>(org_kde_plasma_window_management_interface.version);
}

PlasmaWindows::PlasmaWindows(wl_registry* registry, std::uint32_t name, std::uint32_t version, ToplevelStates& states,
                             std::function<void(bool)> on_change)
    : version_(version), states_(states), on_change_(std::move(on_change)) {
    manager_.reset(static_cast<org_kde_plasma_window_management*>(
        wl_registry_bind(registry, name, &org_kde_plasma_window_management_interface, version)));
    if (manager_)
        org_kde_plasma_window_management_add_listener(manager_.get(), &PlasmaWindowsEvents::manager_events, this);
}

PlasmaWindows::~PlasmaWindows() = default;

void PlasmaWindows::on_window(org_kde_plasma_window* window) {
    if (!window) return;  // no memory for the proxy: that window is not seen
    windows_[id_of(window)].reset(window);
    states_.added(id_of(window));
    org_kde_plasma_window_add_listener(window, &PlasmaWindowsEvents::window_events, this);
}

void PlasmaWindows::on_unmapped(org_kde_plasma_window* window) {
    bool changed_answer = states_.closed(id_of(window));
    windows_.erase(id_of(window));  // sends `destroy`, which the compositor waits for
    on_change_(changed_answer);
}

}  // namespace stretch
