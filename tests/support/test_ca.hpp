#pragma once
// A certificate authority made by the tests, and a server certificate it signed for 127.0.0.1
// and localhost, so HTTPS tests verify for real (ca_file) without touching the system store.

#include <filesystem>
#include <string>

namespace polylogue::test {

struct test_ca {
    std::string ca_pem;           // the CA certificate: what clients trust
    std::string server_cert_pem;  // for 127.0.0.1 / localhost, signed by the CA
    std::string server_key_pem;
    std::filesystem::path ca_file;  // ca_pem written to a file (for ca_file options)

    // Made once per process (key generation is slow), written under the temp directory.
    static const test_ca& instance();
};

}  // namespace polylogue::test
