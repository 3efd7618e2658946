// An HTTP/1.1 server (libmicrohttpd) that hands each complete request to one
// handler and lets it answer later from any thread. Why libmicrohttpd and not
// cpp-httplib: cpp-httplib gives each connection a thread of a fixed pool
// for as long as it stays open, so a few idle keep-alive connections stop it
// answering anyone (BENCHMARKS.md, "HTTP front"); libmicrohttpd keeps every
// connection in epoll on a few threads and parks a request whose answer is
// not ready (suspend/resume), so neither idle sockets nor calls waiting for
// the batcher hold a thread. TLS and client certificates through GnuTLS.
#ifndef GANSERVE_SERVER_HTTP_FRONT_H_
#define GANSERVE_SERVER_HTTP_FRONT_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

struct MHD_Daemon;

namespace ganserve {

struct HttpRequest {
  std::string method;
  std::string path;  // decoded, without the query
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string peer;  // "ipv4:127.0.0.1:41234", as gRPC names its peers

  std::optional<std::string> Header(const std::string& lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// The protocol's error body {"error": message} with `status`.
HttpResponse JsonError(int status, const std::string& message);

// Called exactly once per request, from any thread.
using HttpReply = std::function<void(HttpResponse)>;
// Runs on one of the front's threads: must not block (start work and reply later).
using HttpHandler = std::function<void(HttpRequest request, HttpReply reply)>;

struct HttpFrontOptions {
  std::string name = "http";  // in errors and logs
  std::string host = "0.0.0.0";
  int port = 0;  // 0 picks a free port
  // PEM text; empty cert: plain HTTP. A client CA requires client certificates it signed.
  std::string tls_cert_pem, tls_key_pem, tls_client_ca_pem;
  size_t max_body_bytes = 16 << 20;  // larger bodies get 413
  int threads = 2;
  unsigned connection_limit = 8192;
  unsigned idle_timeout_s = 30;
};

class HttpFront {
 public:
  static absl::StatusOr<std::unique_ptr<HttpFront>> Create(HttpFrontOptions options,
                                                           HttpHandler handler);
  // Stops accepting, waits for the answers still owed, then closes.
  ~HttpFront();
  int port() const { return port_; }

  // Per-request state; public for the C callbacks in http_front.cc only.
  struct Exchange;

 private:
  HttpFront(HttpFrontOptions options, HttpHandler handler)
      : options_(std::move(options)), handler_(std::move(handler)) {}

  friend struct HttpFrontCallbacks;
  const HttpFrontOptions options_;
  const HttpHandler handler_;
  MHD_Daemon* daemon_ = nullptr;
  int port_ = 0;
  std::atomic<int64_t> owed_{0};  // requests handed to the handler, not yet answered
};

}  // namespace ganserve

#endif  // GANSERVE_SERVER_HTTP_FRONT_H_
