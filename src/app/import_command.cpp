// `polylogue import CONFIG --from-sqlite DATA_DIR`: every room of an embedded store copied into
// the configuration's PostgreSQL store, each in one transaction, then read back and compared
// (count and SHA-256 of the records in seq order). Running it again changes nothing: a room
// already there is skipped; a room the store holds only the beginning of (an earlier import,
// the SQLite daemon having gone on since) gets the rest; a room whose records differ is refused,
// never merged; a room some node holds the lease of is refused (its node is writing it).

#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <span>

#include "commands.hpp"
#include "daemon_client.hpp"
#include "polylogue/transcript/lease_table.hpp"
#include "polylogue/transcript/open_store.hpp"
#include "store_location.hpp"

namespace polylogue::app {
namespace {

namespace fs = std::filesystem;

// Records per batch: bounds one INSERT (and its statement_timeout) however long the room is.
constexpr std::size_t records_per_batch = 500;

struct fingerprint {
    std::size_t count = 0;
    std::string sha256;  // hex
};

// Over the records as the store decodes them, re-encoded: the same records give the same sum
// whichever store they were read from.
fingerprint fingerprint_of(std::span<const core::record> records) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> digest{EVP_MD_CTX_new(),
                                                                   &EVP_MD_CTX_free};
    EVP_DigestInit_ex(digest.get(), EVP_sha256(), nullptr);
    for (const auto& r : records) {
        const std::string line =
            core::to_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
        EVP_DigestUpdate(digest.get(), line.data(), line.size());
    }
    unsigned char sum[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(digest.get(), sum, &size);
    static constexpr char hex[] = "0123456789abcdef";
    std::string text;
    for (unsigned int i = 0; i < size; ++i) {
        text += hex[sum[i] >> 4];
        text += hex[sum[i] & 0xf];
    }
    return {records.size(), text};
}

std::string describe(const fingerprint& f) {
    return std::to_string(f.count) + " records, checksum " + f.sha256.substr(0, 16) + "…";
}

enum class outcome { imported, already_there, refused };

struct importer {
    transcript::store& source;
    transcript::store& target;
    std::map<std::string, std::string> holders;  // room -> the node holding its lease

    // One room: what happened, after saying so on stdout or stderr.
    outcome import_room(const std::string& room) {
        auto records = source.load(room, 0);
        if (!records) {
            return refuse(room, "cannot read it from the SQLite store: " +
                                    store_failure(source, records.error()));
        }
        auto there = target.load(room, 0);
        if (!there) {
            return refuse(room, "cannot read it from " + target.where() + ": " +
                                    store_failure(target, there.error()));
        }
        const fingerprint wanted = fingerprint_of(*records);
        if (const auto holder = holders.find(room); holder != holders.end()) {
            return refuse(room, "node " + holder->second +
                                    " holds its lease: stop the nodes serving it, then import");
        }
        const fingerprint found = fingerprint_of(*there);
        if (found.count == wanted.count && found.sha256 == wanted.sha256) {
            std::cout << "room " << room << ": " << describe(wanted) << ": already there\n";
            return outcome::already_there;
        }
        const auto head = std::span{*records}.first(std::min(there->size(), records->size()));
        if (found.count > wanted.count || fingerprint_of(head).sha256 != found.sha256) {
            return refuse(room, "the store holds other records (" + describe(found) +
                                    ") than the SQLite store (" + describe(wanted) +
                                    "): not merged");
        }
        return copy(room, std::span{*records}.subspan(found.count), wanted, found.count);
    }

    outcome copy(const std::string& room, std::span<const core::record> rest,
                 const fingerprint& wanted, std::size_t there) {
        std::vector<transcript::room_batch> batches;
        for (std::size_t at = 0; at < rest.size(); at += records_per_batch) {
            const auto part = rest.subspan(at, std::min(records_per_batch, rest.size() - at));
            batches.push_back({room, {part.begin(), part.end()}});
        }
        for (const auto& stored : target.append(batches)) {
            if (!stored) {
                return refuse(room,
                              stored.error() == errc::fenced
                                  ? std::string{"a node took its lease meanwhile"}
                                  : "cannot write it: " + store_failure(target, stored.error()));
            }
        }
        auto copied = target.load(room, 0);
        const fingerprint check = copied ? fingerprint_of(*copied) : fingerprint{};
        if (check.count != wanted.count || check.sha256 != wanted.sha256) {
            return refuse(room, "copied, but reading it back gave " + describe(check) +
                                    " instead of " + describe(wanted));
        }
        std::cout << "room " << room << ": " << describe(wanted) << ": imported"
                  << (there > 0 ? " (the first " + std::to_string(there) + " were there)" : "")
                  << "\n";
        return outcome::imported;
    }

    static outcome refuse(const std::string& room, const std::string& why) {
        std::cerr << "room " << room << ": " << why << "\n";
        return outcome::refused;
    }
};

// room -> node, for every lease some node holds now.
std::optional<std::map<std::string, std::string>> live_leases(const config::config& cfg) {
    auto conninfo = transcript::store_conninfo(cfg);
    auto leases = conninfo ? transcript::lease_table::open(*conninfo)
                           : result<std::unique_ptr<transcript::lease_table>, std::string>{
                                 boost::system::in_place_error, conninfo.error()};
    auto owners = leases ? (*leases)->owners()
                         : result<std::vector<transcript::room_owner>>{errc::storage_failure};
    if (!owners) {
        std::cerr << "polylogue: cannot read the leases: "
                  << (leases ? owners.error().message() : leases.error()) << "\n";
        return std::nullopt;
    }
    std::map<std::string, std::string> held;
    for (const auto& owner : *owners) {
        if (owner.held) {
            held.emplace(owner.room, owner.node);
        }
    }
    return held;
}

}  // namespace

int import_command(const std::string& config_path, const std::string& sqlite_dir) {
    const auto cfg = load_or_report(config_path);
    if (!cfg) {
        return exit_usage;
    }
    if (cfg->store.kind != config::store_kind::postgres) {
        std::cerr << "polylogue: import copies into a PostgreSQL store, and " << config_path
                  << " names none (store: {kind: postgres, url_env: ...})\n";
        return exit_usage;
    }
    const fs::path file = fs::path{sqlite_dir} / "transcripts.db";
    if (std::error_code ec; !fs::is_regular_file(file, ec)) {
        std::cerr << "polylogue: there is no " << file.string() << " to import\n";
        return exit_usage;
    }
    auto source = transcript::store::open(file);
    auto target = transcript::open_store(*cfg);
    if (!source || !target) {
        std::cerr << "polylogue: "
                  << (source ? target.error()
                             : "cannot open " + file.string() + ": " + source.error().message())
                  << "\n";
        return exit_failure;
    }
    auto holders = live_leases(*cfg);
    auto rooms = (*source)->rooms();
    if (!holders || !rooms) {
        if (!rooms) {
            std::cerr << "polylogue: cannot list the rooms of " << file.string() << ": "
                      << rooms.error().message() << "\n";
        }
        return exit_failure;
    }
    importer run{**source, **target, std::move(*holders)};
    std::map<outcome, int> counts;
    for (const auto& room : *rooms) {
        ++counts[run.import_room(room)];
    }
    std::cout << rooms->size() << " rooms: " << counts[outcome::imported] << " imported, "
              << counts[outcome::already_there] << " already there, " << counts[outcome::refused]
              << " refused\n";
    return counts[outcome::refused] == 0 ? exit_ok : exit_failure;
}

}  // namespace polylogue::app
