/* A plain xdg-shell window that asks to be full-screen itself, for the
 * integration tests: on KWin nothing like `swaymsg fullscreen` exists, and
 * weston-fullscreen only toggles on a key press.
 *
 *   wayland_fullscreen_window [--fullscreen]
 *
 * Connects to $WAYLAND_DISPLAY like any client, maps a window (app_id
 * "stretch.test.window") filled with one colour, full-screen from the start
 * with --fullscreen. Commands on stdin, one a line: "fullscreen", "windowed";
 * end of input closes the window and exits 0. On stdout, a line for each
 * configure the compositor sent and drew: "configured fullscreen WxH" or
 * "configured windowed WxH". Exit codes: 0 stdin ended, 1 no connection or
 * it failed, 2 a needed global is missing. */

#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-client.h>

#include "xdg-shell-client.h"

struct window {
    struct wl_compositor *compositor;
    struct wl_shm *shm;
    struct xdg_wm_base *wm_base;
    struct wl_surface *surface;
    struct xdg_surface *xdg_surface;
    struct xdg_toplevel *toplevel;
    int32_t width, height;       /* from the last toplevel configure; 0: ours */
    bool fullscreen;             /* the last toplevel configure's state */
    bool failed;
};

static void global(void *data, struct wl_registry *registry, uint32_t name, const char *interface, uint32_t version) {
    struct window *w = data;
    (void)version;
    if (strcmp(interface, wl_compositor_interface.name) == 0 && !w->compositor)
        w->compositor = wl_registry_bind(registry, name, &wl_compositor_interface, 1);
    else if (strcmp(interface, wl_shm_interface.name) == 0 && !w->shm)
        w->shm = wl_registry_bind(registry, name, &wl_shm_interface, 1);
    else if (strcmp(interface, xdg_wm_base_interface.name) == 0 && !w->wm_base)
        w->wm_base = wl_registry_bind(registry, name, &xdg_wm_base_interface, 1);
}

static void global_remove(void *data, struct wl_registry *registry, uint32_t name) {
    (void)data;
    (void)registry;
    (void)name;
}

static const struct wl_registry_listener registry_listener = {global, global_remove};

static void ping(void *data, struct xdg_wm_base *wm_base, uint32_t serial) {
    (void)data;
    xdg_wm_base_pong(wm_base, serial);
}

static const struct xdg_wm_base_listener wm_base_listener = {ping};

static void buffer_release(void *data, struct wl_buffer *buffer) {
    (void)data;
    wl_buffer_destroy(buffer);
}

static const struct wl_buffer_listener buffer_listener = {buffer_release};

/* One buffer of the window's size, in one colour; false when it cannot be made. */
static bool draw(struct window *w) {
    int32_t width = w->width > 0 ? w->width : 320, height = w->height > 0 ? w->height : 240;
    int32_t stride = width * 4;
    size_t size = (size_t)stride * (size_t)height;
    int fd = memfd_create("stretch-test-window", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
        perror("wayland_fullscreen_window: a buffer");
        if (fd >= 0)
            close(fd);
        return false;
    }
    uint32_t *pixels = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (pixels == MAP_FAILED) {
        perror("wayland_fullscreen_window: mapping a buffer");
        close(fd);
        return false;
    }
    for (size_t i = 0; i < size / 4; i++)
        pixels[i] = 0xff3070a0;
    munmap(pixels, size);
    struct wl_shm_pool *pool = wl_shm_create_pool(w->shm, fd, (int32_t)size);
    struct wl_buffer *buffer = wl_shm_pool_create_buffer(pool, 0, width, height, stride, WL_SHM_FORMAT_XRGB8888);
    wl_shm_pool_destroy(pool);
    close(fd);
    wl_buffer_add_listener(buffer, &buffer_listener, NULL);
    wl_surface_attach(w->surface, buffer, 0, 0);
    wl_surface_damage(w->surface, 0, 0, width, height);
    wl_surface_commit(w->surface);
    printf("configured %s %dx%d\n", w->fullscreen ? "fullscreen" : "windowed", width, height);
    fflush(stdout);
    return true;
}

static void surface_configure(void *data, struct xdg_surface *xdg_surface, uint32_t serial) {
    struct window *w = data;
    xdg_surface_ack_configure(xdg_surface, serial);
    if (!draw(w))
        w->failed = true;
}

static const struct xdg_surface_listener surface_listener = {surface_configure};

static void toplevel_configure(void *data, struct xdg_toplevel *toplevel, int32_t width, int32_t height,
                               struct wl_array *states) {
    struct window *w = data;
    (void)toplevel;
    w->width = width;
    w->height = height;
    w->fullscreen = false;
    uint32_t *state;
    wl_array_for_each(state, states) if (*state == XDG_TOPLEVEL_STATE_FULLSCREEN) w->fullscreen = true;
}

static void toplevel_close(void *data, struct xdg_toplevel *toplevel) {
    (void)data;
    (void)toplevel;
}

/* Only from versions 4 and 5, and xdg_wm_base is bound at 1: never sent. */
static void toplevel_bounds(void *data, struct xdg_toplevel *toplevel, int32_t width, int32_t height) {
    (void)data;
    (void)toplevel;
    (void)width;
    (void)height;
}

static void toplevel_capabilities(void *data, struct xdg_toplevel *toplevel, struct wl_array *capabilities) {
    (void)data;
    (void)toplevel;
    (void)capabilities;
}

static const struct xdg_toplevel_listener toplevel_listener = {toplevel_configure, toplevel_close, toplevel_bounds,
                                                               toplevel_capabilities};

/* Runs the commands in the complete lines of buf[0..*len), keeping the rest. */
static void run_commands(struct window *w, char *buf, size_t *len) {
    char *start = buf, *end;
    while ((end = memchr(start, '\n', (size_t)(buf + *len - start)))) {
        *end = '\0';
        if (strcmp(start, "fullscreen") == 0)
            xdg_toplevel_set_fullscreen(w->toplevel, NULL);
        else if (strcmp(start, "windowed") == 0)
            xdg_toplevel_unset_fullscreen(w->toplevel);
        else
            fprintf(stderr, "wayland_fullscreen_window: unknown command \"%s\"\n", start);
        start = end + 1;
    }
    *len = (size_t)(buf + *len - start);
    memmove(buf, start, *len);
}

int main(int argc, char **argv) {
    bool fullscreen = argc > 1 && strcmp(argv[1], "--fullscreen") == 0;
    struct wl_display *display = wl_display_connect(NULL);
    if (!display) {
        perror("wayland_fullscreen_window: cannot connect to the compositor");
        return 1;
    }
    struct window w = {0};
    struct wl_registry *registry = wl_display_get_registry(display);
    wl_registry_add_listener(registry, &registry_listener, &w);
    if (wl_display_roundtrip(display) < 0) {
        perror("wayland_fullscreen_window: the compositor did not answer");
        return 1;
    }
    if (!w.compositor || !w.shm || !w.wm_base) {
        fprintf(stderr, "wayland_fullscreen_window: the compositor lacks wl_compositor, wl_shm or xdg_wm_base\n");
        return 2;
    }
    xdg_wm_base_add_listener(w.wm_base, &wm_base_listener, NULL);
    w.surface = wl_compositor_create_surface(w.compositor);
    w.xdg_surface = xdg_wm_base_get_xdg_surface(w.wm_base, w.surface);
    xdg_surface_add_listener(w.xdg_surface, &surface_listener, &w);
    w.toplevel = xdg_surface_get_toplevel(w.xdg_surface);
    xdg_toplevel_add_listener(w.toplevel, &toplevel_listener, &w);
    xdg_toplevel_set_app_id(w.toplevel, "stretch.test.window");
    xdg_toplevel_set_title(w.toplevel, "stretch test window");
    if (fullscreen)
        xdg_toplevel_set_fullscreen(w.toplevel, NULL);
    wl_surface_commit(w.surface); /* no buffer: asks for the first configure */

    char buf[256];
    size_t len = 0;
    for (;;) {
        while (wl_display_prepare_read(display) != 0)
            if (wl_display_dispatch_pending(display) < 0)
                return 1;
        if (wl_display_flush(display) < 0 && errno != EAGAIN) {
            wl_display_cancel_read(display);
            return 1;
        }
        struct pollfd fds[2] = {{wl_display_get_fd(display), POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        if (poll(fds, 2, -1) < 0) {
            wl_display_cancel_read(display);
            if (errno == EINTR)
                continue;
            return 1;
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            if (wl_display_read_events(display) < 0)
                return 1;
        } else {
            wl_display_cancel_read(display);
        }
        if (wl_display_dispatch_pending(display) < 0 || w.failed)
            return 1;
        if (fds[1].revents & (POLLIN | POLLHUP)) {
            ssize_t n = read(STDIN_FILENO, buf + len, sizeof buf - 1 - len);
            if (n <= 0)
                break;
            len += (size_t)n;
            run_commands(&w, buf, &len);
            if (len == sizeof buf - 1)
                len = 0; /* a line too long for any command */
        }
    }
    xdg_toplevel_destroy(w.toplevel);
    xdg_surface_destroy(w.xdg_surface);
    wl_surface_destroy(w.surface);
    wl_display_roundtrip(display);
    wl_display_disconnect(display);
    return 0;
}
