// SPDX-License-Identifier: MIT
//! \file tests/cli/file_compare.hpp
//! Every dataset of an HDF5 file, read as raw bytes of its native type, so two files can be
//! compared dataset for dataset (shard + merge and MPI runs against the unsharded run).
#pragma once

#include "io/h5.hpp"

#include <map>
#include <string>
#include <vector>

namespace test {

//! Every dataset of a file: its absolute path -> (shape, raw bytes in the native type).
struct Dataset {
    std::vector<hsize_t> shape;
    std::string bytes;
};

inline herr_t visit_one(hid_t obj, const char* name, const H5O_info_t* info, void* data) {
    if (info->type != H5O_TYPE_DATASET) return 0;
    auto& out = *static_cast<std::map<std::string, Dataset>*>(data);
    const hid_t d = H5Dopen2(obj, name, H5P_DEFAULT);
    const hid_t ft = H5Dget_type(d);
    Dataset ds;
    if (H5Tget_class(ft) == H5T_STRING) { // /config_json: provenance, compared elsewhere
        ds.bytes = "<string>";
    } else {
        const hid_t mt = H5Tget_native_type(ft, H5T_DIR_ASCEND);
        const hid_t sp = H5Dget_space(d);
        const int rank = H5Sget_simple_extent_ndims(sp);
        ds.shape.resize(static_cast<std::size_t>(rank));
        H5Sget_simple_extent_dims(sp, ds.shape.data(), nullptr);
        const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(sp));
        ds.bytes.resize(n * H5Tget_size(mt));
        if (n > 0) H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, ds.bytes.data());
        H5Sclose(sp);
        H5Tclose(mt);
    }
    H5Tclose(ft);
    H5Dclose(d);
    out["/" + std::string(name)] = std::move(ds);
    return 0;
}

inline std::map<std::string, Dataset> datasets(const std::string& path) {
    memlif::io::h5::Handle f = memlif::io::h5::open_file(path, false);
    std::map<std::string, Dataset> out;
    H5Ovisit(f, H5_INDEX_NAME, H5_ITER_INC, visit_one, &out);
    return out;
}

//! Timing: not part of the result.
inline bool is_timing(const std::string& name) {
    return name.rfind("/runtime/", 0) == 0 || name == "/results/wall_s";
}

} // namespace test
