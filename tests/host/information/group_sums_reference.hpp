// SPDX-License-Identifier: MIT
//! \file tests/host/information/group_sums_reference.hpp
//! A host evaluation of the group-sums contract (memlif/core/group_sums.hpp), for tests only: it
//! builds every replicate table as a ConditionCounts, exactly as the host estimators build theirs
//! (the same streams, shuffles and draws), and reduces it with the host's own building blocks
//! (compute_marginal, entropy_bits_from_counts, bayes_count, compute_plugin's SSS loop). The CPU
//! tests run the accelerated estimators on it against the host estimators; the GPU tests compare
//! the device's sums with it field by field.
#pragma once

#include "memlif/core/counts.hpp"
#include "memlif/core/group_sums.hpp"

#include <vector>

namespace memlif::test {

//! The replicate tables of a request, in group order (see group_sums.hpp for the numbering).
std::vector<ConditionCounts> reference_replicate_tables(const ConditionCounts& counts,
                                                        const GroupSumsRequest& request);

//! The group sums of a request on the host.
GroupSums reference_group_sums(const ConditionCounts& counts, const GroupSumsRequest& request);

} // namespace memlif::test
