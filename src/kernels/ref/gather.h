// Float32 reference kernel for GATHER: copies rows of `params` picked by `indices`.
//
//   lithe::ref::GatherGeometry g{batch, outer, axis_size, coords, inner};
//   lithe::ref::Gather(g, params, indices_int32, out);
//
// params is viewed as [batch, outer, axis_size, inner] and indices as [batch, coords]; the
// output is [batch, outer, coords, inner] with
//   out[b, o, i, :] = params[b, o, indices[b, i], :].
// An index outside [0, axis_size) gives a row of zeros (the op refuses such constant indices at
// Prepare; TensorFlow Lite fails the Invoke instead).
#pragma once

#include <cstdint>

namespace lithe::ref {

struct GatherGeometry {
  int64_t batch = 1;      // product of the leading batch_dims dims (shared by params and indices)
  int64_t outer = 1;      // params dims between batch_dims and axis
  int64_t axis_size = 0;  // params dim `axis`
  int64_t coords = 1;     // indices per batch
  int64_t inner = 1;      // params dims after axis
};

template <class Index>
void Gather(const GatherGeometry& g, const float* params, const Index* indices, float* out);

}  // namespace lithe::ref
