// Loads a Keras generator saved by model.save(): legacy HDF5 (.h5 / .hdf5,
// multi-backend Keras 2.1-2.3, tf.keras 2.x, Keras 3) or a Keras v3 .keras
// zip. See KERAS.md for the dialects handled and how each is recognised.
#ifndef GANSERVE_ENGINE_LOADERS_KERAS_LOADER_H_
#define GANSERVE_ENGINE_LOADERS_KERAS_LOADER_H_

#include <string>

#include "absl/status/statusor.h"
#include "engine/loaders/keras_layer_builders.h"
#include "engine/loaders/loaded_model.h"
#include "engine/ops/upsampling2d.h"

namespace ganserve {

// Never throws and never prints; every refusal names what is wrong.
absl::StatusOr<LoadedModel> LoadKerasModel(const std::string& path);

// The bilinear UpSampling2D convention of the Keras that saved a file, from
// its keras_version attribute (see KERAS.md for the sources).
CoordinateMode KerasBilinearMode(const std::string& keras_version);
// Everything the saving Keras's version changes (the above, hard_sigmoid).
KerasDialect KerasDialectOf(const std::string& keras_version);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADERS_KERAS_LOADER_H_
