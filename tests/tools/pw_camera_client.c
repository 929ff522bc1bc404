/* A camera reader for the integration tests: a PipeWire video capture
 * stream, of the application named by the first argument, linked to the
 * node named by the second (the tests' fake camera, a videotestsrc with
 * media.role = Camera). It takes the frames and drops them, until it is
 * killed. Prints "streaming" on standard output once frames flow.
 *
 *   pw_camera_client APPLICATION TARGET
 */

#include <pipewire/pipewire.h>
#include <spa/param/video/format-utils.h>
#include <spa/pod/builder.h>

#include <stdio.h>

static struct pw_stream *stream;
static int told;

static void on_process(void *data) {
    (void)data;
    struct pw_buffer *b = pw_stream_dequeue_buffer(stream);
    if (b == NULL) return;
    pw_stream_queue_buffer(stream, b);
    if (!told) {
        told = 1;
        printf("streaming\n");
        fflush(stdout);
    }
}

static void on_state(void *data, enum pw_stream_state old, enum pw_stream_state state, const char *error) {
    (void)data;
    (void)old;
    fprintf(stderr, "pw_camera_client: %s%s%s\n", pw_stream_state_as_string(state), error ? ": " : "", error ? error : "");
}

static const struct pw_stream_events events = {
    PW_VERSION_STREAM_EVENTS,
    .state_changed = on_state,
    .process = on_process,
};

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: pw_camera_client APPLICATION TARGET\n");
        return 2;
    }
    pw_init(&argc, &argv);
    struct pw_main_loop *loop = pw_main_loop_new(NULL);
    struct pw_properties *props = pw_properties_new(PW_KEY_MEDIA_TYPE, "Video", PW_KEY_MEDIA_CATEGORY, "Capture",
                                                    PW_KEY_APP_NAME, argv[1], PW_KEY_TARGET_OBJECT, argv[2], NULL);
    stream = pw_stream_new_simple(pw_main_loop_get_loop(loop), "camera-client", props, &events, NULL);

    uint8_t buffer[1024];
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
    const struct spa_pod *params[1];
    params[0] = spa_pod_builder_add_object(
        &b, SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat, SPA_FORMAT_mediaType, SPA_POD_Id(SPA_MEDIA_TYPE_video),
        SPA_FORMAT_mediaSubtype, SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw), SPA_FORMAT_VIDEO_format,
        SPA_POD_CHOICE_ENUM_Id(5, SPA_VIDEO_FORMAT_RGB, SPA_VIDEO_FORMAT_RGB, SPA_VIDEO_FORMAT_RGBA,
                               SPA_VIDEO_FORMAT_UYVY, SPA_VIDEO_FORMAT_YUY2),
        SPA_FORMAT_VIDEO_size,
        SPA_POD_CHOICE_RANGE_Rectangle(&SPA_RECTANGLE(320, 240), &SPA_RECTANGLE(1, 1), &SPA_RECTANGLE(4096, 4096)),
        SPA_FORMAT_VIDEO_framerate,
        SPA_POD_CHOICE_RANGE_Fraction(&SPA_FRACTION(25, 1), &SPA_FRACTION(0, 1), &SPA_FRACTION(1000, 1)));
    pw_stream_connect(stream, PW_DIRECTION_INPUT, PW_ID_ANY, PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS,
                      params, 1);
    pw_main_loop_run(loop);
    pw_stream_destroy(stream);
    pw_main_loop_destroy(loop);
    pw_deinit();
    return 0;
}
