#include "engine/latent_interpolation.h"

#include <algorithm>
#include <cmath>

namespace ganserve {

std::vector<float> Slerp(const std::vector<float>& a, const std::vector<float>& b, double t) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += double{a[i]} * b[i];
    na += double{a[i]} * a[i];
    nb += double{b[i]} * b[i];
  }
  std::vector<float> out(a.size());
  const double cosine = (na > 0 && nb > 0) ? std::clamp(dot / std::sqrt(na * nb), -1.0, 1.0) : 1.0;
  const double omega = std::acos(cosine);
  double wa = 1 - t, wb = t;
  if (std::sin(omega) > 1e-6) {
    wa = std::sin((1 - t) * omega) / std::sin(omega);
    wb = std::sin(t * omega) / std::sin(omega);
  }
  for (size_t i = 0; i < a.size(); ++i) out[i] = static_cast<float>(wa * a[i] + wb * b[i]);
  return out;
}

std::vector<float> SlerpPath(const std::vector<float>& a, const std::vector<float>& b, int steps) {
  std::vector<float> path;
  for (int k = 0; k < steps; ++k) {
    const std::vector<float> point =
        Slerp(a, b, steps == 1 ? 0.0 : static_cast<double>(k) / (steps - 1));
    path.insert(path.end(), point.begin(), point.end());
  }
  return path;
}

}  // namespace ganserve
