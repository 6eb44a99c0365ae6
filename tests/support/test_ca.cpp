#include "support/test_ca.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <stdexcept>

namespace polylogue::test {
namespace {

using key_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using cert_ptr = std::unique_ptr<X509, decltype(&X509_free)>;

key_ptr make_key() {
    key_ptr key{EVP_EC_gen("P-256"), EVP_PKEY_free};
    if (!key) {
        throw std::runtime_error{"test CA: key generation failed"};
    }
    return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX context;
    X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    if (extension == nullptr || X509_add_ext(cert, extension, -1) != 1) {
        throw std::runtime_error{"test CA: cannot add an extension"};
    }
    X509_EXTENSION_free(extension);
}

cert_ptr make_cert(EVP_PKEY* key, const char* common_name, X509* issuer, EVP_PKEY* issuer_key,
                   long serial) {
    cert_ptr cert{X509_new(), X509_free};
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7L * 24 * 3600);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
    X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
    X509* signer = issuer ? issuer : cert.get();
    if (issuer == nullptr) {
        add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
        add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_extension(cert.get(), signer, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
        add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    }
    if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) {
        throw std::runtime_error{"test CA: signing failed"};
    }
    return cert;
}

template <class Write>
std::string to_pem(Write write) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio{BIO_new(BIO_s_mem()), BIO_free};
    write(bio.get());
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string{data, static_cast<std::size_t>(size)};
}

test_ca make_test_ca() {
    const auto ca_key = make_key();
    const auto ca_cert = make_cert(ca_key.get(), "Polylogue Test CA", nullptr, ca_key.get(), 1);
    const auto server_key = make_key();
    const auto server_cert =
        make_cert(server_key.get(), "127.0.0.1", ca_cert.get(), ca_key.get(), 2);
    test_ca ca;
    ca.ca_pem = to_pem([&](BIO* bio) { PEM_write_bio_X509(bio, ca_cert.get()); });
    ca.server_cert_pem = to_pem([&](BIO* bio) { PEM_write_bio_X509(bio, server_cert.get()); });
    ca.server_key_pem = to_pem([&](BIO* bio) {
        PEM_write_bio_PrivateKey(bio, server_key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    ca.ca_file = std::filesystem::temp_directory_path() /
                 ("polylogue-test-ca-" + std::to_string(::getpid()) + ".pem");
    std::ofstream{ca.ca_file} << ca.ca_pem;
    return ca;
}

}  // namespace

const test_ca& test_ca::instance() {
    static const test_ca ca = make_test_ca();
    return ca;
}

}  // namespace polylogue::test
