// SPDX-License-Identifier: MIT
//! \file host/information/estimator_columns.hpp
//! Each estimator's outputs as named columns: one table (estimator_columns.cpp) says which
//! columns an estimator defines, their units and shapes, and where their values come from. The
//! analysis group of the run file is written from it (io/FORMAT.md, /analysis/<name>), so a column
//! exists in the file only for the estimators that define it.
#pragma once

#include "estimators.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace memlif {

//! Per condition (a scalar), per (condition, stimulus), or per (condition, flag).
enum class ColumnShape { condition, stimulus, flag };

struct ColumnSpec {
    std::string suffix; //!< dataset name after "<estimator>_", e.g. "mi_bit"
    const char* units;  //!< "bit", "bit/spike" or "1"
    ColumnShape shape;
    bool is_flag_byte = false; //!< uint8 values (flags), otherwise float64
};

//! Names of the flag columns, in the order of the `<est>_flags` second axis.
const std::vector<std::string>& flag_column_names();

//! The columns `kind` defines, in file order.
std::vector<ColumnSpec> estimator_columns(EstimatorKind kind);

//! One column's values for one condition: 1 value (condition), n_stimuli values (stimulus; NaN
//! where undefined) or flag_column_names().size() values (flag, 0/1).
std::vector<double> column_values(const EstimatorResult& e, const ColumnSpec& column,
                                  std::size_t n_stimuli);

} // namespace memlif
