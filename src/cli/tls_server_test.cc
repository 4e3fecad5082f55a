// Runs `imeiguard serve` with TLS and checks it with curl, the HTTPS client Debian ships. Cases:
// client certificates required, optional and absent, certificates of another CA, plain HTTP to
// the TLS port, and start-up with missing or mismatched files. Needs the `openssl` and `curl`
// programs, which make the CAs, certificates and keys at test time in a temporary folder.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "net/http_client.h"
#include "testing/serve_process.h"

namespace imeiguard {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ServeProcess;

// Runs `command` with /bin/sh and returns its exit code, or -1 when it did not exit normally.
int RunShell(const std::string& command) {
  int status = std::system(command.c_str());
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

std::string ReadFile(const fs::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// Throwaway P-256 CAs and certificates, valid for one day: the trusted CA signs the server
// certificate (for IP 127.0.0.1) and the client certificate, and another CA signs a second
// client certificate that the server must not accept.
class Certificates {
 public:
  explicit Certificates(fs::path dir) : dir_(std::move(dir)) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "server.ext")
        << "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n";
    std::ofstream(dir_ / "client.ext") << "extendedKeyUsage=clientAuth\n";
  }
  ~Certificates() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  // Creates every file; returns false and leaves the output in openssl.log when openssl fails.
  bool Create() {
    return MakeCa("ca") && MakeCa("other-ca") && MakeSigned("server", "ca", "server.ext", 2) &&
           MakeSigned("client", "ca", "client.ext", 3) &&
           MakeSigned("other-client", "other-ca", "client.ext", 4) &&
           Run("pkey -in server.key -aes256 -passout pass:imeiguard -out server-encrypted.key");
  }

  std::string Path(std::string_view name) const { return (dir_ / name).string(); }
  std::string Log() const { return ReadFile(dir_ / "openssl.log"); }

 private:
  bool Run(const std::string& arguments) {
    return RunShell("cd '" + dir_.string() + "' && openssl " + arguments + " >>openssl.log 2>&1") ==
           0;
  }

  bool MakeCa(const std::string& name) {
    return Run("req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=" +
               name + " -keyout " + name + ".key -out " + name + ".crt");
  }

  bool MakeSigned(const std::string& name, const std::string& ca, const std::string& extensions,
                  int serial) {
    return Run("req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=" + name +
               " -keyout " + name + ".key -out " + name + ".csr") &&
           Run("x509 -req -days 1 -in " + name + ".csr -CA " + ca + ".crt -CAkey " + ca +
               ".key -set_serial " + std::to_string(serial) + " -extfile " + extensions + " -out " +
               name + ".crt");
  }

  fs::path dir_;
};

// What curl returned: its exit code (0 when it got a response) and the HTTP status.
struct CurlResult {
  int exit_code = -1;
  int status = 0;
};

class TlsServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certificates_ = new Certificates(fs::temp_directory_path() /
                                     ("imeiguard-tls-certs-" + std::to_string(getpid())));
    ASSERT_TRUE(certificates_->Create()) << certificates_->Log();
  }
  static void TearDownTestSuite() {
    delete certificates_;
    certificates_ = nullptr;
  }

  fs::path ServerDir() const {
    return fs::temp_directory_path() / ("imeiguard-tls-" + std::to_string(getpid()));
  }

  // The [server] section of a TLS configuration with `client_settings` appended.
  static std::string TlsConfig(const std::string& client_settings) {
    return "[default]\nconnectors = []\n[server]\ntls_certificate = \"" +
           certificates_->Path("server.crt") + "\"\ntls_private_key = \"" +
           certificates_->Path("server.key") + "\"\n" + client_settings;
  }

  static std::string ClientCaConfig(std::string_view mode) {
    return TlsConfig("tls_client_ca = \"" + certificates_->Path("ca.crt") +
                     "\"\ntls_client_certificate = \"" + std::string(mode) + "\"\n");
  }

  void StartServer(const std::string& config) {
    server_ = std::make_unique<ServeProcess>(IMEIGUARD_BINARY, ServerDir(), config);
    auto admin = server_->CreateKey("admin");
    ASSERT_TRUE(admin.ok()) << admin.error().message;
    admin_key_ = *admin;
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.error().message << "\n" << ReadFile(server_->log_path());
  }

  // GETs `path` with curl over `scheme`, trusting the test CA and presenting the client
  // certificate `client` ("client", "other-client"), or none when it is empty.
  CurlResult Curl(std::string_view scheme, std::string_view path, std::string_view client,
                  std::string_view api_key = {}) {
    fs::path status_file = ServerDir() / "curl-status";
    std::string command =
        "curl --silent --show-error --max-time 10 --output /dev/null"
        " --write-out '%{http_code}' --cacert '" +
        certificates_->Path("ca.crt") + "'";
    if (!client.empty()) {
      command += " --cert '" + certificates_->Path(std::string(client) + ".crt") + "' --key '" +
                 certificates_->Path(std::string(client) + ".key") + "'";
    }
    if (!api_key.empty())
      command += " --header 'Authorization: Bearer " + std::string(api_key) + "'";
    command += " '" + std::string(scheme) + "://127.0.0.1:" + std::to_string(server_->port()) +
               std::string(path) + "' >'" + status_file.string() + "' 2>>'" +
               (ServerDir() / "curl.log").string() + "'";
    CurlResult result;
    result.exit_code = RunShell(command);
    std::ifstream(status_file) >> result.status;
    return result;
  }

  static Certificates* certificates_;
  std::unique_ptr<ServeProcess> server_;
  std::string admin_key_;
};

Certificates* TlsServerTest::certificates_ = nullptr;

TEST_F(TlsServerTest, HttpsWithClientCertificateWorks) {
  ASSERT_NO_FATAL_FAILURE(StartServer(ClientCaConfig("required")));
  CurlResult result = Curl("https", "/healthz", "client");
  EXPECT_EQ(result.exit_code, 0) << ReadFile(ServerDir() / "curl.log");
  EXPECT_EQ(result.status, 200);
}

// The certificate authenticates the connection only; the API key still names the caller.
TEST_F(TlsServerTest, ClientCertificateDoesNotReplaceApiKey) {
  ASSERT_NO_FATAL_FAILURE(StartServer(ClientCaConfig("required")));
  EXPECT_EQ(Curl("https", "/metrics", "client").status, 401);
  EXPECT_EQ(Curl("https", "/metrics", "client", admin_key_).status, 200);
}

TEST_F(TlsServerTest, MissingClientCertificateFailsWhenRequired) {
  ASSERT_NO_FATAL_FAILURE(StartServer(ClientCaConfig("required")));
  CurlResult result = Curl("https", "/healthz", "");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_EQ(result.status, 0);
  // The server logs the failure after it has sent its alert, so curl may return first.
  std::string log = ReadFile(server_->log_path());
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (log.find("TLS handshake with 127.0.0.1 failed") == std::string::npos &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    log = ReadFile(server_->log_path());
  }
  EXPECT_THAT(log, HasSubstr("TLS handshake with 127.0.0.1 failed"));
}

TEST_F(TlsServerTest, CertificateOfOtherCaFails) {
  ASSERT_NO_FATAL_FAILURE(StartServer(ClientCaConfig("required")));
  CurlResult result = Curl("https", "/healthz", "other-client");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_EQ(result.status, 0);
}

TEST_F(TlsServerTest, OptionalClientCertificateMayBeAbsent) {
  ASSERT_NO_FATAL_FAILURE(StartServer(ClientCaConfig("optional")));
  EXPECT_EQ(Curl("https", "/healthz", "").status, 200);
  EXPECT_EQ(Curl("https", "/healthz", "client").status, 200);
}

TEST_F(TlsServerTest, OptionalClientCertificateOfOtherCaFails) {
  ASSERT_NO_FATAL_FAILURE(StartServer(ClientCaConfig("optional")));
  CurlResult result = Curl("https", "/healthz", "other-client");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_EQ(result.status, 0);
}

TEST_F(TlsServerTest, HttpsWithoutClientCaWorks) {
  ASSERT_NO_FATAL_FAILURE(StartServer(TlsConfig("")));
  EXPECT_EQ(Curl("https", "/healthz", "").status, 200);
}

TEST_F(TlsServerTest, PlainHttpToTlsPortFails) {
  ASSERT_NO_FATAL_FAILURE(StartServer(ClientCaConfig("optional")));
  http::ClientRequest request;
  request.port = server_->port();
  request.target = "/healthz";
  request.timeout = std::chrono::seconds(5);
  Result<http::ClientResponse> response = http::Send(request);
  EXPECT_FALSE(response.ok()) << "status " << response->status;

  CurlResult result = Curl("http", "/healthz", "");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_EQ(result.status, 0);
}

TEST_F(TlsServerTest, PlainHttpUnchangedWithoutTlsConfig) {
  ASSERT_NO_FATAL_FAILURE(StartServer("[default]\nconnectors = []\n"));
  EXPECT_EQ(Curl("http", "/healthz", "").status, 200);
  EXPECT_EQ(Curl("http", "/metrics", "", admin_key_).status, 200);
  EXPECT_NE(Curl("https", "/healthz", "client").exit_code, 0);
  EXPECT_THAT(ReadFile(server_->log_path()), HasSubstr("serving plain HTTP"));
}

// Runs `imeiguard serve` on `config` and returns its exit code; its output is in serve.log.
int ServeExitCode(const fs::path& dir, const std::string& config) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "config.toml") << config;
  return RunShell(std::string(IMEIGUARD_BINARY) + " serve --config '" +
                  (dir / "config.toml").string() + "' --store '" + (dir / "store.db").string() +
                  "' --listen 127.0.0.1 --port 0 >'" + (dir / "serve.log").string() + "' 2>&1");
}

TEST_F(TlsServerTest, MissingCertificateFileFailsStartUp) {
  fs::path dir = ServerDir();
  std::string missing = (dir / "no-such.crt").string();
  std::string config = "[server]\ntls_certificate = \"" + missing + "\"\ntls_private_key = \"" +
                       certificates_->Path("server.key") + "\"\n";
  EXPECT_EQ(ServeExitCode(dir, config), 1);
  EXPECT_THAT(ReadFile(dir / "serve.log"),
              HasSubstr("cannot use TLS certificate '" + missing + "': No such file or directory"));
  fs::remove_all(dir);
}

TEST_F(TlsServerTest, MismatchedPrivateKeyFailsStartUp) {
  fs::path dir = ServerDir();
  std::string config = "[server]\ntls_certificate = \"" + certificates_->Path("server.crt") +
                       "\"\ntls_private_key = \"" + certificates_->Path("client.key") + "\"\n";
  EXPECT_EQ(ServeExitCode(dir, config), 1);
  std::string log = ReadFile(dir / "serve.log");
  EXPECT_THAT(log, HasSubstr("cannot use TLS private key '" + certificates_->Path("client.key") +
                             "': it does not match the certificate"));
  EXPECT_THAT(log, Not(HasSubstr(ReadFile(certificates_->Path("client.key")).substr(30, 40))));
  fs::remove_all(dir);
}

TEST_F(TlsServerTest, EncryptedPrivateKeyFailsStartUp) {
  fs::path dir = ServerDir();
  std::string key = certificates_->Path("server-encrypted.key");
  std::string config = "[server]\ntls_certificate = \"" + certificates_->Path("server.crt") +
                       "\"\ntls_private_key = \"" + key + "\"\n";
  EXPECT_EQ(ServeExitCode(dir, config), 1);
  std::string log = ReadFile(dir / "serve.log");
  EXPECT_THAT(log, HasSubstr("cannot use TLS private key '" + key + "'"));
  EXPECT_THAT(log, HasSubstr("the key must be PEM and unencrypted"));
  fs::remove_all(dir);
}

TEST_F(TlsServerTest, InvalidClientCaFileFailsStartUp) {
  fs::path dir = ServerDir();
  // A private key is not a CA certificate.
  std::string config = ClientCaConfig("required");
  std::string ca = certificates_->Path("ca.crt");
  config.replace(config.find(ca), ca.size(), certificates_->Path("ca.key"));
  EXPECT_EQ(ServeExitCode(dir, config), 1);
  EXPECT_THAT(ReadFile(dir / "serve.log"),
              HasSubstr("cannot use TLS client CA '" + certificates_->Path("ca.key") + "'"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace imeiguard
