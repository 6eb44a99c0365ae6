// libFuzzer target for the Anthropic adapter's response parsing: a stream, a whole body and an
// error body, with the invariants of adapter_fuzz.hpp. Build and run with tests/fuzz/run_fuzzer.sh.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "adapter_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::unique_ptr<polylogue::providers::api_adapter> adapter =
        polylogue::providers::make_anthropic_adapter();
    polylogue::fuzz::fuzz_adapter(*adapter, polylogue::fuzz::as_text(data, size));
    return 0;
}
