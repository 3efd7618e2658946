#include "engine/loaders/keras_zip.h"

#include <zip.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace ganserve {
namespace {

// A weights file bigger than this is not a generator we serve.
constexpr zip_uint64_t kMaxMemberBytes = zip_uint64_t{2} << 30;

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

}  // namespace

absl::StatusOr<std::map<std::string, std::string>> ReadZipMembers(
    const std::string& path, const std::vector<std::string>& names) {
  int err = 0;
  std::unique_ptr<zip_t, ZipCloser> archive(
      zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &err));
  if (!archive) {
    zip_error_t error;
    zip_error_init_with_code(&error, err);
    std::string message = zip_error_strerror(&error);
    zip_error_fini(&error);
    return absl::DataLossError(
        absl::StrCat(path, ": not a readable .keras zip archive (", message, ")"));
  }
  std::map<std::string, std::string> members;
  for (const std::string& name : names) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat(archive.get(), name.c_str(), 0, &st) != 0) {
      return absl::NotFoundError(absl::StrCat(path, ": the archive has no ", name));
    }
    if (!(st.valid & ZIP_STAT_SIZE) || st.size > kMaxMemberBytes) {
      return absl::DataLossError(absl::StrCat(path, ": ", name, " has an implausible size"));
    }
    std::unique_ptr<zip_file_t, ZipFileCloser> file(zip_fopen(archive.get(), name.c_str(), 0));
    if (!file) {
      return absl::DataLossError(absl::StrCat(path, ": cannot open ", name, " in the archive (",
                                              zip_strerror(archive.get()), ")"));
    }
    std::string data(st.size, '\0');
    zip_uint64_t done = 0;
    while (done < st.size) {
      const zip_int64_t got = zip_fread(file.get(), data.data() + done, st.size - done);
      if (got <= 0) {
        return absl::DataLossError(
            absl::StrCat(path, ": ", name, " is truncated or corrupt in the archive"));
      }
      done += got;
    }
    members[name] = std::move(data);
  }
  return members;
}

}  // namespace ganserve
