// Redaction runs on text from outside (a provider's or a tool's error), of any size: every pass
// is one walk over the text with a fixed amount of state, with no backtracking and no
// recursion, so its time is linear and its stack constant whatever the text holds.

#include <algorithm>
#include <optional>
#include <vector>

#include "polylogue/providers/provider_factory.hpp"

namespace polylogue::providers {
namespace {

constexpr std::string_view mask = "[redacted]";
constexpr std::size_t min_secret_size = 4;

char fold(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    const char lower = fold(c);
    return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
}

// One byte as the secret's comparison sees it, and the bytes of the text it stands for.
struct read_byte {
    char folded = 0;
    std::size_t begin = 0;
    std::size_t end = 0;
};

// Walks the text one byte at a time, folding case and, when decoding, reading "%2B" as '+':
// a key echoed in a URL or upper-cased by a provider compares equal to the key.
class byte_reader {
  public:
    byte_reader(std::string_view text, bool percent_decode)
        : text_{text}, percent_decode_{percent_decode} {}

    std::optional<read_byte> next() {
        if (at_ >= text_.size()) {
            return std::nullopt;
        }
        read_byte out{fold(text_[at_]), at_, at_ + 1};
        if (percent_decode_ && text_[at_] == '%' && at_ + 2 < text_.size() &&
            hex_digit(text_[at_ + 1]) >= 0 && hex_digit(text_[at_ + 2]) >= 0) {
            const int value = hex_digit(text_[at_ + 1]) * 16 + hex_digit(text_[at_ + 2]);
            out = {fold(static_cast<char>(value)), at_, at_ + 3};
        }
        at_ = out.end;
        return out;
    }

  private:
    std::string_view text_;
    bool percent_decode_;
    std::size_t at_ = 0;
};

// Builds the redacted copy from the spans to hide, given in increasing order of their start.
class masked_copy {
  public:
    explicit masked_copy(std::string_view text) : text_{text} { out_.reserve(text.size()); }

    void hide(std::size_t begin, std::size_t end) {
        if (pending_ && begin <= pending_->second) {
            pending_->second = std::max(pending_->second, end);
            return;
        }
        flush();
        pending_.emplace(begin, end);
    }

    std::string finish() {
        flush();
        out_.append(text_.substr(copied_));
        return std::move(out_);
    }

  private:
    void flush() {
        if (pending_) {
            out_.append(text_.substr(copied_, pending_->first - copied_));
            out_.append(mask);
            copied_ = pending_->second;
            pending_.reset();
        }
    }

    std::string_view text_;
    std::string out_;
    std::size_t copied_ = 0;
    std::optional<std::pair<std::size_t, std::size_t>> pending_;
};

// Knuth-Morris-Pratt: where the folded secret can resume after a mismatch.
std::vector<std::size_t> fallback_table(const std::string& pattern) {
    std::vector<std::size_t> table(pattern.size(), 0);
    for (std::size_t i = 1, k = 0; i < pattern.size(); ++i) {
        while (k > 0 && pattern[i] != pattern[k]) {
            k = table[k - 1];
        }
        if (pattern[i] == pattern[k]) {
            ++k;
        }
        table[i] = k;
    }
    return table;
}

// Every occurrence of the secret, in any case (and percent-encoded when decoding), masked.
std::string hide_secret(std::string_view text, std::string_view secret, bool percent_decode) {
    std::string pattern{secret};
    std::transform(pattern.begin(), pattern.end(), pattern.begin(), fold);
    const auto table = fallback_table(pattern);
    // Where each of the last pattern.size() read bytes began in the text, to map a match back.
    std::vector<std::size_t> begins(pattern.size(), 0);
    masked_copy copy{text};
    byte_reader reader{text, percent_decode};
    std::size_t matched = 0;
    for (std::size_t count = 0; auto byte = reader.next(); ++count) {
        begins[count % pattern.size()] = byte->begin;
        while (matched > 0 && byte->folded != pattern[matched]) {
            matched = table[matched - 1];
        }
        if (byte->folded == pattern[matched]) {
            ++matched;
        }
        if (matched == pattern.size()) {
            copy.hide(begins[(count + 1) % pattern.size()], byte->end);
            matched = table[matched - 1];
        }
    }
    return copy.finish();
}

bool is_alnum(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// What a vendor's key looks like: a prefix, then at least min_run characters of its alphabet.
struct key_shape {
    std::string_view prefix;  // lower case; compared in any case
    std::size_t min_run;
    bool (*belongs)(char);
};

constexpr key_shape key_shapes[] = {
    // OpenAI and most compatible APIs; '*' because they echo a bad key half masked.
    {"sk-", 6, [](char c) { return is_alnum(c) || c == '_' || c == '-' || c == '*'; }},
    {"aiza", 10, [](char c) { return is_alnum(c) || c == '_' || c == '-'; }},  // Google
    {"xai-", 10, is_alnum},                                                    // xAI
};

// The end of a key-shaped run starting at `at`, or nullopt.
std::optional<std::size_t> key_shaped_end(std::string_view text, std::size_t at) {
    for (const auto& shape : key_shapes) {
        if (text.size() - at < shape.prefix.size()) {
            continue;
        }
        bool prefixed = true;
        for (std::size_t i = 0; i < shape.prefix.size() && prefixed; ++i) {
            prefixed = fold(text[at + i]) == shape.prefix[i];
        }
        if (!prefixed) {
            continue;
        }
        std::size_t end = at + shape.prefix.size();
        while (end < text.size() && shape.belongs(text[end])) {
            ++end;
        }
        if (end - at - shape.prefix.size() >= shape.min_run) {
            return end;
        }
    }
    return std::nullopt;
}

// A run is read whole once; a prefix whose run is too short is read again at most min_run
// bytes, so the walk stays linear.
std::string hide_key_shapes(std::string_view text) {
    masked_copy copy{text};
    for (std::size_t at = 0; at < text.size();) {
        if (const auto end = key_shaped_end(text, at)) {
            copy.hide(at, *end);
            at = *end;
        } else {
            ++at;
        }
    }
    return copy.finish();
}

}  // namespace

std::string redact(std::string text, std::string_view secret) {
    if (secret.size() >= min_secret_size) {
        text = hide_secret(text, secret, false);
        text = hide_secret(text, secret, true);
    }
    // Providers echo parts of a bad key back ("Incorrect API key provided: sk-abc***xyz"):
    // anything shaped like a key goes too.
    return hide_key_shapes(text);
}

api_failure redact(api_failure failure, std::string_view secret) {
    failure.message = redact(std::move(failure.message), secret);
    failure.type = redact(std::move(failure.type), secret);
    return failure;
}

}  // namespace polylogue::providers
