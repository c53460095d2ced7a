#include "src/runtime/metrics_http_server.h"

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <string_view>
#include <system_error>
#include <utility>

#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include "src/core/logging.h"
#include "src/core/thread_name.h"

#include <netdb.h>
#include <poll.h>
#include <unistd.h>

namespace kstreams::internal {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxRequestBytes = 8192;
constexpr auto kConnectionTimeout = std::chrono::seconds(2);

std::string errno_text(int error) { return std::generic_category().message(error); }

int bound_port(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return -1;
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
  }
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  }
  return -1;
}

// Waits until `fd` is ready for `events`, the server is told to stop, or `deadline` passes.
// True only in the first case.
bool wait_for(int fd, short events, int wake_fd, Clock::time_point deadline) {
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd fds[2] = {{fd, events, 0}, {wake_fd, POLLIN, 0}};
    const int ready = poll(fds, 2, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0 || fds[1].revents != 0) return false;
    return true;
  }
}

struct Response {
  std::string_view status;  // "200 OK"
  std::string_view extra_headers;
  std::string body;
};

Response plain(std::string_view status, std::string body, std::string_view extra_headers = {}) {
  return Response{status, extra_headers, std::move(body)};
}

std::string serialize(const Response& response, bool head) {
  const std::string_view content_type = response.status == "200 OK"
                                            ? "text/plain; version=0.0.4; charset=utf-8"
                                            : "text/plain; charset=utf-8";
  std::string out;
  out.reserve(160 + response.body.size());
  out.append("HTTP/1.1 ").append(response.status).append("\r\n");
  out.append("Content-Type: ").append(content_type).append("\r\n");
  out.append("Content-Length: ").append(std::to_string(response.body.size())).append("\r\n");
  out.append(response.extra_headers);
  out.append("Connection: close\r\n\r\n");
  if (!head) out.append(response.body);
  return out;
}

}  // namespace

Result<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::start(const std::string& host,
                                                                    int port, Render render) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;  // no DNS
  const std::string service = std::to_string(port);
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return invalid_argument("metrics.host '" + host +
                            "' is not an IP address: " + gai_strerror(rc));
  }
  std::string failure = "no address";
  int listen_fd = -1;
  for (const addrinfo* a = found; a != nullptr && listen_fd < 0; a = a->ai_next) {
    const int fd =
        socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) {
      failure = errno_text(errno);
      continue;
    }
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (a->ai_family == AF_INET6) {  // "::" means IPv4 too, whatever the host's default
      const int zero = 0;
      setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    }
    if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 16) == 0) {
      listen_fd = fd;
    } else {
      failure = errno_text(errno);
      close(fd);
    }
  }
  freeaddrinfo(found);
  if (listen_fd < 0) {
    return Status(StatusCode::kIo,
                  "metrics.port " + service + ": cannot listen on " + host + ": " + failure);
  }
  const int wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd < 0) {
    const int error = errno;
    close(listen_fd);
    return Status(StatusCode::kIo, "metrics server: eventfd: " + errno_text(error));
  }
  return std::unique_ptr<MetricsHttpServer>(
      new MetricsHttpServer(listen_fd, wake_fd, bound_port(listen_fd), std::move(render)));
}

MetricsHttpServer::MetricsHttpServer(int listen_fd, int wake_fd, int port, Render render)
    : listen_fd_(listen_fd), wake_fd_(wake_fd), port_(port), render_(std::move(render)) {
  thread_ = std::thread([this] { run(); });
  name_thread(thread_, "ks:metrics");
}

MetricsHttpServer::~MetricsHttpServer() {
  const std::uint64_t one = 1;
  if (write(wake_fd_, &one, sizeof one) != sizeof one) {
    logger().error("metrics server: cannot signal its thread to stop: {}", errno_text(errno));
  }
  thread_.join();
  close(wake_fd_);
  close(listen_fd_);
}

void MetricsHttpServer::run() {
  bool short_of_resources = false;  // warned once per spell, not every 100 ms
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      logger().error("metrics server stopped: poll: {}", errno_text(errno));
      return;
    }
    if (fds[1].revents != 0) return;
    const int connection = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (connection < 0) {
      const int error = errno;
      if (error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM) {
        // Out of descriptors or memory: the pending connection stays queued; try again later
        // instead of spinning on it.
        if (!short_of_resources) {
          logger().warn("metrics server: accept: {}; retrying every 100 ms", errno_text(error));
        }
        short_of_resources = true;
        pollfd wake{wake_fd_, POLLIN, 0};
        if (poll(&wake, 1, 100) > 0) return;
      }
      continue;  // EAGAIN (the client gave up meanwhile), ECONNABORTED, ...
    }
    short_of_resources = false;
    serve(connection);
    close(connection);
  }
}

void MetricsHttpServer::serve(int connection) {
  const Clock::time_point deadline = Clock::now() + kConnectionTimeout;
  // The request: read up to the blank line that ends its headers, so that closing the socket
  // does not reset it under the client before it reads the response.
  std::string request;
  std::size_t end_of_line = std::string::npos;
  bool complete = false;
  while (!complete && request.size() <= kMaxRequestBytes) {
    if (!wait_for(connection, POLLIN, wake_fd_, deadline)) return;
    char buffer[2048];
    const ssize_t got = recv(connection, buffer, sizeof buffer, 0);
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (got <= 0) return;  // gone, or broken
    request.append(buffer, static_cast<std::size_t>(got));
    complete =
        request.find("\r\n\r\n") != std::string::npos || request.find("\n\n") != std::string::npos;
  }
  // A server ignores empty lines before the request line (RFC 9112, 2.2).
  const std::size_t start = request.find_first_not_of("\r\n");
  if (start != std::string::npos) request.erase(0, start);
  end_of_line = request.find('\n');

  Response response;
  bool head = false;
  if (!complete || request.size() > kMaxRequestBytes || end_of_line == std::string::npos) {
    response = plain("400 Bad Request", "request too large\n");
  } else {
    std::string_view line(request.data(), end_of_line);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::size_t first_space = line.find(' ');
    const std::size_t last_space = line.rfind(' ');
    const std::string_view method = line.substr(0, first_space);
    const std::string_view target =
        first_space == last_space ? std::string_view()
                                  : line.substr(first_space + 1, last_space - first_space - 1);
    const std::string_view version =
        last_space == std::string_view::npos ? std::string_view() : line.substr(last_space + 1);
    const std::string_view path = target.substr(0, target.find('?'));
    if (target.empty() || version.substr(0, 7) != "HTTP/1.") {
      response = plain("400 Bad Request", "not an HTTP/1 request\n");
    } else if (method != "GET" && method != "HEAD") {
      response = plain("405 Method Not Allowed", "only GET and HEAD\n", "Allow: GET, HEAD\r\n");
    } else if (path != "/metrics") {
      head = method == "HEAD";
      response = plain("404 Not Found", "metrics are at /metrics\n");
    } else {
      head = method == "HEAD";
      response = plain("200 OK", render_());
    }
  }

  // The whole response within one more timeout: a client that reads slowly does not keep the
  // server from the next scrape for longer.
  const std::string out = serialize(response, head);
  const Clock::time_point write_deadline = Clock::now() + kConnectionTimeout;
  std::size_t sent = 0;
  while (sent < out.size()) {
    const ssize_t n = send(connection, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait_for(connection, POLLOUT, wake_fd_, write_deadline)) return;
    } else {
      return;
    }
  }
  shutdown(connection, SHUT_WR);
}

}  // namespace kstreams::internal
