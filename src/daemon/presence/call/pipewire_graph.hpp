#pragma once
// What PipeWire's registry says, reduced to what a call needs: the nodes
// that may capture (their properties and state) and the links out of
// camera nodes, and the captures worked out from them. No libpipewire here:
// the rules are plain functions of properties, unit-tested on properties
// recorded from a real PipeWire (tests/pipewire_graph_test.cpp).
//
// The rules, as GNOME Shell's camera monitor and Waybar's privacy module
// decide, and as the issue asks:
// - microphone: a `Stream/Input/Audio` node RUNNING, unless it records a
//   sink (`stream.capture.sink = true`, desktop audio) or only measures a
//   level (`stream.monitor = true`, a volume meter);
// - camera: a camera node RUNNING (it runs only with a consumer linked):
//   `media.role = Camera` on a source, or a `Video/Source` of a v4l2 or
//   libcamera device. It is named after the `Stream/Input/Video` nodes
//   linked to it (the applications), else after itself; a
//   `Stream/Input/Video` that says `media.role = Camera` counts on its own.
// A screen cast (a Video/Source of no device, without the Camera role) is
// not a call.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/presence/call/capture.hpp"

namespace stretch {

using NodeProps = std::map<std::string, std::string, std::less<>>;

// pw_node_state, in its order (-1 .. 3).
enum class NodeState { error, creating, suspended, idle, running };

// From a node's global properties (media.class and media.role are among
// them): whether its state and full properties are worth following. Others
// are never bound, so a registry full of them costs only their announcements.
bool node_worth_following(const NodeProps& global);

// The node alone: a microphone stream in use, or a capture stream that
// says it is a camera's, running. Camera sources need their links (below).
std::optional<Capture> stream_capture(const NodeProps& props, NodeState state);
bool is_camera_source(const NodeProps& props);
// application.name, else application.process.binary, else node.name.
std::string application_of(const NodeProps& props);

class PipeWireGraph {
public:
    // A node's properties, new or replaced (its state is kept).
    void node_props(std::uint32_t id, NodeProps props);
    void node_state(std::uint32_t id, NodeState state);
    // A link's ends, from its global properties (link.output.node, link.input.node).
    void link(std::uint32_t id, std::uint32_t output_node, std::uint32_t input_node);
    // A node or a link gone (registry global_remove).
    void remove(std::uint32_t id);
    void clear();

    // Sorted, without repeats.
    std::vector<Capture> captures() const;
    std::size_t nodes() const { return nodes_.size(); }

private:
    struct Node {
        NodeProps props;
        NodeState state = NodeState::creating;
    };
    struct Link {
        std::uint32_t output, input;
    };
    std::map<std::uint32_t, Node> nodes_;
    std::map<std::uint32_t, Link> links_;
};

}  // namespace stretch
