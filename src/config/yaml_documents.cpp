#include "config/yaml_documents.hpp"

#include <yaml-cpp/eventhandler.h>

#include <limits>
#include <sstream>
#include <unordered_map>

#include "config/service_values.hpp"

namespace polylogue::config::detail {
namespace {

// A part of the document as it would be once every alias is replaced by what it refers to.
struct extent {
    std::uint64_t nodes = 0;
    std::uint64_t bytes = 0;  // of scalars

    // Saturating: a chain of aliases can describe more than 2^64 nodes.
    void add(const extent& other) noexcept {
        constexpr auto most = std::numeric_limits<std::uint64_t>::max();
        nodes = other.nodes > most - nodes ? most : nodes + other.nodes;
        bytes = other.bytes > most - bytes ? most : bytes + other.bytes;
    }
};

// Counts nodes and scalar bytes with and without alias multiplicity, from parser events: the
// size of each anchored node is known when it closes, and each alias adds that size again.
class node_meter {
  public:
    explicit node_meter(const yaml_limits& limits) : limits_{limits} {}

    void document_start() {
        anchored_.clear();
        open_.clear();
    }

    void leaf(const YAML::Mark& at, YAML::anchor_t anchor, std::uint64_t bytes) {
        const extent one{1, bytes};
        spelled_.add(one);
        if (anchor != YAML::NullAnchor) {
            anchored_[anchor] = one;
        }
        grow(at, one);
    }

    void open(const YAML::Mark& at, YAML::anchor_t anchor) {
        spelled_.add({1, 0});
        open_.push_back({anchor, {}});
        grow(at, {1, 0});
    }

    void close() {
        if (open_.empty()) {
            return;
        }
        const container closed = open_.back();
        open_.pop_back();
        if (closed.anchor != YAML::NullAnchor) {
            anchored_[closed.anchor] = closed.size;
        }
        if (!open_.empty()) {
            open_.back().size.add(closed.size);
        }
    }

    void alias(const YAML::Mark& at, YAML::anchor_t anchor) {
        spelled_.add({1, 0});
        const auto found = anchored_.find(anchor);
        if (found == anchored_.end()) {
            refuse(at,
                   "this alias refers to a node that contains it; a document may not refer "
                   "to itself");
            return;
        }
        grow(at, found->second);
        if (expanded_.bytes - spelled_.bytes > limits_.max_alias_added_bytes) {
            refuse(at, "aliases repeat more than " + size_text(limits_.max_alias_added_bytes) +
                           " of text in this document; write the values out instead");
        }
    }

    const std::optional<yaml_refusal>& refused() const noexcept { return refused_; }

  private:
    struct container {
        YAML::anchor_t anchor;
        extent size;  // with alias multiplicity, itself included
    };

    // Adds a node (or what an alias repeats) to the document and to the open container.
    void grow(const YAML::Mark& at, const extent& size) {
        expanded_.add(size);
        if (!open_.empty()) {
            open_.back().size.add(size);
        }
        if (expanded_.nodes > limits_.max_nodes) {
            refuse(at, "this document has more than " + std::to_string(limits_.max_nodes) +
                           " nodes (each alias counted as what it repeats), more than it can "
                           "need");
        }
    }

    void refuse(const YAML::Mark& at, std::string message) {
        if (!refused_) {
            refused_ = yaml_refusal{at, std::move(message)};
        }
    }

    yaml_limits limits_;
    extent spelled_;                                       // each alias counts as one node
    extent expanded_;                                      // each alias counts as what it refers to
    std::unordered_map<YAML::anchor_t, extent> anchored_;  // closed anchored nodes
    std::vector<container> open_;
    std::optional<yaml_refusal> refused_;
};

// Notes, for the document being parsed, where it starts, where its root node is and whether
// that root is a null (an empty document, as "---" alone makes); and measures its aliases.
class document_scan final : public YAML::EventHandler {
  public:
    explicit document_scan(const yaml_limits& limits) : meter_{limits} {}

    void OnDocumentStart(const YAML::Mark& mark) override {
        start_ = mark;
        root_.reset();
        empty_ = true;
        meter_.document_start();
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        on_node(mark, true);
        meter_.leaf(mark, anchor, 0);
    }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        on_node(mark, false);
        meter_.alias(mark, anchor);
    }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  const std::string& value) override {
        on_node(mark, false);
        meter_.leaf(mark, anchor, value.size());
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override {
        on_node(mark, false);
        meter_.open(mark, anchor);
    }
    void OnSequenceEnd() override { meter_.close(); }
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override {
        on_node(mark, false);
        meter_.open(mark, anchor);
    }
    void OnMapEnd() override { meter_.close(); }

    const YAML::Mark& start() const noexcept { return start_; }
    const YAML::Mark& root() const noexcept { return root_ ? *root_ : start_; }
    bool empty() const noexcept { return empty_; }
    const std::optional<yaml_refusal>& refused() const noexcept { return meter_.refused(); }

  private:
    void on_node(const YAML::Mark& mark, bool null) {
        if (!root_) {
            root_ = mark;
            empty_ = null;
        }
    }

    YAML::Mark start_ = YAML::Mark::null_mark();
    std::optional<YAML::Mark> root_;
    bool empty_ = true;
    node_meter meter_;
};

// Where '[' and '{' first nest deeper than max_depth, counting every bracket of the text and
// never going below zero (a closing bracket cannot make room for later openings); nullopt when
// they never do.
std::optional<YAML::Mark> too_deep_brackets(const std::string& text, std::size_t max_depth) {
    std::size_t depth = 0;
    YAML::Mark at;
    at.pos = at.line = at.column = 0;
    for (const char c : text) {
        if (c == '[' || c == '{') {
            if (++depth > max_depth) {
                return at;
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
        ++at.pos;
        at.column = c == '\n' ? 0 : at.column + 1;
        at.line += c == '\n' ? 1 : 0;
    }
    return std::nullopt;
}

}  // namespace

yaml_documents read_documents(const std::string& text, const yaml_limits& limits) {
    yaml_documents documents;
    if (const auto deep = too_deep_brackets(text, limits.max_bracket_depth)) {
        documents.refused = yaml_refusal{
            *deep, "brackets nest more than " + std::to_string(limits.max_bracket_depth) +
                       " deep here (every '[' and '{' counts, quoted ones too)"};
        return documents;
    }
    std::istringstream in{text};
    YAML::Parser parser{in};
    document_scan scan{limits};
    std::optional<int> previous_start;
    while (parser.HandleNextDocument(scan)) {
        // Every real document starts after the one before; one that does not is the parser
        // going round in circles.
        if (previous_start && scan.start().pos <= *previous_start) {
            documents.stuck_at = scan.start();
            break;
        }
        if (previous_start && !scan.empty()) {
            documents.others.push_back(scan.root());
        }
        previous_start = scan.start().pos;
    }
    documents.refused = scan.refused();
    if (!documents.refused) {
        documents.first = YAML::Load(text);  // reads one document only, so it always returns
    }
    return documents;
}

}  // namespace polylogue::config::detail
