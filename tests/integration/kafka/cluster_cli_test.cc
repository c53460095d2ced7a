// Integration test of the kstreams-cluster executable: started as a child process, used through
// its bootstrap file and control FIFO, stopped with SIGTERM.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <kstreams/test_matchers.h>

#include "src/kafka/consumer.h"
#include "src/kafka/message.h"
#include "src/kafka/producer.h"
#include "tests/integration/kafka/kafka_test_util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

extern char** environ;

namespace kstreams::kafka {
namespace {

using kstreams::testing::IsOk;
using kstreams::testing::IsOkAndHolds;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

/// A child process with its stdout on a pipe. Killed (SIGKILL) and reaped if the test did not
/// stop it.
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

  /// Spawns `argv` with stdout redirected to a pipe readable with read_line().
  bool spawn(const std::vector<std::string>& args) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
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

  /// The next stdout line, waiting at most `limit`.
  std::optional<std::string> read_line(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (int round = 0; round < 10000; ++round) {
      if (auto newline = buffer_.find('\n'); newline != std::string::npos) {
        std::string line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd fd{stdout_fd_, POLLIN, 0};
      if (::poll(&fd, 1, static_cast<int>(left.count())) <= 0) break;
      char chunk[512];
      const ssize_t n = ::read(stdout_fd_, chunk, sizeof chunk);
      if (n <= 0) break;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
    return std::nullopt;
  }

  /// Sends `signal` and waits at most `limit` for the exit; the wait status, or nullopt.
  std::optional<int> stop(int signal, std::chrono::milliseconds limit) {
    if (pid_ <= 0) return std::nullopt;
    ::kill(pid_, signal);
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return status;
      }
      std::this_thread::sleep_for(10ms);
    }
    return std::nullopt;
  }

  /// Waits at most `limit` for the child to exit by itself.
  std::optional<int> wait(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (pid_ > 0 && std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return status;
      }
      std::this_thread::sleep_for(10ms);
    }
    return std::nullopt;
  }

  /// Everything left on stdout until EOF or `limit`.
  std::string read_rest(std::chrono::milliseconds limit) {
    std::string out;
    for (int i = 0; i < 1000; ++i) {
      auto line = read_line(limit);
      if (!line) break;
      out += *line + "\n";
    }
    return out + buffer_;
  }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
};

class ClusterCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "kstreams-cli-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  // Sends one control line and returns the reply.
  std::optional<std::string> control(ChildProcess& child, const std::string& line) {
    std::ofstream fifo(dir_ / "control");
    fifo << line << '\n';
    fifo.flush();
    return child.read_line(5s);
  }

  fs::path dir_;
};

std::optional<std::string> read_file_when_present(const fs::path& path,
                                                  std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(path)) {
      std::ifstream in(path);
      std::string line;
      std::getline(in, line);
      return line;
    }
    std::this_thread::sleep_for(20ms);
  }
  return std::nullopt;
}

TEST_F(ClusterCliTest, ServesClientsTakesCommandsAndStopsOnSigterm) {
  const fs::path bootstrap_file = dir_ / "bootstrap";
  ChildProcess child;
  ASSERT_TRUE(child.spawn({KSTREAMS_CLUSTER_BINARY, "--brokers", "2", "--topic", "cli:2",
                           "--bootstrap-file", bootstrap_file.string(), "--control-fifo",
                           (dir_ / "control").string()}));

  const std::optional<std::string> bootstrap = read_file_when_present(bootstrap_file, 10s);
  ASSERT_TRUE(bootstrap.has_value()) << "no bootstrap file within 10 s";
  EXPECT_THAT(*bootstrap, StartsWith("127.0.0.1:"));
  EXPECT_EQ(child.read_line(5s), bootstrap) << "stdout's first line is the bootstrap list";
  ASSERT_TRUE(fs::is_fifo(dir_ / "control"));

  {
    auto producer = Producer::create(kafka::testing::test_config(*bootstrap));
    ASSERT_THAT(producer, IsOk());
    EXPECT_THAT((*producer)->partition_count("cli", 5s), IsOkAndHolds(2));
    for (int i = 0; i < 20; ++i) {
      const std::string value = std::to_string(i);
      ASSERT_OK((*producer)->produce({.topic = "cli", .partition = i % 2, .value = value}));
    }
    ASSERT_OK((*producer)->flush(10s));

    auto consumer = Consumer::create(kafka::testing::consumer_config(*bootstrap, "cli"));
    ASSERT_THAT(consumer, IsOk());
    ASSERT_OK((*consumer)->assign(kafka::testing::all_from_beginning("cli", 2)));
    auto records = kafka::testing::consume_at_least(**consumer, 20, 10s);
    EXPECT_EQ(records.size(), 20u);
    records.clear();

    EXPECT_EQ(control(child, "create-topic made 5"), "ok create-topic made 5");
    EXPECT_THAT((*producer)->partition_count("made", 5s), IsOkAndHolds(5));
    EXPECT_EQ(control(child, "broker-down 2"), "ok broker-down 2");
    EXPECT_EQ(control(child, "broker-up 2"), "ok broker-up 2");
    EXPECT_EQ(control(child, "request-errors Produce NOT_LEADER_FOR_PARTITION _TRANSPORT"),
              "ok request-errors Produce NOT_LEADER_FOR_PARTITION _TRANSPORT");
    EXPECT_EQ(control(child, "rtt 1 5"), "ok rtt 1 5");
    EXPECT_THAT(control(child, "broker-down 9"),
                ::testing::Optional(StartsWith("error broker-down 9: ")));
    EXPECT_THAT(control(child, "explode now"),
                ::testing::Optional(StartsWith("error explode now: unknown command")));
    EXPECT_THAT(control(child, "request-errors Produce NO_SUCH_ERROR"),
                ::testing::Optional(HasSubstr("NO_SUCH_ERROR")));

    // Still delivers after the injected errors.
    ASSERT_OK((*producer)->produce({.topic = "cli", .partition = 0, .value = ByteView("late")}));
    ASSERT_OK((*producer)->flush(10s));
    EXPECT_OK((*consumer)->close());
  }

  const std::optional<int> status = child.stop(SIGTERM, 10s);
  ASSERT_TRUE(status.has_value()) << "kstreams-cluster did not exit within 10 s of SIGTERM";
  ASSERT_TRUE(WIFEXITED(*status)) << "wait status " << *status;
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  EXPECT_FALSE(fs::exists(bootstrap_file)) << "the bootstrap file is removed on exit";
  EXPECT_FALSE(fs::exists(dir_ / "control")) << "a FIFO it created is removed on exit";
}

TEST_F(ClusterCliTest, StopsOnSigintToo) {
  ChildProcess child;
  ASSERT_TRUE(child.spawn({KSTREAMS_CLUSTER_BINARY, "--brokers", "1"}));
  const std::optional<std::string> bootstrap = child.read_line(10s);
  ASSERT_TRUE(bootstrap.has_value());
  EXPECT_THAT(*bootstrap, StartsWith("127.0.0.1:"));
  EXPECT_EQ(bootstrap->find(','), std::string::npos) << "one broker, one address";
  const std::optional<int> status = child.stop(SIGINT, 10s);
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0);
}

TEST_F(ClusterCliTest, HelpDocumentsEveryFlagAndCommand) {
  ChildProcess child;
  ASSERT_TRUE(child.spawn({KSTREAMS_CLUSTER_BINARY, "--help"}));
  const std::optional<int> status = child.wait(10s);
  const std::string help = child.read_rest(2s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  for (const char* word :
       {"--brokers", "--topic", "--bootstrap-file", "--control-fifo", "broker-down", "broker-up",
        "request-errors", "create-topic", "rtt", "SIGTERM"}) {
    EXPECT_THAT(help, HasSubstr(word));
  }
}

TEST_F(ClusterCliTest, BadTopicSpecFailsFast) {
  ChildProcess child;
  ASSERT_TRUE(child.spawn({KSTREAMS_CLUSTER_BINARY, "--topic", "nopartitions"}));
  const std::optional<int> status = child.wait(10s);
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_NE(WEXITSTATUS(*status), 0);
}

}  // namespace
}  // namespace kstreams::kafka
