// File: kstreams/http_request.h (tests only; target kstreams_test_support)
//
// Sends raw bytes to an HTTP server on 127.0.0.1 and returns what came back before the server
// closed the connection, for tests of the metrics endpoint. Bounded: 5 s in all.
//
//   HttpReply reply = http_request(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
//   EXPECT_EQ(reply.status_line, "HTTP/1.1 200 OK");
#pragma once

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <poll.h>
#include <unistd.h>

namespace kstreams::testing {

struct HttpReply {
  bool connected = false;
  std::string status_line;  ///< "HTTP/1.1 200 OK"; empty when nothing came back
  std::string headers;      ///< the header lines, each ending in "\r\n"
  std::string body;
};

/// A TCP connection to 127.0.0.1:`port`: its socket (the caller closes it), or -1.
inline int connect_to_loopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/// Reads what the server on `fd` sends until it closes the connection (5 s at most), closes `fd`
/// and splits the reply.
inline HttpReply read_reply(int fd) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(5);
  HttpReply reply;
  reply.connected = true;
  std::string raw;
  while (Clock::now() < deadline) {
    pollfd ready{fd, POLLIN, 0};
    if (poll(&ready, 1, 100) <= 0) continue;
    char buffer[65536];
    const ssize_t got = recv(fd, buffer, sizeof buffer, 0);
    if (got <= 0) break;
    raw.append(buffer, static_cast<std::size_t>(got));
  }
  close(fd);
  const std::size_t line_end = raw.find("\r\n");
  const std::size_t head_end = raw.find("\r\n\r\n");
  if (line_end == std::string::npos || head_end == std::string::npos) {
    reply.status_line = raw;
    return reply;
  }
  reply.status_line = raw.substr(0, line_end);
  reply.headers = raw.substr(line_end + 2, head_end + 2 - (line_end + 2));
  reply.body = raw.substr(head_end + 4);
  return reply;
}

/// Sends all of `bytes` on `fd`; false if the connection broke.
inline bool send_all(int fd, std::string_view bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

/// Sends `request` to 127.0.0.1:`port` and reads the reply (`connected` false if nobody listens).
inline HttpReply http_request(int port, std::string_view request) {
  const int fd = connect_to_loopback(port);
  if (fd < 0) return HttpReply{};
  send_all(fd, request);
  return read_reply(fd);
}

/// A GET of `path` with the headers Prometheus sends.
inline HttpReply http_get(int port, std::string_view path) {
  std::string request = "GET ";
  request.append(path).append(
      " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: Prometheus/2.45.0\r\n"
      "Accept: text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\n\r\n");
  return http_request(port, request);
}

}  // namespace kstreams::testing
