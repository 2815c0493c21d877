// SPDX-License-Identifier: MIT
//! \file io/kind_layout.hpp
//! The groups written by the device experiment kinds (/iv_sweep, /pulse_cycles, /rate_rule,
//! /theta_burst) and by the theta-burst ladder of an MI sweep (/analysis/ladder), written once:
//! each dataset's name, element type, named axes and units. The writer (io/kind_file.hpp) refuses
//! a dataset the table does not hold or one of another type or size, and a test checks
//! io/FORMAT.md against these tables, as io/layout.hpp does for the core groups.
#pragma once

#include "io/layout.hpp"

#include <string>
#include <vector>

namespace memlif::io::kind_layout {

struct Dataset {
    const char* name;
    layout::Type type;
    std::vector<const char*> axes; //!< slowest first; the extent of axis `a` is n_<a>
    const char* units;             //!< "" = no units attribute (indices, flags, codes)
};

struct Group {
    const char* path; //!< absolute, e.g. "/pulse_cycles"
    const char* kind; //!< experiment_kind of the files that hold it ("mi_sweep" for the ladder)
    std::vector<Dataset> datasets;
    //! The dataset of that name (std::out_of_range if absent).
    const Dataset& at(const std::string& name) const;
};

const Group& iv_sweep();
const Group& pulse_cycles();
const Group& rate_rule();
const Group& theta_burst();
const Group& ladder();
//! /analysis/synapse_physics: the noise axis and plasticity switch of an MI sweep
const Group& synapse_physics();

//! Every group of this table, in the order above.
const std::vector<const Group*>& kind_groups();

//! FORMAT.md's notation: e.g. "float64[n_device, n_pulse]", "uint8[n_pulse]".
std::string shape_text(const Dataset& d);

} // namespace memlif::io::kind_layout
