#include "postgres_connection.hpp"

#include <poll.h>

#include <charconv>
#include <cmath>
#include <utility>

namespace polylogue::transcript::pg {
namespace {

using std::chrono::steady_clock;

// What every connection gets unless its connection string says otherwise: a bounded connect,
// and a dead peer noticed within about 15 s even while the connection is idle (a listener).
struct default_setting {
    const char* key;
    const char* value;
};
constexpr default_setting defaults[] = {
    {"connect_timeout", "10"},         {"keepalives", "1"},       {"keepalives_idle", "5"},
    {"keepalives_interval", "2"},      {"keepalives_count", "3"}, {"tcp_user_timeout", "10000"},
    {"application_name", "polylogue"},
};

// Server-side deadlines of each statement and each lock wait, so that no call of ours blocks a
// writer thread forever; an abandoned transaction is ended by the server too.
constexpr const char* session_settings =
    "SET statement_timeout = '10s'; SET lock_timeout = '10s'; "
    "SET idle_in_transaction_session_timeout = '60s'";

struct parsed_options {
    struct deleter {
        void operator()(PQconninfoOption* o) const noexcept { PQconninfoFree(o); }
    };
    std::unique_ptr<PQconninfoOption, deleter> options;
};

parsed_options parse(const std::string& conninfo) {
    char* error = nullptr;
    parsed_options parsed{std::unique_ptr<PQconninfoOption, parsed_options::deleter>{
        PQconninfoParse(conninfo.c_str(), &error)}};
    PQfreemem(error);  // it may quote the string, password and all: never shown
    return parsed;
}

std::string value_of(const parsed_options& parsed, std::string_view key) {
    for (const PQconninfoOption* o = parsed.options.get(); o != nullptr && o->keyword != nullptr;
         ++o) {
        if (key == o->keyword && o->val != nullptr) {
            return o->val;
        }
    }
    return {};
}

int timeout_seconds(const parsed_options& parsed) {
    const std::string text = value_of(parsed, "connect_timeout");
    int seconds = 10;
    if (!text.empty()) {
        std::from_chars(text.data(), text.data() + text.size(), seconds);
    }
    return seconds < 2 ? 2 : seconds;  // libpq treats 1 as 2 as well
}

std::string_view trim_prefix(std::string_view text, std::string_view prefix) {
    return text.starts_with(prefix) ? text.substr(prefix.size()) : text;
}

bool is_sqlstate(std::string_view text) noexcept {
    if (text.size() < 6 || text[5] != ':') {
        return false;
    }
    for (const char c : text.substr(0, 5)) {
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
            return false;
        }
    }
    return true;
}

// The message after the "connection to server ... failed: " preamble and the severity.
std::string_view message_body(std::string_view message) noexcept {
    if (const auto failed = message.find(" failed: ");
        message.starts_with("connection to server") && failed != std::string_view::npos) {
        message = message.substr(failed + 9);
    }
    for (const std::string_view severity : {"FATAL:  ", "ERROR:  ", "PANIC:  "}) {
        message = trim_prefix(message, severity);
    }
    return message;
}

// Waits until libpq's socket is ready as PQconnectPoll asked, or the deadline passes.
std::string text_or_empty(const char* text) {
    return text != nullptr ? std::string{text} : std::string{};
}

bool wait_for_socket(PGconn* conn, PostgresPollingStatusType want, steady_clock::time_point end) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(end - steady_clock::now()).count();
    if (left <= 0) {
        return false;
    }
    pollfd fd{PQsocket(conn), want == PGRES_POLLING_READING ? short{POLLIN} : short{POLLOUT}, 0};
    return ::poll(&fd, 1, static_cast<int>(left)) > 0;
}

// The connection string's settings, with ours where it has none; the handshake not yet done.
PGconn* start_connecting(const parsed_options& parsed) {
    std::vector<const char*> keys;
    std::vector<const char*> values;
    for (const PQconninfoOption* o = parsed.options.get(); o->keyword != nullptr; ++o) {
        if (o->val != nullptr) {
            keys.push_back(o->keyword);
            values.push_back(o->val);
        }
    }
    for (const auto& d : defaults) {
        if (value_of(parsed, d.key).empty()) {
            keys.push_back(d.key);
            values.push_back(d.value);
        }
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    PGconn* conn = PQconnectStartParams(keys.data(), values.data(), 0);
    // Verbose messages carry the SQLSTATE, which tells a refused password from a missing
    // database whatever language the server speaks.
    if (conn != nullptr) {
        PQsetErrorVerbosity(conn, PQERRORS_VERBOSE);
    }
    return conn;
}

// Drives the handshake within the deadline; why it failed, or nullopt once connected.
std::optional<std::string> finish_connecting(PGconn* conn, int seconds) {
    const auto end = steady_clock::now() + std::chrono::seconds{seconds};
    PostgresPollingStatusType polled = PGRES_POLLING_WRITING;
    while (PQstatus(conn) != CONNECTION_BAD && polled != PGRES_POLLING_OK &&
           polled != PGRES_POLLING_FAILED) {
        if (!wait_for_socket(conn, polled, end)) {
            const target t{text_or_empty(PQhost(conn)), text_or_empty(PQport(conn)), "", ""};
            return "cannot reach the PostgreSQL server at " + where(t) + ": no answer within " +
                   std::to_string(seconds) + " s";
        }
        polled = PQconnectPoll(conn);
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        const target t{text_or_empty(PQhost(conn)), text_or_empty(PQport(conn)),
                       text_or_empty(PQuser(conn)), text_or_empty(PQdb(conn))};
        return explain_connect_failure(t, PQerrorMessage(conn));
    }
    PQsetErrorVerbosity(conn, PQERRORS_DEFAULT);
    return std::nullopt;
}

}  // namespace

target describe_target(const std::string& conninfo) {
    const parsed_options parsed = parse(conninfo);
    return {
        value_of(parsed, "host").empty() ? value_of(parsed, "hostaddr") : value_of(parsed, "host"),
        value_of(parsed, "port"), value_of(parsed, "user"), value_of(parsed, "dbname")};
}

std::string where(const target& t) {
    return (t.host.empty() ? std::string{"localhost"} : t.host) + ":" +
           (t.port.empty() ? std::string{"5432"} : t.port) +
           (t.dbname.empty() ? std::string{} : "/" + t.dbname);
}

std::string_view sqlstate_of(std::string_view verbose_message) noexcept {
    const std::string_view body = message_body(verbose_message);
    return is_sqlstate(body) ? body.substr(0, 5) : std::string_view{};
}

std::string plain_message(std::string_view verbose_message) {
    std::string_view body = message_body(verbose_message);
    if (is_sqlstate(body)) {
        body = trim_prefix(body.substr(6), " ");
    }
    return std::string{body.substr(0, body.find('\n'))};
}

std::string explain_connect_failure(const target& t, std::string_view verbose_message) {
    const std::string_view state = sqlstate_of(verbose_message);
    const std::string user = t.user.empty() ? std::string{"(the default user)"} : t.user;
    const std::string server = "the PostgreSQL server at " + where(target{t.host, t.port, "", ""});
    if (state == "28P01") {
        return "PostgreSQL refused the password for user " + user;
    }
    if (verbose_message.find("no password supplied") != std::string_view::npos) {
        return server + " wants a password for user " + user +
               " and the connection string holds none";
    }
    if (state == "3D000") {
        return "the database " + (t.dbname.empty() ? user : t.dbname) + " does not exist on " +
               server;
    }
    if (state == "28000") {
        return server + " does not let user " + user +
               " connect: " + plain_message(verbose_message);
    }
    if (state.empty()) {
        return "cannot reach " + server + ": " + plain_message(verbose_message);
    }
    return server + " refused the connection: " + plain_message(verbose_message);
}

std::string text_array(std::span<const std::string> values) {
    std::string literal = "{";
    for (const auto& value : values) {
        if (literal.size() > 1) {
            literal += ',';
        }
        literal += '"';
        for (const char c : value) {
            if (c == '"' || c == '\\') {
                literal += '\\';
            }
            literal += c;
        }
        literal += '"';
    }
    literal += '}';
    return literal;
}

std::string int_array(std::span<const std::int64_t> values) {
    std::string literal = "{";
    for (const std::int64_t value : values) {
        literal += (literal.size() > 1 ? "," : "") + std::to_string(value);
    }
    return literal + "}";
}

std::string float_array(std::span<const std::optional<double>> values) {
    std::string literal = "{";
    for (const auto& value : values) {
        if (literal.size() > 1) {
            literal += ',';
        }
        if (!value || !std::isfinite(*value)) {
            literal += "NULL";
            continue;
        }
        char digits[32];
        const auto end = std::to_chars(digits, digits + sizeof digits, *value).ptr;
        literal.append(digits, end);
    }
    return literal + "}";
}

result<connection, std::string> connection::open(const std::string& conninfo) {
    connection opened;
    opened.conninfo_ = conninfo;
    if (auto ok = opened.reconnect(); !ok) {
        return ok.error();
    }
    return opened;
}

bool connection::usable() const noexcept {
    return conn_ && PQstatus(conn_.get()) == CONNECTION_OK;
}

result<void, std::string> connection::reconnect() {
    conn_.reset();
    const parsed_options parsed = parse(conninfo_);
    if (!parsed.options) {
        return std::string{
            "the connection string is not one libpq understands (a URL such as "
            "postgresql://USER@HOST:PORT/DATABASE, or key=value words)"};
    }
    conn_.reset(start_connecting(parsed));
    if (!conn_) {
        return std::string{"cannot start a PostgreSQL connection (out of memory)"};
    }
    if (auto why = finish_connecting(conn_.get(), timeout_seconds(parsed))) {
        conn_.reset();
        return *why;
    }
    // libpq would print the server's notices and a dying session's last words on stderr; the
    // failures that matter reach the caller through the results.
    PQsetNoticeProcessor(
        conn_.get(), [](void*, const char*) {}, nullptr);
    if (!execute(session_settings)) {
        std::string why = "the PostgreSQL server refused the session settings: " + last_error_;
        conn_.reset();
        return why;
    }
    return {};
}

pg_result connection::checked(pg_result r) {
    if (succeeded(r)) {
        return r;
    }
    if (r) {
        const char* primary = PQresultErrorField(r.get(), PG_DIAG_MESSAGE_PRIMARY);
        const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
        last_error_ = primary != nullptr ? primary : PQresultErrorMessage(r.get());
        last_sqlstate_ = state != nullptr ? state : "";
    } else {
        last_error_ = conn_ ? plain_message(PQerrorMessage(conn_.get())) : "not connected";
        last_sqlstate_.clear();
    }
    if (last_error_.empty() && conn_) {
        last_error_ = plain_message(PQerrorMessage(conn_.get()));
    }
    return r;
}

pg_result connection::run(const char* sql, params values) {
    std::vector<std::optional<std::string>> owned;
    owned.reserve(values.size());
    for (const auto& v : values) {
        owned.push_back(v ? std::optional<std::string>{std::string{*v}} : std::nullopt);
    }
    return run(sql, owned);
}

pg_result connection::run(const char* sql, std::span<const std::optional<std::string>> values) {
    if (!conn_) {
        last_error_ = "not connected";
        last_sqlstate_.clear();
        return nullptr;
    }
    std::vector<const char*> texts;
    texts.reserve(values.size());
    for (const auto& v : values) {
        texts.push_back(v ? v->c_str() : nullptr);
    }
    return checked(pg_result{PQexecParams(conn_.get(), sql, static_cast<int>(texts.size()), nullptr,
                                          texts.data(), nullptr, nullptr, 0)});
}

bool connection::execute(const char* sql, params values) {
    if (values.size() == 0 && conn_) {
        // The simple protocol: it takes several statements at once (the session settings).
        return succeeded(checked(pg_result{PQexec(conn_.get(), sql)}));
    }
    return succeeded(run(sql, values));
}

bool connection::lost() const noexcept {
    return !usable() || last_sqlstate_.starts_with("08") || last_sqlstate_ == "57P01" ||
           last_sqlstate_ == "57P02" || last_sqlstate_ == "57P03";
}

bool succeeded(const pg_result& r) noexcept {
    if (!r) {
        return false;
    }
    const ExecStatusType status = PQresultStatus(r.get());
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

std::string text_at(const pg_result& r, int row, int column) {
    if (!r || row >= PQntuples(r.get()) || column >= PQnfields(r.get()) ||
        PQgetisnull(r.get(), row, column) != 0) {
        return {};
    }
    return {PQgetvalue(r.get(), row, column),
            static_cast<std::size_t>(PQgetlength(r.get(), row, column))};
}

std::optional<std::int64_t> int_at(const pg_result& r, int row, int column) {
    const std::string text = text_at(r, row, column);
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

pg_result connection::run_reconnecting(const char* sql,
                                       std::span<const std::optional<std::string>> values) {
    auto r = run(sql, values);
    if (succeeded(r) || !lost()) {
        return r;
    }
    if (auto again = reconnect(); !again) {
        last_error_ = again.error();
        return r;
    }
    return run(sql, values);
}

}  // namespace polylogue::transcript::pg
