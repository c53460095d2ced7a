// File: src/runtime/metrics_http_server.h (private)
//
// The HTTP side of `metrics.port`: a small HTTP/1.1 server on a thread of its own that answers
// `GET /metrics` (and HEAD) with the page `render` returns, for Prometheus to scrape. Any other
// path is 404, any other method 405, a request that is not HTTP 400. It serves one connection at
// a time and closes each after its response; a request must arrive whole, within 8 KiB, in 2 s,
// and the response be read within 2 s more. Only the request line is looked at: no keep-alive,
// no body, no TLS (docs/adr/0011).
//
//   KSTREAMS_ASSIGN_OR_RETURN(auto server, MetricsHttpServer::start("127.0.0.1", 0, render));
//   int port = server->port();   // the one bound: 0 asks for any free port
//   server.reset();              // stops serving; a request under way is dropped
//
// `render` runs on the server's thread, once per scrape.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <kstreams/status.h>

namespace kstreams::internal {

class MetricsHttpServer {
 public:
  using Render = std::function<std::string()>;

  /// Listens on `host` (an IPv4 or IPv6 address: "0.0.0.0" for every IPv4 interface, "::" for
  /// every interface) at `port` (0: any free one) and starts serving. kInvalidArgument when `host`
  /// is not an address (names are not looked up); kIo when the address cannot be bound (in use,
  /// not local, not permitted).
  static Result<std::unique_ptr<MetricsHttpServer>> start(const std::string& host, int port,
                                                          Render render);

  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;
  /// Stops serving and closes the socket.
  ~MetricsHttpServer();

  /// The port listened on.
  [[nodiscard]] int port() const { return port_; }

 private:
  MetricsHttpServer(int listen_fd, int wake_fd, int port, Render render);

  void run();
  void serve(int connection);

  int listen_fd_;
  int wake_fd_;  // an eventfd: written once to stop run()
  int port_;
  Render render_;
  std::thread thread_;
};

}  // namespace kstreams::internal
