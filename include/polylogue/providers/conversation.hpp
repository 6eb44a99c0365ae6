#pragma once
// The provider-neutral conversation the room renders for one speaker. Adapters turn it into
// their API's request (roles, system placement, merging of adjacent user turns).
//
// Its text is held escaped for a JSON string, once: the room keeps each record's text in that
// form while the record is in someone's window, so that a turn assembles its request body by
// concatenation and old records cost no per-byte work (docs/performance.md, "Cost per turn").

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace polylogue::providers {

// Bytes and their reference count in one allocation, shared by every view of them: taking a
// reference touches the memory the bytes are read from anyway.
struct shared_bytes {
    std::shared_ptr<const char[]> data;
    std::size_t size = 0;

    static shared_bytes copy_of(std::string_view bytes);
    std::string_view view() const noexcept { return {data.get(), size}; }
    explicit operator bool() const noexcept { return data != nullptr; }
};

// Text as the inside of a JSON string: quotes, backslashes and control characters escaped and
// invalid UTF-8 replaced by U+FFFD, exactly as nlohmann::json's dump with
// error_handler_t::replace does it. Immutable; copies share the escaped bytes.
class json_text {
  public:
    json_text() = default;
    // Escapes: implicit, so that a plain string can stand where text is wanted.
    json_text(std::string_view plain);  // NOLINT(google-explicit-constructor)
    json_text(const std::string& plain) : json_text{std::string_view{plain}} {}  // NOLINT
    json_text(const char* plain) : json_text{std::string_view{plain}} {}         // NOLINT

    // Part of already escaped text, shared: escaped.view().substr(offset) is this text.
    // plain_bytes and blank describe the text before escaping.
    json_text(shared_bytes escaped, std::size_t offset, std::size_t plain_bytes, bool blank);

    std::string_view escaped() const noexcept;
    // The text's size before escaping (what the token estimates count).
    std::size_t plain_bytes() const noexcept { return plain_bytes_; }
    // Empty, or nothing but spaces, tabs and line ends: APIs that refuse empty content skip it.
    bool blank() const noexcept { return blank_; }
    bool empty() const noexcept { return plain_bytes_ == 0; }
    // The text back, as a JSON parser reads it (with any replacement characters): for tests and
    // for the rare reader that wants it plain.
    std::string plain() const;

  private:
    shared_bytes escaped_;
    std::size_t offset_ = 0;
    std::size_t plain_bytes_ = 0;
    bool blank_ = true;
};

// Escapes plain text as the inside of a JSON string (see json_text), appending to out.
void append_json_escaped(std::string& out, std::string_view plain);

// True when text is empty or nothing but " \t\r\n".
bool is_blank(std::string_view text) noexcept;

enum class turn_role {
    user,       // anyone else: other AIs, humans, the orchestrator's notices
    assistant,  // the speaker's own earlier messages
};

// An image shown to a vision model beside a turn's text: the file of an image record. The room
// reads it just before the request and drops it after, so images are never held for a whole
// room; a part whose bytes were not read is left out of the request.
struct image_part {
    std::string path;    // relative to data_dir, as the image record has it
    std::string mime;    // image/png, image/jpeg, image/webp or image/gif
    shared_bytes bytes;  // the file; null until read
};

struct conversation_turn {
    conversation_turn() = default;
    conversation_turn(turn_role role_, json_text text_, std::vector<image_part> images_ = {})
        : role{role_}, text{std::move(text_)}, images{std::move(images_)} {}

    turn_role role = turn_role::user;
    json_text text;  // already prefixed "[AI-n (Model)]: " or "[Polylogue] " where it applies
    std::vector<image_part> images;  // user turns of vision members only: shown after the text
};

struct conversation {
    json_text system;
    std::vector<conversation_turn> turns;
};

}  // namespace polylogue::providers
