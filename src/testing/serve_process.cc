#include "testing/serve_process.h"

#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <thread>

namespace imeiguard::testing {

namespace fs = std::filesystem;

ServeProcess::ServeProcess(std::string binary, fs::path dir, std::string_view config_toml)
    : binary_(std::move(binary)), dir_(std::move(dir)) {
  fs::remove_all(dir_);
  fs::create_directories(dir_);
  std::ofstream(dir_ / "config.toml") << config_toml;
}

ServeProcess::~ServeProcess() {
  Stop();
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

Result<std::string> ServeProcess::CreateKey(std::string_view role, std::string_view shipper) {
  fs::path out = dir_ / "key.txt";
  fs::remove(out);
  std::vector<std::string> argv = {
      binary_,  "keys",           "create", "--store", (dir_ / "store.db").string(),
      "--role", std::string(role)};
  if (!shipper.empty()) {
    argv.push_back("--shipper");
    argv.emplace_back(shipper);
  }
  std::optional<ChildProcess> child = ChildProcess::Start(argv, out.string());
  if (!child) return Error::Unavailable("keys", "cannot start " + binary_);
  while (child->Running()) std::this_thread::sleep_for(std::chrono::milliseconds(10));

  std::ifstream file(out);
  std::string key;
  file >> key;
  if (key.rfind("igk_", 0) != 0) {
    return Error::Unavailable("keys", "keys create printed no key for role " + std::string(role) +
                                          "; its output is in " + out.string());
  }
  return key;
}

Status ServeProcess::Start() {
  fs::path port_file = dir_ / "port";
  fs::remove(port_file);
  std::optional<ChildProcess> child =
      ChildProcess::Start({binary_, "serve", "--config", (dir_ / "config.toml").string(), "--store",
                           (dir_ / "store.db").string(), "--listen", "127.0.0.1", "--port", "0",
                           "--port-file", port_file.string()},
                          log_path().string());
  if (!child) return Error::Unavailable("serve", "cannot start " + binary_);
  server_ = std::make_unique<ChildProcess>(std::move(*child));
  std::optional<std::uint16_t> port = WaitForPortFile(port_file, std::chrono::seconds(20));
  if (!port) {
    return Error::Unavailable("serve", "the server did not start; see " + log_path().string());
  }
  port_ = *port;
  return Status::Ok();
}

void ServeProcess::Stop(int signal) {
  if (server_) server_->Stop(signal);
  server_.reset();
}

}  // namespace imeiguard::testing
