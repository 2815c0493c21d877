// SPDX-License-Identifier: MIT
//! \file io/h5.hpp
//! Thin RAII layer over the HDF5 1.10 C API (the OpenMC model: no third-party C++ binding).
//! Every failure becomes a memlif::IoError whose message names the file, the object and the
//! innermost HDF5 error description. HDF5's automatic error-stack printing is switched off the
//! first time any function here runs, so nothing reaches stderr behind the caller's back.
//! Not thread-safe: Debian's serial libhdf5 is built without the thread-safe option.
#pragma once

#include "memlif/core/errors.hpp"

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace memlif::io::h5 {

//! Owns one HDF5 identifier (file, group, dataset, dataspace, datatype, attribute or property
//! list) and closes it with the matching H5?close. Move-only.
class Handle {
  public:
    Handle() = default;
    //! Takes ownership of \p id; a negative id yields an empty handle.
    explicit Handle(hid_t id) : id_(id) {}
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    Handle(Handle&& other) noexcept : id_(other.id_) { other.id_ = H5I_INVALID_HID; }
    Handle& operator=(Handle&& other) noexcept;
    ~Handle() { reset(); }

    hid_t get() const { return id_; }
    operator hid_t() const { return id_; } // NOLINT: lets handles go straight into C API calls
    bool valid() const { return id_ >= 0; }
    //! Closes now and reports failure as IoError (a file close flushes, so it can fail).
    void close();
    //! Closes now, ignoring errors; for destructors and error paths.
    void reset() noexcept;

  private:
    hid_t id_ = H5I_INVALID_HID;
};

//! Turns off HDF5's default error printing (idempotent; called by every opener below).
void silence_errors();

//! Throws IoError: "<what> (file '<file of loc>', object '<name of loc>'): <HDF5 detail>".
//! Captures the HDF5 error stack before anything else can clear it.
[[noreturn]] void fail(hid_t loc, const std::string& what);

//! True once a low-level write or flush failed (a full disk, a file size limit, an I/O error).
//! HDF5's caches are then in an undefined state and closing a file (which flushes) can crash
//! inside the library, so from then on no identifier is closed (Handle abandons them), every
//! flush is refused, and the process must end without HDF5's exit-time cleanup (std::_Exit): the
//! file stays as of its last successful flush.
bool poisoned();

// ---- files and groups ------------------------------------------------------------------------

//! Creates or truncates \p path with default (HDF5 1.8-compatible) format features.
Handle create_file(const std::string& path);
//! True if a file system object exists at \p path.
bool file_exists(const std::string& path);
//! Opens an existing HDF5 file; IoError if it is missing or not HDF5.
Handle open_file(const std::string& path, bool writable);
//! Creates a group; intermediate groups in a slash-separated \p name are created too.
Handle create_group(hid_t loc, const std::string& name);
Handle open_group(hid_t loc, const std::string& name);
Handle open_dataset(hid_t loc, const std::string& name);
//! True if every component of the relative or absolute path \p name exists below \p loc.
bool exists(hid_t loc, const std::string& name);
//! Unlinks \p name; the space is not reclaimed until the file is repacked (h5repack).
void unlink(hid_t loc, const std::string& name);
//! Writes all dirty buffers of the file holding \p loc to the operating system (enough for a kill
//! of this process; a finished file is fsync'ed when it is renamed, host/output_file.hpp).
void flush(hid_t loc);
//! Name of the file that holds \p loc ("" if unknown); used in messages.
std::string file_name(hid_t loc);
//! Absolute HDF5 path of \p obj ("" if unknown); used in messages.
std::string object_name(hid_t obj);

// ---- type mapping ----------------------------------------------------------------------------

//! Native memory type for the element types the layer supports.
template <class T> hid_t native_type();
template <> hid_t native_type<std::uint8_t>();
template <> hid_t native_type<std::uint16_t>();
template <> hid_t native_type<std::uint32_t>();
template <> hid_t native_type<std::uint64_t>();
template <> hid_t native_type<std::int32_t>();
template <> hid_t native_type<double>();

//! New variable-length UTF-8 string type (h5py reads it as str).
Handle string_type();

// ---- attributes ------------------------------------------------------------------------------

bool has_attr(hid_t obj, const std::string& name);
//! Scalar numeric attribute; an existing attribute of the same name is replaced.
template <class T> void write_attr(hid_t obj, const std::string& name, T value);
//! 1-D numeric array attribute.
template <class T>
void write_attr_array(hid_t obj, const std::string& name, const std::vector<T>& values);
//! Scalar variable-length UTF-8 string attribute.
void write_attr_string(hid_t obj, const std::string& name, const std::string& value);
//! 1-D array of variable-length UTF-8 strings (axis names).
void write_attr_strings(hid_t obj, const std::string& name, const std::vector<std::string>& v);

//! Reads a scalar numeric attribute, converting to T; IoError if missing or not numeric.
template <class T> T read_attr(hid_t obj, const std::string& name);
template <class T> std::vector<T> read_attr_array(hid_t obj, const std::string& name);
//! Reads a scalar string attribute, variable- or fixed-length.
std::string read_attr_string(hid_t obj, const std::string& name);

// ---- fixed-size datasets ---------------------------------------------------------------------

//! Writes a contiguous dataset of the given shape (any rank >= 1; product(dims) == data.size()).
//! Here and in every create function below, missing intermediate groups in \p name are created.
template <class T>
Handle write_dataset(hid_t loc, const std::string& name, const std::vector<T>& data,
                     const std::vector<hsize_t>& dims);
//! Scalar variable-length UTF-8 string dataset (no 64 KiB attribute limit).
void write_string_dataset(hid_t loc, const std::string& name, const std::string& value);
//! Scalar numeric dataset.
template <class T> void write_scalar_dataset(hid_t loc, const std::string& name, T value);

//! Shape of a dataset.
std::vector<hsize_t> shape(hid_t dset);
//! True if the dataset's element type is an unsigned 8-bit integer.
bool is_uint8(hid_t dset);
//! The class, sign and size of a dataset's element type.
struct ElementType {
    bool is_integer = false;
    bool is_signed = false;
    bool is_float = false;
    std::size_t size = 0; //!< bytes
};
ElementType element_type(hid_t dset);
//! Reads a whole dataset, converting to T; \p dims receives its shape if non-null.
template <class T>
std::vector<T> read_dataset(hid_t loc, const std::string& name,
                            std::vector<hsize_t>* dims = nullptr);
std::string read_string_dataset(hid_t loc, const std::string& name);
template <class T> T read_scalar_dataset(hid_t loc, const std::string& name);

//! Reads the box [start, start + count) of an open dataset (rank == start.size()).
template <class T>
std::vector<T> read_box(hid_t dset, const std::vector<hsize_t>& start,
                        const std::vector<hsize_t>& count);
//! Writes the box [start, start + count) of an open dataset.
template <class T>
void write_box(hid_t dset, const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
               const T* data);

//! Creates a fixed-shape chunked dataset whose unwritten elements read as \p fill. Chunks are
//! allocated only when written, so a large table costs nothing until it is filled in.
template <class T>
Handle create_filled(hid_t loc, const std::string& name, const std::vector<hsize_t>& dims,
                     const std::vector<hsize_t>& chunk, T fill);

// ---- extendible datasets ---------------------------------------------------------------------

//! Options of an extendible dataset: the first dimension is H5S_UNLIMITED and starts at 0.
struct ChunkOptions {
    hsize_t chunk_rows = 32768; //!< rows per chunk (first dimension)
    bool compress = true;       //!< shuffle + deflate
    unsigned deflate_level = 4; //!< 1..9
};

//! Creates an extendible dataset of shape (0, cols...) ; \p cols empty gives a 1-D dataset.
template <class T>
Handle create_extendible(hid_t loc, const std::string& name, const std::vector<hsize_t>& cols,
                         const ChunkOptions& options);
//! Grows the first dimension by \p n_rows and writes them; \p data holds n_rows * product(cols)
//! elements. Returns the row index where the new rows start.
template <class T> hsize_t append(hid_t dset, const T* data, hsize_t n_rows);
//! Appends whole rows held in \p data; std::invalid_argument if its size is not a
//! multiple of the row size.
template <class T> hsize_t append(hid_t dset, const std::vector<T>& data);
//! Rows per chunk of a chunked dataset (its first dimension); 1 if it is not chunked.
hsize_t chunk_rows(hid_t dset);
//! Grows the first dimension of an extendible dataset to the next multiple of its chunk rows (the
//! new rows read as the fill value) and returns the new length: rows appended after it start a
//! chunk of their own, so no chunk written before is rewritten by them.
hsize_t pad_to_chunk(hid_t dset);
//! Shrinks the first dimension of an extendible dataset to \p n_rows (rows left over from an
//! interrupted write); IoError if that would grow it.
void truncate_rows(hid_t dset, hsize_t n_rows);
//! Bytes of file space the dataset's data occupies (compressed; 0 if nothing is allocated).
hsize_t storage_size(hid_t dset);

} // namespace memlif::io::h5
