#include "polylogue/providers/shared_budget.hpp"

#include <utility>

namespace polylogue::providers {

shared_budget::ticket::ticket(ticket&& other) noexcept
    : owner_{std::exchange(other.owner_, nullptr)}, call_{other.call_} {}

shared_budget::ticket& shared_budget::ticket::operator=(ticket&& other) noexcept {
    if (this != &other) {
        release();
        owner_ = std::exchange(other.owner_, nullptr);
        call_ = other.call_;
    }
    return *this;
}

shared_budget::ticket::~ticket() {
    release();
}

void shared_budget::ticket::release() noexcept {
    if (auto* owner = std::exchange(owner_, nullptr)) {
        owner->give_back(call_);
    }
}

}  // namespace polylogue::providers
