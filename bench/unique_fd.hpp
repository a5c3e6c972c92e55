// The bench tools' descriptor owner is the project's (common/unique_fd.hpp, header-only, so
// the tools still link no project library).
#pragma once

#include "../common/unique_fd.hpp"

namespace nt::bench {

using nt::UniqueFd;

}  // namespace nt::bench
