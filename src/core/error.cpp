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
            case errc::not_found:
                return "not found";
            case errc::invalid_argument:
                return "invalid argument";
            case errc::cancelled:
                return "cancelled";
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
