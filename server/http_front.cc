#include "server/http_front.h"

#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "server/log.h"

namespace ganserve {

std::optional<std::string> HttpRequest::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

struct HttpFront::Exchange {
  HttpFront* front = nullptr;
  MHD_Connection* connection = nullptr;
  HttpRequest request;
  std::mutex mu;
  bool handed = false;     // given to the handler
  bool suspended = false;  // parked until the reply comes
  bool queued = false;     // the response is with MHD
  size_t dropped = 0;      // body bytes past the limit, read and thrown away
  std::optional<HttpResponse> response;
};

HttpResponse JsonError(int status, const std::string& message) {
  HttpResponse response;
  response.status = status;
  // Invalid UTF-8 from a request (a path, a label) is replaced, never thrown on.
  response.body = nlohmann::json{{"error", message}}.dump(-1, ' ', false,
                                                          nlohmann::json::error_handler_t::replace);
  return response;
}

namespace {

using ExchangePtr = std::shared_ptr<HttpFront::Exchange>;

// False when MHD refused the response; the caller then closes the connection
// (returns MHD_NO), so a client never waits for an answer that cannot come.
bool Queue(HttpFront::Exchange& exchange, const HttpResponse& response) {
  if (exchange.queued) return true;
  MHD_Response* answer = MHD_create_response_from_buffer(
      response.body.size(), const_cast<char*>(response.body.data()), MHD_RESPMEM_MUST_COPY);
  if (!response.content_type.empty()) {
    MHD_add_response_header(answer, MHD_HTTP_HEADER_CONTENT_TYPE, response.content_type.c_str());
  }
  for (const auto& [name, value] : response.headers) {
    MHD_add_response_header(answer, name.c_str(), value.c_str());
  }
  const MHD_Result queued = MHD_queue_response(exchange.connection, response.status, answer);
  MHD_destroy_response(answer);
  exchange.queued = queued == MHD_YES;
  if (!exchange.queued) {
    LogEvent(absl::StrCat("http_error \"could not queue a ", response.status,
                          " answer: connection closed\""));
  }
  return queued == MHD_YES;
}

// MHD answers only before the body or after all of it, so a chunked body
// (no Content-Length) that outgrows the limit is read to its end and thrown
// away, then gets its 413; past this many dropped bytes the connection is
// closed instead, so a body without end cannot hold it.
constexpr size_t kMaxDroppedBodyBytes = 64 << 20;

MHD_Result Sent(bool queued) { return queued ? MHD_YES : MHD_NO; }

MHD_Result CollectHeader(void* cls, MHD_ValueKind, const char* key, const char* value) {
  auto& headers = *static_cast<std::map<std::string, std::string>*>(cls);
  if (key != nullptr) headers[absl::AsciiStrToLower(key)] = value == nullptr ? "" : value;
  return MHD_YES;
}

MHD_Result CollectArgument(void* cls, MHD_ValueKind, const char* key, const char* value) {
  auto& query = *static_cast<std::map<std::string, std::string>*>(cls);
  if (key != nullptr) query[key] = value == nullptr ? "" : value;
  return MHD_YES;
}

// With a client CA, only requests over a verified client certificate pass.
bool ClientCertificateVerified(MHD_Connection* connection) {
  const MHD_ConnectionInfo* info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_GNUTLS_SESSION);
  if (info == nullptr || info->tls_session == nullptr) return false;
  auto session = static_cast<gnutls_session_t>(info->tls_session);
  unsigned int list_size = 0;
  if (gnutls_certificate_get_peers(session, &list_size) == nullptr || list_size == 0) return false;
  unsigned int verdict = 0;
  return gnutls_certificate_verify_peers2(session, &verdict) == GNUTLS_E_SUCCESS && verdict == 0;
}

// "ipv4:127.0.0.1:41234" or "ipv6:[::1]:41234", as gRPC names a peer.
std::string PeerOf(MHD_Connection* connection) {
  const MHD_ConnectionInfo* info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (info == nullptr || info->client_addr == nullptr) return "";
  const sockaddr* address = info->client_addr;
  const socklen_t size =
      address->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  char host[NI_MAXHOST];
  char port[NI_MAXSERV];
  if (getnameinfo(address, size, host, sizeof(host), port, sizeof(port),
                  NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return "";
  }
  if (address->sa_family == AF_INET6) return absl::StrCat("ipv6:[", host, "]:", port);
  return absl::StrCat("ipv4:", host, ":", port);
}

void LogMhd(void*, const char* format, va_list args) {
  char line[512];
  std::vsnprintf(line, sizeof(line), format, args);
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  LogEvent(absl::StrCat("http_error \"", text, "\""));
}

}  // namespace

struct HttpFrontCallbacks {
  static MHD_Result Access(void* cls, MHD_Connection* connection, const char* url,
                           const char* method, const char*, const char* upload_data,
                           size_t* upload_data_size, void** con_cls) {
    auto* front = static_cast<HttpFront*>(cls);
    if (*con_cls == nullptr) return Begin(*front, connection, url, method, con_cls);
    ExchangePtr exchange = *static_cast<ExchangePtr*>(*con_cls);
    std::unique_lock<std::mutex> lock(exchange->mu);
    if (exchange->queued) {
      *upload_data_size = 0;  // the answer is out already (413, 403): the rest is dropped
      return MHD_YES;
    }
    if (*upload_data_size > 0) {
      std::string& body = exchange->request.body;
      if (exchange->dropped > 0 ||
          body.size() + *upload_data_size > front->options_.max_body_bytes) {
        exchange->dropped += *upload_data_size;
        std::string().swap(body);
      } else {
        body.append(upload_data, *upload_data_size);
      }
      *upload_data_size = 0;
      return exchange->dropped > kMaxDroppedBodyBytes ? MHD_NO : MHD_YES;
    }
    if (exchange->dropped > 0) return Sent(Queue(*exchange, TooLarge(*front)));
    if (exchange->response.has_value()) return Sent(Queue(*exchange, *exchange->response));
    if (exchange->handed) return MHD_YES;
    exchange->handed = true;
    ++front->owed_;
    HttpRequest request = std::move(exchange->request);
    lock.unlock();
    front->handler_(std::move(request),
                    [exchange](HttpResponse response) { Reply(exchange, std::move(response)); });
    lock.lock();
    if (exchange->response.has_value()) {
      return Sent(Queue(*exchange, *exchange->response));
    }
    exchange->suspended = true;
    MHD_suspend_connection(connection);
    return MHD_YES;
  }

  static void Completed(void*, MHD_Connection*, void** con_cls, MHD_RequestTerminationCode) {
    delete static_cast<ExchangePtr*>(*con_cls);
    *con_cls = nullptr;
  }

 private:
  static HttpResponse TooLarge(const HttpFront& front) {
    return JsonError(
        413, absl::StrCat("the request body exceeds ", front.options_.max_body_bytes, " bytes"));
  }

  static MHD_Result Begin(HttpFront& front, MHD_Connection* connection, const char* url,
                          const char* method, void** con_cls) {
    auto exchange = std::make_shared<HttpFront::Exchange>();
    exchange->front = &front;
    exchange->connection = connection;
    *con_cls = new ExchangePtr(exchange);
    HttpRequest& request = exchange->request;
    request.method = method;
    request.path = url;
    request.peer = PeerOf(connection);
    MHD_get_connection_values(connection, MHD_HEADER_KIND, &CollectHeader, &request.headers);
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, &CollectArgument, &request.query);
    std::lock_guard<std::mutex> lock(exchange->mu);
    if (!front.options_.tls_client_ca_pem.empty() && !ClientCertificateVerified(connection)) {
      return Sent(Queue(*exchange, JsonError(403,
                                             "this server requires a client certificate signed by "
                                             "its --tls_client_ca")));
    }
    if (auto length = request.Header("content-length")) {
      char* end = nullptr;
      const unsigned long long bytes = std::strtoull(length->c_str(), &end, 10);
      if (bytes > front.options_.max_body_bytes) return Sent(Queue(*exchange, TooLarge(front)));
    }
    return MHD_YES;
  }

  static void Reply(const ExchangePtr& exchange, HttpResponse response) {
    HttpFront* front = exchange->front;
    {
      std::lock_guard<std::mutex> lock(exchange->mu);
      exchange->response = std::move(response);
      if (exchange->suspended) {
        exchange->suspended = false;
        // Allowed on a suspended connection whose body was read; if MHD still
        // refuses, the call on resume tries again and closes the connection.
        (void)Queue(*exchange, *exchange->response);
        MHD_resume_connection(exchange->connection);
      }
    }
    --front->owed_;
  }
};

absl::StatusOr<std::unique_ptr<HttpFront>> HttpFront::Create(HttpFrontOptions options,
                                                             HttpHandler handler) {
  std::unique_ptr<HttpFront> front(new HttpFront(std::move(options), std::move(handler)));
  const HttpFrontOptions& o = front->options_;
  const std::string host = o.host.empty() ? "0.0.0.0" : o.host;
  addrinfo hints{};
  hints.ai_flags = AI_PASSIVE;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int error = getaddrinfo(host.c_str(), nullptr, &hints, &found); error != 0) {
    return absl::InvalidArgumentError(absl::StrCat("--", o.name, "_address: cannot resolve \"",
                                                   host, "\": ", gai_strerror(error)));
  }
  sockaddr_storage address{};
  std::memcpy(&address, found->ai_addr, found->ai_addrlen);
  const bool v6 = found->ai_family == AF_INET6;
  freeaddrinfo(found);
  if (v6) {
    reinterpret_cast<sockaddr_in6*>(&address)->sin6_port = htons(static_cast<uint16_t>(o.port));
  } else {
    reinterpret_cast<sockaddr_in*>(&address)->sin_port = htons(static_cast<uint16_t>(o.port));
  }

  // MHD_USE_ITC: MHD_quiesce_daemon refuses to work on internal threads without it.
  unsigned int flags =
      MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | MHD_USE_ITC;
  if (v6) flags |= (host == "::") ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
  const bool tls = !o.tls_cert_pem.empty();
  if (tls) flags |= MHD_USE_TLS;
  std::vector<MHD_OptionItem> items = {
      {MHD_OPTION_EXTERNAL_LOGGER, reinterpret_cast<intptr_t>(&LogMhd), nullptr},
      {MHD_OPTION_SOCK_ADDR, 0, &address},
      {MHD_OPTION_CONNECTION_LIMIT, o.connection_limit, nullptr},
      {MHD_OPTION_CONNECTION_TIMEOUT, o.idle_timeout_s, nullptr},
      {MHD_OPTION_NOTIFY_COMPLETED, reinterpret_cast<intptr_t>(&HttpFrontCallbacks::Completed),
       nullptr},
  };
  if (o.threads > 1) items.push_back({MHD_OPTION_THREAD_POOL_SIZE, o.threads, nullptr});
  if (tls) {
    items.push_back({MHD_OPTION_HTTPS_MEM_CERT, 0, const_cast<char*>(o.tls_cert_pem.c_str())});
    items.push_back({MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char*>(o.tls_key_pem.c_str())});
    if (!o.tls_client_ca_pem.empty()) {
      items.push_back(
          {MHD_OPTION_HTTPS_MEM_TRUST, 0, const_cast<char*>(o.tls_client_ca_pem.c_str())});
    }
  }
  items.push_back({MHD_OPTION_END, 0, nullptr});
  front->daemon_ = MHD_start_daemon(flags, static_cast<uint16_t>(o.port), nullptr, nullptr,
                                    &HttpFrontCallbacks::Access, front.get(), MHD_OPTION_ARRAY,
                                    items.data(), MHD_OPTION_END);
  if (front->daemon_ == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot listen for ", o.name, " on ", host, ":",
                                               o.port, tls ? " (TLS: check the PEM files)" : ""));
  }
  const MHD_DaemonInfo* info = MHD_get_daemon_info(front->daemon_, MHD_DAEMON_INFO_BIND_PORT);
  front->port_ = info != nullptr ? info->port : o.port;
  return front;
}

HttpFront::~HttpFront() {
  if (daemon_ == nullptr) return;
  // Quiescing hands the listening socket back to us: MHD will not close it.
  if (const MHD_socket listener = MHD_quiesce_daemon(daemon_); listener != MHD_INVALID_SOCKET) {
    close(listener);
  }
  // Stopping with a parked request would free a connection its reply still writes to.
  while (owed_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  MHD_stop_daemon(daemon_);
}

}  // namespace ganserve
