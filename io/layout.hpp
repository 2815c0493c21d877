// SPDX-License-Identifier: MIT
//! \file io/layout.hpp
//! The datasets of each memlif-run group, written once: name, element type, shape (named axes),
//! units and storage. The writer creates the groups from these tables, the reader checks a file
//! against them before trusting it, and a test checks io/FORMAT.md against them, so the format
//! document, the writer and the reader cannot drift apart.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace memlif::io::layout {

enum class Type { u8, u16, u32, u64, f64 };

//! The named axes of the format (FORMAT.md, "Axes"). `row` and `trial` are extendible.
enum class Axis { condition, stimulus, synapse, row, trial, stage, rerun };

//! How a dataset is stored.
enum class Storage {
    contiguous, //!< written whole at creation (NaN / 0 until its rows are filled)
    row_chunks, //!< [n_conditions, n_stimuli] chunked one condition row per chunk, fill NaN / 0
    extendible, //!< first dimension H5S_UNLIMITED, chunked, shuffle + deflate
};

struct Dataset {
    const char* name; //!< relative to the group
    Type type;
    std::vector<Axis> axes; //!< slowest first; empty = scalar
    const char* units;      //!< "" = no units attribute (bit patterns, indices, flags)
    Storage storage = Storage::contiguous;
};

struct Group {
    const char* path; //!< absolute, e.g. "/results"
    std::vector<Dataset> datasets;
    //! The dataset of that name (std::out_of_range if absent).
    const Dataset& at(const std::string& name) const;
};

const Group& stimuli();
const Group& axes();
const Group& counts();
const Group& results();
const Group& trials();
const Group& runtime();

//! Every core group, in file order.
const std::vector<const Group*>& core_groups();

// The groups of a shard file (`memlif-shard`, FORMAT.md "Shard files"): the sparse counts of
// the shard's part of the MI sweep and of the ground-truth reruns.
const Group& shard_sweep();
const Group& shard_ground_truth();
//! Both shard groups, in file order.
const std::vector<const Group*>& shard_groups();

const char* axis_name(Axis a);
//! The names of a dataset's axes, in order (its `axes` attribute).
std::vector<std::string> axis_names(const Dataset& d);
//! "uint8" ... "float64", as FORMAT.md writes them.
const char* type_name(Type t);
//! FORMAT.md's notation of a dataset: e.g. "float64[n_g, n_s]", "uint64[m]", "float64 scalar".
std::string shape_text(const Dataset& d);

} // namespace memlif::io::layout
