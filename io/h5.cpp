// SPDX-License-Identifier: MIT
//! \file io/h5.cpp
#include "io/h5.hpp"
#include "io/text.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <type_traits>

namespace memlif::io::h5 {

namespace {

herr_t close_id(hid_t id) {
    switch (H5Iget_type(id)) {
    case H5I_FILE:
        return H5Fclose(id);
    case H5I_GROUP:
        return H5Gclose(id);
    case H5I_DATASET:
        return H5Dclose(id);
    case H5I_DATASPACE:
        return H5Sclose(id);
    case H5I_DATATYPE:
        return H5Tclose(id);
    case H5I_ATTR:
        return H5Aclose(id);
    case H5I_GENPROP_LST:
        return H5Pclose(id);
    default:
        return H5Idec_ref(id) < 0 ? -1 : 0;
    }
}

bool g_poisoned = false;

struct ErrorScan {
    std::string desc;       //!< innermost description
    bool io_failed = false; //!< a low-level write or a flush failed somewhere on the stack
};

herr_t scan_error(unsigned /*n*/, const H5E_error2_t* err, void* client) {
    auto* out = static_cast<ErrorScan*>(client);
    if (err == nullptr) return 0;
    if (out->desc.empty() && err->desc != nullptr) out->desc = err->desc;
    // writes only: a hostile file read by `info` must not poison anything
    if (err->min_num == H5E_WRITEERROR || err->min_num == H5E_CANTFLUSH) out->io_failed = true;
    return 0;
}

//! The innermost (most specific) message on the default error stack: for a failed open it holds
//! the errno text, which is what a user needs to fix a path. HDF5's text for a failed write
//! ("file write failed: time = ..., errno = 28, error message = 'No space left on device', ...")
//! is cut down to its error message. A failed low-level write poisons the library (poisoned()).
std::string innermost_error() {
    ErrorScan scan;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, scan_error, &scan);
    if (scan.io_failed) g_poisoned = true;
    std::string desc = scan.desc;
    const std::string tag = "error message = '";
    const auto at = desc.find(tag);
    if (at != std::string::npos) {
        const auto end = desc.find('\'', at + tag.size());
        if (end != std::string::npos) {
            std::string head = desc.substr(0, desc.find(':'));
            desc = head + ": " + desc.substr(at + tag.size(), end - at - tag.size());
        }
    }
    return desc;
}

hsize_t product(const std::vector<hsize_t>& dims) {
    hsize_t n = 1;
    for (hsize_t d : dims) n *= d;
    return n;
}

//! Refuses a silent float <-> integer conversion: such a mismatch means the file does not follow
//! the format, and HDF5 would otherwise convert (and round) without a word.
template <class T> void check_numeric(hid_t type, hid_t loc, const std::string& what) {
    const H5T_class_t cls = H5Tget_class(type);
    const H5T_class_t want = std::is_floating_point<T>::value ? H5T_FLOAT : H5T_INTEGER;
    if (cls != want) {
        H5Eclear2(H5E_DEFAULT);
        fail(loc, what + ": stored type is not " +
                      (want == H5T_FLOAT ? std::string("floating point") : std::string("integer")));
    }
}

Handle scalar_space(hid_t loc) {
    Handle s(H5Screate(H5S_SCALAR));
    if (!s.valid()) fail(loc, "cannot create scalar dataspace");
    return s;
}

Handle simple_space(hid_t loc, const std::vector<hsize_t>& dims,
                    const std::vector<hsize_t>* maxdims = nullptr) {
    Handle s(H5Screate_simple(static_cast<int>(dims.size()), dims.data(),
                              maxdims != nullptr ? maxdims->data() : nullptr));
    if (!s.valid()) fail(loc, "cannot create dataspace");
    return s;
}

//! Link-creation list that also creates missing intermediate groups ("a/b/name").
Handle intermediate_lcpl(hid_t loc, const std::string& name) {
    Handle lcpl(H5Pcreate(H5P_LINK_CREATE));
    if (!lcpl.valid() || H5Pset_create_intermediate_group(lcpl, 1) < 0)
        fail(loc, "cannot set up link creation for " + in_quotes(name));
    return lcpl;
}

Handle open_attr(hid_t obj, const std::string& name) {
    silence_errors();
    Handle a(H5Aopen(obj, name.c_str(), H5P_DEFAULT));
    if (!a.valid()) fail(obj, "cannot open attribute " + in_quotes(name));
    return a;
}

//! Creates attribute \p name, replacing an existing one: delete + create copes with a changed
//! type or shape, and the freed header space is reused by HDF5.
Handle create_attr(hid_t obj, const std::string& name, hid_t type, hid_t space) {
    silence_errors();
    const htri_t there = H5Aexists(obj, name.c_str());
    if (there < 0) fail(obj, "cannot query attribute " + in_quotes(name));
    if (there > 0 && H5Adelete(obj, name.c_str()) < 0)
        fail(obj, "cannot replace attribute " + in_quotes(name));
    Handle a(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT));
    if (!a.valid()) fail(obj, "cannot create attribute " + in_quotes(name));
    return a;
}

hssize_t n_points(hid_t space, hid_t loc, const std::string& what) {
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    if (n < 0) fail(loc, "cannot read the shape of " + what);
    return n;
}

//! Reads one string (scalar or single-element) from an attribute or dataset. \p is_attr selects
//! H5Aread / H5Dread; both variable- and fixed-length strings are accepted, so files touched by
//! other tools (h5py writes fixed-length for numpy bytes) still read.
std::string read_one_string(hid_t obj, bool is_attr, hid_t loc, const std::string& what) {
    Handle ftype(is_attr ? H5Aget_type(obj) : H5Dget_type(obj));
    if (!ftype.valid()) fail(loc, "cannot read the type of " + what);
    if (H5Tget_class(ftype) != H5T_STRING) fail(loc, what + " is not a string");
    Handle space(is_attr ? H5Aget_space(obj) : H5Dget_space(obj));
    if (!space.valid() || n_points(space, loc, what) != 1)
        fail(loc, what + " is not a single string");
    Handle mtype(H5Tget_native_type(ftype, H5T_DIR_ASCEND));
    if (!mtype.valid()) fail(loc, "cannot map the string type of " + what);
    const htri_t var = H5Tis_variable_str(ftype);
    if (var < 0) fail(loc, "cannot inspect the string type of " + what);
    if (var > 0) {
        char* p = nullptr;
        const herr_t rc = is_attr ? H5Aread(obj, mtype, &p)
                                  : H5Dread(obj, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, &p);
        if (rc < 0) fail(loc, "cannot read " + what);
        std::string out = p != nullptr ? std::string(p) : std::string();
        if (p != nullptr) H5free_memory(p);
        return out;
    }
    const std::size_t size = H5Tget_size(ftype);
    std::string buf(size + 1, '\0');
    const herr_t rc = is_attr ? H5Aread(obj, mtype, buf.data())
                              : H5Dread(obj, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data());
    if (rc < 0) fail(loc, "cannot read " + what);
    buf.resize(buf.find('\0') == std::string::npos ? size : buf.find('\0'));
    if (H5Tget_strpad(ftype) == H5T_STR_SPACEPAD) {
        while (!buf.empty() && buf.back() == ' ') buf.pop_back();
    }
    return buf;
}

} // namespace

// ---- Handle ----------------------------------------------------------------------------------

Handle& Handle::operator=(Handle&& other) noexcept {
    if (this != &other) {
        reset();
        id_ = other.id_;
        other.id_ = H5I_INVALID_HID;
    }
    return *this;
}

void Handle::close() {
    if (!valid()) return;
    if (g_poisoned) {
        id_ = H5I_INVALID_HID;
        throw IoError("cannot close HDF5 object: an earlier write failed");
    }
    const std::string file = H5Iget_type(id_) == H5I_FILE ? file_name(id_) : std::string();
    const hid_t id = id_;
    id_ = H5I_INVALID_HID;
    if (close_id(id) < 0) {
        const std::string detail = innermost_error();
        throw IoError("cannot close HDF5 object" +
                      (file.empty() ? "" : " of file " + in_quotes(file)) +
                      (detail.empty() ? "" : ": " + detail));
    }
}

void Handle::reset() noexcept {
    if (valid()) {
        // After a failed write HDF5's caches are in an undefined state and a close, which
        // flushes, may crash inside the library: the identifier is abandoned instead.
        if (!g_poisoned) close_id(id_);
        id_ = H5I_INVALID_HID;
    }
}

// ---- errors ----------------------------------------------------------------------------------

bool poisoned() { return g_poisoned; }

void silence_errors() {
    static std::once_flag once;
    std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

void fail(hid_t loc, const std::string& what) {
    // Capture first: the name queries below are API calls that reset the error stack.
    const std::string detail = innermost_error();
    std::string msg = what;
    if (loc >= 0) {
        const std::string file = file_name(loc);
        const std::string obj = object_name(loc);
        if (!file.empty()) msg += " (file " + in_quotes(file);
        if (!obj.empty()) msg += (file.empty() ? " (object " : ", object ") + in_quotes(obj);
        if (!file.empty() || !obj.empty()) msg += ")";
        H5Eclear2(H5E_DEFAULT);
    }
    if (!detail.empty()) msg += ": " + detail;
    throw IoError(msg);
}

// ---- files and groups ------------------------------------------------------------------------

Handle create_file(const std::string& path) {
    silence_errors();
    Handle f(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    if (!f.valid()) fail(H5I_INVALID_HID, "cannot create HDF5 file " + in_quotes(path));
    return f;
}

Handle open_file(const std::string& path, bool writable) {
    silence_errors();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw IoError("cannot open " + in_quotes(path) + ": no such file");
    const htri_t is_h5 = H5Fis_hdf5(path.c_str());
    if (is_h5 == 0) throw IoError("cannot open " + in_quotes(path) + ": not an HDF5 file");
    if (is_h5 < 0) fail(H5I_INVALID_HID, "cannot read " + in_quotes(path));
    Handle f(H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!f.valid() && !writable) {
        // A write that failed half-way (a full disk) can leave the superblock's end of address
        // space past the end of the file, which HDF5 refuses ("truncated file"), although every
        // object flushed before is intact. Reading, the check is skipped (h5clear's access
        // property); objects that are really missing still fail when they are read.
        const std::string why = innermost_error();
        if (why.find("truncated file") != std::string::npos) {
            Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
            hbool_t skip = 1;
            if (fapl.valid() && H5Pset(fapl, "skip_eof_check", &skip) >= 0)
                f = Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl));
            if (!f.valid()) throw IoError("cannot open HDF5 file " + in_quotes(path) + ": " + why);
        }
    }
    if (!f.valid())
        fail(H5I_INVALID_HID, std::string("cannot open HDF5 file ") + in_quotes(path) +
                                  (writable ? " for writing" : ""));
    return f;
}

Handle create_group(hid_t loc, const std::string& name) {
    silence_errors();
    Handle lcpl = intermediate_lcpl(loc, name);
    Handle g(H5Gcreate2(loc, name.c_str(), lcpl, H5P_DEFAULT, H5P_DEFAULT));
    if (!g.valid()) fail(loc, "cannot create group " + in_quotes(name));
    return g;
}

Handle open_group(hid_t loc, const std::string& name) {
    silence_errors();
    Handle g(H5Gopen2(loc, name.c_str(), H5P_DEFAULT));
    if (!g.valid()) fail(loc, "cannot open group " + in_quotes(name));
    return g;
}

Handle open_dataset(hid_t loc, const std::string& name) {
    silence_errors();
    Handle d(H5Dopen2(loc, name.c_str(), H5P_DEFAULT));
    if (!d.valid()) fail(loc, "cannot open dataset " + in_quotes(name));
    return d;
}

bool file_exists(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
}

bool exists(hid_t loc, const std::string& name) {
    silence_errors();
    // H5Lexists fails (rather than answering false) when an intermediate group is missing, so
    // walk the path one component at a time.
    std::string prefix = !name.empty() && name[0] == '/' ? "/" : "";
    std::size_t pos = prefix.size();
    while (pos < name.size()) {
        std::size_t end = name.find('/', pos);
        if (end == std::string::npos) end = name.size();
        if (end > pos) {
            if (!prefix.empty() && prefix.back() != '/') prefix += '/';
            prefix += name.substr(pos, end - pos);
            const htri_t there = H5Lexists(loc, prefix.c_str(), H5P_DEFAULT);
            if (there < 0) fail(loc, "cannot look up " + in_quotes(prefix));
            if (there == 0) return false;
        }
        pos = end + 1;
    }
    return true;
}

void unlink(hid_t loc, const std::string& name) {
    silence_errors();
    if (H5Ldelete(loc, name.c_str(), H5P_DEFAULT) < 0)
        fail(loc, "cannot unlink " + in_quotes(name));
}

void flush(hid_t loc) {
    silence_errors();
    if (g_poisoned)
        throw IoError("cannot flush " + in_quotes(file_name(loc)) + ": an earlier write failed");
    if (H5Fflush(loc, H5F_SCOPE_GLOBAL) < 0) {
        g_poisoned = true; // a failed flush leaves the metadata cache half written
        fail(loc, "cannot flush");
    }
}

void truncate_rows(hid_t dset, hsize_t n_rows) {
    silence_errors();
    std::vector<hsize_t> dims = shape(dset);
    if (dims.empty()) fail(dset, "truncate_rows: scalar dataset");
    if (n_rows > dims[0]) fail(dset, "truncate_rows: cannot grow");
    if (n_rows == dims[0]) return;
    dims[0] = n_rows;
    if (H5Dset_extent(dset, dims.data()) < 0) fail(dset, "cannot shrink");
}

hsize_t storage_size(hid_t dset) { return H5Dget_storage_size(dset); }

std::string file_name(hid_t loc) {
    const ssize_t n = H5Fget_name(loc, nullptr, 0);
    if (n <= 0) return {};
    std::string s(static_cast<std::size_t>(n) + 1, '\0');
    if (H5Fget_name(loc, s.data(), s.size()) < 0) return {};
    s.resize(static_cast<std::size_t>(n));
    return s;
}

std::string object_name(hid_t obj) {
    const ssize_t n = H5Iget_name(obj, nullptr, 0);
    if (n <= 0) return {};
    std::string s(static_cast<std::size_t>(n) + 1, '\0');
    if (H5Iget_name(obj, s.data(), s.size()) < 0) return {};
    s.resize(static_cast<std::size_t>(n));
    return s;
}

// ---- types -----------------------------------------------------------------------------------

template <> hid_t native_type<std::uint8_t>() { return H5T_NATIVE_UINT8; }
template <> hid_t native_type<std::uint16_t>() { return H5T_NATIVE_UINT16; }
template <> hid_t native_type<std::uint32_t>() { return H5T_NATIVE_UINT32; }
template <> hid_t native_type<std::uint64_t>() { return H5T_NATIVE_UINT64; }
template <> hid_t native_type<std::int32_t>() { return H5T_NATIVE_INT32; }
template <> hid_t native_type<double>() { return H5T_NATIVE_DOUBLE; }

Handle string_type() {
    silence_errors();
    Handle t(H5Tcopy(H5T_C_S1));
    if (!t.valid() || H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)
        fail(H5I_INVALID_HID, "cannot create the variable-length UTF-8 string type");
    return t;
}

// ---- attributes ------------------------------------------------------------------------------

bool has_attr(hid_t obj, const std::string& name) {
    silence_errors();
    const htri_t there = H5Aexists(obj, name.c_str());
    if (there < 0) fail(obj, "cannot query attribute " + in_quotes(name));
    return there > 0;
}

template <class T> void write_attr(hid_t obj, const std::string& name, T value) {
    Handle space = scalar_space(obj);
    Handle a = create_attr(obj, name, native_type<T>(), space);
    if (H5Awrite(a, native_type<T>(), &value) < 0)
        fail(obj, "cannot write attribute " + in_quotes(name));
}

template <class T>
void write_attr_array(hid_t obj, const std::string& name, const std::vector<T>& values) {
    Handle space = simple_space(obj, {static_cast<hsize_t>(values.size())});
    Handle a = create_attr(obj, name, native_type<T>(), space);
    if (!values.empty() && H5Awrite(a, native_type<T>(), values.data()) < 0)
        fail(obj, "cannot write attribute " + in_quotes(name));
}

void write_attr_string(hid_t obj, const std::string& name, const std::string& value) {
    Handle type = string_type();
    Handle space = scalar_space(obj);
    Handle a = create_attr(obj, name, type, space);
    const char* p = value.c_str();
    if (H5Awrite(a, type, &p) < 0) fail(obj, "cannot write attribute " + in_quotes(name));
}

void write_attr_strings(hid_t obj, const std::string& name, const std::vector<std::string>& v) {
    Handle type = string_type();
    Handle space = simple_space(obj, {static_cast<hsize_t>(v.size())});
    Handle a = create_attr(obj, name, type, space);
    std::vector<const char*> p;
    p.reserve(v.size());
    for (const auto& s : v) p.push_back(s.c_str());
    if (!p.empty() && H5Awrite(a, type, p.data()) < 0)
        fail(obj, "cannot write attribute " + in_quotes(name));
}

template <class T> T read_attr(hid_t obj, const std::string& name) {
    Handle a = open_attr(obj, name);
    const std::string what = "attribute " + in_quotes(name);
    Handle type(H5Aget_type(a));
    if (!type.valid()) fail(obj, "cannot read the type of " + what);
    check_numeric<T>(type, obj, what);
    Handle space(H5Aget_space(a));
    if (!space.valid() || n_points(space, obj, what) != 1) fail(obj, what + " is not a scalar");
    T value{};
    if (H5Aread(a, native_type<T>(), &value) < 0) fail(obj, "cannot read " + what);
    return value;
}

template <class T> std::vector<T> read_attr_array(hid_t obj, const std::string& name) {
    Handle a = open_attr(obj, name);
    const std::string what = "attribute " + in_quotes(name);
    Handle type(H5Aget_type(a));
    if (!type.valid()) fail(obj, "cannot read the type of " + what);
    check_numeric<T>(type, obj, what);
    Handle space(H5Aget_space(a));
    if (!space.valid()) fail(obj, "cannot read the shape of " + what);
    std::vector<T> v(static_cast<std::size_t>(n_points(space, obj, what)));
    if (!v.empty() && H5Aread(a, native_type<T>(), v.data()) < 0) fail(obj, "cannot read " + what);
    return v;
}

std::string read_attr_string(hid_t obj, const std::string& name) {
    Handle a = open_attr(obj, name);
    return read_one_string(a, true, obj, "attribute " + in_quotes(name));
}

// ---- fixed-size datasets ---------------------------------------------------------------------

template <class T>
Handle write_dataset(hid_t loc, const std::string& name, const std::vector<T>& data,
                     const std::vector<hsize_t>& dims) {
    silence_errors();
    if (dims.empty() || product(dims) != data.size())
        throw std::invalid_argument("h5::write_dataset '" + name +
                                    "': shape does not match the data size");
    Handle space = simple_space(loc, dims);
    Handle lcpl = intermediate_lcpl(loc, name);
    Handle d(
        H5Dcreate2(loc, name.c_str(), native_type<T>(), space, lcpl, H5P_DEFAULT, H5P_DEFAULT));
    if (!d.valid()) fail(loc, "cannot create dataset " + in_quotes(name));
    // An empty buffer is never handed to H5Dwrite: 1.10 rejects a null pointer even for 0 points.
    if (!data.empty() &&
        H5Dwrite(d, native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()) < 0)
        fail(loc, "cannot write dataset " + in_quotes(name));
    return d;
}

void write_string_dataset(hid_t loc, const std::string& name, const std::string& value) {
    silence_errors();
    Handle type = string_type();
    Handle space = scalar_space(loc);
    Handle lcpl = intermediate_lcpl(loc, name);
    Handle d(H5Dcreate2(loc, name.c_str(), type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT));
    if (!d.valid()) fail(loc, "cannot create dataset " + in_quotes(name));
    const char* p = value.c_str();
    if (H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &p) < 0)
        fail(loc, "cannot write dataset " + in_quotes(name));
}

template <class T> void write_scalar_dataset(hid_t loc, const std::string& name, T value) {
    silence_errors();
    Handle space = scalar_space(loc);
    Handle lcpl = intermediate_lcpl(loc, name);
    Handle d(
        H5Dcreate2(loc, name.c_str(), native_type<T>(), space, lcpl, H5P_DEFAULT, H5P_DEFAULT));
    if (!d.valid()) fail(loc, "cannot create dataset " + in_quotes(name));
    if (H5Dwrite(d, native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &value) < 0)
        fail(loc, "cannot write dataset " + in_quotes(name));
}

ElementType element_type(hid_t dset) {
    silence_errors();
    Handle type(H5Dget_type(dset));
    if (!type.valid()) fail(dset, "cannot read the type of the dataset");
    ElementType t;
    const H5T_class_t cls = H5Tget_class(type);
    t.is_integer = cls == H5T_INTEGER;
    t.is_float = cls == H5T_FLOAT;
    t.is_signed = t.is_integer && H5Tget_sign(type) == H5T_SGN_2;
    t.size = H5Tget_size(type);
    return t;
}

bool is_uint8(hid_t dset) {
    Handle type(H5Dget_type(dset));
    if (!type.valid()) fail(dset, "cannot read the type of the dataset");
    return H5Tget_class(type) == H5T_INTEGER && H5Tget_size(type) == 1 &&
           H5Tget_sign(type) == H5T_SGN_NONE;
}

std::vector<hsize_t> shape(hid_t dset) {
    silence_errors();
    Handle space(H5Dget_space(dset));
    if (!space.valid()) fail(dset, "cannot get the dataspace");
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank < 0) fail(dset, "cannot get the rank");
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    if (rank > 0 && H5Sget_simple_extent_dims(space, dims.data(), nullptr) < 0)
        fail(dset, "cannot get the shape");
    return dims;
}

template <class T>
std::vector<T> read_dataset(hid_t loc, const std::string& name, std::vector<hsize_t>* dims) {
    Handle d = open_dataset(loc, name);
    const std::string what = "dataset " + in_quotes(name);
    Handle type(H5Dget_type(d));
    if (!type.valid()) fail(loc, "cannot read the type of " + what);
    check_numeric<T>(type, loc, what);
    const std::vector<hsize_t> s = shape(d);
    if (dims != nullptr) *dims = s;
    std::vector<T> v(static_cast<std::size_t>(product(s)));
    if (!v.empty() && H5Dread(d, native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)
        fail(loc, "cannot read " + what);
    return v;
}

std::string read_string_dataset(hid_t loc, const std::string& name) {
    Handle d = open_dataset(loc, name);
    return read_one_string(d, false, loc, "dataset " + in_quotes(name));
}

template <class T> T read_scalar_dataset(hid_t loc, const std::string& name) {
    std::vector<hsize_t> dims;
    const std::vector<T> v = read_dataset<T>(loc, name, &dims);
    if (v.size() != 1) fail(loc, "dataset " + in_quotes(name) + " is not a scalar");
    return v[0];
}

template <class T>
std::vector<T> read_box(hid_t dset, const std::vector<hsize_t>& start,
                        const std::vector<hsize_t>& count) {
    silence_errors();
    const std::vector<hsize_t> dims = shape(dset);
    if (start.size() != dims.size() || count.size() != dims.size())
        fail(dset, "read_box: rank mismatch");
    for (std::size_t i = 0; i < dims.size(); ++i) {
        if (start[i] + count[i] > dims[i]) fail(dset, "read_box: selection outside the dataset");
    }
    std::vector<T> v(static_cast<std::size_t>(product(count)));
    if (v.empty()) return v;
    Handle type(H5Dget_type(dset));
    if (!type.valid()) fail(dset, "cannot read the type");
    check_numeric<T>(type, dset, "dataset");
    Handle fspace(H5Dget_space(dset));
    if (!fspace.valid() || H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start.data(), nullptr,
                                               count.data(), nullptr) < 0)
        fail(dset, "cannot select a hyperslab");
    Handle mspace = simple_space(dset, count);
    if (H5Dread(dset, native_type<T>(), mspace, fspace, H5P_DEFAULT, v.data()) < 0)
        fail(dset, "cannot read");
    return v;
}

template <class T>
void write_box(hid_t dset, const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
               const T* data) {
    silence_errors();
    const std::vector<hsize_t> dims = shape(dset);
    if (start.size() != dims.size() || count.size() != dims.size())
        fail(dset, "write_box: rank mismatch");
    for (std::size_t i = 0; i < dims.size(); ++i) {
        if (start[i] + count[i] > dims[i]) fail(dset, "write_box: selection outside the dataset");
    }
    if (product(count) == 0) return;
    Handle fspace(H5Dget_space(dset));
    if (!fspace.valid() || H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start.data(), nullptr,
                                               count.data(), nullptr) < 0)
        fail(dset, "cannot select a hyperslab");
    Handle mspace = simple_space(dset, count);
    if (H5Dwrite(dset, native_type<T>(), mspace, fspace, H5P_DEFAULT, data) < 0)
        fail(dset, "cannot write");
}

template <class T>
Handle create_filled(hid_t loc, const std::string& name, const std::vector<hsize_t>& dims,
                     const std::vector<hsize_t>& chunk, T fill) {
    silence_errors();
    if (dims.empty() || chunk.size() != dims.size())
        throw std::invalid_argument("h5::create_filled '" + name + "': chunk rank != rank");
    std::vector<hsize_t> c = chunk;
    for (std::size_t i = 0; i < c.size(); ++i) c[i] = std::max<hsize_t>(1, std::min(c[i], dims[i]));
    Handle space = simple_space(loc, dims);
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE));
    if (!dcpl.valid() || H5Pset_chunk(dcpl, static_cast<int>(c.size()), c.data()) < 0 ||
        H5Pset_fill_value(dcpl, native_type<T>(), &fill) < 0)
        fail(loc, "cannot set chunking and fill value for " + in_quotes(name));
    Handle lcpl = intermediate_lcpl(loc, name);
    Handle d(H5Dcreate2(loc, name.c_str(), native_type<T>(), space, lcpl, dcpl, H5P_DEFAULT));
    if (!d.valid()) fail(loc, "cannot create dataset " + in_quotes(name));
    return d;
}

// ---- extendible datasets ---------------------------------------------------------------------

template <class T>
Handle create_extendible(hid_t loc, const std::string& name, const std::vector<hsize_t>& cols,
                         const ChunkOptions& options) {
    silence_errors();
    if (options.chunk_rows == 0) throw std::invalid_argument("h5::create_extendible: chunk_rows 0");
    std::vector<hsize_t> dims{0}, maxdims{H5S_UNLIMITED}, chunk{options.chunk_rows};
    for (hsize_t c : cols) {
        dims.push_back(c);
        maxdims.push_back(c);
        chunk.push_back(c == 0 ? 1 : c);
    }
    Handle space = simple_space(loc, dims, &maxdims);
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE));
    if (!dcpl.valid() || H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()) < 0)
        fail(loc, "cannot set chunking for " + in_quotes(name));
    if (options.compress &&
        (H5Pset_shuffle(dcpl) < 0 || H5Pset_deflate(dcpl, options.deflate_level) < 0))
        fail(loc, "cannot set shuffle + deflate for " + in_quotes(name));
    Handle lcpl = intermediate_lcpl(loc, name);
    Handle d(H5Dcreate2(loc, name.c_str(), native_type<T>(), space, lcpl, dcpl, H5P_DEFAULT));
    if (!d.valid()) fail(loc, "cannot create dataset " + in_quotes(name));
    return d;
}

template <class T> hsize_t append(hid_t dset, const T* data, hsize_t n_rows) {
    silence_errors();
    std::vector<hsize_t> dims = shape(dset);
    if (dims.empty()) fail(dset, "append: scalar dataset");
    const hsize_t first = dims[0];
    if (n_rows == 0) return first;
    dims[0] += n_rows;
    if (H5Dset_extent(dset, dims.data()) < 0) fail(dset, "cannot extend");
    std::vector<hsize_t> start(dims.size(), 0), count = dims;
    start[0] = first;
    count[0] = n_rows;
    write_box<T>(dset, start, count, data);
    return first;
}

template <class T> hsize_t append(hid_t dset, const std::vector<T>& data) {
    const std::vector<hsize_t> dims = shape(dset);
    hsize_t row = 1;
    for (std::size_t i = 1; i < dims.size(); ++i) row *= dims[i];
    if (row == 0 || data.size() % row != 0)
        throw std::invalid_argument("h5::append: data is not a whole number of rows");
    return append<T>(dset, data.data(), data.size() / row);
}

hsize_t chunk_rows(hid_t dset) {
    Handle plist(H5Dget_create_plist(dset));
    hsize_t dims[H5S_MAX_RANK] = {1};
    if (!plist.valid() || H5Pget_layout(plist) != H5D_CHUNKED ||
        H5Pget_chunk(plist, H5S_MAX_RANK, dims) < 1) {
        H5Eclear2(H5E_DEFAULT);
        return 1;
    }
    return std::max<hsize_t>(1, dims[0]);
}

hsize_t pad_to_chunk(hid_t dset) {
    silence_errors();
    std::vector<hsize_t> dims = shape(dset);
    if (dims.empty()) fail(dset, "pad_to_chunk: scalar dataset");
    const hsize_t c = chunk_rows(dset);
    const hsize_t padded = (dims[0] + c - 1) / c * c;
    if (padded != dims[0]) {
        dims[0] = padded;
        if (H5Dset_extent(dset, dims.data()) < 0) fail(dset, "cannot extend");
    }
    return padded;
}

// ---- explicit instantiations -----------------------------------------------------------------

#define MEMLIF_H5_INSTANTIATE(T)                                                                   \
    template void write_attr<T>(hid_t, const std::string&, T);                                     \
    template void write_attr_array<T>(hid_t, const std::string&, const std::vector<T>&);           \
    template T read_attr<T>(hid_t, const std::string&);                                            \
    template std::vector<T> read_attr_array<T>(hid_t, const std::string&);                         \
    template Handle write_dataset<T>(hid_t, const std::string&, const std::vector<T>&,             \
                                     const std::vector<hsize_t>&);                                 \
    template void write_scalar_dataset<T>(hid_t, const std::string&, T);                           \
    template std::vector<T> read_dataset<T>(hid_t, const std::string&, std::vector<hsize_t>*);     \
    template T read_scalar_dataset<T>(hid_t, const std::string&);                                  \
    template std::vector<T> read_box<T>(hid_t, const std::vector<hsize_t>&,                        \
                                        const std::vector<hsize_t>&);                              \
    template void write_box<T>(hid_t, const std::vector<hsize_t>&, const std::vector<hsize_t>&,    \
                               const T*);                                                          \
    template Handle create_extendible<T>(hid_t, const std::string&, const std::vector<hsize_t>&,   \
                                         const ChunkOptions&);                                     \
    template hsize_t append<T>(hid_t, const T*, hsize_t);                                          \
    template Handle create_filled<T>(hid_t, const std::string&, const std::vector<hsize_t>&,       \
                                     const std::vector<hsize_t>&, T);                              \
    template hsize_t append<T>(hid_t, const std::vector<T>&);

MEMLIF_H5_INSTANTIATE(std::uint8_t)
MEMLIF_H5_INSTANTIATE(std::uint16_t)
MEMLIF_H5_INSTANTIATE(std::uint32_t)
MEMLIF_H5_INSTANTIATE(std::uint64_t)
MEMLIF_H5_INSTANTIATE(std::int32_t)
MEMLIF_H5_INSTANTIATE(double)

#undef MEMLIF_H5_INSTANTIATE

} // namespace memlif::io::h5
