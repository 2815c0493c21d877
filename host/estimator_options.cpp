// SPDX-License-Identifier: MIT
//! \file host/estimator_options.cpp
#include "estimator_options.hpp"

#include "memlif/core/errors.hpp"

#include <set>

namespace memlif {

EstimatorOptions estimator_options_from(const InformationCard& info, std::uint64_t seed) {
    EstimatorOptions o;
    o.estimators.clear();
    std::set<std::string> seen;
    for (std::size_t i = 0; i < info.estimators.size(); ++i) {
        const std::string key = "information.estimators[" + std::to_string(i) + "]";
        const std::string& name = info.estimators[i];
        try {
            o.estimators.push_back(estimator_name(parse_estimator_name(name)));
        } catch (const std::invalid_argument& e) {
            throw ConfigError(key + ": " + e.what());
        }
        if (!seen.insert(o.estimators.back()).second)
            throw ConfigError(key + ": \"" + name + "\" is listed twice");
    }
    try {
        const auto& r = info.pt_rtot;
        o.pt_rtot = parse_rtot(r.is_string() ? r.get<std::string>() : r.dump());
    } catch (const std::invalid_argument& e) {
        throw ConfigError(std::string("information.pt_rtot: ") + e.what());
    }
    // The option strings were checked against their allowed values when the section was read.
    o.seed = seed;
    o.qe_partition = parse_qe_partition(info.qe.partition);
    o.qe_target = parse_qe_target(info.qe.target);
    o.qe_inner = parse_inner_estimator(info.qe.inner);
    o.qe_replicates = info.qe.replicates;
    o.small_sample = parse_small_sample_policy(info.qe.small_sample);
    o.sh_inner = parse_inner_estimator(info.sh.inner);
    o.sh_replicates = info.sh.replicates;
    o.null_estimator = parse_point_estimator(info.null.estimator);
    o.null_replicates = info.null.replicates;
    o.bootstrap_estimator = parse_point_estimator(info.bootstrap.estimator);
    o.bootstrap_replicates = info.bootstrap.replicates;
    o.bootstrap_confidence = info.bootstrap.confidence;
    try {
        validate_estimator_options(o);
    } catch (const std::invalid_argument& e) {
        throw ConfigError(std::string("information: ") + e.what());
    }
    return o;
}

} // namespace memlif
