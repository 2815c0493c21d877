// SPDX-License-Identifier: MIT
//! \file io/run_file.cpp
#include "io/run_file.hpp"

#include "io/layout.hpp"

#include <cmath>
#include <ctime>
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

std::string now_utc() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string in_quotes(const std::string& s) { return "'" + s + "'"; }

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
        case layout::Axis::condition: dims.push_back(e.n_g); break;
        case layout::Axis::stimulus: dims.push_back(e.n_s); break;
        case layout::Axis::synapse: dims.push_back(4); break;
        case layout::Axis::stage: dims.push_back(e.n_stages); break;
        case layout::Axis::rerun: // shard files only (io/shard_file.cpp)
        case layout::Axis::row:
        case layout::Axis::trial: dims.push_back(0); break; // extendible, starts empty
        }
    }
    return dims;
}

std::vector<std::string> axis_names(const layout::Dataset& d) {
    std::vector<std::string> names;
    for (layout::Axis a : d.axes) names.push_back(layout::axis_name(a));
    return names;
}

template <class T> layout::Type type_of();
template <> layout::Type type_of<std::uint8_t>() { return layout::Type::u8; }
template <> layout::Type type_of<std::uint16_t>() { return layout::Type::u16; }
template <> layout::Type type_of<std::uint32_t>() { return layout::Type::u32; }
template <> layout::Type type_of<std::uint64_t>() { return layout::Type::u64; }
template <> layout::Type type_of<double>() { return layout::Type::f64; }

//! The fill of a dataset that is not written yet: NaN for floats, 0 for integers.
template <class T> T fill_value() {
    if constexpr (std::is_floating_point<T>::value) return nan_value;
    else return T{0};
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
    label(h, d.units, axis_names(d));
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
void check_group(hid_t file, const layout::Group& group, const Extents& e, const std::string& path) {
    for (const layout::Dataset& d : group.datasets) {
        const std::string name = std::string(group.path) + "/" + d.name;
        const std::string where = in_quotes(path) + ": dataset " + in_quotes(name);
        if (!h5::exists(file, name)) throw IoError(where + " is missing");
        h5::Handle ds = h5::open_dataset(file, name);
        const h5::ElementType t = h5::element_type(ds);
        const bool type_ok = [&] {
            switch (d.type) {
            case layout::Type::u8: return t.is_integer && !t.is_signed && t.size == 1;
            case layout::Type::u16: return t.is_integer && !t.is_signed && t.size == 2;
            case layout::Type::u32: return t.is_integer && !t.is_signed && t.size == 4;
            case layout::Type::u64: return t.is_integer && !t.is_signed && t.size == 8;
            case layout::Type::f64: return t.is_float && t.size == 8;
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

    file_ = h5::create_file(path);
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

    h5::write_attr_string(f, "software_version", meta.software_version);
    h5::write_attr_string(f, "git_sha1", meta.git_sha);
    h5::write_attr_string(f, "created", meta.created_utc.empty() ? now_utc() : meta.created_utc);
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
    h5::write_attr_string(f, "experiment_kind", meta.experiment_kind.empty() ? "mi_sweep" : meta.experiment_kind);

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
                                const PluginMeasures& plugin, const ConditionStats& stats) {
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

    // Rows first, the completed flag last: a kill in between leaves unreferenced rows, which
    // readers ignore because they go through condition_row_start/count of completed conditions.
    const hsize_t row = h5::append<std::uint32_t>(counts_condition_, cond_col);
    h5::append<std::uint32_t>(counts_stimulus_, stim_col);
    h5::append<std::uint64_t>(counts_word_, counts.words);
    h5::append<std::uint64_t>(counts_count_, counts.counts);

    const hid_t f = file_;
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
        if constexpr (std::is_same<F, bool>::value) put1(path.c_str(), static_cast<std::uint8_t>(field ? 1 : 0));
        else if constexpr (std::is_arithmetic<F>::value) put1(path.c_str(), field);
        else put_row(path.c_str(), field);
    });
    put1("counts/condition_row_start", static_cast<std::uint64_t>(row));
    put1("counts/condition_row_count", static_cast<std::uint64_t>(m));

    put1("results/completed", static_cast<std::uint8_t>(1));
    completed_[condition_index] = 1;
    ++n_completed_;
    h5::write_attr<std::uint32_t>(f, "n_conditions_completed", n_completed_);
    h5::flush(f);
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
    h5::write_attr<std::uint8_t>(file, "complete", 1);
    h5::flush(file);
    g.close();
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
            throw IoError(in_quotes(path) + ": dataset " + in_quotes(name) + " must be one-dimensional");
        return static_cast<std::size_t>(dims[0]);
    };
    n_conditions_ = length_of("results/completed");
    n_stimuli_ = length_of("stimuli/code");
    // Every core group must be as io/layout.cpp says before anything is read from it.
    const Extents ext{n_conditions_, n_stimuli_, 0};
    for (const layout::Group* g : {&layout::stimuli(), &layout::axes(), &layout::counts(), &layout::results()})
        check_group(file_, *g, ext, path);
    if (h5::exists(file_, "trials")) check_group(file_, layout::trials(), ext, path);
}

RunMetadata RunReader::metadata() const {
    const hid_t f = file_;
    RunMetadata m;
    m.software_version = h5::read_attr_string(f, "software_version");
    m.git_sha = h5::read_attr_string(f, "git_sha1");
    m.backend = h5::read_attr_string(f, "backend");
    m.created_utc = h5::read_attr_string(f, "created");
    m.config_json = h5::read_string_dataset(f, "config_json");
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
    if (h5::has_attr(f, "experiment_kind")) m.experiment_kind = h5::read_attr_string(f, "experiment_kind");
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
    const auto column = [&](const char* name, auto tag) {
        using T = decltype(tag);
        h5::Handle d = h5::open_dataset(file_, name);
        return h5::read_box<T>(d, {start}, {n});
    };
    const auto cond = column("counts/condition", std::uint32_t{});
    const auto stim = column("counts/stimulus", std::uint32_t{});
    ConditionCounts c;
    c.n_bins = h5::read_attr<std::uint32_t>(file_, "n_bins");
    c.words = column("counts/word", std::uint64_t{});
    c.counts = column("counts/count", std::uint64_t{});
    c.offsets.assign(n_stimuli_ + 1, 0);
    const std::string bad =
        in_quotes(path_) + ": corrupt counts of condition " + std::to_string(condition_index);
    // Offsets are rebuilt from the stimulus column, which must be ascending and in range.
    for (std::size_t i = 0; i < stim.size(); ++i) {
        if (cond[i] != condition_index || stim[i] >= n_stimuli_ || (i > 0 && stim[i] < stim[i - 1]))
            throw IoError(bad);
        ++c.offsets[stim[i] + 1];
    }
    for (std::size_t s = 0; s < n_stimuli_; ++s) c.offsets[s + 1] += c.offsets[s];
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
            throw IoError(in_quotes(path_) + ": /trials/" + name +
                          " is shorter than "
                          "n_trials_written");
        return h5::read_box<T>(d, {0}, {n});
    };
    TrialTable t;
    t.condition = column("condition", std::uint32_t{});
    t.stimulus = column("stimulus", std::uint32_t{});
    t.repeat = column("repeat", std::uint32_t{});
    t.word = column("word", std::uint64_t{});
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

std::string RunReader::read_attr_string(const std::string& object_path,
                                        const std::string& name) const {
    h5::Handle obj(H5Oopen(file_, object_path.c_str(), H5P_DEFAULT));
    if (!obj.valid()) h5::fail(file_, "cannot open object " + in_quotes(object_path));
    return h5::read_attr_string(obj, name);
}

// ---- AnalysisWriter --------------------------------------------------------------------------

AnalysisWriter::AnalysisWriter(const std::string& path, const std::string& group, bool replace)
    : path_(path), group_name_(group) {
    check_group_name();
    file_ = h5::open_file(path, true);
    check_filetype(file_, path);
    file_id_ = file_;
    open_group(file_id_, replace);
}

AnalysisWriter::AnalysisWriter(const RunReader& file, const std::string& group, bool replace)
    : path_(file.path()), group_name_(group), file_id_(file.handle()) {
    check_group_name();
    open_group(file_id_, replace);
}

void AnalysisWriter::check_group_name() const {
    std::string first = group_name_;
    while (!first.empty() && first.front() == '/') first.erase(first.begin());
    first = first.substr(0, first.find('/'));
    if (first.empty())
        throw std::invalid_argument("AnalysisWriter: group name must not be the root group");
    for (const auto& core : core_names) {
        if (first == core)
            throw std::invalid_argument("AnalysisWriter: " + in_quotes(group_name_) +
                                        " is part of the core memlif-run layout");
    }
}

void AnalysisWriter::open_group(hid_t file, bool replace) {
    if (h5::exists(file, group_name_)) {
        if (!replace)
            throw IoError(in_quotes(path_) + ": group " + in_quotes(group_name_) +
                          " already exists (replace it explicitly)");
        h5::unlink(file, group_name_);
    }
    group_ = h5::create_group(file, group_name_);
    h5::write_attr_string(group_, "created", now_utc());
}

AnalysisWriter::~AnalysisWriter() {
    if (!group_.valid()) return;
    try {
        h5::flush(file_id_);
    } catch (...) {
    }
    group_.reset();
    file_.reset();
}

void AnalysisWriter::create_table(const std::string& name, std::size_t n_conditions, std::size_t width,
                                  bool u8, const std::string& units,
                                  const std::vector<std::string>& axes) {
    require_open("create_table");
    const hsize_t n_g = n_conditions;
    std::vector<hsize_t> dims = {n_g}, chunk = {std::max<hsize_t>(1, n_g)};
    if (width > 0) {
        dims = {n_g, static_cast<hsize_t>(width)};
        chunk = {1, static_cast<hsize_t>(width)};
    }
    h5::Handle d = u8 ? h5::create_filled<std::uint8_t>(group_, name, dims, chunk, 0)
                      : h5::create_filled<double>(group_, name, dims, chunk, nan_value);
    label(d, units, axes);
    names_.push_back(name);
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
    const std::vector<hsize_t> start = dims.size() > 1 ? std::vector<hsize_t>{k, 0} : std::vector<hsize_t>{k};
    const std::vector<hsize_t> count = dims.size() > 1 ? std::vector<hsize_t>{1, width} : std::vector<hsize_t>{1};
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
    h5::Handle d = h5::write_dataset<double>(group_, name, data, to_hsize(shape));
    if (!units.empty()) h5::write_attr_string(d, "units", units);
    names_.push_back(name);
}

void AnalysisWriter::write_u32(const std::string& name, const std::vector<std::uint32_t>& data,
                               const std::vector<std::size_t>& shape, const std::string& units) {
    require_open("write_u32");
    h5::Handle d = h5::write_dataset<std::uint32_t>(group_, name, data, to_hsize(shape));
    if (!units.empty()) h5::write_attr_string(d, "units", units);
    names_.push_back(name);
}

void AnalysisWriter::write_u8(const std::string& name, const std::vector<std::uint8_t>& data,
                              const std::vector<std::size_t>& shape, const std::string& units) {
    require_open("write_u8");
    h5::Handle d = h5::write_dataset<std::uint8_t>(group_, name, data, to_hsize(shape));
    if (!units.empty()) h5::write_attr_string(d, "units", units);
    names_.push_back(name);
}

void AnalysisWriter::set_axes(const std::string& name, const std::vector<std::string>& axes) {
    require_open("set_axes");
    h5::Handle d = h5::open_dataset(group_, name);
    h5::write_attr_strings(d, "axes", axes);
}

void AnalysisWriter::write_attr(const std::string& name, const std::string& value) {
    require_open("write_attr");
    h5::write_attr_string(group_, name, value);
}

void AnalysisWriter::write_attr(const std::string& name, double value) {
    require_open("write_attr");
    h5::write_attr<double>(group_, name, value);
}

void AnalysisWriter::write_attr(const std::string& name, std::uint64_t value) {
    require_open("write_attr");
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
    group_.close();
    if (file_.valid()) file_.close();
}

} // namespace memlif::io
