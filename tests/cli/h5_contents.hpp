// SPDX-License-Identifier: MIT
//! \file tests/cli/h5_contents.hpp
//! Everything an HDF5 file holds, as comparable values: each dataset's type, shape and values and
//! each attribute's, keyed "/path" and "/path@attr". Written on the raw C API, independently of
//! the reader under test. Two runs are "identical" when these maps are equal except for the keys
//! that hold a time (the exclusions of io/FORMAT.md, "Completeness and crash semantics").
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace memlif::cli_test {

namespace detail {

inline std::string type_text(hid_t type) {
    const H5T_class_t c = H5Tget_class(type);
    std::string s = std::to_string(static_cast<int>(c)) + ":" + std::to_string(H5Tget_size(type));
    if (c == H5T_INTEGER) s += H5Tget_sign(type) == H5T_SGN_2 ? "s" : "u";
    if (c == H5T_STRING) s += H5Tis_variable_str(type) > 0 ? "v" : "f";
    return s;
}

inline std::string shape_text(hid_t space) {
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dims(rank > 0 ? rank : 0);
    if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    std::string s = "[";
    for (hsize_t d : dims) s += std::to_string(d) + ",";
    return s + "]";
}

//! The values of a dataset (is_attr false) or attribute as bytes; strings as their text.
inline std::string values(hid_t obj, bool is_attr) {
    const hid_t type = is_attr ? H5Aget_type(obj) : H5Dget_type(obj);
    const hid_t space = is_attr ? H5Aget_space(obj) : H5Dget_space(obj);
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    std::string out = type_text(type) + shape_text(space) + "=";
    if (H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) > 0) {
        std::vector<char*> p(static_cast<std::size_t>(n), nullptr);
        const hid_t mem = H5Tcopy(H5T_C_S1);
        H5Tset_size(mem, H5T_VARIABLE);
        H5Tset_cset(mem, H5Tget_cset(type));
        if (n > 0) {
            if (is_attr)
                H5Aread(obj, mem, p.data());
            else
                H5Dread(obj, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data());
        }
        for (char* c : p) {
            out += c ? std::string(c) : std::string("<null>");
            out += '\0';
        }
        if (n > 0) H5Dvlen_reclaim(mem, space, H5P_DEFAULT, p.data());
        H5Tclose(mem);
    } else {
        const hid_t mem = H5Tget_class(type) == H5T_STRING
                              ? H5Tcopy(type)
                              : H5Tget_native_type(type, H5T_DIR_DEFAULT);
        std::string buf(static_cast<std::size_t>(n) * H5Tget_size(mem), '\0');
        if (n > 0) {
            if (is_attr)
                H5Aread(obj, mem, buf.data());
            else
                H5Dread(obj, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data());
        }
        out += buf;
        H5Tclose(mem);
    }
    H5Sclose(space);
    H5Tclose(type);
    return out;
}

struct Visit {
    hid_t file;
    std::map<std::string, std::string>* out;
};

inline herr_t on_attr(hid_t loc, const char* name, const H5A_info_t*, void* data) {
    auto* v = static_cast<std::pair<std::string, std::map<std::string, std::string>*>*>(data);
    const hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    (*v->second)[v->first + "@" + name] = values(a, true);
    H5Aclose(a);
    return 0;
}

inline herr_t on_object(hid_t root, const char* name, const H5O_info_t* info, void* data) {
    auto* v = static_cast<Visit*>(data);
    const std::string path = std::string("/") + (std::string(name) == "." ? "" : name);
    const hid_t obj = H5Oopen(root, name, H5P_DEFAULT);
    std::pair<std::string, std::map<std::string, std::string>*> ctx{path, v->out};
    hsize_t idx = 0;
    H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, on_attr, &ctx);
    if (info->type == H5O_TYPE_DATASET)
        (*v->out)[path] = values(obj, false);
    else
        (*v->out)[path] = "group";
    H5Oclose(obj);
    return 0;
}

} // namespace detail

//! The contents of `path` (empty if it cannot be opened), without the keys in `excluded`; a key
//! ending in '*' excludes every key with that prefix.
inline std::map<std::string, std::string> h5_contents(const std::string& path,
                                                      const std::set<std::string>& excluded = {}) {
    std::map<std::string, std::string> out;
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return out;
    detail::Visit v{f, &out};
    H5Ovisit(f, H5_INDEX_NAME, H5_ITER_INC, detail::on_object, &v);
    H5Fclose(f);
    for (auto it = out.begin(); it != out.end();) {
        bool drop = excluded.count(it->first) > 0;
        for (const std::string& e : excluded)
            if (!e.empty() && e.back() == '*' &&
                it->first.compare(0, e.size() - 1, e, 0, e.size() - 1) == 0)
                drop = true;
        it = drop ? out.erase(it) : std::next(it);
    }
    return out;
}

//! The keys that hold a time or a rate, which differ between any two runs (io/FORMAT.md,
//! "Completeness and crash semantics": what a resumed run is compared on).
inline const std::set<std::string>& timing_keys() {
    static const std::set<std::string> keys = {"/@created",
                                               "/analysis/run@created",
                                               "/analysis/ground_truth@created",
                                               "/iv_sweep@created",
                                               "/results/wall_s",
                                               "/runtime/wall_s",
                                               "/runtime/trials_per_s",
                                               "/runtime/stage_wall_s"};
    return keys;
}

//! "" if `a` and `b` hold the same keys and values, else the first key that differs.
inline std::string first_difference(const std::map<std::string, std::string>& a,
                                    const std::map<std::string, std::string>& b) {
    for (const auto& [k, v] : a) {
        const auto it = b.find(k);
        if (it == b.end()) return k + " (only in the first)";
        if (it->second != v) return k;
    }
    for (const auto& [k, v] : b)
        if (!a.count(k)) return k + " (only in the second)";
    return "";
}

} // namespace memlif::cli_test
