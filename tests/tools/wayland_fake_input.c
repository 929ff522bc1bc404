/* Moves the pointer by one pixel through KWin's org_kde_kwin_fake_input, so
 * the compositor sees user activity. For the integration tests: KWin has no
 * IPC command for that, and org_kde_kwin_idle_timeout.simulate_user_activity
 * would be a protocol request rather than input.
 *
 * KWin offers fake_input only to privileged clients; a test starts it with
 * KWIN_WAYLAND_NO_PERMISSION_CHECKS=1. Connects to $WAYLAND_DISPLAY like any
 * client. Exit codes: 0 sent and acknowledged, 1 no connection or the
 * connection failed, 2 fake_input is not offered. */

#include <stdio.h>
#include <string.h>
#include <wayland-client.h>

#include "kde-fake-input-client.h"

static void global(void *data, struct wl_registry *registry, uint32_t name, const char *interface, uint32_t version) {
    struct org_kde_kwin_fake_input **fake_input = data;
    (void)version;
    if (strcmp(interface, org_kde_kwin_fake_input_interface.name) == 0 && !*fake_input)
        *fake_input = wl_registry_bind(registry, name, &org_kde_kwin_fake_input_interface, 1);
}

static void global_remove(void *data, struct wl_registry *registry, uint32_t name) {
    (void)data;
    (void)registry;
    (void)name;
}

static const struct wl_registry_listener registry_listener = {global, global_remove};

int main(void) {
    struct wl_display *display = wl_display_connect(NULL);
    if (!display) {
        perror("wayland_fake_input: cannot connect to the compositor");
        return 1;
    }
    struct org_kde_kwin_fake_input *fake_input = NULL;
    struct wl_registry *registry = wl_display_get_registry(display);
    wl_registry_add_listener(registry, &registry_listener, &fake_input);
    int status = 0;
    if (wl_display_roundtrip(display) < 0) {
        perror("wayland_fake_input: the compositor did not answer");
        status = 1;
    } else if (!fake_input) {
        fprintf(stderr, "wayland_fake_input: the compositor offers no org_kde_kwin_fake_input "
                        "(KWin without KWIN_WAYLAND_NO_PERMISSION_CHECKS=1?)\n");
        status = 2;
    } else {
        org_kde_kwin_fake_input_authenticate(fake_input, "stretch tests", "simulate user activity");
        org_kde_kwin_fake_input_pointer_motion(fake_input, wl_fixed_from_int(1), wl_fixed_from_int(1));
        /* The round trip makes sure KWin has handled the motion before we go. */
        if (wl_display_roundtrip(display) < 0) {
            perror("wayland_fake_input: the compositor did not answer");
            status = 1;
        }
        org_kde_kwin_fake_input_destroy(fake_input);
    }
    wl_registry_destroy(registry);
    wl_display_disconnect(display);
    return status;
}
