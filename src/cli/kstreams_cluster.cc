// kstreams-cluster: hosts an embedded Kafka cluster (librdkafka's mock) in its own process, so
// that several application instances, kcat and other clients can share it on 127.0.0.1.
//
//   kstreams-cluster --brokers 3 --topic orders:4 --bootstrap-file /tmp/bs --control-fifo /tmp/ctl
//   echo "broker-down 2" > /tmp/ctl
//
// Stdout carries only machine-readable lines: the bootstrap servers first, then one reply per
// control command ("ok <command>" or "error <command>: <reason>"). Logs go to stderr.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <sys/signalfd.h>
#include <sys/stat.h>

#include "src/core/logging.h"
#include "src/kafka/embedded_cluster.h"
#include "src/kafka/error.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

namespace {

using kstreams::Result;
using kstreams::Status;
using kstreams::StatusCode;
using kstreams::kafka::EmbeddedCluster;

constexpr const char* kCommandHelp =
    "Control commands, one per line on --control-fifo:\n"
    "  broker-down ID                      disconnect broker ID (1..N), refuse connections\n"
    "  broker-up ID                        accept connections again\n"
    "  request-errors APIKEY ERR [ERR...]  fail the next APIKEY requests (name such as Produce,\n"
    "                                      Fetch, OffsetCommit, or number) with librdkafka\n"
    "                                      error names (NOT_LEADER_FOR_PARTITION, _TRANSPORT) or\n"
    "                                      numbers\n"
    "  create-topic NAME PARTITIONS        create a topic\n"
    "  rtt ID MS                           delay broker ID's responses by MS milliseconds\n"
    "Each command is answered on stdout with 'ok <command>' or 'error <command>: <reason>'.\n"
    "SIGINT or SIGTERM stops the cluster; the exit code is then 0.";

struct TopicSpec {
  std::string name;
  int partitions = 1;
};

Result<TopicSpec> parse_topic_spec(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return kstreams::invalid_argument("--topic '" + text + "' is not name:partitions");
  }
  TopicSpec spec{text.substr(0, colon), 0};
  try {
    std::size_t used = 0;
    spec.partitions = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1) throw std::invalid_argument(text);
  } catch (const std::exception&) {
    return kstreams::invalid_argument("--topic '" + text + "': partitions is not a number");
  }
  return spec;
}

Result<int> parse_int(const std::string& text, const char* what) {
  try {
    std::size_t used = 0;
    const int value = std::stoi(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  return kstreams::invalid_argument(std::string(what) + " '" + text + "' is not a number");
}

Status run_command(EmbeddedCluster& cluster, const std::string& line) {
  std::istringstream in(line);
  std::string verb;
  in >> verb;
  std::vector<std::string> args;
  for (std::string arg; in >> arg;) args.push_back(arg);

  if ((verb == "broker-down" || verb == "broker-up") && args.size() == 1) {
    KSTREAMS_ASSIGN_OR_RETURN(const int id, parse_int(args[0], "broker id"));
    return verb == "broker-down" ? cluster.set_broker_down(id) : cluster.set_broker_up(id);
  }
  if (verb == "request-errors" && args.size() >= 2) {
    KSTREAMS_ASSIGN_OR_RETURN(const std::int16_t api_key, kstreams::kafka::parse_api_key(args[0]));
    std::vector<rd_kafka_resp_err_t> errors;
    for (std::size_t i = 1; i < args.size(); ++i) {
      KSTREAMS_ASSIGN_OR_RETURN(const rd_kafka_resp_err_t err,
                                kstreams::kafka::parse_error_code(args[i]));
      errors.push_back(err);
    }
    return cluster.push_request_errors(api_key, errors);
  }
  if (verb == "create-topic" && args.size() == 2) {
    KSTREAMS_ASSIGN_OR_RETURN(const int partitions, parse_int(args[1], "partitions"));
    return cluster.create_topic(args[0], partitions);
  }
  if (verb == "rtt" && args.size() == 2) {
    KSTREAMS_ASSIGN_OR_RETURN(const int id, parse_int(args[0], "broker id"));
    KSTREAMS_ASSIGN_OR_RETURN(const int ms, parse_int(args[1], "rtt"));
    return cluster.set_broker_rtt(id, std::chrono::milliseconds(ms));
  }
  return kstreams::invalid_argument("unknown command or wrong arguments (see --help)");
}

void reply(const std::string& line) {
  std::cout << line << std::endl;  // Flushed: a test or script waits for it.
}

// Writes `content` to `path` so that readers see either no file or the whole content.
Status write_atomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << content << '\n';
    out.flush();
    if (!out) return Status(StatusCode::kIo, "cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    std::remove(tmp.c_str());
    return Status(StatusCode::kIo, "cannot rename " + tmp + " to " + path + ": " + reason);
  }
  return Status();
}

// A control FIFO: created if missing (and then removed on exit); opened read-write so that it
// never reports end-of-file when a writer goes away.
class ControlFifo {
 public:
  static Result<std::unique_ptr<ControlFifo>> open(const std::string& path) {
    auto fifo = std::unique_ptr<ControlFifo>(new ControlFifo(path));
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0) {
      if (!S_ISFIFO(info.st_mode)) {
        return kstreams::invalid_argument("--control-fifo " + path + " exists and is not a FIFO");
      }
    } else {
      if (::mkfifo(path.c_str(), 0600) != 0) {
        return Status(StatusCode::kIo, "mkfifo " + path + ": " + std::strerror(errno));
      }
      fifo->created_ = true;
    }
    fifo->fd_ = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fifo->fd_ < 0) return Status(StatusCode::kIo, "open " + path + ": " + std::strerror(errno));
    return fifo;
  }

  ControlFifo(const ControlFifo&) = delete;
  ControlFifo& operator=(const ControlFifo&) = delete;
  ~ControlFifo() {
    if (fd_ >= 0) ::close(fd_);
    if (created_) ::unlink(path_.c_str());
  }

  [[nodiscard]] int fd() const { return fd_; }

  /// Reads what is available and returns the complete lines.
  std::vector<std::string> read_lines() {
    std::vector<std::string> lines;
    char chunk[4096];
    for (;;) {
      const ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n <= 0) break;
      pending_.append(chunk, static_cast<std::size_t>(n));
    }
    for (auto newline = pending_.find('\n'); newline != std::string::npos;
         newline = pending_.find('\n')) {
      lines.push_back(pending_.substr(0, newline));
      pending_.erase(0, newline + 1);
    }
    return lines;
  }

 private:
  explicit ControlFifo(std::string path) : path_(std::move(path)) {}

  std::string path_;
  bool created_ = false;
  int fd_ = -1;
  std::string pending_;
};

int run(int brokers, const std::vector<std::string>& topic_specs, const std::string& bootstrap_file,
        const std::string& control_fifo) {
  auto& log = kstreams::internal::logger();

  std::vector<TopicSpec> topics;
  for (const std::string& text : topic_specs) {
    auto spec = parse_topic_spec(text);
    if (!spec.ok()) {
      log.error("{}", spec.status().message());
      return 2;
    }
    topics.push_back(*spec);
  }

  // Block the stop signals in every thread (librdkafka's threads inherit this mask) and take
  // them from a signalfd in the loop below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  if (pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr) != 0) {
    log.error("cannot block SIGINT/SIGTERM");
    return 1;
  }
  const int signal_fd = ::signalfd(-1, &stop_signals, SFD_CLOEXEC);
  if (signal_fd < 0) {
    log.error("signalfd: {}", std::strerror(errno));
    return 1;
  }
  std::signal(SIGPIPE, SIG_IGN);

  auto cluster = EmbeddedCluster::start(brokers);
  if (!cluster.ok()) {
    log.error("cannot start the cluster: {}", cluster.status().to_string());
    return 1;
  }
  for (const TopicSpec& topic : topics) {
    if (Status s = (*cluster)->create_topic(topic.name, topic.partitions); !s.ok()) {
      log.error("{}", s.to_string());
      return 1;
    }
  }

  std::unique_ptr<ControlFifo> fifo;
  if (!control_fifo.empty()) {
    auto opened = ControlFifo::open(control_fifo);
    if (!opened.ok()) {
      log.error("{}", opened.status().to_string());
      return 1;
    }
    fifo = std::move(*opened);
  }

  const std::string& bootstrap = (*cluster)->bootstrap_servers();
  reply(bootstrap);
  if (!bootstrap_file.empty()) {
    if (Status s = write_atomically(bootstrap_file, bootstrap); !s.ok()) {
      log.error("{}", s.to_string());
      return 1;
    }
  }
  log.info("kstreams-cluster up: {} brokers at {}{}", brokers, bootstrap,
           fifo ? ", control FIFO " + control_fifo : std::string());

  for (;;) {
    pollfd fds[2] = {{signal_fd, POLLIN, 0}, {fifo ? fifo->fd() : -1, POLLIN, 0}};
    const int ready = ::poll(fds, 2, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      log.error("poll: {}", std::strerror(errno));
      break;
    }
    if ((fds[0].revents & POLLIN) != 0) {
      signalfd_siginfo info{};
      if (::read(signal_fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        log.info("signal {} received, stopping", info.ssi_signo);
      }
      break;
    }
    if (fifo && (fds[1].revents & POLLIN) != 0) {
      for (const std::string& line : fifo->read_lines()) {
        if (line.empty() || line[0] == '#') continue;
        const Status status = run_command(**cluster, line);
        if (status.ok()) {
          log.info("control: {}", line);
          reply("ok " + line);
        } else {
          log.warn("control: {}: {}", line, status.message());
          reply("error " + line + ": " + status.message());
        }
      }
    }
  }

  ::close(signal_fd);
  if (!bootstrap_file.empty()) std::remove(bootstrap_file.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Runs an embedded Kafka cluster (librdkafka's mock) on 127.0.0.1 until SIGINT/SIGTERM.\n"
      "Prints the bootstrap servers as the first line on stdout."};
  app.footer(kCommandHelp);
  int brokers = 3;
  std::vector<std::string> topics;
  std::string bootstrap_file;
  std::string control_fifo;
  app.add_option("--brokers", brokers, "Number of brokers (ids 1..N)")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  app.add_option("--topic", topics,
                 "Create a topic, as name:partitions (repeatable). Unknown topics are otherwise "
                 "auto-created with 4 partitions on first use.");
  app.add_option("--bootstrap-file", bootstrap_file,
                 "Write the bootstrap servers to this file once the cluster is up (atomically: "
                 "the file appears complete); removed on exit");
  app.add_option("--control-fifo", control_fifo,
                 "Read control commands (see below) from this FIFO; created if missing (and then "
                 "removed on exit)");
  CLI11_PARSE(app, argc, argv);
  return run(brokers, topics, bootstrap_file, control_fifo);
}
