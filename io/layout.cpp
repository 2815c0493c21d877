// SPDX-License-Identifier: MIT
//! \file io/layout.cpp
#include "io/layout.hpp"

#include <stdexcept>

namespace memlif::io::layout {

namespace {

using A = Axis;
using S = Storage;
using T = Type;

} // namespace

const Dataset& Group::at(const std::string& name) const {
    for (const Dataset& d : datasets)
        if (name == d.name) return d;
    throw std::out_of_range(std::string("layout: no dataset '") + name + "' in " + path);
}

const Group& stimuli() {
    static const Group g{"/stimuli",
                         {
                             {"code", T::u16, {A::stimulus}, ""},
                             {"multiplicity", T::u32, {A::stimulus}, "1"},
                             {"n_input_spikes", T::u32, {A::stimulus}, "1"},
                             {"p_s", T::f64, {A::stimulus}, "1"},
                         }};
    return g;
}

const Group& axes() {
    static const Group g{"/axes",
                         {
                             {"conductance_S", T::f64, {A::condition, A::synapse}, "S"},
                             {"weight", T::f64, {A::condition, A::synapse}, "1"},
                             {"current_A", T::f64, {A::condition, A::synapse}, "A"},
                         }};
    return g;
}

const Group& counts() {
    static const Group g{"/counts",
                         {
                             {"condition", T::u32, {A::row}, "", S::extendible},
                             {"stimulus", T::u32, {A::row}, "", S::extendible},
                             {"word", T::u64, {A::row}, "", S::extendible},
                             {"count", T::u64, {A::row}, "1", S::extendible},
                             {"condition_row_start", T::u64, {A::condition}, ""},
                             {"condition_row_count", T::u64, {A::condition}, ""},
                         }};
    return g;
}

const Group& results() {
    static const Group g{
        "/results",
        {
            {"completed", T::u8, {A::condition}, ""},
            {"mutual_information_bit", T::f64, {A::condition}, "bit"},
            {"h_r_bit", T::f64, {A::condition}, "bit"},
            {"h_r_given_s_bit", T::f64, {A::condition}, "bit"},
            {"sss_bit", T::f64, {A::condition, A::stimulus}, "bit", S::row_chunks},
            {"sps_bit_per_spike", T::f64, {A::condition, A::stimulus}, "bit/spike", S::row_chunks},
            {"sps_rank", T::u32, {A::condition, A::stimulus}, "", S::row_chunks},
            {"sps_undefined", T::u8, {A::condition}, ""},
            {"n_trials", T::u64, {A::condition}, "1"},
            {"n_trials_per_stimulus", T::u64, {A::condition, A::stimulus}, "1", S::row_chunks},
            {"distinct_responses", T::u64, {A::condition}, "1"},
            {"distinct_responses_per_stimulus",
             T::u32,
             {A::condition, A::stimulus},
             "1",
             S::row_chunks},
            {"n_trials_simulated", T::u64, {A::condition}, "1"},
            {"mean_output_spikes", T::f64, {A::condition}, "1"},
            {"wall_s", T::f64, {A::condition}, "s"},
        }};
    return g;
}

const Group& trials() {
    static const Group g{"/trials",
                         {
                             {"condition", T::u32, {A::trial}, "", S::extendible},
                             {"stimulus", T::u32, {A::trial}, "", S::extendible},
                             {"repeat", T::u32, {A::trial}, "", S::extendible},
                             {"word", T::u64, {A::trial}, "", S::extendible},
                         }};
    return g;
}

const Group& runtime() {
    static const Group g{"/runtime",
                         {
                             {"wall_s", T::f64, {}, "s"},
                             {"trials_per_s", T::f64, {}, "1/s"},
                             {"n_trials", T::u64, {}, ""},
                             {"stage_wall_s", T::f64, {A::stage}, "s"},
                             {"stage_n_trials", T::u64, {A::stage}, "1"},
                         }};
    return g;
}

const std::vector<const Group*>& core_groups() {
    static const std::vector<const Group*> all = {&stimuli(), &axes(),   &counts(),
                                                  &results(), &trials(), &runtime()};
    return all;
}

namespace {

//! The datasets of a shard group: sparse rows of its units, sorted by (condition, stimulus,
//! word), and per-condition totals; `per` is the condition axis of the stage.
std::vector<Dataset> shard_datasets(Axis per) {
    return {
        {"condition", T::u32, {A::row}, "", S::extendible},
        {"stimulus", T::u32, {A::row}, "", S::extendible},
        {"word", T::u64, {A::row}, "", S::extendible},
        {"count", T::u64, {A::row}, "1", S::extendible},
        {"condition_row_start", T::u64, {per}, ""},
        {"condition_row_count", T::u64, {per}, ""},
        {"n_trials", T::u64, {per}, "1"},
        {"output_spikes", T::u64, {per}, "1"},
        {"wall_s", T::f64, {per}, "s"},
    };
}

} // namespace

const Group& shard_sweep() {
    static const Group g{"/shard/sweep", shard_datasets(A::condition)};
    return g;
}

const Group& shard_ground_truth() {
    static const Group g{"/shard/ground_truth", shard_datasets(A::rerun)};
    return g;
}

const std::vector<const Group*>& shard_groups() {
    static const std::vector<const Group*> all = {&shard_sweep(), &shard_ground_truth()};
    return all;
}

const char* axis_name(Axis a) {
    switch (a) {
    case A::condition:
        return "condition";
    case A::stimulus:
        return "stimulus";
    case A::synapse:
        return "synapse";
    case A::row:
        return "row";
    case A::trial:
        return "trial";
    case A::stage:
        return "stage";
    case A::rerun:
        return "rerun";
    }
    return "?";
}

std::vector<std::string> axis_names(const Dataset& d) {
    std::vector<std::string> names;
    for (Axis a : d.axes) names.push_back(axis_name(a));
    return names;
}

const char* type_name(Type t) {
    switch (t) {
    case T::u8:
        return "uint8";
    case T::u16:
        return "uint16";
    case T::u32:
        return "uint32";
    case T::u64:
        return "uint64";
    case T::f64:
        return "float64";
    }
    return "?";
}

std::string shape_text(const Dataset& d) {
    if (d.axes.empty()) return std::string(type_name(d.type)) + " scalar";
    const auto extent = [](Axis a) -> const char* {
        switch (a) {
        case A::condition:
            return "n_g";
        case A::stimulus:
            return "n_s";
        case A::synapse:
            return "4";
        case A::row:
            return "m";
        case A::trial:
            return "n";
        case A::stage:
            return "n_stages";
        case A::rerun:
            return "k";
        }
        return "?";
    };
    std::string s = std::string(type_name(d.type)) + "[";
    for (std::size_t i = 0; i < d.axes.size(); ++i)
        s += (i ? ", " : "") + std::string(extent(d.axes[i]));
    return s + "]";
}

} // namespace memlif::io::layout
