// The tool step of a turn: carrying out the !image and !search commands the planner queued,
// before the turn's records are committed, so that a message and its outcomes land together.

#include <openssl/evp.h>

#include <cerrno>
#include <fstream>
#include <optional>

#include "polylogue/providers/image_input.hpp"
#include "polylogue/room/command_planner.hpp"
#include "polylogue/room/room_runner.hpp"

namespace polylogue::room {

namespace asio = boost::asio;

namespace {

std::string short_hash(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < 6 && i < size; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0xF];
    }
    return out;
}

std::string extension_for(std::string_view mime) {
    if (mime.find("jpeg") != std::string_view::npos) {
        return "jpg";
    }
    if (mime.find("webp") != std::string_view::npos) {
        return "webp";
    }
    if (mime.find("gif") != std::string_view::npos) {
        return "gif";
    }
    return "png";
}

void mark_failed(core::record& command, const providers::api_failure& failure) {
    command.status = core::command_status::failed;
    command.detail = "the tool failed: " + failure.type +
                     (failure.http_status ? " (HTTP " + std::to_string(failure.http_status) + ")"
                                          : std::string{}) +
                     (failure.message.empty() ? "" : ": " + failure.message);
}

}  // namespace

// The file's path relative to data_dir (images/ROOM/SEQ-HASH.EXT), or why it could not be written
// (the disk is full, images is not a directory...): a failed !image, never a failed room.
result<std::string> room_runner::save_image(std::int64_t seq,
                                            const providers::generated_image& image) const {
    // Room names are validated file names, so the path stays under data_dir/images.
    const auto relative =
        std::filesystem::path{"images"} / room_->name /
        (std::to_string(seq) + "-" + short_hash(image.bytes) + "." + extension_for(image.mime));
    const auto full = services_.cfg->data_dir / relative;
    std::error_code failed;
    std::filesystem::create_directories(full.parent_path(), failed);
    if (failed) {
        return boost::system::error_code{failed.value(), boost::system::system_category()};
    }
    errno = 0;
    std::ofstream out{full, std::ios::binary};
    out.write(image.bytes.data(), static_cast<std::streamsize>(image.bytes.size()));
    out.close();
    if (!out) {
        const int why = errno != 0 ? errno : EIO;
        std::filesystem::remove(full, failed);  // no half-written image is left behind
        return boost::system::error_code{why, boost::system::system_category()};
    }
    return relative.string();
}

asio::awaitable<void> room_runner::run_tools(std::vector<core::record>* records,
                                             std::vector<tool_job> jobs) {
    std::size_t inserted = 0;  // each result record shifts the commands after it
    for (tool_job& job : jobs) {
        job.command += inserted;
        const std::size_t before = records->size();
        co_await run_tool(records, std::move(job));
        inserted += records->size() - before;
    }
}

asio::awaitable<void> room_runner::run_tool(std::vector<core::record>* records, tool_job job) {
    const std::size_t index = job.command;
    core::record& command = (*records)[index];
    const std::string& argument = job.argument;
    const bool searching = job.kind == tool_job::tool::search;
    const config::tool* tool =
        services_.cfg->find_tool(searching ? room_->search_tool : room_->image_tool);
    core::record result = make_record(core::record_type::search_results, 0, argument);
    result.speaker = command.speaker;
    result.model = command.model;
    result.time = command.time;
    if (tool != nullptr && tool->price_per_call_usd > 0) {
        result.cost_usd = tool->price_per_call_usd;
    }
    if (searching) {
        auto found = co_await services_.tools->search(room_->search_tool, argument);
        if (!found) {
            mark_failed((*records)[index], found.error());
            co_return;
        }
        for (const auto& hit : *found) {
            result.results.push_back({hit.title, hit.url, hit.snippet});
        }
        (*records)[index].detail = "found " + std::to_string(result.results.size()) + " results";
    } else {
        auto made = co_await services_.tools->generate_image(room_->image_tool, argument);
        if (!made) {
            mark_failed((*records)[index], made.error());
            co_return;
        }
        auto& image = *made;
        result.type = core::record_type::image;
        result.mime = image.mime;
        result.bytes = static_cast<std::int64_t>(image.bytes.size());
        if (const auto size = providers::image_dimensions(image.bytes)) {
            result.width = size->width;  // what a vision model's token estimate needs
            result.height = size->height;
        }
        pending_images_.push_back(std::move(image));  // saved by save_images, with its seq
    }
    records->insert(records->begin() + static_cast<std::ptrdiff_t>(index) + 1, std::move(result));
}

// Saves the turn's images once its records are numbered, each named after its own record's
// seq, on the committer's writer thread (the loop never waits for the disk) and before the batch
// is committed. An image that cannot be saved fails its command (which keeps its cost: the image
// was made) and leaves no record, so the records after it are numbered again before the next save.
asio::awaitable<void> room_runner::save_images(std::vector<core::record>* turn) {
    std::vector<core::record>& records = *turn;
    std::size_t next = 0;
    for (std::size_t i = 0; i < records.size() && next < pending_images_.size();) {
        core::record& r = records[i];
        if (r.type != core::record_type::image || !r.path.empty() || i == 0) {
            ++i;
            continue;
        }
        const providers::generated_image& image = pending_images_[next++];
        std::optional<result<std::string>> saved;
        co_await services_.committer->on_writer([&] { saved = save_image(r.seq, image); });
        core::record& command = records[i - 1];  // an image follows its !image
        if (*saved) {
            r.path = std::move(**saved);
            command.detail = "image saved as " + r.path;
            ++i;
            continue;
        }
        services_.log->error("room {}: the image of record {} could not be saved under {}: {}",
                             room_->name, r.seq, (services_.cfg->data_dir / "images").string(),
                             saved->error().message());
        command.status = core::command_status::failed;
        command.detail = "the image was made but could not be saved: " + saved->error().message();
        command.cost_usd = r.cost_usd;
        records.erase(records.begin() + static_cast<std::ptrdiff_t>(i));
        number(records, state_.last_seq);
    }
    pending_images_.clear();
}

}  // namespace polylogue::room
