#include "polylogue/core/error.hpp"

namespace polylogue {
namespace {

class polylogue_error_category final : public boost::system::error_category {
  public:
    const char* name() const noexcept override { return "polylogue"; }

    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
            case errc::invalid_config:
                return "invalid configuration";
            case errc::script_exhausted:
                return "script exhausted";
            case errc::storage_failure:
                return "transcript storage failure";
            case errc::corrupt_record:
                return "corrupt transcript record";
            case errc::fenced:
                return "another node holds the room's lease: the write was refused";
            case errc::not_found:
                return "not found";
            case errc::invalid_argument:
                return "invalid argument";
            case errc::cancelled:
                return "cancelled";
            case errc::room_closed:
                return "the room has ended or is not running";
            case errc::conflict:
                return "conflicts with what exists";
            case errc::invalid_url:
                return "invalid URL";
            case errc::resolve_failed:
                return "could not resolve the host name";
            case errc::connect_failed:
                return "could not connect";
            case errc::tls_failed:
                return "TLS handshake or certificate verification failed";
            case errc::proxy_failed:
                return "the proxy refused the tunnel";
            case errc::resolve_timeout:
                return "timed out resolving the host name";
            case errc::connect_timeout:
                return "timed out connecting";
            case errc::tls_timeout:
                return "timed out in the TLS handshake";
            case errc::header_timeout:
                return "timed out waiting for the response headers";
            case errc::idle_timeout:
                return "the response stalled between chunks";
            case errc::deadline_exceeded:
                return "the call took longer than its deadline";
            case errc::response_too_large:
                return "the response was larger than allowed";
            case errc::malformed_response:
                return "malformed HTTP response";
            case errc::connection_closed:
                return "the connection closed before the response was complete";
        }
        return "unknown polylogue error";
    }
};

}  // namespace

const boost::system::error_category& polylogue_category() noexcept {
    static const polylogue_error_category category;
    return category;
}

}  // namespace polylogue
