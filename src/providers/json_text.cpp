#include <nlohmann/json.hpp>

#include "polylogue/providers/conversation.hpp"

namespace polylogue::providers {

void append_json_escaped(std::string& out, std::string_view plain) {
    // nlohmann's own serializer, so that the escaping and the replacement of invalid UTF-8 are
    // exactly those of the DOM path it replaces; the quotes it adds are cut off.
    const std::string quoted = nlohmann::json(std::string{plain})
                                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out.append(quoted, 1, quoted.size() - 2);
}

bool is_blank(std::string_view text) noexcept {
    return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

shared_bytes shared_bytes::copy_of(std::string_view bytes) {
    auto data = std::make_shared<char[]>(bytes.size());
    bytes.copy(data.get(), bytes.size());
    return {std::move(data), bytes.size()};
}

json_text::json_text(std::string_view plain) : plain_bytes_{plain.size()}, blank_{is_blank(plain)} {
    std::string escaped;
    append_json_escaped(escaped, plain);
    escaped_ = shared_bytes::copy_of(escaped);
}

json_text::json_text(shared_bytes escaped, std::size_t offset, std::size_t plain_bytes, bool blank)
    : escaped_{std::move(escaped)}, offset_{offset}, plain_bytes_{plain_bytes}, blank_{blank} {}

std::string_view json_text::escaped() const noexcept {
    return escaped_.view().substr(offset_);
}

std::string json_text::plain() const {
    std::string quoted;
    quoted.reserve(escaped().size() + 2);
    quoted += '"';
    quoted += escaped();
    quoted += '"';
    return nlohmann::json::parse(quoted).get<std::string>();
}

}  // namespace polylogue::providers
