// Real embeddings from ../shared/data for tests. A missing file fails the
// test that asked for it (never a silent skip).
#pragma once

#include "datasets/fvecs.h"

namespace lake::testing {

using Matrix = datasets::FloatMatrix;

// Cohere multilingual Wikipedia embeddings: 1,000 x 768, not normalised.
Matrix LoadCohere768();
// SIFT descriptors: 5,000 x 128 integer-valued floats.
Matrix LoadSift5k();

}  // namespace lake::testing
