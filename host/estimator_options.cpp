// SPDX-License-Identifier: MIT
//! \file host/estimator_options.cpp
#include "estimator_options.hpp"

#include "memlif/core/errors.hpp"

#include <set>

namespace memlif {

using nlohmann::json;

namespace {

const json& field(const json& section, const std::string& path, const std::string& key) {
    const json* j = &section;
    std::string prefix = "information";
    std::size_t start = 0;
    while (true) {
        const auto dot = path.find('.', start);
        const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        prefix += "." + part;
        if (!j->is_object() || !j->contains(part)) throw ConfigError(prefix + ": missing");
        j = &j->at(part);
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    (void)key;
    return *j;
}

std::string text(const json& section, const std::string& path) {
    const json& v = field(section, path, path);
    if (!v.is_string()) throw ConfigError("information." + path + ": expected a string, got " + v.dump());
    return v.get<std::string>();
}

std::uint32_t count(const json& section, const std::string& path) {
    const json& v = field(section, path, path);
    if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() > 100000000)
        throw ConfigError("information." + path + ": expected an integer in [1, 1e8], got " + v.dump());
    return v.get<std::uint32_t>();
}

//! Runs a string parser and turns its std::invalid_argument into a ConfigError naming the key.
template <class F> auto parsed(const json& section, const std::string& path, F parse) {
    const std::string value = text(section, path);
    try {
        return parse(value);
    } catch (const std::invalid_argument& e) {
        throw ConfigError("information." + path + ": " + e.what());
    }
}

} // namespace

EstimatorOptions estimator_options_from_card(const json& information, std::uint64_t seed) {
    EstimatorOptions o;
    const json& est = field(information, "estimators", "estimators");
    if (!est.is_array() || est.empty())
        throw ConfigError("information.estimators: expected a non-empty list of names");
    o.estimators.clear();
    std::set<std::string> seen;
    for (std::size_t i = 0; i < est.size(); ++i) {
        const std::string key = "information.estimators[" + std::to_string(i) + "]";
        if (!est[i].is_string()) throw ConfigError(key + ": expected a string, got " + est[i].dump());
        const std::string name = est[i].get<std::string>();
        try {
            o.estimators.push_back(estimator_name(parse_estimator_name(name)));
        } catch (const std::invalid_argument& e) {
            throw ConfigError(key + ": " + e.what());
        }
        if (!seen.insert(o.estimators.back()).second) throw ConfigError(key + ": \"" + name + "\" is listed twice");
    }
    const json& rtot = field(information, "pt_rtot", "pt_rtot");
    try {
        o.pt_rtot = parse_rtot(rtot.is_string() ? rtot.get<std::string>() : rtot.dump());
    } catch (const std::invalid_argument& e) {
        throw ConfigError(std::string("information.pt_rtot: ") + e.what());
    }
    o.seed = seed;
    o.qe_partition = parsed(information, "qe.partition", parse_qe_partition);
    o.qe_target = parsed(information, "qe.target", parse_qe_target);
    o.qe_inner = parsed(information, "qe.inner", parse_inner_estimator);
    o.qe_replicates = count(information, "qe.replicates");
    o.small_sample = parsed(information, "qe.small_sample", parse_small_sample_policy);
    o.sh_inner = parsed(information, "sh.inner", parse_inner_estimator);
    o.sh_replicates = count(information, "sh.replicates");
    o.null_estimator = parsed(information, "null.estimator", parse_point_estimator);
    o.null_replicates = count(information, "null.replicates");
    o.bootstrap_estimator = parsed(information, "bootstrap.estimator", parse_point_estimator);
    o.bootstrap_replicates = count(information, "bootstrap.replicates");
    const json& conf = field(information, "bootstrap.confidence", "");
    if (!conf.is_number() || !(conf.get<double>() > 0 && conf.get<double>() < 1))
        throw ConfigError("information.bootstrap.confidence: expected a number in (0, 1), got " + conf.dump());
    o.bootstrap_confidence = conf.get<double>();
    try {
        validate_estimator_options(o);
    } catch (const std::invalid_argument& e) {
        throw ConfigError(std::string("information: ") + e.what());
    }
    return o;
}

} // namespace memlif
