#pragma once
// The provider-neutral conversation the room renders for one speaker. Adapters turn it into
// their API's request (roles, system placement, merging of adjacent user turns).

#include <string>
#include <vector>

namespace polylogue::providers {

enum class turn_role {
    user,       // anyone else: other AIs, humans, the orchestrator's notices
    assistant,  // the speaker's own earlier messages
};

struct conversation_turn {
    turn_role role = turn_role::user;
    std::string text;  // already prefixed "[AI-n (Model)]: " or "[Polylogue] " where it applies
};

struct conversation {
    std::string system;
    std::vector<conversation_turn> turns;
};

}  // namespace polylogue::providers
