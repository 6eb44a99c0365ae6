#include "config/yaml_documents.hpp"

#include <yaml-cpp/eventhandler.h>

#include <sstream>

namespace polylogue::config::detail {
namespace {

// Notes, for the document being parsed, where it starts, where its root node is and whether
// that root is a null (an empty document, as "---" alone makes).
class document_marks final : public YAML::EventHandler {
  public:
    void OnDocumentStart(const YAML::Mark& mark) override {
        start_ = mark;
        root_.reset();
        empty_ = true;
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { on_node(mark, true); }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { on_node(mark, false); }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  const std::string&) override {
        on_node(mark, false);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {
        on_node(mark, false);
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {
        on_node(mark, false);
    }
    void OnMapEnd() override {}

    const YAML::Mark& start() const noexcept { return start_; }
    const YAML::Mark& root() const noexcept { return root_ ? *root_ : start_; }
    bool empty() const noexcept { return empty_; }

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
};

}  // namespace

yaml_documents read_documents(const std::string& text) {
    yaml_documents documents;
    documents.first = YAML::Load(text);  // reads one document only, so it always returns
    std::istringstream in{text};
    YAML::Parser parser{in};
    document_marks marks;
    std::optional<int> previous_start;
    while (parser.HandleNextDocument(marks)) {
        // Every real document starts after the one before; one that does not is the parser
        // going round in circles.
        if (previous_start && marks.start().pos <= *previous_start) {
            documents.stuck_at = marks.start();
            break;
        }
        if (previous_start && !marks.empty()) {
            documents.others.push_back(marks.root());
        }
        previous_start = marks.start().pos;
    }
    return documents;
}

}  // namespace polylogue::config::detail
