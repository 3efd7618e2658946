// Plain HTTP requests to an in-process server for the HTTP front's tests
// (cpp-httplib's client), and raw sockets that connect and say nothing.
#ifndef GANSERVE_TESTS_SERVER_HTTP_CLIENT_H_
#define GANSERVE_TESTS_SERVER_HTTP_CLIENT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "httplib.h"

namespace ganserve::testing {

struct HttpAnswer {
  int status = -1;  // -1: no answer
  std::string body;
  httplib::Headers headers;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

inline HttpAnswer ToAnswer(const httplib::Result& result) {
  HttpAnswer answer;
  if (!result) return answer;
  answer.status = result->status;
  answer.body = result->body;
  answer.headers = result->headers;
  return answer;
}

inline httplib::Client HttpClient(int port, const std::string& host = "127.0.0.1") {
  httplib::Client client(host, port);
  client.set_connection_timeout(5);
  client.set_read_timeout(30);
  return client;
}

inline HttpAnswer HttpGet(int port, const std::string& path, const httplib::Headers& headers = {}) {
  auto client = HttpClient(port);
  return ToAnswer(client.Get(path.c_str(), headers));
}

inline HttpAnswer HttpPost(int port, const std::string& path, const std::string& body,
                           const httplib::Headers& headers = {}) {
  auto client = HttpClient(port);
  return ToAnswer(client.Post(path.c_str(), headers, body, "application/json"));
}

// Opens `count` TCP connections to host:port that send nothing; -1 entries
// are connections that failed.
inline std::vector<int> IdleConnections(int port, int count, const char* host = "127.0.0.1") {
  std::vector<int> sockets;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, host, &address.sin_addr);
  for (int i = 0; i < count; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      ::close(fd);
      fd = -1;
    }
    sockets.push_back(fd);
  }
  return sockets;
}

inline void CloseAll(const std::vector<int>& sockets) {
  for (int fd : sockets) {
    if (fd >= 0) ::close(fd);
  }
}

}  // namespace ganserve::testing

#endif  // GANSERVE_TESTS_SERVER_HTTP_CLIENT_H_
