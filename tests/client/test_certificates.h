// A throwaway PKI made with the openssl command line when a test runs (no
// key is ever committed): two CAs, a server certificate for 127.0.0.1 and
// localhost, and client certificates that are good, from the other CA, or
// expired.
#ifndef GANSERVE_TESTS_CLIENT_TEST_CERTIFICATES_H_
#define GANSERVE_TESTS_CLIENT_TEST_CERTIFICATES_H_

#include <filesystem>
#include <string>

#include "absl/status/status.h"

namespace ganserve::testing {

// Writes into `dir`: ca.pem; other_ca.pem; server.pem + server.key (by ca);
// client.pem + client.key (by ca); stranger.pem + stranger.key (by other_ca);
// expired.pem + expired.key (by ca, validity ended a day ago).
absl::Status MakeTestCertificates(const std::filesystem::path& dir);

}  // namespace ganserve::testing

#endif  // GANSERVE_TESTS_CLIENT_TEST_CERTIFICATES_H_
