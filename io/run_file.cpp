// SPDX-License-Identifier: MIT
//! \file io/run_file.cpp
#include "io/run_file.hpp"
#include "io/text.hpp"

#include "io/checkpoint.hpp"
#include "io/layout.hpp"

#include <sys/resource.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <type_traits>

namespace memlif::io {

namespace {

constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();
constexpr const char* running_reason = "running";
constexpr const char* dropped_reason = "writer closed without finish()";
constexpr const char* lsb_first = "lsb_first";

//! Groups and datasets owned by the core layout; AnalysisWriter must never replace them.
const std::vector<std::string> core_names = {"stimuli", "axes",    "counts",     "results",
                                             "trials",  "runtime", "config_json"};

std::vector<hsize_t> to_hsize(const std::vector<std::size_t>& v) {
    return std::vector<hsize_t>(v.begin(), v.end());
}

std::vector<std::size_t> to_size(const std::vector<hsize_t>& v) {
    return std::vector<std::size_t>(v.begin(), v.end());
}

std::vector<double> flatten(const std::vector<std::array<double, 4>>& rows) {
    std::vector<double> out;
    out.reserve(rows.size() * 4);
    for (const auto& r : rows) out.insert(out.end(), r.begin(), r.end());
    return out;
}

std::vector<std::array<double, 4>> unflatten(const std::vector<double>& flat) {
    std::vector<std::array<double, 4>> out(flat.size() / 4);
    for (std::size_t i = 0; i < out.size(); ++i) {
        for (std::size_t j = 0; j < 4; ++j) out[i][j] = flat[4 * i + j];
    }
    return out;
}

//! A dataset with its unit and axis names, the two attributes every layout dataset carries.
template <class T>
void write_table(hid_t loc, const std::string& name, const std::vector<T>& data,
                 const std::vector<hsize_t>& dims, const std::string& units,
                 const std::vector<std::string>& axes) {
    h5::Handle d = h5::write_dataset<T>(loc, name, data, dims);
    if (!units.empty()) h5::write_attr_string(d, "units", units);
    h5::write_attr_strings(d, "axes", axes);
}

void label(hid_t dset, const std::string& units, const std::vector<std::string>& axes) {
    if (!units.empty()) h5::write_attr_string(dset, "units", units);
    h5::write_attr_strings(dset, "axes", axes);
}

//! Sizes of the named axes of one file.
struct Extents {
    hsize_t n_g = 0, n_s = 0, n_stages = 0;
};

std::vector<hsize_t> dims_of(const layout::Dataset& d, const Extents& e) {
    std::vector<hsize_t> dims;
    for (layout::Axis a : d.axes) {
        switch (a) {
        case layout::Axis::condition:
            dims.push_back(e.n_g);
            break;
        case layout::Axis::stimulus:
            dims.push_back(e.n_s);
            break;
        case layout::Axis::synapse:
            dims.push_back(4);
            break;
        case layout::Axis::stage:
            dims.push_back(e.n_stages);
            break;
        case layout::Axis::rerun: // shard files only (io/shard_file.cpp)
        case layout::Axis::row:
        case layout::Axis::trial:
            dims.push_back(0);
            break; // extendible, starts empty
        }
    }
    return dims;
}

template <class T> layout::Type type_of();
template <> layout::Type type_of<std::uint8_t>() { return layout::Type::u8; }
template <> layout::Type type_of<std::uint16_t>() { return layout::Type::u16; }
template <> layout::Type type_of<std::uint32_t>() { return layout::Type::u32; }
template <> layout::Type type_of<std::uint64_t>() { return layout::Type::u64; }
template <> layout::Type type_of<double>() { return layout::Type::f64; }

//! The fill of a dataset that is not written yet: NaN for floats, 0 for integers.
template <class T> T fill_value() {
    if constexpr (std::is_floating_point<T>::value)
        return nan_value;
    else
        return T{0};
}

//! Creates dataset `name` of group `g` as the layout table says (type, shape, units, axes,
//! storage), holding `data` (contiguous storage) or the fill value. std::logic_error if the code
//! and the table disagree on the element type.
template <class T>
h5::Handle create_from_layout(hid_t g, const layout::Group& group, const std::string& name,
                              const Extents& e, const std::vector<T>* data = nullptr,
                              hsize_t chunk_rows = 32768) {
    const layout::Dataset& d = group.at(name);
    if (d.type != type_of<T>())
        throw std::logic_error(std::string("layout: ") + group.path + "/" + name + " is " +
                               layout::type_name(d.type));
    const std::vector<hsize_t> dims = dims_of(d, e);
    h5::Handle h;
    switch (d.storage) {
    case layout::Storage::contiguous: {
        hsize_t n = 1;
        for (hsize_t x : dims) n *= x;
        if (dims.empty()) throw std::logic_error("layout: scalars are written by their writer");
        h = h5::write_dataset<T>(g, name, data ? *data : std::vector<T>(n, fill_value<T>()), dims);
        break;
    }
    case layout::Storage::row_chunks:
        h = h5::create_filled<T>(g, name, dims, {1, dims.at(1)}, fill_value<T>());
        break;
    case layout::Storage::extendible:
        h = h5::create_extendible<T>(g, name, {}, h5::ChunkOptions{chunk_rows, true, 4});
        break;
    }
    label(h, d.units, layout::axis_names(d));
    return h;
}

//! Each /results column of a condition record, named once: the writer and the reader both visit
//! the record through this (the layout table gives types, shapes and units).
template <class Rec, class V> void visit_results(Rec& r, V&& v) {
    v("mutual_information_bit", r.plugin.mi);
    v("h_r_bit", r.plugin.h_r);
    v("h_r_given_s_bit", r.plugin.h_rs);
    v("sss_bit", r.plugin.sss);
    v("sps_bit_per_spike", r.plugin.sps);
    v("sps_rank", r.plugin.rank);
    v("sps_undefined", r.plugin.sps_undefined);
    v("n_trials", r.plugin.n_trials);
    v("n_trials_per_stimulus", r.plugin.n_s);
    v("distinct_responses", r.plugin.distinct_total);
    v("distinct_responses_per_stimulus", r.plugin.distinct_s);
    v("n_trials_simulated", r.stats.n_trials);
    v("mean_output_spikes", r.stats.mean_output_spikes);
    v("wall_s", r.stats.wall_s);
}

//! Checks that `file` holds `group` as the layout says: every dataset present, of its element
//! type, rank and (non-extendible) extents. IoError naming the file and the dataset otherwise.
void check_group(hid_t file, const layout::Group& group, const Extents& e,
                 const std::string& path) {
    for (const layout::Dataset& d : group.datasets) {
        const std::string name = std::string(group.path) + "/" + d.name;
        const std::string where = in_quotes(path) + ": dataset " + in_quotes(name);
        if (!h5::exists(file, name)) throw IoError(where + " is missing");
        h5::Handle ds = h5::open_dataset(file, name);
        const h5::ElementType t = h5::element_type(ds);
        const bool type_ok = [&] {
            switch (d.type) {
            case layout::Type::u8:
                return t.is_integer && !t.is_signed && t.size == 1;
            case layout::Type::u16:
                return t.is_integer && !t.is_signed && t.size == 2;
            case layout::Type::u32:
                return t.is_integer && !t.is_signed && t.size == 4;
            case layout::Type::u64:
                return t.is_integer && !t.is_signed && t.size == 8;
            case layout::Type::f64:
                return t.is_float && t.size == 8;
            }
            return false;
        }();
        if (!type_ok) throw IoError(where + " is not " + layout::type_name(d.type));
        const std::vector<hsize_t> dims = h5::shape(ds), want = dims_of(d, e);
        if (dims.size() != want.size())
            throw IoError(where + " has rank " + std::to_string(dims.size()) + ", expected " +
                          layout::shape_text(d));
        for (std::size_t i = 0; i < dims.size(); ++i)
            if (d.storage != layout::Storage::extendible && dims[i] != want[i])
                throw IoError(where + " has the wrong shape, expected " + layout::shape_text(d));
    }
}

//! OpenMC's check_filetype_version: the filetype must match and the major version must be ours.
void check_filetype(hid_t file, const std::string& path) {
    if (!h5::has_attr(file, "filetype"))
        throw IoError(in_quotes(path) + " is not a memlif-run file (no 'filetype' attribute)");
    const std::string type = h5::read_attr_string(file, "filetype");
    if (type != run_filetype)
        throw IoError(in_quotes(path) + " is not a memlif-run file (filetype " + in_quotes(type) +
                      ")");
    if (!h5::has_attr(file, "format_version"))
        throw IoError(in_quotes(path) + ": no 'format_version' attribute");
    const auto v = h5::read_attr_array<std::int32_t>(file, "format_version");
    if (v.size() != 2)
        throw IoError(in_quotes(path) + ": 'format_version' must hold {major, minor}");
    if (v[0] != run_format_major)
        throw IoError(in_quotes(path) + ": memlif-run format version " + std::to_string(v[0]) +
                      "." + std::to_string(v[1]) + " is not supported (this build reads " +
                      std::to_string(run_format_major) + ".x)");
}

void check_word(std::uint64_t word, std::uint32_t n_bins, const char* where) {
    if (n_bins < 64 && (word >> n_bins) != 0)
        throw std::invalid_argument(std::string(where) + ": response word has bits above n_bins");
}

//! Room kept free beyond a write's own bytes: HDF5's metadata for it, and the few hundred bytes
//! the writer needs afterwards to record why the run stopped and to close the file.
constexpr std::uint64_t space_reserve_bytes = std::uint64_t{1} << 20;

std::string mib(double bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g MiB", bytes / 1048576.0);
    return buf;
}

//! IoError, before anything is written, unless the file system holding `path` and the process's
//! file size limit (RLIMIT_FSIZE) leave room for about `bytes` more: so a full disk stops a run
//! between two commits with its file consistent and closable, instead of failing half-way
//! through an HDF5 flush (after which the library's caches are undefined). The estimate is
//! doubled and a reserve added; MEMLIF_TEST_SKIP_SPACE_CHECK=1 turns the check off (tests of the
//! failure path behind it).
void ensure_room(hid_t file, const std::string& path, std::uint64_t bytes) {
    if (const char* skip = std::getenv("MEMLIF_TEST_SKIP_SPACE_CHECK"); skip && *skip == '1')
        return;
    const double need = 2.0 * static_cast<double>(bytes) + static_cast<double>(space_reserve_bytes);
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    if (dir.empty()) dir = ".";
    struct statvfs vfs {};
    if (::statvfs(dir.c_str(), &vfs) == 0) {
        const double free_b = static_cast<double>(vfs.f_bavail) * static_cast<double>(vfs.f_frsize);
        if (free_b < need)
            throw IoError(in_quotes(path) +
                          ": no space left on its file system for the next write (" + mib(free_b) +
                          " free, about " + mib(need) + " needed)");
    }
    struct rlimit lim {};
    if (::getrlimit(RLIMIT_FSIZE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
        hsize_t size = 0;
        if (file >= 0 && H5Fget_filesize(file, &size) < 0) size = 0;
        const double room = static_cast<double>(lim.rlim_cur) - static_cast<double>(size);
        if (room < need)
            throw IoError(in_quotes(path) + ": the file size limit (ulimit -f, " +
                          mib(static_cast<double>(lim.rlim_cur)) + ") leaves " + mib(room) +
                          " for the next write, about " + mib(need) + " needed");
    }
}

} // namespace

// ---- RunWriter -------------------------------------------------------------------------------

RunWriter::RunWriter(const std::string& path, const RunMetadata& meta, const StimulusTable& stimuli,
                     const ConditionAxis& axis, bool store_trials)
    : path_(path), n_bins_(meta.n_bins), n_conditions_(axis.conductance_S.size()),
      n_stimuli_(stimuli.code.size()), store_trials_(store_trials) {
    if (meta.n_bins < 1 || meta.n_bins > 64)
        throw std::invalid_argument("RunWriter: n_bins must be in 1..64");
    if (n_stimuli_ == 0 || stimuli.multiplicity.size() != n_stimuli_ ||
        stimuli.n_input_spikes.size() != n_stimuli_ || stimuli.p_s.size() != n_stimuli_)
        throw std::invalid_argument("RunWriter: stimulus table columns must be non-empty and of "
                                    "equal length");
    if (n_conditions_ == 0 || axis.weight.size() != n_conditions_ ||
        axis.current_A.size() != n_conditions_)
        throw std::invalid_argument("RunWriter: condition axis columns must be non-empty and of "
                                    "equal length");
    completed_.assign(n_conditions_, 0);
    if (n_conditions_ > max_conditions || n_stimuli_ > max_stimuli)
        throw std::invalid_argument("RunWriter: at most 65536 conditions and 65536 stimuli");

    ensure_room(H5I_INVALID_HID, path,
                meta.config_json.size() + 64 * n_stimuli_ + 128 * n_conditions_ + (256u << 10));
    // Built under a temporary name and renamed once flushed: a process killed while the file is
    // being created leaves no file at `path` that could not be read (or resumed).
    const std::string creating = path + ".new";
    // removed again if the creation fails (a full disk): nothing of it is kept
    struct RemoveUnlessRenamed {
        const std::string& p;
        bool renamed = false;
        ~RemoveUnlessRenamed() {
            if (!renamed) std::remove(p.c_str());
        }
    } guard{creating};
    file_ = h5::create_file(creating);
    const hid_t f = file_;
    const auto n_g = static_cast<hsize_t>(n_conditions_);
    const auto n_s = static_cast<hsize_t>(n_stimuli_);

    // Identity and state first: a file cut short at any later point is still recognisable and
    // already says complete = 0.
    h5::write_attr_string(f, "filetype", run_filetype);
    h5::write_attr_array<std::int32_t>(f, "format_version", {run_format_major, run_format_minor});
    h5::write_attr<std::uint8_t>(f, "complete", 0);
    h5::write_attr<std::uint32_t>(f, "n_conditions_completed", 0);
    h5::write_attr_string(f, "incomplete_reason", running_reason);
    h5::write_attr_string(f, "phase", meta.phase);

    h5::write_attr_string(f, "software_version", meta.software_version);
    h5::write_attr_string(f, "git_sha1", meta.git_sha);
    h5::write_attr_string(f, "created",
                          meta.created_utc.empty() ? utc_timestamp() : meta.created_utc);
    h5::write_attr_string(f, "backend", meta.backend);
    h5::write_attr<std::uint64_t>(f, "seed", meta.seed);
    h5::write_attr<std::uint32_t>(f, "n_conditions", static_cast<std::uint32_t>(n_conditions_));
    h5::write_attr<std::uint32_t>(f, "n_stimuli", static_cast<std::uint32_t>(n_stimuli_));
    h5::write_attr<std::uint8_t>(f, "store_trials", store_trials ? 1 : 0);
    h5::write_attr<std::uint32_t>(f, "n_bins", meta.n_bins);
    h5::write_attr<double>(f, "bin_width_s", meta.bin_width_s);
    h5::write_attr<double>(f, "window_s", meta.window_s);
    h5::write_attr<double>(f, "dt_s", meta.dt_s);
    h5::write_attr<std::uint32_t>(f, "n_repeats", meta.n_repeats);
    h5::write_attr_string(f, "stimulus_set", meta.stimulus_set);
    h5::write_attr_string(f, "p_s_mode", meta.p_s_mode);
    h5::write_attr_string(f, "synapse_model", meta.synapse_model);
    h5::write_attr_string(f, "trial_id_layout", meta.trial_id_layout);
    h5::write_attr_string(f, "experiment_kind",
                          meta.experiment_kind.empty() ? "mi_sweep" : meta.experiment_kind);

    h5::write_string_dataset(f, "config_json", meta.config_json);
    {
        h5::Handle d = h5::open_dataset(f, "config_json");
        h5::write_attr_string(d, "media_type", "application/json");
    }

    namespace L = layout;
    const Extents ext{n_g, n_s, 0};
    {
        h5::Handle g = h5::create_group(f, "stimuli");
        h5::Handle code = create_from_layout(g, L::stimuli(), "code", ext, &stimuli.code);
        h5::write_attr_string(code, "bit_order", lsb_first);
        h5::write_attr_string(code, "bit_layout",
                              "bit (4*i + b) = spike of input i (0..3) in input bin b (0..3)");
        create_from_layout(g, L::stimuli(), "multiplicity", ext, &stimuli.multiplicity);
        create_from_layout(g, L::stimuli(), "n_input_spikes", ext, &stimuli.n_input_spikes);
        create_from_layout(g, L::stimuli(), "p_s", ext, &stimuli.p_s);
    }
    {
        h5::Handle g = h5::create_group(f, "axes");
        const auto g_S = flatten(axis.conductance_S), w = flatten(axis.weight),
                   i_A = flatten(axis.current_A);
        create_from_layout(g, L::axes(), "conductance_S", ext, &g_S);
        create_from_layout(g, L::axes(), "weight", ext, &w);
        create_from_layout(g, L::axes(), "current_A", ext, &i_A);
    }
    {
        h5::Handle g = h5::create_group(f, "counts");
        h5::write_attr_string(g, "layout",
                              "rows of all completed conditions; within a condition sorted by "
                              "(stimulus, word); see io/FORMAT.md");
        counts_condition_ = create_from_layout<std::uint32_t>(g, L::counts(), "condition", ext);
        counts_stimulus_ = create_from_layout<std::uint32_t>(g, L::counts(), "stimulus", ext);
        counts_word_ = create_from_layout<std::uint64_t>(g, L::counts(), "word", ext);
        h5::write_attr_string(counts_word_, "bit_order", lsb_first);
        h5::write_attr<std::uint32_t>(counts_word_, "n_bins", meta.n_bins);
        counts_count_ = create_from_layout<std::uint64_t>(g, L::counts(), "count", ext);
        create_from_layout<std::uint64_t>(g, L::counts(), "condition_row_start", ext);
        create_from_layout<std::uint64_t>(g, L::counts(), "condition_row_count", ext);
    }
    {
        h5::Handle g = h5::create_group(f, "results");
        h5::write_attr_string(g, "estimator", "plugin");
        h5::write_attr_string(g, "bias_correction", "none");
        // The per-stimulus tables can be large (65536 stimuli x many conditions): one chunk per
        // condition row, allocated when that condition is written, NaN/0 fill values before.
        create_from_layout(g, L::results(), "completed", ext, &completed_);
        ConditionRecord shape_only;
        visit_results(shape_only, [&](const char* name, auto& field) {
            using F = std::decay_t<decltype(field)>;
            if constexpr (std::is_same<F, bool>::value) {
                create_from_layout<std::uint8_t>(g, L::results(), name, ext);
            } else if constexpr (std::is_arithmetic<F>::value) {
                create_from_layout<F>(g, L::results(), name, ext);
            } else {
                create_from_layout<typename F::value_type>(g, L::results(), name, ext);
            }
        });
    }
    if (store_trials) {
        trials_group_ = h5::create_group(f, "trials");
        h5::write_attr<std::uint64_t>(trials_group_, "n_trials_written", 0);
        h5::write_attr<std::uint32_t>(trials_group_, "n_bins", meta.n_bins);
        h5::write_attr<double>(trials_group_, "bin_width_s", meta.bin_width_s);
        h5::write_attr_string(trials_group_, "bit_order", lsb_first);
        const auto col = [&](const char* name, auto tag) {
            using T = decltype(tag);
            return create_from_layout<T>(trials_group_, L::trials(), name, ext, nullptr, 65536);
        };
        trials_condition_ = col("condition", std::uint32_t{});
        trials_stimulus_ = col("stimulus", std::uint32_t{});
        trials_repeat_ = col("repeat", std::uint32_t{});
        trials_word_ = col("word", std::uint64_t{});
        h5::write_attr_string(trials_word_, "bit_order", lsb_first);
    }
    h5::flush(f);
    close_all();
    if (std::rename(creating.c_str(), path.c_str()) != 0)
        throw IoError("cannot rename " + in_quotes(creating) + " to " + in_quotes(path) + ": " +
                      std::strerror(errno));
    guard.renamed = true;
    checkpoint("created");
    file_ = h5::open_file(path, true);
    open_handles();
}

void RunWriter::open_handles() {
    h5::Handle g = h5::open_group(file_, "counts");
    counts_condition_ = h5::open_dataset(g, "condition");
    counts_stimulus_ = h5::open_dataset(g, "stimulus");
    counts_word_ = h5::open_dataset(g, "word");
    counts_count_ = h5::open_dataset(g, "count");
    if (store_trials_) {
        trials_group_ = h5::open_group(file_, "trials");
        trials_condition_ = h5::open_dataset(trials_group_, "condition");
        trials_stimulus_ = h5::open_dataset(trials_group_, "stimulus");
        trials_repeat_ = h5::open_dataset(trials_group_, "repeat");
        trials_word_ = h5::open_dataset(trials_group_, "word");
    }
}

//! A kill inside a flush can leave the superblock's end of allocation (EOA) behind objects the
//! flush had already written and linked, and HDF5 then refuses those addresses ("addr
//! overflow"). As `h5clear --increment=0` does, the EOA is raised to the end of the file. Tried
//! with a normal open, then with the library's "skip_eof_check" access property (the one h5clear
//! sets), which lets a file whose superblock is behind be opened at all.
void repair_end_of_allocation(const std::string& path) {
    h5::silence_errors();
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) return;
    for (int attempt = 0; attempt < 2; ++attempt) {
        h5::Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
        if (attempt == 1) {
            hbool_t skip = 1;
            if (!fapl.valid() || H5Pset(fapl, "skip_eof_check", &skip) < 0) {
                H5Eclear2(H5E_DEFAULT);
                return;
            }
        }
        h5::Handle f(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.valid() ? fapl.get() : H5P_DEFAULT));
        if (!f.valid()) {
            H5Eclear2(H5E_DEFAULT);
            continue;
        }
        haddr_t eoa = 0;
        if (H5Fget_eoa(f, &eoa) >= 0 && eoa < size && H5Fincrement_filesize(f, 0) >= 0)
            H5Fflush(f, H5F_SCOPE_GLOBAL);
        H5Eclear2(H5E_DEFAULT);
        return;
    }
}

namespace {

struct ReadCheck {
    std::string failed; //!< the object that could not be read
};

herr_t count_attr(hid_t, const char*, const H5A_info_t*, void*) { return 0; }

herr_t read_object(hid_t loc, const char* name, const H5O_info_t* info, void* data) {
    auto* check = static_cast<ReadCheck*>(data);
    const std::string path = std::string("/") + (std::strcmp(name, ".") == 0 ? "" : name);
    check->failed = path;
    h5::Handle obj(H5Oopen(loc, name, H5P_DEFAULT));
    if (!obj.valid()) return -1;
    hsize_t at = 0;
    if (info->num_attrs > 0 &&
        H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_NATIVE, &at, count_attr, nullptr) < 0)
        return -1;
    if (info->type == H5O_TYPE_DATASET && path.rfind("/counts/", 0) != 0 &&
        path.rfind("/trials/", 0) != 0) {
        h5::Handle type(H5Dget_type(obj));
        h5::Handle space(H5Dget_space(obj));
        if (!type.valid() || !space.valid()) return -1;
        const H5T_class_t cls = H5Tget_class(type);
        if (cls == H5T_INTEGER || cls == H5T_FLOAT) {
            const hssize_t n = H5Sget_simple_extent_npoints(space);
            if (n < 0) return -1;
            std::vector<unsigned char> buf(static_cast<std::size_t>(n) * H5Tget_size(type) + 1);
            if (H5Dread(obj, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0) return -1;
        }
    }
    check->failed.clear();
    return 0;
}

} // namespace

namespace {

//! The provenance every run file holds, MI sweep's or device kind's, into RunMetadata or StoredRun
//! (the same field names).
template <class M> void read_provenance(hid_t f, M& m) {
    m.software_version = h5::read_attr_string(f, "software_version");
    m.git_sha = h5::read_attr_string(f, "git_sha1");
    m.backend = h5::read_attr_string(f, "backend");
    m.config_json = h5::read_string_dataset(f, "config_json");
    if (h5::has_attr(f, "experiment_kind"))
        m.experiment_kind = h5::read_attr_string(f, "experiment_kind");
    if (h5::has_attr(f, "phase")) m.phase = h5::read_attr_string(f, "phase");
}

} // namespace

StoredRun read_stored_run(const std::string& path) {
    h5::silence_errors();
    h5::Handle file = h5::open_file(path, false);
    const hid_t f = file;
    check_filetype(f, path);
    StoredRun r;
    const auto v = h5::read_attr_array<std::int32_t>(f, "format_version");
    r.format_version = {v[0], v[1]};
    read_provenance(f, r);
    r.complete = h5::read_attr<std::uint8_t>(f, "complete") != 0;
    if (h5::exists(f, "results/completed")) {
        const auto done = h5::read_dataset<std::uint8_t>(f, "results/completed");
        r.n_conditions = done.size();
        for (std::uint8_t d : done) r.n_conditions_completed += d != 0 ? 1 : 0;
    }
    return r;
}

void check_run_file_readable(const std::string& path) {
    h5::silence_errors();
    h5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!file.valid()) h5::fail(H5I_INVALID_HID, "cannot open " + in_quotes(path));
    ReadCheck check;
    if (H5Ovisit(file, H5_INDEX_NAME, H5_ITER_NATIVE, read_object, &check) < 0)
        h5::fail(file, "cannot read " + in_quotes(check.failed.empty() ? "/" : check.failed) +
                           " of " + in_quotes(path));
}

RunWriter::RunWriter(const std::string& path, Resume) : path_(path) {
    repair_end_of_allocation(path);
    // Everything RunReader checks holds (layout, ranges, completed blocks) before anything is cut.
    std::vector<std::uint64_t> start, count, n_trials;
    // Completed conditions in commit order (their counts blocks, and their trials, follow it).
    std::vector<std::uint32_t> order;
    std::size_t keep = 0; //!< order[0, keep) stay completed; the rest are simulated again
    {
        const RunReader reader(path, /*writable=*/true);
        if (reader.complete())
            throw IoError(in_quotes(path) + " is complete already; there is nothing to resume");
        n_conditions_ = reader.n_conditions();
        n_stimuli_ = reader.n_stimuli();
        file_ = h5::open_file(path, true); // shares the reader's open file
        const hid_t f = file_;
        n_bins_ = h5::read_attr<std::uint32_t>(f, "n_bins");
        store_trials_ =
            h5::has_attr(f, "store_trials") && h5::read_attr<std::uint8_t>(f, "store_trials") != 0;
        if (store_trials_ != h5::exists(f, "trials"))
            throw IoError(in_quotes(path) +
                          ": store_trials disagrees with the presence of /trials");
        completed_ = h5::read_dataset<std::uint8_t>(f, "results/completed");
        start = h5::read_dataset<std::uint64_t>(f, "counts/condition_row_start");
        count = h5::read_dataset<std::uint64_t>(f, "counts/condition_row_count");
        n_trials = h5::read_dataset<std::uint64_t>(f, "results/n_trials_simulated");
        for (std::size_t k = 0; k < n_conditions_; ++k)
            if (completed_[k] != 0) order.push_back(static_cast<std::uint32_t>(k));
        std::sort(order.begin(), order.end(),
                  [&](std::uint32_t a, std::uint32_t b) { return start[a] < start[b]; });
        open_handles();

        // A kill inside a flush can leave a compressed chunk that later rows rewrote half on
        // disk; the rows of earlier commits that share it then no longer read. Every completed
        // condition is read back (and checked): from the first that fails, the conditions whose
        // rows reach into its chunk, and all later ones, are simulated again, and the damaged
        // chunks are cut off whole.
        keep = order.size();
        for (std::size_t i = 0; i < order.size(); ++i) {
            try {
                (void)reader.counts(order[i]);
            } catch (const IoError&) {
                keep = i;
                break;
            }
        }
        if (keep < order.size()) {
            const hsize_t c = h5::chunk_rows(counts_word_);
            const std::uint64_t cut = start[order[keep]] / c * c;
            while (keep > 0 && start[order[keep - 1]] + count[order[keep - 1]] > cut) --keep;
        }
        if (store_trials_) {
            // Every trial of a completed condition, in commit order: the first rows up to where
            // a column stops reading (a damaged chunk) must hold whole groups, one per condition.
            const hsize_t c = h5::chunk_rows(trials_word_);
            std::uint64_t need = 0;
            for (std::size_t i = 0; i < keep; ++i) need += n_trials[order[i]];
            std::uint64_t readable = need;
            for (hid_t d : {trials_condition_.get(), trials_stimulus_.get(), trials_repeat_.get(),
                            trials_word_.get()}) {
                readable = std::min<std::uint64_t>(readable, h5::shape(d).at(0));
                for (std::uint64_t r0 = 0; r0 < readable; r0 += c) {
                    const hsize_t n = std::min<std::uint64_t>(c, readable - r0);
                    try {
                        (void)h5::read_box<std::uint64_t>(d, {r0}, {n});
                    } catch (const IoError&) {
                        readable = r0;
                        break;
                    }
                }
            }
            const auto cond = h5::read_box<std::uint32_t>(trials_condition_, {0}, {readable});
            std::uint64_t pos = 0;
            std::size_t i = 0;
            for (; i < keep; ++i) {
                const std::uint64_t n = n_trials[order[i]];
                if (pos + n > readable) break;
                bool whole = true;
                for (std::uint64_t r = pos; r < pos + n && whole; ++r) whole = cond[r] == order[i];
                if (!whole) break;
                pos += n;
            }
            keep = i;
        }
    }
    const hid_t f = file_;
    // The conditions to simulate again lose their flag first (flushed), then their rows.
    for (std::size_t i = keep; i < order.size(); ++i) {
        completed_[order[i]] = 0;
        repaired_.push_back(order[i]);
        const std::uint8_t zero = 0;
        h5::Handle d = h5::open_dataset(f, "results/completed");
        h5::write_box<std::uint8_t>(d, {order[i]}, {1}, &zero);
    }
    h5::flush(f);
    std::sort(repaired_.begin(), repaired_.end());

    // Rows after the last kept block are left over from an interrupted commit (or cut as damaged):
    // cut them off, so the next condition's rows land where an uninterrupted run puts them.
    std::uint64_t end = 0, trials_end = 0;
    for (std::size_t i = 0; i < keep; ++i) {
        end = std::max(end, start[order[i]] + count[order[i]]);
        trials_end += n_trials[order[i]];
    }
    n_completed_ = static_cast<std::uint32_t>(keep);
    for (hid_t d :
         {counts_condition_.get(), counts_stimulus_.get(), counts_word_.get(), counts_count_.get()})
        h5::truncate_rows(d, std::min<std::uint64_t>(end, h5::shape(d).at(0)));
    if (store_trials_) {
        for (hid_t d : {trials_condition_.get(), trials_stimulus_.get(), trials_repeat_.get(),
                        trials_word_.get()})
            h5::truncate_rows(d, std::min<std::uint64_t>(trials_end, h5::shape(d).at(0)));
        n_trials_written_ = trials_end;
        h5::write_attr<std::uint64_t>(trials_group_, "n_trials_written", n_trials_written_);
    }
    // The counters follow the completed flags, which are the truth.
    h5::write_attr<std::uint32_t>(f, "n_conditions_completed", n_completed_);
    h5::write_attr_string(f, "incomplete_reason", running_reason);
    h5::flush(f);
    checkpoint("resume-open");
}

RunWriter::~RunWriter() {
    if (!file_.valid()) return;
    // Unwinding past a live writer (an exception in the sweep) should say so in the file; a
    // killed process never gets here and leaves "running".
    try {
        h5::write_attr_string(file_, "incomplete_reason", dropped_reason);
        h5::flush(file_);
    } catch (...) {
    }
    trials_word_.reset();
    trials_repeat_.reset();
    trials_stimulus_.reset();
    trials_condition_.reset();
    trials_group_.reset();
    counts_count_.reset();
    counts_word_.reset();
    counts_stimulus_.reset();
    counts_condition_.reset();
    file_.reset();
}

void RunWriter::require_open(const char* what) const {
    if (!file_.valid())
        throw std::logic_error(std::string("RunWriter::") + what + ": " + path_ +
                               " was already finished or aborted");
}

void RunWriter::close_all() {
    trials_word_.reset();
    trials_repeat_.reset();
    trials_stimulus_.reset();
    trials_condition_.reset();
    trials_group_.reset();
    counts_count_.reset();
    counts_word_.reset();
    counts_stimulus_.reset();
    counts_condition_.reset();
    file_.close();
}

void RunWriter::write_condition(std::uint32_t condition_index, const ConditionCounts& counts,
                                const PluginMeasures& plugin, const ConditionStats& stats,
                                const ConditionTrials* trials) {
    require_open("write_condition");
    const std::string where = "RunWriter::write_condition(" + std::to_string(condition_index) + ")";
    if (condition_index >= n_conditions_)
        throw std::invalid_argument(where + ": condition index out of range");
    if (completed_[condition_index] != 0)
        throw std::invalid_argument(where + ": condition already written");
    if (counts.n_bins != n_bins_)
        throw std::invalid_argument(where + ": counts.n_bins differs from the run's n_bins");
    if (counts.offsets.size() != n_stimuli_ + 1 || counts.offsets.front() != 0 ||
        counts.offsets.back() != counts.words.size() || counts.words.size() != counts.counts.size())
        throw std::invalid_argument(where + ": counts are not CSR over n_stimuli stimuli");
    const auto sized = [this](std::size_t n) { return n == n_stimuli_; };
    if (!sized(plugin.sss.size()) || !sized(plugin.sps.size()) || !sized(plugin.rank.size()) ||
        !sized(plugin.n_s.size()) || !sized(plugin.distinct_s.size()))
        throw std::invalid_argument(where + ": plug-in vectors must have n_stimuli entries");
    if (trials != nullptr) {
        if (!store_trials_)
            throw std::logic_error(where + ": the writer was created without trials");
        if (trials->repeat.size() != trials->stimulus.size() ||
            trials->word.size() != trials->stimulus.size())
            throw std::invalid_argument(where + ": trial column lengths differ");
        for (std::size_t i = 0; i < trials->word.size(); ++i) {
            if (trials->stimulus[i] >= n_stimuli_)
                throw std::invalid_argument(where + ": trial stimulus index out of range");
            check_word(trials->word[i], n_bins_, where.c_str());
        }
    }

    const std::size_t m = counts.words.size();
    std::vector<std::uint32_t> cond_col(m, condition_index);
    std::vector<std::uint32_t> stim_col(m);
    for (std::size_t s = 0; s < n_stimuli_; ++s) {
        const std::uint64_t lo = counts.offsets[s], hi = counts.offsets[s + 1];
        if (hi < lo || hi > m) throw std::invalid_argument(where + ": offsets not ascending");
        for (std::uint64_t k = lo; k < hi; ++k) {
            check_word(counts.words[k], n_bins_, where.c_str());
            if (k > lo && counts.words[k] <= counts.words[k - 1])
                throw std::invalid_argument(where + ": words not strictly ascending per stimulus");
            if (counts.counts[k] == 0) throw std::invalid_argument(where + ": zero count stored");
            stim_col[k] = static_cast<std::uint32_t>(s);
        }
    }
    const std::size_t n_trial_rows = trials != nullptr ? trials->word.size() : 0;
    ensure_room(file_, path_, 24 * m + 40 * n_stimuli_ + 20 * n_trial_rows + (64u << 10));

    // Step 1, the data: trial rows, count rows, the /results row and the block's row range; then
    // a flush. A kill before the flush's end leaves rows no completed flag refers to, which
    // readers ignore and a resumed run cuts off.
    const hid_t f = file_;
    if (n_trial_rows > 0) {
        h5::append<std::uint32_t>(trials_condition_,
                                  std::vector<std::uint32_t>(n_trial_rows, condition_index));
        h5::append<std::uint32_t>(trials_stimulus_, trials->stimulus);
        h5::append<std::uint32_t>(trials_repeat_, trials->repeat);
        h5::append<std::uint64_t>(trials_word_, trials->word);
    }
    // Each condition's rows start a chunk of their own: appending to the compressed chunk that
    // ends a committed condition rewrote it (at a new place, the old one freed for reuse), and a
    // SIGKILL before the next flush left the committed rows unreadable ("inflate() failed"). The
    // rows between blocks are fill (no block refers to them; FORMAT.md).
    for (hid_t d :
         {counts_condition_.get(), counts_stimulus_.get(), counts_word_.get(), counts_count_.get()})
        (void)h5::pad_to_chunk(d);
    const hsize_t row = h5::append<std::uint32_t>(counts_condition_, cond_col);
    h5::append<std::uint32_t>(counts_stimulus_, stim_col);
    h5::append<std::uint64_t>(counts_word_, counts.words);
    h5::append<std::uint64_t>(counts_count_, counts.counts);

    const hsize_t k = condition_index;
    const auto n_s = static_cast<hsize_t>(n_stimuli_);
    const auto put1 = [&](const char* name, auto value) {
        using T = decltype(value);
        h5::Handle d = h5::open_dataset(f, name);
        h5::write_box<T>(d, {k}, {1}, &value);
    };
    const auto put_row = [&](const char* name, const auto& values) {
        using T = typename std::decay_t<decltype(values)>::value_type;
        h5::Handle d = h5::open_dataset(f, name);
        h5::write_box<T>(d, {k, 0}, {1, n_s}, values.data());
    };
    struct View {
        const PluginMeasures& plugin;
        const ConditionStats& stats;
    } view{plugin, stats};
    visit_results(view, [&](const char* name, const auto& field) {
        using F = std::decay_t<decltype(field)>;
        const std::string path = std::string("results/") + name;
        if constexpr (std::is_same<F, bool>::value)
            put1(path.c_str(), static_cast<std::uint8_t>(field ? 1 : 0));
        else if constexpr (std::is_arithmetic<F>::value)
            put1(path.c_str(), field);
        else
            put_row(path.c_str(), field);
    });
    put1("counts/condition_row_start", static_cast<std::uint64_t>(row));
    put1("counts/condition_row_count", static_cast<std::uint64_t>(m));
    checkpoint("condition-rows");
    h5::flush(f);
    checkpoint("condition-data");

    // Step 2, the commit: the completed flag and the counters that follow from it, flushed.
    put1("results/completed", static_cast<std::uint8_t>(1));
    completed_[condition_index] = 1;
    ++n_completed_;
    h5::write_attr<std::uint32_t>(f, "n_conditions_completed", n_completed_);
    if (n_trial_rows > 0) {
        n_trials_written_ += n_trial_rows;
        h5::write_attr<std::uint64_t>(trials_group_, "n_trials_written", n_trials_written_);
    }
    h5::flush(f);
    checkpoint("condition-commit");
}

void RunWriter::append_trials(std::uint32_t condition_index,
                              const std::vector<std::uint32_t>& stimulus_index,
                              const std::vector<std::uint32_t>& repeat,
                              const std::vector<std::uint64_t>& words) {
    require_open("append_trials");
    const std::string where = "RunWriter::append_trials(" + std::to_string(condition_index) + ")";
    if (!store_trials_) throw std::logic_error(where + ": the writer was created without trials");
    if (condition_index >= n_conditions_)
        throw std::invalid_argument(where + ": condition index out of range");
    if (repeat.size() != stimulus_index.size() || words.size() != stimulus_index.size())
        throw std::invalid_argument(where + ": column lengths differ");
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (stimulus_index[i] >= n_stimuli_)
            throw std::invalid_argument(where + ": stimulus index out of range");
        check_word(words[i], n_bins_, where.c_str());
    }
    if (words.empty()) return;
    h5::append<std::uint32_t>(trials_condition_,
                              std::vector<std::uint32_t>(words.size(), condition_index));
    h5::append<std::uint32_t>(trials_stimulus_, stimulus_index);
    h5::append<std::uint32_t>(trials_repeat_, repeat);
    h5::append<std::uint64_t>(trials_word_, words);
    // The counter moves only after all four columns hold the rows: readers trust this prefix.
    n_trials_written_ += words.size();
    h5::write_attr<std::uint64_t>(trials_group_, "n_trials_written", n_trials_written_);
    h5::flush(file_);
}

void RunWriter::set_phase(const std::string& phase) {
    require_open("set_phase");
    h5::write_attr_string(file_, "phase", phase);
    h5::flush(file_);
    checkpoint("phase");
}

std::vector<std::uint32_t> RunWriter::pending_conditions() const {
    std::vector<std::uint32_t> out;
    for (std::size_t k = 0; k < completed_.size(); ++k)
        if (completed_[k] == 0) out.push_back(static_cast<std::uint32_t>(k));
    return out;
}

void RunWriter::close() {
    require_open("close");
    if (n_completed_ != n_conditions_)
        throw std::logic_error("RunWriter::close: " + std::to_string(n_completed_) + " of " +
                               std::to_string(n_conditions_) + " conditions written in " + path_);
    h5::flush(file_);
    close_all();
}

void RunWriter::finish(double wall_s, std::uint64_t n_trials) {
    close();
    RuntimeInfo rt;
    rt.wall_s = wall_s;
    rt.n_trials = n_trials;
    rt.trials_per_s = wall_s > 0 ? static_cast<double>(n_trials) / wall_s : 0.0;
    finish_run(path_, rt);
}

void RunWriter::abort(const std::string& reason) {
    require_open("abort");
    try {
        h5::write_attr_string(file_, "incomplete_reason", reason.empty() ? "aborted" : reason);
        h5::write_attr<std::uint8_t>(file_, "complete", 0);
        h5::flush(file_);
    } catch (...) {
        try {
            close_all();
        } catch (...) {
        }
        throw;
    }
    close_all();
}

void finish_run(const std::string& path, const RuntimeInfo& rt) {
    h5::Handle file = h5::open_file(path, true);
    check_filetype(file, path);
    ensure_room(file, path, 64u << 10);
    if (h5::exists(file, "runtime")) h5::unlink(file, "runtime");
    h5::Handle g = h5::create_group(file, "runtime");
    h5::write_scalar_dataset<double>(g, "wall_s", rt.wall_s);
    h5::write_scalar_dataset<double>(g, "trials_per_s", rt.trials_per_s);
    h5::write_scalar_dataset<std::uint64_t>(g, "n_trials", rt.n_trials);
    {
        h5::Handle d = h5::open_dataset(g, "wall_s");
        h5::write_attr_string(d, "units", "s");
        d = h5::open_dataset(g, "trials_per_s");
        h5::write_attr_string(d, "units", "1/s");
    }
    if (!rt.stages.empty()) {
        std::vector<double> wall;
        std::vector<std::uint64_t> trials;
        std::string names;
        for (const StageRecord& s : rt.stages) {
            wall.push_back(s.wall_s);
            trials.push_back(s.n_trials);
            names += (names.empty() ? "" : " ") + s.name;
        }
        const hsize_t n = rt.stages.size();
        write_table<double>(g, "stage_wall_s", wall, {n}, "s", {"stage"});
        write_table<std::uint64_t>(g, "stage_n_trials", trials, {n}, "1", {"stage"});
        h5::write_attr_string(g, "stages", names);
    }
    h5::write_attr_string(file, "incomplete_reason", "");
    h5::write_attr_string(file, "phase", "complete");
    h5::write_attr<std::uint8_t>(file, "complete", 1);
    h5::flush(file);
    checkpoint("finish");
    g.close();
    file.close();
}

void set_run_phase(const std::string& path, const std::string& phase) {
    h5::Handle file = h5::open_file(path, true);
    check_filetype(file, path);
    h5::write_attr_string(file, "phase", phase);
    h5::flush(file);
    checkpoint("phase");
    file.close();
}

void mark_run_incomplete(const std::string& path, const std::string& reason) {
    if (!h5::file_exists(path)) return;
    h5::Handle file = h5::open_file(path, true);
    check_filetype(file, path);
    h5::write_attr_string(file, "incomplete_reason", reason.empty() ? "aborted" : reason);
    h5::write_attr<std::uint8_t>(file, "complete", 0);
    h5::flush(file);
    file.close();
}

// ---- RunReader -------------------------------------------------------------------------------

RunReader::RunReader(const std::string& path, bool writable) : path_(path) {
    file_ = h5::open_file(path, writable);
    check_filetype(file_, path);
    if (!h5::exists(file_, "results/completed") || !h5::exists(file_, "stimuli/code"))
        throw IoError(in_quotes(path) + ": memlif-run file without /results/completed or "
                                        "/stimuli/code");
    const auto length_of = [&](const char* name) {
        h5::Handle d = h5::open_dataset(file_, name);
        const auto dims = h5::shape(d);
        if (dims.size() != 1)
            throw IoError(in_quotes(path) + ": dataset " + in_quotes(name) +
                          " must be one-dimensional");
        return static_cast<std::size_t>(dims[0]);
    };
    n_conditions_ = length_of("results/completed");
    n_stimuli_ = length_of("stimuli/code");
    if (n_conditions_ < 1 || n_conditions_ > max_conditions)
        corrupt("/results/completed holds " + std::to_string(n_conditions_) +
                " conditions; the format allows 1 to " + std::to_string(max_conditions));
    if (n_stimuli_ < 1 || n_stimuli_ > max_stimuli)
        corrupt("/stimuli/code holds " + std::to_string(n_stimuli_) +
                " stimuli; the format allows 1 to " + std::to_string(max_stimuli));
    // Every core group must be as io/layout.cpp says before anything is read from it.
    const Extents ext{n_conditions_, n_stimuli_, 0};
    for (const layout::Group* g :
         {&layout::stimuli(), &layout::axes(), &layout::counts(), &layout::results()})
        check_group(file_, *g, ext, path);
    if (h5::exists(file_, "trials")) check_group(file_, layout::trials(), ext, path);
    check_contents();
}

void RunReader::corrupt(const std::string& what) const {
    throw IoError(in_quotes(path_) + " breaks the memlif-run format: " + what);
}

void RunReader::check_contents() const {
    const hid_t f = file_;
    for (const auto& [name, value] :
         {std::pair<const char*, std::size_t>{"n_conditions", n_conditions_},
          {"n_stimuli", n_stimuli_}})
        if (h5::has_attr(f, name) && h5::read_attr<std::uint64_t>(f, name) != value)
            corrupt(std::string("root attribute '") + name +
                    "' differs from the length of its axis (" + std::to_string(value) + ")");
    const auto n_bins = h5::read_attr<std::uint64_t>(f, "n_bins");
    if (n_bins < 1 || n_bins > 64)
        corrupt("n_bins = " + std::to_string(n_bins) + ", must be in 1..64");
    const_cast<RunReader*>(this)->n_bins_ = static_cast<std::uint32_t>(n_bins);

    const auto code = h5::read_dataset<std::uint16_t>(f, "stimuli/code");
    const auto n_spk = h5::read_dataset<std::uint32_t>(f, "stimuli/n_input_spikes");
    const auto p_s = h5::read_dataset<double>(f, "stimuli/p_s");
    for (std::size_t s = 0; s < n_stimuli_; ++s) {
        if (n_spk[s] != static_cast<std::uint32_t>(__builtin_popcount(code[s])))
            corrupt("/stimuli/n_input_spikes[" + std::to_string(s) + "] is not popcount(code)");
        if (!(p_s[s] >= 0 && p_s[s] <= 1))
            corrupt("/stimuli/p_s[" + std::to_string(s) + "] is not a probability");
    }

    const auto flags = h5::read_dataset<std::uint8_t>(f, "results/completed");
    const auto start = h5::read_dataset<std::uint64_t>(f, "counts/condition_row_start");
    const auto count = h5::read_dataset<std::uint64_t>(f, "counts/condition_row_count");
    const auto n_trials = h5::read_dataset<std::uint64_t>(f, "results/n_trials");
    const auto mi = h5::read_dataset<double>(f, "results/mutual_information_bit");
    std::uint64_t rows = std::numeric_limits<std::uint64_t>::max();
    for (const char* name :
         {"counts/condition", "counts/stimulus", "counts/word", "counts/count"}) {
        h5::Handle d = h5::open_dataset(f, name);
        rows = std::min<std::uint64_t>(rows, h5::shape(d).at(0));
    }
    std::vector<std::pair<std::uint64_t, std::uint64_t>> blocks;
    std::size_t n_done = 0;
    for (std::size_t k = 0; k < n_conditions_; ++k) {
        if (flags[k] > 1) corrupt("/results/completed holds a value other than 0 and 1");
        if (flags[k] == 0) continue;
        ++n_done;
        const std::string c = "condition " + std::to_string(k) + " is marked completed, but ";
        // A condition counts as completed only with all of its data: a torn write is refused.
        if (count[k] == 0) corrupt(c + "it has no count rows");
        if (start[k] > rows || count[k] > rows - start[k])
            corrupt(c + "its count rows [" + std::to_string(start[k]) + ", +" +
                    std::to_string(count[k]) + ") are not all in /counts (" + std::to_string(rows) +
                    " rows)");
        if (n_trials[k] == 0) corrupt(c + "/results/n_trials is 0");
        if (!std::isfinite(mi[k])) corrupt(c + "it has no finite MI in /results");
        blocks.emplace_back(start[k], start[k] + count[k]);
    }
    std::sort(blocks.begin(), blocks.end());
    for (std::size_t i = 1; i < blocks.size(); ++i)
        if (blocks[i].first < blocks[i - 1].second)
            corrupt("the count rows of two conditions overlap");
    if (h5::read_attr<std::uint64_t>(f, "complete") != 0 && n_done != n_conditions_)
        corrupt("complete = 1, but only " + std::to_string(n_done) + " of " +
                std::to_string(n_conditions_) + " conditions are completed");
}

RunMetadata RunReader::metadata() const {
    const hid_t f = file_;
    RunMetadata m;
    read_provenance(f, m);
    m.created_utc = h5::read_attr_string(f, "created");
    m.seed = h5::read_attr<std::uint64_t>(f, "seed");
    m.n_bins = h5::read_attr<std::uint32_t>(f, "n_bins");
    m.bin_width_s = h5::read_attr<double>(f, "bin_width_s");
    m.window_s = h5::read_attr<double>(f, "window_s");
    m.dt_s = h5::read_attr<double>(f, "dt_s");
    m.n_repeats = h5::read_attr<std::uint32_t>(f, "n_repeats");
    m.stimulus_set = h5::read_attr_string(f, "stimulus_set");
    m.p_s_mode = h5::read_attr_string(f, "p_s_mode");
    m.synapse_model = h5::read_attr_string(f, "synapse_model");
    m.trial_id_layout = h5::read_attr_string(f, "trial_id_layout");
    return m;
}

StimulusTable RunReader::stimuli() const {
    StimulusTable t;
    t.code = h5::read_dataset<std::uint16_t>(file_, "stimuli/code");
    t.multiplicity = h5::read_dataset<std::uint32_t>(file_, "stimuli/multiplicity");
    t.n_input_spikes = h5::read_dataset<std::uint32_t>(file_, "stimuli/n_input_spikes");
    t.p_s = h5::read_dataset<double>(file_, "stimuli/p_s");
    return t;
}

ConditionAxis RunReader::axis() const {
    const auto read4 = [this](const char* name) {
        std::vector<hsize_t> dims;
        const std::vector<double> flat = h5::read_dataset<double>(file_, name, &dims);
        if (dims.size() != 2 || dims[1] != 4 || dims[0] != n_conditions_)
            throw IoError(in_quotes(path_) + ": dataset " + in_quotes(name) +
                          " must have shape (n_conditions, 4)");
        return unflatten(flat);
    };
    ConditionAxis a;
    a.conductance_S = read4("axes/conductance_S");
    a.weight = read4("axes/weight");
    a.current_A = read4("axes/current_A");
    return a;
}

std::array<std::int32_t, 2> RunReader::format_version() const {
    const auto v = h5::read_attr_array<std::int32_t>(file_, "format_version");
    return {v.at(0), v.at(1)};
}

bool RunReader::complete() const { return h5::read_attr<std::uint8_t>(file_, "complete") != 0; }

std::string RunReader::incomplete_reason() const {
    return h5::read_attr_string(file_, "incomplete_reason");
}

std::string RunReader::phase() const {
    return h5::has_attr(file_, "phase") ? h5::read_attr_string(file_, "phase") : std::string();
}

std::vector<std::uint32_t> RunReader::completed_conditions() const {
    const auto flags = h5::read_dataset<std::uint8_t>(file_, "results/completed");
    std::vector<std::uint32_t> out;
    for (std::size_t i = 0; i < flags.size(); ++i) {
        if (flags[i] != 0) out.push_back(static_cast<std::uint32_t>(i));
    }
    return out;
}

bool RunReader::is_completed(std::uint32_t condition_index) const {
    if (condition_index >= n_conditions_) return false;
    h5::Handle d = h5::open_dataset(file_, "results/completed");
    return h5::read_box<std::uint8_t>(d, {condition_index}, {1})[0] != 0;
}

void RunReader::require_completed(std::uint32_t condition_index) const {
    if (condition_index >= n_conditions_)
        throw IoError(in_quotes(path_) + ": condition " + std::to_string(condition_index) +
                      " out of range (" + std::to_string(n_conditions_) + " conditions)");
    if (!is_completed(condition_index))
        throw IoError(in_quotes(path_) + ": condition " + std::to_string(condition_index) +
                      " was not completed");
}

ConditionCounts RunReader::counts(std::uint32_t condition_index) const {
    require_completed(condition_index);
    const hsize_t k = condition_index;
    const auto get1 = [&](const char* name) {
        h5::Handle d = h5::open_dataset(file_, name);
        return h5::read_box<std::uint64_t>(d, {k}, {1})[0];
    };
    const std::uint64_t start = get1("counts/condition_row_start");
    const std::uint64_t n = get1("counts/condition_row_count");
    const std::string bad = "the counts of condition " + std::to_string(condition_index) + ": ";
    const auto column = [&](const char* name, auto tag) {
        using T = decltype(tag);
        h5::Handle d = h5::open_dataset(file_, name);
        // A hostile file can claim many rows in chunks that were never written (they read as the
        // fill value): the rows must fit what the column stores, at deflate's ratio of at most
        // 1032:1, before they are allocated.
        const double stored = static_cast<double>(h5::storage_size(d));
        if (static_cast<double>(n) * sizeof(T) > 1100.0 * stored + 1048576.0)
            corrupt(bad + std::to_string(n) + " rows claimed, but /" + name + " stores only " +
                    std::to_string(h5::storage_size(d)) + " bytes");
        return h5::read_box<T>(d, {start}, {n});
    };
    const auto cond = column("counts/condition", std::uint32_t{});
    const auto stim = column("counts/stimulus", std::uint32_t{});
    ConditionCounts c;
    c.n_bins = n_bins_;
    c.words = column("counts/word", std::uint64_t{});
    c.counts = column("counts/count", std::uint64_t{});
    c.offsets.assign(n_stimuli_ + 1, 0);
    const auto n_s = static_cast<hsize_t>(n_stimuli_);
    std::vector<std::uint64_t> n_per_stimulus(n_stimuli_, 0);
    std::uint64_t total = 0;
    // Offsets are rebuilt from the stimulus column, which must be ascending and in range; words
    // strictly ascending within a stimulus, inside the word length, with counts > 0 whose sums
    // neither overflow nor differ from /results.
    for (std::size_t i = 0; i < stim.size(); ++i) {
        if (cond[i] != condition_index)
            corrupt(bad + "a row of its block names condition " + std::to_string(cond[i]));
        if (stim[i] >= n_stimuli_)
            corrupt(bad + "stimulus index " + std::to_string(stim[i]) + " out of range");
        if (i > 0 && stim[i] < stim[i - 1]) corrupt(bad + "rows are not sorted by stimulus");
        if (i > 0 && stim[i] == stim[i - 1] && c.words[i] <= c.words[i - 1])
            corrupt(bad + "words are not strictly ascending within stimulus " +
                    std::to_string(stim[i]));
        if (n_bins_ < 64 && (c.words[i] >> n_bins_) != 0)
            corrupt(bad + "word " + std::to_string(c.words[i]) +
                    " sets a bit at or above n_bins = " + std::to_string(n_bins_));
        if (c.counts[i] == 0) corrupt(bad + "a row has count 0");
        std::uint64_t& ns = n_per_stimulus[stim[i]];
        if (ns + c.counts[i] < ns || total + c.counts[i] < total)
            corrupt(bad + "the counts overflow uint64");
        ns += c.counts[i];
        total += c.counts[i];
        ++c.offsets[stim[i] + 1];
    }
    for (std::size_t s = 0; s < n_stimuli_; ++s) c.offsets[s + 1] += c.offsets[s];
    h5::Handle per_stimulus = h5::open_dataset(file_, "results/n_trials_per_stimulus");
    if (h5::read_box<std::uint64_t>(per_stimulus, {k, 0}, {1, n_s}) != n_per_stimulus)
        corrupt(bad + "they do not add up to /results/n_trials_per_stimulus");
    h5::Handle n_trials = h5::open_dataset(file_, "results/n_trials");
    if (h5::read_box<std::uint64_t>(n_trials, {k}, {1})[0] != total)
        corrupt(bad + "they do not add up to /results/n_trials");
    return c;
}

ConditionRecord RunReader::results(std::uint32_t condition_index) const {
    require_completed(condition_index);
    const hsize_t k = condition_index;
    const auto n_s = static_cast<hsize_t>(n_stimuli_);
    ConditionRecord r;
    visit_results(r, [&](const char* name, auto& field) {
        using F = std::decay_t<decltype(field)>;
        h5::Handle d = h5::open_dataset(file_, std::string("results/") + name);
        if constexpr (std::is_same<F, bool>::value) {
            field = h5::read_box<std::uint8_t>(d, {k}, {1})[0] != 0;
        } else if constexpr (std::is_arithmetic<F>::value) {
            field = h5::read_box<F>(d, {k}, {1})[0];
        } else {
            field = h5::read_box<typename F::value_type>(d, {k, 0}, {1, n_s});
        }
    });
    return r;
}

PluginMeasures RunReader::plugin(std::uint32_t condition_index) const {
    return results(condition_index).plugin;
}

ConditionStats RunReader::stats(std::uint32_t condition_index) const {
    return results(condition_index).stats;
}

std::optional<RuntimeInfo> RunReader::runtime() const {
    if (!h5::exists(file_, "runtime")) return std::nullopt;
    RuntimeInfo r;
    r.wall_s = h5::read_scalar_dataset<double>(file_, "runtime/wall_s");
    r.trials_per_s = h5::read_scalar_dataset<double>(file_, "runtime/trials_per_s");
    r.n_trials = h5::read_scalar_dataset<std::uint64_t>(file_, "runtime/n_trials");
    if (h5::exists(file_, "runtime/stage_wall_s")) {
        h5::Handle g = h5::open_group(file_, "runtime");
        const auto wall = h5::read_dataset<double>(g, "stage_wall_s");
        const auto trials = h5::read_dataset<std::uint64_t>(g, "stage_n_trials");
        std::istringstream names(h5::read_attr_string(g, "stages"));
        for (std::size_t i = 0; i < wall.size() && i < trials.size(); ++i) {
            StageRecord st;
            names >> st.name;
            st.wall_s = wall[i];
            st.n_trials = trials[i];
            r.stages.push_back(st);
        }
    }
    return r;
}

bool RunReader::has_trials() const { return h5::exists(file_, "trials"); }

TrialTable RunReader::trials() const {
    if (!has_trials()) throw IoError(in_quotes(path_) + ": no /trials group (store_trials off)");
    h5::Handle g = h5::open_group(file_, "trials");
    const std::uint64_t n = h5::read_attr<std::uint64_t>(g, "n_trials_written");
    const auto column = [&](const char* name, auto tag) {
        using T = decltype(tag);
        h5::Handle d = h5::open_dataset(g, name);
        if (h5::shape(d).at(0) < n)
            corrupt(std::string("/trials/") + name + " is shorter than n_trials_written");
        if (static_cast<double>(n) * sizeof(T) >
            1100.0 * static_cast<double>(h5::storage_size(d)) + 1048576.0)
            corrupt("n_trials_written = " + std::to_string(n) + ", but /trials/" + name +
                    " stores only " + std::to_string(h5::storage_size(d)) + " bytes");
        return h5::read_box<T>(d, {0}, {n});
    };
    TrialTable t;
    t.condition = column("condition", std::uint32_t{});
    t.stimulus = column("stimulus", std::uint32_t{});
    t.repeat = column("repeat", std::uint32_t{});
    t.word = column("word", std::uint64_t{});
    for (std::size_t i = 0; i < t.word.size(); ++i) {
        if (t.condition[i] >= n_conditions_ || t.stimulus[i] >= n_stimuli_)
            corrupt("/trials row " + std::to_string(i) +
                    " names a condition or stimulus out of range");
        if (n_bins_ < 64 && (t.word[i] >> n_bins_) != 0)
            corrupt("/trials/word[" + std::to_string(i) + "] sets a bit at or above n_bins");
    }
    return t;
}

bool RunReader::has(const std::string& object_path) const { return h5::exists(file_, object_path); }

std::vector<double> RunReader::read_f64(const std::string& dataset_path,
                                        std::vector<std::size_t>* shape) const {
    std::vector<hsize_t> dims;
    auto v = h5::read_dataset<double>(file_, dataset_path, &dims);
    if (shape != nullptr) *shape = to_size(dims);
    return v;
}

std::vector<std::uint32_t> RunReader::read_u32(const std::string& dataset_path,
                                               std::vector<std::size_t>* shape) const {
    std::vector<hsize_t> dims;
    auto v = h5::read_dataset<std::uint32_t>(file_, dataset_path, &dims);
    if (shape != nullptr) *shape = to_size(dims);
    return v;
}

std::vector<std::uint8_t> RunReader::read_u8(const std::string& dataset_path,
                                             std::vector<std::size_t>* shape) const {
    std::vector<hsize_t> dims;
    auto v = h5::read_dataset<std::uint8_t>(file_, dataset_path, &dims);
    if (shape != nullptr) *shape = to_size(dims);
    return v;
}

std::vector<double> RunReader::read_condition_f64(const std::string& dataset_path) const {
    h5::Handle d = h5::open_dataset(file_, dataset_path);
    const auto dims = h5::shape(d);
    const h5::ElementType t = h5::element_type(d);
    if (dims.size() != 1 || dims[0] != n_conditions_ || !t.is_float || t.size != 8)
        corrupt(dataset_path + " must be float64[n_conditions = " + std::to_string(n_conditions_) +
                "]");
    return h5::read_dataset<double>(file_, dataset_path);
}

std::vector<std::uint8_t> RunReader::read_condition_u8(const std::string& dataset_path) const {
    h5::Handle d = h5::open_dataset(file_, dataset_path);
    const auto dims = h5::shape(d);
    const h5::ElementType t = h5::element_type(d);
    if (dims.size() != 1 || dims[0] != n_conditions_ || !t.is_integer || t.is_signed || t.size != 1)
        corrupt(dataset_path + " must be uint8[n_conditions = " + std::to_string(n_conditions_) +
                "]");
    return h5::read_dataset<std::uint8_t>(file_, dataset_path);
}

std::array<std::size_t, 2> RunReader::analysis_progress(const std::string& group) const {
    const std::string name = group + "/completed";
    if (!h5::exists(file_, name)) return {0, 0};
    h5::Handle d = h5::open_dataset(file_, name);
    const auto dims = h5::shape(d);
    const h5::ElementType t = h5::element_type(d);
    if (dims.size() != 1 || dims[0] > max_conditions || !t.is_integer || t.size != 1)
        corrupt(name + " must be uint8[rows]");
    std::size_t done = 0;
    for (std::uint8_t v : h5::read_dataset<std::uint8_t>(file_, name)) done += v != 0;
    return {done, static_cast<std::size_t>(dims[0])};
}

std::string RunReader::read_attr_string(const std::string& object_path,
                                        const std::string& name) const {
    h5::Handle obj(H5Oopen(file_, object_path.c_str(), H5P_DEFAULT));
    if (!obj.valid()) h5::fail(file_, "cannot open object " + in_quotes(object_path));
    return h5::read_attr_string(obj, name);
}

// ---- AnalysisWriter --------------------------------------------------------------------------

AnalysisWriter::AnalysisWriter(const std::string& path, const std::string& group, bool replace)
    : AnalysisWriter(path, group, replace ? GroupMode::replace : GroupMode::create) {}

AnalysisWriter::AnalysisWriter(const std::string& path, const std::string& group, GroupMode mode)
    : path_(path), group_name_(group) {
    check_group_name();
    file_ = h5::open_file(path, true);
    check_filetype(file_, path);
    file_id_ = file_;
    open_group(file_id_, mode);
}

AnalysisWriter::AnalysisWriter(const RunReader& file, const std::string& group, GroupMode mode)
    : path_(file.path()), group_name_(group), file_id_(file.handle()) {
    check_group_name();
    open_group(file_id_, mode);
}

void AnalysisWriter::check_group_name() const {
    std::string name = group_name_;
    while (!name.empty() && name.front() == '/') name.erase(name.begin());
    const std::string first = name.substr(0, name.find('/'));
    if (first.empty())
        throw std::invalid_argument("AnalysisWriter: group name must not be the root group");
    for (const auto& core : core_names) {
        if (first == core)
            throw std::invalid_argument("AnalysisWriter: " + in_quotes(group_name_) +
                                        " is part of the core memlif-run layout");
    }
    // /analysis/NAME or (the device kinds' groups) /NAME, each NAME a plain name: "/analysis/"
    // or "/analysis/a/.." would name (and, replaced, unlink) every analysis group at once.
    std::vector<std::string> parts;
    for (std::size_t at = 0; at <= name.size();) {
        const std::size_t end = std::min(name.find('/', at), name.size());
        parts.push_back(name.substr(at, end - at));
        at = end + 1;
    }
    bool ok = parts.size() == (first == "analysis" ? 2u : 1u);
    for (const std::string& part : parts) {
        ok = ok && !part.empty() && part.front() != '.';
        for (char ch : part)
            ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' ||
                        ch == '.');
    }
    if (!ok)
        throw std::invalid_argument("AnalysisWriter: " + in_quotes(group_name_) +
                                    " is not /analysis/NAME (or /NAME) with NAME made of letters, "
                                    "digits, '_', '-' and '.' (not starting with '.')");
}

void AnalysisWriter::open_group(hid_t file, GroupMode mode) {
    if (h5::exists(file, group_name_)) {
        if (mode == GroupMode::resume) {
            group_ = h5::open_group(file, group_name_);
            resumed_ = true;
            return;
        }
        if (mode != GroupMode::replace)
            throw IoError(in_quotes(path_) + ": group " + in_quotes(group_name_) +
                          " already exists (replace it explicitly)");
        h5::unlink(file, group_name_);
    }
    group_ = h5::create_group(file, group_name_);
    h5::write_attr_string(group_, "created", utc_timestamp());
}

bool AnalysisWriter::reuse(const std::string& name, const std::vector<hsize_t>& dims, bool u8,
                           bool u32) const {
    if (!resumed_ || !h5::exists(group_, name)) return false;
    h5::Handle d = h5::open_dataset(group_, name);
    const h5::ElementType t = h5::element_type(d);
    const bool type_ok = u8    ? (t.is_integer && !t.is_signed && t.size == 1)
                         : u32 ? (t.is_integer && !t.is_signed && t.size == 4)
                               : (t.is_float && t.size == 8);
    if (!type_ok || h5::shape(d) != dims)
        throw IoError(
            in_quotes(path_) + ": " + group_name_ + "/" + name +
            " does not have the type and shape this analysis writes; it cannot be resumed");
    return true;
}

void AnalysisWriter::track_rows(std::size_t n_rows, const std::string& axis) {
    require_open("track_rows");
    const std::vector<hsize_t> dims = {static_cast<hsize_t>(n_rows)};
    if (reuse("completed", dims, true, false)) {
        completed_ = h5::open_dataset(group_, "completed");
        return;
    }
    completed_ = h5::write_dataset<std::uint8_t>(group_, "completed",
                                                 std::vector<std::uint8_t>(n_rows, 0), dims);
    label(completed_, "", {axis});
}

bool AnalysisWriter::row_done(std::size_t row) const {
    if (!completed_.valid()) return false;
    return h5::read_box<std::uint8_t>(completed_, {static_cast<hsize_t>(row)}, {1})[0] != 0;
}

void AnalysisWriter::commit_row(std::size_t row) {
    require_open("commit_row");
    if (!completed_.valid()) throw std::logic_error("AnalysisWriter::commit_row before track_rows");
    // The row's values are flushed before its flag is written, and the flag before the next row.
    checkpoint("row-values");
    h5::flush(file_id_);
    checkpoint("row-data");
    const std::uint8_t one = 1;
    h5::write_box<std::uint8_t>(completed_, {static_cast<hsize_t>(row)}, {1}, &one);
    h5::flush(file_id_);
    checkpoint("row-commit");
}

AnalysisWriter::~AnalysisWriter() {
    if (!group_.valid()) return;
    try {
        h5::flush(file_id_);
    } catch (...) {
    }
    completed_.reset();
    group_.reset();
    file_.reset();
}

void AnalysisWriter::create_table(const std::string& name, std::size_t n_conditions,
                                  std::size_t width, bool u8, const std::string& units,
                                  const std::vector<std::string>& axes) {
    require_open("create_table");
    const hsize_t n_g = n_conditions;
    std::vector<hsize_t> dims = {n_g}, chunk = {std::max<hsize_t>(1, n_g)};
    if (width > 0) {
        dims = {n_g, static_cast<hsize_t>(width)};
        chunk = {1, static_cast<hsize_t>(width)};
    }
    if (reuse(name, dims, u8, false)) {
        return;
    }
    h5::Handle d = u8 ? h5::create_filled<std::uint8_t>(group_, name, dims, chunk, 0)
                      : h5::create_filled<double>(group_, name, dims, chunk, nan_value);
    label(d, units, axes);
}

void AnalysisWriter::write_row(const std::string& name, std::size_t condition,
                               const std::vector<double>& values) {
    require_open("write_row");
    h5::Handle d = h5::open_dataset(group_, name);
    const auto dims = h5::shape(d);
    const hsize_t k = condition;
    const hsize_t width = dims.size() > 1 ? dims[1] : 1;
    if (k >= dims.at(0) || values.size() != width)
        throw std::invalid_argument("AnalysisWriter::write_row(" + name + "): row " +
                                    std::to_string(condition) + " of width " +
                                    std::to_string(values.size()) + " does not fit");
    const std::vector<hsize_t> start =
        dims.size() > 1 ? std::vector<hsize_t>{k, 0} : std::vector<hsize_t>{k};
    const std::vector<hsize_t> count =
        dims.size() > 1 ? std::vector<hsize_t>{1, width} : std::vector<hsize_t>{1};
    if (h5::is_uint8(d)) {
        std::vector<std::uint8_t> bytes(values.size());
        for (std::size_t i = 0; i < values.size(); ++i) bytes[i] = values[i] != 0 ? 1 : 0;
        h5::write_box<std::uint8_t>(d, start, count, bytes.data());
    } else {
        h5::write_box<double>(d, start, count, values.data());
    }
}

void AnalysisWriter::require_open(const char* what) const {
    if (!group_.valid())
        throw std::logic_error(std::string("AnalysisWriter::") + what + ": " + path_ + " group " +
                               group_name_ + " was already closed");
}

void AnalysisWriter::write_f64(const std::string& name, const std::vector<double>& data,
                               const std::vector<std::size_t>& shape, const std::string& units) {
    require_open("write_f64");
    if (reuse(name, to_hsize(shape), false, false)) {
        if (h5::read_dataset<double>(group_, name) != data)
            throw IoError(in_quotes(path_) + ": " + group_name_ + "/" + name +
                          " holds other values than this analysis writes; it cannot be resumed");
        return;
    }
    h5::Handle d = h5::write_dataset<double>(group_, name, data, to_hsize(shape));
    if (!units.empty()) h5::write_attr_string(d, "units", units);
}

void AnalysisWriter::write_u32(const std::string& name, const std::vector<std::uint32_t>& data,
                               const std::vector<std::size_t>& shape, const std::string& units) {
    require_open("write_u32");
    if (reuse(name, to_hsize(shape), false, true)) {
        if (h5::read_dataset<std::uint32_t>(group_, name) != data)
            throw IoError(in_quotes(path_) + ": " + group_name_ + "/" + name +
                          " holds other values than this analysis writes; it cannot be resumed");
        return;
    }
    h5::Handle d = h5::write_dataset<std::uint32_t>(group_, name, data, to_hsize(shape));
    if (!units.empty()) h5::write_attr_string(d, "units", units);
}

void AnalysisWriter::write_u8(const std::string& name, const std::vector<std::uint8_t>& data,
                              const std::vector<std::size_t>& shape, const std::string& units) {
    require_open("write_u8");
    if (reuse(name, to_hsize(shape), true, false)) {
        if (h5::read_dataset<std::uint8_t>(group_, name) != data)
            throw IoError(in_quotes(path_) + ": " + group_name_ + "/" + name +
                          " holds other values than this analysis writes; it cannot be resumed");
        return;
    }
    h5::Handle d = h5::write_dataset<std::uint8_t>(group_, name, data, to_hsize(shape));
    if (!units.empty()) h5::write_attr_string(d, "units", units);
}

void AnalysisWriter::set_axes(const std::string& name, const std::vector<std::string>& axes) {
    require_open("set_axes");
    h5::Handle d = h5::open_dataset(group_, name);
    h5::write_attr_strings(d, "axes", axes);
}

void AnalysisWriter::write_attr(const std::string& name, const std::string& value) {
    require_open("write_attr");
    if (resumed_ && h5::has_attr(group_, name)) {
        if (h5::read_attr_string(group_, name) != value)
            throw IoError(in_quotes(path_) + ": " + group_name_ + " was started with another '" +
                          name + "'; it cannot be resumed");
        return;
    }
    h5::write_attr_string(group_, name, value);
}

void AnalysisWriter::write_attr(const std::string& name, double value) {
    require_open("write_attr");
    if (resumed_ && h5::has_attr(group_, name)) {
        const double old = h5::read_attr<double>(group_, name);
        if (!(old == value || (std::isnan(old) && std::isnan(value))))
            throw IoError(in_quotes(path_) + ": " + group_name_ + " was started with another '" +
                          name + "'; it cannot be resumed");
        return;
    }
    h5::write_attr<double>(group_, name, value);
}

void AnalysisWriter::write_attr(const std::string& name, std::uint64_t value) {
    require_open("write_attr");
    if (resumed_ && h5::has_attr(group_, name)) {
        if (h5::read_attr<std::uint64_t>(group_, name) != value)
            throw IoError(in_quotes(path_) + ": " + group_name_ + " was started with another '" +
                          name + "'; it cannot be resumed");
        return;
    }
    h5::write_attr<std::uint64_t>(group_, name, value);
}

void AnalysisWriter::close() {
    if (!group_.valid()) return;
    try {
        h5::flush(file_id_);
    } catch (...) {
        group_.reset();
        file_.reset();
        throw;
    }
    completed_.reset();
    group_.close();
    if (file_.valid()) file_.close();
}

} // namespace memlif::io
