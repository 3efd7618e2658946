// Spherical interpolation between two latents: for Gaussian latents the
// points keep a typical norm, unlike a straight line whose middle falls
// into the low-density centre (White, "Sampling Generative Networks", 2016).
#ifndef GANSERVE_ENGINE_LATENT_INTERPOLATION_H_
#define GANSERVE_ENGINE_LATENT_INTERPOLATION_H_

#include <vector>

namespace ganserve {

// The point at t in [0, 1]; a and b must have the same size. Falls back to
// a straight line when a and b are (anti)parallel or zero.
std::vector<float> Slerp(const std::vector<float>& a, const std::vector<float>& b, double t);

// `steps` >= 2 points from a to b inclusive, row-major.
std::vector<float> SlerpPath(const std::vector<float>& a, const std::vector<float>& b, int steps);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LATENT_INTERPOLATION_H_
