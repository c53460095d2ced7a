// The address-router executable as a process: against a kstreams-cluster process (service mode,
// stopped with SIGTERM), and in demo mode on its own embedded cluster.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "examples/address_router/address_generator.h"
#include "examples/address_router/address_router.h"
#include "tests/integration/runtime/runtime_test_util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

extern char** environ;

namespace kstreams::runtime_testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
namespace fs = std::filesystem;

/// A child process whose stdout is collected through a pipe and whose stderr goes to a file.
/// SIGKILLed and reaped by the destructor if the test did not stop it (only this pid).
class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (stdout_fd_ >= 0) ::close(stdout_fd_);
  }

  bool spawn(const std::vector<std::string>& args, const fs::path& stderr_file) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_file.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> argv;
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    stdout_fd_ = fds[0];
    if (rc != 0) pid_ = -1;
    return rc == 0;
  }

  /// Reads what stdout has now (waiting at most `limit` for something) into output().
  void drain(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (int round = 0; round < 10000 && stdout_fd_ >= 0; ++round) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd fd{stdout_fd_, POLLIN, 0};
      if (::poll(&fd, 1, static_cast<int>(std::max<std::int64_t>(0, left.count()))) <= 0) break;
      char chunk[4096];
      const ssize_t n = ::read(stdout_fd_, chunk, sizeof chunk);
      if (n <= 0) {
        eof_ = true;
        break;
      }
      output_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  /// Waits at most `limit` for the exit (after sending `signal` unless 0); the wait status.
  std::optional<int> wait(std::chrono::milliseconds limit, int signal = 0) {
    if (pid_ <= 0) return std::nullopt;
    if (signal != 0) ::kill(pid_, signal);
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (int round = 0; round < 100000 && std::chrono::steady_clock::now() < deadline; ++round) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        drain(1s);
        return status;
      }
      drain(20ms);
      if (eof_) std::this_thread::sleep_for(10ms);
    }
    return std::nullopt;
  }

  [[nodiscard]] const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string output_;
  bool eof_ = false;
};

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string exit_description(const std::optional<int>& status) {
  if (!status) return "did not exit in time";
  if (WIFEXITED(*status)) return "exit code " + std::to_string(WEXITSTATUS(*status));
  if (WIFSIGNALED(*status)) return "killed by signal " + std::to_string(WTERMSIG(*status));
  return "wait status " + std::to_string(*status);
}

bool exited_with(const std::optional<int>& status, int code) {
  return status && WIFEXITED(*status) && WEXITSTATUS(*status) == code;
}

class ProcessTest : public ::testing::Test {
 protected:
  fs::path path(const std::string& name) const { return dir_.path() / name; }
  TempDir dir_;
};

/// Waits at most `limit` for `text` on the child's stdout.
bool wait_for_output(ChildProcess& child, const std::string& text,
                     std::chrono::milliseconds limit) {
  return wait_until(
      [&] {
        child.drain(50ms);
        return child.output().find(text) != std::string::npos;
      },
      limit);
}

TEST_F(ProcessTest, ServiceModeRoutesTheInputOfAClusterProcessAndStopsOnSigterm) {
  const std::vector<std::string> outputs = {
      std::string(address_router::kShippingTopic), std::string(address_router::kBillingTopic),
      std::string(address_router::kInvalidTopic), std::string(address_router::kDeadLetterTopic)};
  std::vector<std::string> cluster_args = {KSTREAMS_CLUSTER_BINARY, "--brokers", "1",
                                           "--bootstrap-file", path("bootstrap").string()};
  for (const std::string& topic : outputs) {
    cluster_args.insert(cluster_args.end(), {"--topic", topic + ":4"});
  }
  cluster_args.insert(cluster_args.end(),
                      {"--topic", std::string(address_router::kInputTopic) + ":4"});
  ChildProcess cluster;
  ASSERT_TRUE(cluster.spawn(cluster_args, path("cluster.err")));
  ASSERT_TRUE(wait_until([&] { return fs::exists(path("bootstrap")); }, 10s))
      << "no bootstrap file; stderr: " << read_text(path("cluster.err"));
  std::string bootstrap;
  ASSERT_TRUE(wait_until(
      [&] {
        std::ifstream in(path("bootstrap"));
        std::getline(in, bootstrap);
        return !bootstrap.empty();
      },
      5s));
  ASSERT_THAT(bootstrap, StartsWith("127.0.0.1:"));

  // --generate uses seed 42 and 10% invalid by default: the same generator here says where each
  // record must land.
  constexpr int kRecords = 1000;
  {
    ChildProcess generate;
    ASSERT_TRUE(generate.spawn({ADDRESS_ROUTER_BINARY, "--bootstrap-servers", bootstrap,
                                "--generate", std::to_string(kRecords)},
                               path("generate.err")));
    const auto status = generate.wait(30s);
    ASSERT_TRUE(exited_with(status, 0))
        << exit_description(status) << "; stderr: " << read_text(path("generate.err"));
    EXPECT_THAT(generate.output(), HasSubstr("produced 1000 addresses"));
  }
  std::map<std::string, std::size_t> expected;
  {
    address_router::AddressGenerator generator(42, 0.1);
    const std::map<address_router::Route, std::string> topic_of = {
        {address_router::Route::kShipping, outputs[0]},
        {address_router::Route::kBilling, outputs[1]},
        {address_router::Route::kInvalid, outputs[2]},
        {address_router::Route::kDeadLetter, outputs[3]}};
    for (int i = 0; i < kRecords; ++i) ++expected[topic_of.at(generator.next().expected)];
  }

  // The cluster and the group come from a properties file: no flag overrides them.
  std::ofstream(path("router.properties"))
      << "bootstrap.servers=" << bootstrap << "\napplication.id=it-router-process\n";
  ChildProcess router;
  ASSERT_TRUE(router.spawn(
      {ADDRESS_ROUTER_BINARY, "--config", path("router.properties").string(), "--state-dir",
       path("state").string(), "--property", "commit.interval.ms=200", "--property",
       "consumer.session.timeout.ms=4000", "--property", "consumer.heartbeat.interval.ms=300",
       "--property", "consumer.fetch.wait.max.ms=10"},
      path("router.err")));
  auto reader = TopicReader::open(bootstrap, outputs);
  ASSERT_NE(reader, nullptr);
  reader->read_until(kRecords, 30s);
  reader->read_for(300ms);
  router.drain(100ms);
  EXPECT_EQ(reader->records().size(), static_cast<std::size_t>(kRecords))
      << "router stdout: " << router.output() << "\nstderr: " << read_text(path("router.err"));
  for (const std::string& topic : outputs) {
    EXPECT_EQ(reader->of(topic).size(), expected[topic]) << topic;
  }

  const auto status = router.wait(30s, SIGTERM);
  EXPECT_TRUE(exited_with(status, 0))
      << exit_description(status) << "; stderr: " << read_text(path("router.err"));
  EXPECT_THAT(router.output(), HasSubstr("address-router: running against " + bootstrap +
                                         " as 'it-router-process'"));
  EXPECT_THAT(router.output(), HasSubstr("address-router: signal 15, closing"));
  EXPECT_THAT(router.output(), HasSubstr("address-router: closed (clean); processed 1000"));

  reader.reset();
  const auto cluster_status = cluster.wait(10s, SIGTERM);
  EXPECT_TRUE(exited_with(cluster_status, 0)) << exit_description(cluster_status);
}

TEST_F(ProcessTest, DemoModeRoutesEveryRecordOnItsEmbeddedCluster) {
  ChildProcess demo;
  ASSERT_TRUE(demo.spawn({ADDRESS_ROUTER_BINARY, "--records", "20000", "--state-dir",
                          path("state").string(), "--timeout", "60"},
                         path("demo.err")));
  const auto status = demo.wait(90s);
  EXPECT_TRUE(exited_with(status, 0)) << exit_description(status) << "\nstdout: " << demo.output()
                                      << "\nstderr: " << read_text(path("demo.err"));
  EXPECT_THAT(demo.output(), HasSubstr("address-router: every record landed where it belongs"));
  EXPECT_THAT(demo.output(), HasSubstr("embedded Kafka cluster at 127.0.0.1:"));
}

TEST_F(ProcessTest, DemoModeStopsOnSigintWithAPartialReport) {
  ChildProcess demo;
  ASSERT_TRUE(demo.spawn({ADDRESS_ROUTER_BINARY, "--records", "2000000", "--state-dir",
                          path("state").string(), "--timeout", "120"},
                         path("demo.err")));
  ASSERT_TRUE(wait_for_output(demo, "address-router: producing 2000000", 30s))
      << "stdout: " << demo.output() << "\nstderr: " << read_text(path("demo.err"));

  const auto status = demo.wait(40s, SIGINT);
  EXPECT_TRUE(exited_with(status, 130)) << exit_description(status) << "\nstdout: " << demo.output()
                                        << "\nstderr: " << read_text(path("demo.err"));
  EXPECT_THAT(demo.output(), HasSubstr("address-router: produced "));
  EXPECT_THAT(demo.output(), HasSubstr(" of 2000000 records, processed "));
  EXPECT_THAT(demo.output(), HasSubstr("addresses.shipping"));
  EXPECT_THAT(demo.output(),
              HasSubstr("address-router: interrupted by signal 2; the run is incomplete"));
  EXPECT_THAT(demo.output(), Not(HasSubstr("every record landed where it belongs")));
}

TEST_F(ProcessTest, GenerateStopsOnSigintAndSaysSo) {
  // Nothing is ever delivered to this address: without the signal, --generate would wait for
  // its full queue for minutes (until librdkafka's message timeout). The queue's size is a
  // client property, which --generate applies as the application's producer would.
  ChildProcess generate;
  ASSERT_TRUE(
      generate.spawn({ADDRESS_ROUTER_BINARY, "--bootstrap-servers", "127.0.0.1:1", "--generate",
                      "5000000", "--property", "producer.queue.buffering.max.messages=10000"},
                     path("generate.err")));
  ASSERT_TRUE(wait_for_output(generate, "address-router: producing 5000000 addresses", 10s))
      << "stdout: " << generate.output() << "\nstderr: " << read_text(path("generate.err"));
  std::this_thread::sleep_for(200ms);  // into the loop

  const auto status = generate.wait(20s, SIGINT);
  EXPECT_TRUE(exited_with(status, 130))
      << exit_description(status) << "\nstdout: " << generate.output()
      << "\nstderr: " << read_text(path("generate.err"));
  EXPECT_THAT(generate.output(), HasSubstr("address-router: interrupted by signal 2"));
  EXPECT_THAT(generate.output(), Not(HasSubstr("produced 5000000 addresses")));
}

}  // namespace
}  // namespace kstreams::runtime_testing
