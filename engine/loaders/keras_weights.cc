#include "engine/loaders/keras_weights.h"

#include <cctype>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "engine/status_context.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

std::string PathString(const std::vector<KerasLayerKey>& path) {
  std::vector<std::string> names;
  for (const auto& k : path) names.push_back(k.name);
  return absl::StrJoin(names, "/");
}

class LegacyH5Source : public KerasWeightSource {
 public:
  explicit LegacyH5Source(hid_t root) : root_(root) {}

  absl::StatusOr<std::vector<Tensor>> LayerWeights(
      const std::vector<KerasLayerKey>& path) const override {
    std::vector<Tensor> out;
    const std::string& top = path.front().name;
    if (!H5HasLink(root_, top)) return out;  // e.g. an InputLayer: no group at all
    GS_ASSIGN_OR_RETURN(H5Handle group, H5OpenGroup(root_, top));
    if (!H5HasAttr(group.get(), "weight_names")) return out;
    auto names = H5ReadStringListAttr(group.get(), "weight_names");
    if (!names.ok()) {
      return WithPrefix(absl::StrCat("weights of layer '", top, "'"), names.status());
    }
    for (const std::string& name : *names) {
      // Inside a nested model's group, a weight belongs to the layer named by
      // the component before the variable name: "dense_1/kernel:0",
      // "sequential/dense_1/kernel". Its order within the group is trainable
      // weights of every layer first, then all moving statistics; filtering
      // keeps each layer's own order.
      if (path.size() > 1) {
        std::vector<std::string> parts = absl::StrSplit(name, '/');
        if (parts.size() < 2 || parts[parts.size() - 2] != path.back().name) continue;
      }
      auto t = H5ReadFloatDataset(group.get(), name);
      if (!t.ok()) {
        return WithPrefix(absl::StrCat("weight '", name, "' of layer '", PathString(path), "'"),
                          t.status());
      }
      out.push_back(*std::move(t));
    }
    return out;
  }

 private:
  hid_t root_;
};

class KerasV3Source : public KerasWeightSource {
 public:
  KerasV3Source(hid_t root, std::string prefix) : root_(root), prefix_(std::move(prefix)) {}

  absl::StatusOr<std::vector<Tensor>> LayerWeights(
      const std::vector<KerasLayerKey>& path) const override {
    std::string group = "";
    for (const auto& key : path) group = absl::StrCat(group, prefix_, "/", key.zip_key, "/");
    group += "vars";
    std::vector<Tensor> out;
    if (!H5HasLink(root_, group)) return out;
    for (int i = 0;; ++i) {
      const std::string var = absl::StrCat(group, "/", i);
      if (!H5HasLink(root_, var)) break;
      auto t = H5ReadFloatDataset(root_, var);
      if (!t.ok()) {
        return WithPrefix(absl::StrCat("weight '", var, "' of layer '", PathString(path), "'"),
                          t.status());
      }
      out.push_back(*std::move(t));
    }
    return out;
  }

 private:
  hid_t root_;
  std::string prefix_;
};

}  // namespace

std::unique_ptr<KerasWeightSource> LegacyH5Weights(hid_t root) {
  return std::make_unique<LegacyH5Source>(root);
}

absl::StatusOr<std::unique_ptr<KerasWeightSource>> KerasV3Weights(hid_t root) {
  // Keras 3 names the tracked layer list "layers"; tf.keras 2.13's first
  // .keras writer used the checkpoint dependency name.
  for (const char* prefix : {"layers", "_layer_checkpoint_dependencies"}) {
    if (H5HasLink(root, prefix)) {
      return std::unique_ptr<KerasWeightSource>(std::make_unique<KerasV3Source>(root, prefix));
    }
  }
  return std::unique_ptr<KerasWeightSource>(std::make_unique<KerasV3Source>(root, "layers"));
}

std::string KerasSnakeCase(const std::string& class_name) {
  std::string name;
  for (char c : class_name) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') name += c;
  }
  // Rule 1: an underscore before every capitalised word ("Transpose" in
  // "Conv2DTranspose") that is not at the start.
  std::string step1;
  for (size_t i = 0; i < name.size(); ++i) {
    if (i > 0 && std::isupper(static_cast<unsigned char>(name[i])) && i + 1 < name.size() &&
        std::islower(static_cast<unsigned char>(name[i + 1]))) {
      step1 += '_';
    }
    step1 += name[i];
  }
  // Rule 2: an underscore between a lower-case letter and a capital.
  std::string step2;
  for (size_t i = 0; i < step1.size(); ++i) {
    if (i > 0 && std::islower(static_cast<unsigned char>(step1[i - 1])) &&
        std::isupper(static_cast<unsigned char>(step1[i]))) {
      step2 += '_';
    }
    step2 += static_cast<char>(std::tolower(static_cast<unsigned char>(step1[i])));
  }
  return step2;
}

}  // namespace ganserve
