// Thin RAII wrappers over the HDF5 C API for what the Keras loader reads:
// string attributes (fixed- or variable-length, scalar or array), float
// datasets, and files opened from disk or from a memory image (.keras zips).
// HDF5's own error printing is silenced; every failure is an absl::Status.
#ifndef GANSERVE_ENGINE_LOADERS_KERAS_HDF5_H_
#define GANSERVE_ENGINE_LOADERS_KERAS_HDF5_H_

#include <hdf5.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/tensor.h"

namespace ganserve {

// Owns one hid_t and closes it with the matching H5*close.
class H5Handle {
 public:
  H5Handle() = default;
  explicit H5Handle(hid_t id) : id_(id) {}
  H5Handle(H5Handle&& other) noexcept : id_(other.id_) { other.id_ = -1; }
  H5Handle& operator=(H5Handle&& other) noexcept;
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;
  ~H5Handle() { Reset(); }

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  void Reset();
  hid_t id_ = -1;
};

class H5File {
 public:
  static absl::StatusOr<H5File> Open(const std::string& path);
  // `image` must outlive nothing: it is copied (see hdf5_memory_driver.h).
  static absl::StatusOr<H5File> OpenImage(const std::string& image, const std::string& label);

  hid_t root() const { return file_.get(); }
  const std::string& label() const { return label_; }

 private:
  H5File(H5Handle file, std::string label) : file_(std::move(file)), label_(std::move(label)) {}
  H5Handle file_;
  std::string label_;
};

bool H5HasAttr(hid_t object, const std::string& name);
bool H5HasLink(hid_t group, const std::string& path);

// Opens a group (or any object) by a path relative to `parent`.
absl::StatusOr<H5Handle> H5OpenGroup(hid_t parent, const std::string& path);

// A scalar string attribute (or a one-element string array).
absl::StatusOr<std::string> H5ReadStringAttr(hid_t object, const std::string& name);

// A string-array attribute; an empty numeric array (what Keras writes for a
// layer without weights) reads as an empty list.
absl::StatusOr<std::vector<std::string>> H5ReadStringListAttr(hid_t object,
                                                              const std::string& name);

// A floating-point dataset at `path` under `parent`, converted to float32.
absl::StatusOr<Tensor> H5ReadFloatDataset(hid_t parent, const std::string& path);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADERS_KERAS_HDF5_H_
