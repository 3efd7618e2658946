#include "tests/client/test_certificates.h"

#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace ganserve::testing {
namespace {

absl::Status Run(const std::filesystem::path& dir, const std::string& command) {
  const std::string line =
      absl::StrCat("cd '", dir.string(), "' && ", command, " >>openssl.log 2>&1");
  if (std::system(line.c_str()) != 0) {
    return absl::InternalError(
        absl::StrCat("openssl failed: ", command, " (see ", (dir / "openssl.log").string(), ")"));
  }
  return absl::OkStatus();
}

absl::Status MakeCa(const std::filesystem::path& dir, const std::string& name) {
  return Run(dir, absl::StrCat("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=", name,
                               " -keyout ", name, ".key -out ", name, ".pem"));
}

// A key and a certificate for `name` signed by `ca`, valid for `days` (< 0: expired).
absl::Status MakeLeaf(const std::filesystem::path& dir, const std::string& name,
                      const std::string& ca, int days, const std::string& extensions) {
  if (absl::Status s = Run(dir, absl::StrCat("openssl req -newkey rsa:2048 -nodes -subj /CN=", name,
                                             " -keyout ", name, ".key -out ", name, ".csr"));
      !s.ok()) {
    return s;
  }
  return Run(dir, absl::StrCat("openssl x509 -req -in ", name, ".csr -CA ", ca, ".pem -CAkey ", ca,
                               ".key -CAcreateserial -days ", days, " -extfile ", extensions,
                               " -out ", name, ".pem"));
}

}  // namespace

absl::Status MakeTestCertificates(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "server.ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                    << "extendedKeyUsage=serverAuth\n";
  std::ofstream(dir / "client.ext") << "extendedKeyUsage=clientAuth\n";
  for (const auto& status :
       {MakeCa(dir, "ca"), MakeCa(dir, "other_ca"), MakeLeaf(dir, "server", "ca", 2, "server.ext"),
        MakeLeaf(dir, "client", "ca", 2, "client.ext"),
        MakeLeaf(dir, "stranger", "other_ca", 2, "client.ext"),
        MakeLeaf(dir, "expired", "ca", -1, "client.ext")}) {
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace ganserve::testing
