// The S13 answer path: decoding an ME-Identity-Check-Request, answering it and encoding the
// answer, without and with a TCP connection on 127.0.0.1. The status source is an in-memory map,
// so these figures are the Diameter side alone.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <unordered_map>

#include "diameter/peer.h"
#include "diameter/s13.h"
#include "diameter/s13_request.h"
#include "diameter/server.h"

namespace imeiguard::diameter {
namespace {

class S13Fixture {
 public:
  S13Fixture()
      : responder_(
            {"eir.bench", "imeiguard.localdomain", UnknownEquipment::kEquipmentUnknown},
            [this](Imei imei) -> std::optional<EquipmentStatus> {
              auto it = statuses_.find(imei.core_value());
              if (it == statuses_.end()) return std::nullopt;
              return it->second;
            },
            {}, clock_) {
    for (std::uint64_t i = 0; i < 100000; ++i) {
      statuses_[35847210000000 + i] = static_cast<EquipmentStatus>(i % 3);
    }
    MeIdentityCheck check;
    check.imei = "35847210012345";
    check.software_version = "07";
    check.imsi = "240011234567890";
    request_ = EncodeMessage(BuildMeIdentityCheckRequest(check));
  }

  const std::string& request() const { return request_; }
  const S13Responder& responder() const { return responder_; }

 private:
  ManualClock clock_;
  std::unordered_map<std::uint64_t, EquipmentStatus> statuses_;
  S13Responder responder_;
  std::string request_;
};

S13Fixture& Fixture() {
  static S13Fixture fixture;
  return fixture;
}

void BM_DecodeMeIdentityCheckRequest(benchmark::State& state) {
  const std::string& bytes = Fixture().request();
  for (auto _ : state) {
    auto message = DecodeMessage(bytes);
    benchmark::DoNotOptimize(message);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeMeIdentityCheckRequest);

// Decode, answer from the map, encode: the work per request apart from the socket.
void BM_AnswerMeIdentityCheck(benchmark::State& state) {
  const std::string& bytes = Fixture().request();
  for (auto _ : state) {
    auto message = DecodeMessage(bytes);
    std::string answer = EncodeMessage(Fixture().responder().Answer(*message));
    benchmark::DoNotOptimize(answer);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AnswerMeIdentityCheck);

// A TCP client on 127.0.0.1 that keeps `range(0)` requests in flight to the in-process server.
void BM_LoopbackMeIdentityCheck(benchmark::State& state) {
  const int in_flight = static_cast<int>(state.range(0));
  ServerOptions options;
  options.port = 0;
  options.peer.identity.origin_host = "eir.bench";
  options.peer.identity.origin_realm = "imeiguard.localdomain";
  RequestHandler handler = [](const Message& request) {
    return Fixture().responder().Answer(request);
  };
  spdlog::set_level(spdlog::level::warn);  // The server logs each connection.
  Server server(options, handler);
  if (!server.Start().ok()) {
    state.SkipWithError("the server did not start");
    return;
  }
  int socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(server.port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int no_delay = 1;
  ::setsockopt(socket_fd, IPPROTO_TCP, TCP_NODELAY, &no_delay, sizeof no_delay);
  if (::connect(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    state.SkipWithError("connect failed");
    ::close(socket_fd);
    return;
  }

  // Reads until `count` whole messages arrived; returns false on a closed socket.
  std::string buffer;
  auto read_messages = [&](int count) {
    char chunk[65536];
    while (count > 0) {
      auto frame = ReadFrame(buffer, 1 << 20);
      if (frame.ok() && frame->complete) {
        buffer.erase(0, frame->length);
        --count;
        continue;
      }
      ssize_t got = ::read(socket_fd, chunk, sizeof chunk);
      if (got <= 0) return false;
      buffer.append(chunk, static_cast<std::size_t>(got));
    }
    return true;
  };

  Message cer;
  cer.flags = kFlagRequest;
  cer.command_code = kCommandCapabilitiesExchange;
  cer.avps = {Avp::OctetString(kAvpOriginHost, "mme.bench"),
              Avp::OctetString(kAvpOriginRealm, "bench"),
              Avp::Address(kAvpHostIpAddress, std::string("\x7f\x00\x00\x01", 4)),
              Avp::Unsigned32(kAvpVendorId, 0),
              Avp::Utf8String(kAvpProductName, "bench"),
              Avp::Unsigned32(kAvpAuthApplicationId, kApplicationS13)};
  std::string cer_bytes = EncodeMessage(cer);
  if (::write(socket_fd, cer_bytes.data(), cer_bytes.size()) < 0 || !read_messages(1)) {
    state.SkipWithError("capabilities exchange failed");
    ::close(socket_fd);
    return;
  }

  std::string batch;
  for (int i = 0; i < in_flight; ++i) batch += Fixture().request();
  for (auto _ : state) {
    if (::write(socket_fd, batch.data(), batch.size()) < 0 || !read_messages(in_flight)) {
      state.SkipWithError("the connection failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * in_flight);
  ::close(socket_fd);
  server.Stop();
}
BENCHMARK(BM_LoopbackMeIdentityCheck)->Arg(1)->Arg(32)->UseRealTime();

}  // namespace
}  // namespace imeiguard::diameter

BENCHMARK_MAIN();
