// The control API's checks of Host, Origin, Content-Type and the bearer scheme, on their own.

#include <gtest/gtest.h>

#include "control/request_checks.hpp"

namespace polylogue::control {
namespace {

TEST(RequestChecks, ALoopbackListenAnswersItsAddressLocalhostAndLoopbackAddressesOnly) {
    const host_rules rules = rules_for("127.0.0.1:7475", {});
    for (const char* host : {"127.0.0.1:7475", "127.0.0.1", "localhost:7475", "LOCALHOST:9999",
                             "127.0.0.2:7475", "[::1]:7475"}) {
        EXPECT_TRUE(host_allowed(host, rules)) << host;
    }
    for (const char* host :
         {"evil.example:7475", "evil.example", "localhost.evil.example", "10.0.0.1:7475", "", " ",
          "127.0.0.1:port", "[::1", "a b:1", "user@127.0.0.1", "127.0.0.1/x"}) {
        EXPECT_FALSE(host_allowed(host, rules)) << host;
    }
}

TEST(RequestChecks, AWildcardListenAnswersAnyAddressButNoName) {
    const host_rules rules = rules_for("0.0.0.0:7475", {});
    EXPECT_TRUE(host_allowed("192.168.1.20:7475", rules));
    EXPECT_TRUE(host_allowed("[fd00::1]:7475", rules));
    EXPECT_FALSE(host_allowed("rebind.evil.example:7475", rules));
}

TEST(RequestChecks, AllowedHostsAreAnsweredWhateverThePort) {
    const host_rules rules = rules_for("10.0.0.5:7475", {"Polylogue.Example.com"});
    EXPECT_TRUE(host_allowed("10.0.0.5:7475", rules));
    EXPECT_TRUE(host_allowed("polylogue.example.com", rules));
    EXPECT_TRUE(host_allowed("POLYLOGUE.example.com:443", rules));
    EXPECT_FALSE(host_allowed("localhost:7475", rules)) << "not a loopback listen";
    EXPECT_FALSE(host_allowed("10.0.0.6:7475", rules));
    EXPECT_FALSE(host_allowed("example.com", rules));
}

TEST(RequestChecks, AnOriginIsAllowedWhenItNamesTheHostTheRequestIsAddressedTo) {
    const host_rules rules = rules_for("127.0.0.1:7475", {"polylogue.example.com"});
    EXPECT_TRUE(origin_allowed("http://127.0.0.1:7475", "127.0.0.1:7475", rules));
    EXPECT_TRUE(origin_allowed("http://localhost:9999", "localhost:9999", rules)) << "a tunnel";
    EXPECT_TRUE(origin_allowed("HTTP://LOCALHOST:9999", "localhost:9999", rules));
    EXPECT_TRUE(origin_allowed("http://127.0.0.1", "127.0.0.1:80", rules));
    EXPECT_TRUE(origin_allowed("https://polylogue.example.com", "127.0.0.1:7475", rules))
        << "behind a proxy that rewrites Host";
    EXPECT_FALSE(origin_allowed("http://evil.example", "127.0.0.1:7475", rules));
    EXPECT_FALSE(origin_allowed("http://127.0.0.1:8080", "127.0.0.1:7475", rules))
        << "another local site";
    EXPECT_FALSE(origin_allowed("null", "127.0.0.1:7475", rules));
    EXPECT_FALSE(origin_allowed("file://", "127.0.0.1:7475", rules));
    EXPECT_FALSE(origin_allowed("http://127.0.0.1:7475/path", "127.0.0.1:7475", rules));
    EXPECT_FALSE(origin_allowed("http://", "", rules));
}

TEST(RequestChecks, MediaTypesAreComparedWithoutParametersOrCase) {
    EXPECT_EQ(media_type("Application/JSON; charset=utf-8"), "application/json");
    EXPECT_EQ(media_type("  text/plain ;charset=x"), "text/plain");
    EXPECT_EQ(media_type(""), "");
}

TEST(RequestChecks, TheBearerSchemeIsCaseInsensitive) {
    EXPECT_EQ(bearer_credentials("Bearer abc"), "abc");
    EXPECT_EQ(bearer_credentials("bearer abc"), "abc");
    EXPECT_EQ(bearer_credentials("BEARER   abc  "), "abc");
    EXPECT_EQ(bearer_credentials("Basic abc"), std::nullopt);
    EXPECT_EQ(bearer_credentials("Bearer"), std::nullopt);
    EXPECT_EQ(bearer_credentials("Bearer    "), std::nullopt);
    EXPECT_EQ(bearer_credentials("Bearerabc"), std::nullopt);
}

}  // namespace
}  // namespace polylogue::control
