#include "daemon/presence/call/pipewire_graph.hpp"

#include <algorithm>

namespace stretch {
namespace {

std::string_view prop(const NodeProps& props, std::string_view key) {
    auto it = props.find(key);
    return it == props.end() ? std::string_view() : std::string_view(it->second);
}

bool truthy(std::string_view v) { return v == "true" || v == "1"; }

constexpr std::string_view audio_capture_stream = "Stream/Input/Audio";
constexpr std::string_view video_capture_stream = "Stream/Input/Video";
constexpr std::string_view video_source = "Video/Source";

bool is_camera_stream(const NodeProps& props) {
    return prop(props, "media.class") == video_capture_stream && prop(props, "media.role") == "Camera";
}

}  // namespace

bool node_worth_following(const NodeProps& global) {
    auto cls = prop(global, "media.class");
    return cls == audio_capture_stream || cls == video_capture_stream || cls == video_source ||
           prop(global, "media.role") == "Camera";
}

bool is_camera_source(const NodeProps& props) {
    auto cls = prop(props, "media.class");
    if (cls.starts_with("Stream/")) return false;
    if (prop(props, "media.role") == "Camera") return true;
    auto api = prop(props, "device.api");
    return cls == video_source && (api == "v4l2" || api == "libcamera");
}

std::string application_of(const NodeProps& props) {
    for (auto key : {"application.name", "application.process.binary", "node.name"})
        if (auto v = prop(props, key); !v.empty()) return std::string(v);
    return "an unnamed PipeWire client";
}

std::optional<Capture> stream_capture(const NodeProps& props, NodeState state) {
    if (state != NodeState::running) return std::nullopt;
    if (prop(props, "media.class") == audio_capture_stream) {
        if (truthy(prop(props, "stream.monitor")) || truthy(prop(props, "stream.capture.sink"))) return std::nullopt;
        return Capture{CaptureDevice::microphone, application_of(props), CallDetectorName::pipewire};
    }
    if (is_camera_stream(props))
        return Capture{CaptureDevice::camera, application_of(props), CallDetectorName::pipewire};
    return std::nullopt;
}

void PipeWireGraph::node_props(std::uint32_t id, NodeProps props) { nodes_[id].props = std::move(props); }

void PipeWireGraph::node_state(std::uint32_t id, NodeState state) { nodes_[id].state = state; }

void PipeWireGraph::link(std::uint32_t id, std::uint32_t output_node, std::uint32_t input_node) {
    links_[id] = Link{output_node, input_node};
}

void PipeWireGraph::remove(std::uint32_t id) {
    nodes_.erase(id);
    links_.erase(id);
}

void PipeWireGraph::clear() {
    nodes_.clear();
    links_.clear();
}

std::vector<Capture> PipeWireGraph::captures() const {
    std::vector<Capture> out;
    for (const auto& [id, node] : nodes_) {
        if (auto c = stream_capture(node.props, node.state)) out.push_back(std::move(*c));
        if (node.state != NodeState::running || !is_camera_source(node.props)) continue;
        bool named = false;
        for (const auto& [link_id, link] : links_) {
            if (link.output != id) continue;
            auto consumer = nodes_.find(link.input);
            if (consumer == nodes_.end() || prop(consumer->second.props, "media.class") != video_capture_stream)
                continue;
            out.push_back({CaptureDevice::camera, application_of(consumer->second.props), CallDetectorName::pipewire});
            named = true;
        }
        if (!named) {
            auto self = prop(node.props, "node.description");
            out.push_back({CaptureDevice::camera, self.empty() ? application_of(node.props) : std::string(self),
                           CallDetectorName::pipewire});
        }
    }
    std::ranges::sort(out);
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace stretch
