// The official ONNX backend node tests (Debian's libonnx-testdata) for the
// ops the loader supports: one ctest case per test directory. Each loads
// model.onnx, feeds test_data_set_*/input_*.pb and compares both executors
// with output_*.pb. Graph inputs that the op needs as constant weights (a
// Conv's W and B, a Reshape's shape...) are turned into initializers from
// their input pb, as an exporter would have stored them. Cases the engine
// cannot run must be refused with an error (never a crash or a wrong
// answer); the list of them, with the reason, is in engine/loaders/ONNX.md.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/loaders/onnx_loader.h"
#include "gtest/gtest.h"
#include "onnx/onnx_pb.h"
#include "tests/engine/npy_test_util.h"
#include "tests/engine/onnx_test_util.h"

namespace ganserve {
namespace {

namespace fs = std::filesystem;

constexpr char kNodeTestDir[] = "/usr/share/libonnx-testdata/data/node";

// Test directories (exact names, or prefixes ending in '*') that exercise
// the supported ops.
constexpr const char* kSelected[] = {
    "test_conv_*",       "test_basic_conv_with*", "test_convtranspose*", "test_resize_*",
    "test_upsample_*",   "test_gemm_*",           "test_matmul_2d",      "test_batchnorm_*",
    "test_relu",         "test_leakyrelu*",       "test_elu*",           "test_selu*",
    "test_sigmoid*",     "test_tanh*",            "test_softplus*",      "test_concat_*",
    "test_reshape_*",    "test_gather_0",         "test_flatten*",       "test_unsqueeze*",
    "test_squeeze*",     "test_identity",         "test_dropout_*",      "test_add",
    "test_add_bcast",    "test_sub",              "test_sub_bcast",      "test_mul",
    "test_mul_bcast",    "test_div",              "test_div_bcast",
};

// Cases the engine refuses, and why. The test checks the refusal is an
// error status; everything not listed here must match the expected output.
const std::map<std::string, std::string>& Refused() {
  static const auto* kRefused = new std::map<std::string, std::string>{
      {"batch", "operates on or across axis 0, which the engine serves as the free batch axis"},
      {"rank", "not a 4-D image for a spatial op (1-D or 3-D convolution/resize)"},
      {"cubic", "cubic interpolation is not supported"},
      {"resize", "Resize mode/coordinate transformation not in the supported 2-D set"},
      {"training", "BatchNormalization training_mode=1 (not inference)"},
      {"transA", "Gemm transA transposes across the batch axis"},
      {"mask", "Dropout's mask output is used"},
  };
  return *kRefused;
}

// Test name -> key in Refused().
const std::map<std::string, std::string>& RefusedCases() {
  static const auto* kCases = new std::map<std::string, std::string>{};
  return *kCases;
}

bool Selected(const std::string& name) {
  for (std::string pattern : kSelected) {
    if (pattern.back() == '*') {
      pattern.pop_back();
      if (name.rfind(pattern, 0) == 0) return true;
    } else if (name == pattern) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> NodeTests() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kNodeTestDir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && Selected(name)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  if (names.empty()) names.push_back("missing_libonnx_testdata");
  return names;
}

// Which inputs of an op are weights that an exporter stores as
// initializers; the rest are fed at run time.
bool IsWeightInput(const onnx::NodeProto& node, int i, const onnx::GraphProto& graph) {
  const std::string& op = node.op_type();
  if (op == "Conv" || op == "ConvTranspose" || op == "Gemm" || op == "MatMul" ||
      op == "BatchNormalization" || op == "Reshape" || op == "Resize" || op == "Upsample" ||
      op == "Squeeze" || op == "Unsqueeze") {
    return i >= 1;
  }
  if (op == "Gather") return i == 0;  // the embedding table
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    // A broadcast operand is a constant bias or scale.
    auto rank = [&](const std::string& name) {
      for (const auto& in : graph.input())
        if (in.name() == name) return in.type().tensor_type().shape().dim_size();
      return -1;
    };
    return i == 1 && rank(node.input(0)) != rank(node.input(1));
  }
  return false;
}

absl::StatusOr<onnx::TensorProto> ReadTensorPb(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  onnx::TensorProto t;
  if (!in || !t.ParseFromIstream(&in)) return absl::NotFoundError("cannot read " + path);
  return t;
}

// A float or integer TensorProto as a float Tensor, decoded here rather than
// by the loader so the expected values do not go through the code under test.
absl::StatusOr<Tensor> ToTensor(const onnx::TensorProto& t) {
  Dims dims(t.dims().begin(), t.dims().end());
  Tensor out(dims);
  const std::string& raw = t.raw_data();
  for (int64_t i = 0; i < out.size(); ++i) {
    switch (t.data_type()) {
      case onnx::TensorProto::FLOAT: {
        float v;
        if (raw.empty()) {
          v = t.float_data(i);
        } else {
          std::memcpy(&v, raw.data() + 4 * i, 4);
        }
        out.data[i] = v;
        break;
      }
      case onnx::TensorProto::INT64: {
        int64_t v;
        if (raw.empty()) {
          v = t.int64_data(i);
        } else {
          std::memcpy(&v, raw.data() + 8 * i, 8);
        }
        out.data[i] = static_cast<float>(v);
        break;
      }
      default:
        return absl::UnimplementedError("element type " + std::to_string(t.data_type()));
    }
  }
  return out;
}

struct Case {
  absl::StatusOr<LoadedModel> model;
  std::vector<Tensor> inputs;
  Tensor expected;
};

// Loads the test's model with its weight inputs made initializers.
absl::StatusOr<Case> LoadCase(const std::string& dir) {
  onnx::ModelProto proto;
  {
    std::ifstream in(dir + "/model.onnx", std::ios::binary);
    if (!in || !proto.ParseFromIstream(&in)) return absl::NotFoundError("cannot read model.onnx");
  }
  onnx::GraphProto& graph = *proto.mutable_graph();
  std::set<std::string> weights;
  for (const auto& node : graph.node()) {
    for (int i = 0; i < node.input_size(); ++i) {
      if (IsWeightInput(node, i, graph)) weights.insert(node.input(i));
    }
  }
  const std::string data = dir + "/test_data_set_0/";
  Case c;
  for (int i = 0; i < graph.input_size(); ++i) {
    auto t = ReadTensorPb(data + "input_" + std::to_string(i) + ".pb");
    if (!t.ok()) return t.status();
    if (weights.count(graph.input(i).name())) {
      t->set_name(graph.input(i).name());
      *graph.add_initializer() = *t;
    } else {
      auto tensor = ToTensor(*t);
      if (!tensor.ok()) return tensor.status();
      c.inputs.push_back(*std::move(tensor));
    }
  }
  auto out = ReadTensorPb(data + "output_0.pb");
  if (!out.ok()) return out.status();
  auto expected = ToTensor(*out);
  if (!expected.ok()) return expected.status();
  c.expected = *std::move(expected);
  c.model = LoadOnnxModelFromBytes(proto.SerializeAsString());
  return c;
}

class OnnxBackendNode : public ::testing::TestWithParam<std::string> {};

TEST_P(OnnxBackendNode, MatchesExpectedOutputOrIsRefused) {
  const std::string dir = std::string(kNodeTestDir) + "/" + GetParam();
  if (!fs::exists(dir)) GTEST_SKIP() << kNodeTestDir << " is absent (libonnx-testdata)";
  auto c = LoadCase(dir);
  ASSERT_TRUE(c.ok()) << c.status();
  const auto refused = RefusedCases().find(GetParam());
  std::vector<absl::Status> failures;
  for (ExecutorKind kind : {ExecutorKind::kReference, ExecutorKind::kOneDnn}) {
    SCOPED_TRACE(kind == ExecutorKind::kOneDnn ? "onednn" : "reference");
    absl::StatusOr<Tensor> out =
        c->model.ok() ? RunLoaded(*c->model, c->inputs, kind) : c->model.status();
    if (refused != RefusedCases().end()) {
      EXPECT_FALSE(out.ok()) << "listed as refused (" << Refused().at(refused->second)
                             << ") but ran";
      continue;
    }
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(out->shape, c->expected.shape);
    EXPECT_LT(RelativeError(*out, c->expected), 1e-4);
  }
}

INSTANTIATE_TEST_SUITE_P(Onnx, OnnxBackendNode, ::testing::ValuesIn(NodeTests()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ganserve
