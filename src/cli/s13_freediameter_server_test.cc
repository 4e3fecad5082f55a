// Runs `imeiguard serve` with its S13 listener against freeDiameter (Debian's libfdcore and
// libfdproto, in tools/fd_mme) acting as the MME: the capabilities exchange, a watchdog, an
// ME-Identity-Check for a locked, a suspect, a clean and an unknown device, and the disconnect.
// The server's own capture of the connection is then read back with tshark's Diameter dissector.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "diameter/message.h"
#include "identifiers/imei.h"
#include "testing/openapi_contract.h"
#include "testing/serve_process.h"

namespace imeiguard {
namespace {

namespace fs = std::filesystem;
using testing::ContractClient;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::JsonReply;
using testing::OpenApiContract;
using testing::ServeProcess;

constexpr std::string_view kEirHost = "eir.imeiguard.localdomain";
// 14-digit cores; the manifest gets them with their check digits.
constexpr std::string_view kLockedCore = "35847210123456";
constexpr std::string_view kSuspectCore = "35847210654321";
constexpr std::string_view kCleanCore = "35847210111116";
constexpr std::string_view kUnknownCore = "35847210999994";

std::string WithCheckDigit(std::string_view core) {
  return std::string(core) + std::to_string(LuhnCheckDigit(core));
}

std::string ReadFile(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// Runs `command` through the shell with its output in `output`; returns its exit code.
int RunShell(const std::string& command, const fs::path& output) {
  int status = std::system((command + " >" + output.string() + " 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A TCP port on 127.0.0.1 that was free a moment ago.
std::uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

class S13FreeDiameterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("imeiguard-s13-" + std::to_string(getpid()));
    s13_port_ = FreePort();
    std::string config =
        "[default]\nconnectors = [\"gl\"]\n"
        "[connectors.gl]\nkind = \"blocklist_export\"\n"
        "[eir]\ns13_listen = \"127.0.0.1:" +
        std::to_string(s13_port_) + "\"\ns13_origin_host = \"" + std::string(kEirHost) +
        "\"\ns13_origin_realm = \"imeiguard.localdomain\"\n"
        "s13_capture_file = \"" +
        (dir_ / "s13.pcap").string() + "\"\n";
    server_ = std::make_unique<ServeProcess>(IMEIGUARD_BINARY, dir_, config);
    auto key = server_->CreateKey("admin");
    ASSERT_TRUE(key.ok()) << key.error().message;
    key_ = *key;
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
  }

  // Registers a parcel with one device each for the locked, suspect and clean cores, and sends
  // the scans that lose, damage and deliver them.
  void RecordDevices() {
    auto contract =
        OpenApiContract::Load(std::string(IMEIGUARD_SOURCE_DIR) + "/src/api/openapi.json");
    ASSERT_TRUE(contract.ok()) << contract.error().message;
    ContractClient client(*contract, server_->port());
    std::string manifest =
        "parcel_id,shipper_id,service,promised_by,destination_postcode,imei\n"
        "373500000000000001,telco-a,locker,2030-01-01,41301," +
        WithCheckDigit(kLockedCore) +
        "\n"
        "373500000000000002,telco-a,locker,2030-01-01,41301," +
        WithCheckDigit(kSuspectCore) +
        "\n"
        "373500000000000003,telco-a,locker,2030-01-01,41301," +
        WithCheckDigit(kCleanCore) + "\n";
    std::string events;
    int id = 0;
    for (auto [parcel, type] : {std::pair{"373500000000000001", "exception_missing"},
                                {"373500000000000002", "exception_damaged"},
                                {"373500000000000003", "delivered"}}) {
      events += R"({"event_id":"s13-)" + std::to_string(++id) + R"(","parcel_id":")" + parcel +
                R"(","type":")" + type + R"(","time":"2026-03-02T06:14:09Z"})" + "\n";
    }
    for (auto [target, body] : {std::pair{"/v1/manifests", manifest}, {"/v1/events", events}}) {
      auto response = client.Send("POST", target, key_, body);
      ASSERT_TRUE(response.ok()) << response.error().message;
      ASSERT_EQ(response->status, 200) << response->body;
    }
  }

  // Writes the MME's freeDiameter configuration, with a throw-away certificate: freeDiameter
  // loads TLS credentials even when the connection to the EIR is plain TCP.
  fs::path WriteMmeConfig() {
    fs::path mme = dir_ / "mme";
    fs::create_directories(mme);
    std::string openssl =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=mme.test.localdomain "
        "-keyout " +
        (mme / "key.pem").string() + " -out " + (mme / "cert.pem").string();
    EXPECT_EQ(RunShell(openssl, mme / "openssl.log"), 0) << ReadFile(mme / "openssl.log");
    std::ofstream config(mme / "mme.conf");
    config << "Identity = \"mme.test.localdomain\";\nRealm = \"test.localdomain\";\n"
           << "Port = " << FreePort() << ";\nSecPort = " << FreePort() << ";\n"
           << "ListenOn = \"127.0.0.1\";\nNo_SCTP;\nNo_IPv6;\nNoRelay;\n"
           // Tw of 6 s, RFC 3539's minimum, so that a watchdog runs while the MME idles.
           << "TwTimer = 6;\n"
           << "TLS_Cred = \"" << (mme / "cert.pem").string() << "\", \""
           << (mme / "key.pem").string() << "\";\nTLS_CA = \"" << (mme / "cert.pem").string()
           << "\";\n"
           // The S13 AVPs are in dict_dcca_3gpp, which needs the other two first.
           << "LoadExtension = \"/usr/lib/freeDiameter/dict_nasreq.fdx\";\n"
           << "LoadExtension = \"/usr/lib/freeDiameter/dict_dcca.fdx\";\n"
           << "LoadExtension = \"/usr/lib/freeDiameter/dict_dcca_3gpp.fdx\";\n"
           << "ConnectPeer = \"" << kEirHost
           << "\" { ConnectTo = \"127.0.0.1\"; Port = " << s13_port_ << "; No_TLS; };\n";
    return mme / "mme.conf";
  }

  // Runs tshark on the server's capture with `filter` and prints `fields`, one packet a line.
  std::vector<std::string> Tshark(const std::string& filter, const std::string& fields) {
    fs::path output = dir_ / "tshark.out";
    fs::path errors = dir_ / "tshark.err";
    // tshark's warning about running as root goes to stderr, apart from the fields.
    std::string command = "tshark -n -r " + (dir_ / "s13.pcap").string() +
                          " -d tcp.port==" + std::to_string(s13_port_) + ",diameter -Y '" + filter +
                          "' -T fields " + fields;
    int status = std::system((command + " >" + output.string() + " 2>" + errors.string()).c_str());
    EXPECT_EQ(status, 0) << command << "\n" << ReadFile(errors);
    return Lines(ReadFile(output));
  }

  fs::path dir_;
  std::uint16_t s13_port_ = 0;
  std::unique_ptr<ServeProcess> server_;
  std::string key_;
};

TEST_F(S13FreeDiameterTest, AnswersFreeDiameterMme) {
  ASSERT_NO_FATAL_FAILURE(RecordDevices());
  fs::path config = WriteMmeConfig();

  // IMEI and software version for two, a 15-digit IMEI for one, and an IMSI with each.
  std::string checks = std::string(kLockedCore) + "/07,240011234567890 " +
                       std::string(kSuspectCore) + "/12,240011234567891 " +
                       WithCheckDigit(kCleanCore) + ",240011234567892 " +
                       std::string(kUnknownCore) + "/01,240011234567893";
  fs::path output = dir_ / "fd_mme.log";
  int status = RunShell("timeout 90 " + std::string(FD_MME_BINARY) + " " + config.string() + " " +
                            std::string(kEirHost) + " 10 " + checks,
                        output);
  std::string log = ReadFile(output);
  ASSERT_EQ(status, 0) << log << "\nserver log:\n" << ReadFile(server_->log_path());

  std::map<std::string, std::string> answers;
  for (const std::string& line : Lines(log)) {
    if (!line.starts_with("ECA ")) continue;
    std::string imei = line.substr(4, line.find(' ', 4) - 4);
    answers[imei] = line.substr(line.find(' ', 4) + 1);
  }
  EXPECT_EQ(answers[std::string(kLockedCore)], "result=2001 experimental=-1 status=1");
  EXPECT_EQ(answers[std::string(kSuspectCore)], "result=2001 experimental=-1 status=2");
  EXPECT_EQ(answers[WithCheckDigit(kCleanCore)], "result=2001 experimental=-1 status=0");
  EXPECT_EQ(answers[std::string(kUnknownCore)], "result=-1 experimental=5422 status=-1");

  // The locked phone's query is a lead: which MME asked, with which SIM. Sightings are written in
  // the background, so this waits for the batch; an unknown device leaves none.
  auto contract =
      OpenApiContract::Load(std::string(IMEIGUARD_SOURCE_DIR) + "/src/api/openapi.json");
  ASSERT_TRUE(contract.ok()) << contract.error().message;
  ContractClient client(*contract, server_->port());
  auto sightings_of = [&](std::string_view imsi) {
    JsonReply reply = client.SendForJson("GET", "/v1/sightings?imsi=" + std::string(imsi), key_);
    EXPECT_EQ(reply.transport_error, "");
    EXPECT_EQ(reply.status, 200);
    const boost::json::value* sightings = reply.body.if_contains("sightings");
    return sightings != nullptr && sightings->is_array() ? sightings->as_array()
                                                         : boost::json::array();
  };
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  boost::json::array locked_sightings;
  while (locked_sightings.empty() && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    locked_sightings = sightings_of("240011234567890");
  }
  ASSERT_EQ(locked_sightings.size(), 1u);
  EXPECT_EQ(locked_sightings[0].at("interface"), "s13");
  EXPECT_EQ(locked_sightings[0].at("network_element"), "mme.test.localdomain");
  EXPECT_EQ(locked_sightings[0].at("lock_state"), "locked");
  EXPECT_THAT(sightings_of("240011234567893"), IsEmpty());

  server_->Stop();
  std::string server_log = ReadFile(server_->log_path());
  EXPECT_THAT(server_log, HasSubstr("closed: the peer sent Disconnect-Peer-Request"));

  // What went over the wire, as Wireshark's dissector reads it.
  EXPECT_EQ(
      Tshark("diameter.cmd.code == 257 && diameter.flags.request == 0", "-e diameter.Result-Code"),
      std::vector<std::string>{"2001"});
  // freeDiameter jitters its Tw by up to 2 s, so the 10 s idle contains one or two watchdogs.
  std::vector<std::string> watchdog_answers =
      Tshark("diameter.cmd.code == 280 && diameter.flags.request == 0",
             "-e diameter.Origin-Host -e diameter.Result-Code");
  EXPECT_THAT(watchdog_answers, ::testing::Not(IsEmpty()));
  EXPECT_THAT(watchdog_answers, ::testing::Each(std::string(kEirHost) + "\t2001"));
  EXPECT_EQ(Tshark("diameter.cmd.code == 324 && diameter.flags.request == 0",
                   "-e diameter.Equipment-Status -e diameter.Experimental-Result-Code"),
            (std::vector<std::string>{"1\t", "2\t", "0\t", "\t5422"}));
  EXPECT_EQ(
      Tshark("diameter.cmd.code == 282 && diameter.flags.request == 0", "-e diameter.Result-Code"),
      std::vector<std::string>{"2001"});
  EXPECT_THAT(Tshark("_ws.malformed || _ws.expert.severity >= \"error\"", "-e frame.number"),
              IsEmpty());
}

// Sends `bytes` on a new connection to 127.0.0.1:`port` and returns what the server sent back
// until it closed the connection, or std::nullopt when it kept it open for 10 s.
std::optional<std::string> SendUntilClosed(std::uint16_t port, std::string_view bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
    ::close(fd);
    return std::nullopt;
  }
  std::string received;
  char chunk[4096];
  ssize_t got = 0;
  while ((got = ::read(fd, chunk, sizeof chunk)) > 0) received.append(chunk, got);
  ::close(fd);
  if (got < 0) return std::nullopt;
  return received;
}

TEST_F(S13FreeDiameterTest, MalformedBytesCloseOnlyTheirConnection) {
  using namespace std::string_literals;
  // A header whose length is not a multiple of 4, then bytes that are no Diameter at all.
  auto unframed =
      SendUntilClosed(s13_port_, "\x01\x00\x00\x15\x80\x00\x01\x01"s + std::string(64, '\xff'));
  ASSERT_TRUE(unframed.has_value());
  // The request is answered from its header with DIAMETER_INVALID_MESSAGE_LENGTH, then closed.
  auto answer = diameter::DecodeMessage(*unframed);
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  const diameter::Avp* result = answer->Find(diameter::kAvpResultCode);
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(diameter::ReadUnsigned32(*result).value(), diameter::kInvalidMessageLength);
  auto garbage = SendUntilClosed(s13_port_, "GET / HTTP/1.1\r\nHost: eir\r\n\r\n");
  ASSERT_TRUE(garbage.has_value());

  fs::path config = WriteMmeConfig();
  fs::path output = dir_ / "fd_mme.log";
  int status = RunShell("timeout 60 " + std::string(FD_MME_BINARY) + " " + config.string() + " " +
                            std::string(kEirHost) + " 0 " + std::string(kUnknownCore) + "/01",
                        output);
  std::string log = ReadFile(output);
  ASSERT_EQ(status, 0) << log;
  EXPECT_THAT(log, HasSubstr("ECA " + std::string(kUnknownCore) +
                             " result=-1 experimental=5422 status=-1"));
  EXPECT_THAT(ReadFile(server_->log_path()), HasSubstr("cannot be framed"));
}

}  // namespace
}  // namespace imeiguard
