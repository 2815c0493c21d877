// SPDX-License-Identifier: MIT
//! \file io/shard_file.cpp
#include "io/shard_file.hpp"
#include "io/text.hpp"

#include "io/layout.hpp"

#include <hdf5_hl.h>

#include <stdexcept>

namespace memlif::io {

namespace {

constexpr const char* running_reason = "running";

const layout::Group& group_of(ShardStageKind kind) {
    return kind == ShardStageKind::sweep ? layout::shard_sweep() : layout::shard_ground_truth();
}

void label(hid_t dset, const layout::Dataset& d) {
    if (d.units[0] != '\0') h5::write_attr_string(dset, "units", d.units);
    h5::write_attr_strings(dset, "axes", layout::axis_names(d));
}

//! A per-condition table of the stage, as the layout says.
template <class T>
void write_per_condition(hid_t g, const layout::Group& group, const char* name,
                         const std::vector<T>& v) {
    const layout::Dataset& d = group.at(name);
    h5::Handle h = h5::write_dataset<T>(g, name, v, {static_cast<hsize_t>(v.size())});
    label(h, d);
}

template <class T> h5::Handle create_rows(hid_t g, const layout::Group& group, const char* name) {
    h5::Handle h = h5::create_extendible<T>(g, name, {}, h5::ChunkOptions{32768, true, 4});
    label(h, group.at(name));
    return h;
}

} // namespace

const char* shard_stage_path(ShardStageKind kind) { return group_of(kind).path; }

bool is_shard_file(const std::string& path) {
    if (!h5::file_exists(path)) return false;
    try {
        h5::Handle f = h5::open_file(path, false);
        return h5::has_attr(f, "filetype") && h5::read_attr_string(f, "filetype") == shard_filetype;
    } catch (const IoError&) {
        return false;
    }
}

// ---- ShardWriter -----------------------------------------------------------------------------

ShardWriter::ShardWriter(const std::string& path, const ShardIdentity& id, bool in_memory)
    : path_(path) {
    if (id.shard_count == 0 || id.shard_index >= id.shard_count)
        throw std::invalid_argument("ShardWriter: shard index must be below the shard count");
    if (in_memory) {
        h5::silence_errors();
        h5::Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
        if (!fapl.valid() || H5Pset_fapl_core(fapl, 1 << 20, 0) < 0)
            h5::fail(H5I_INVALID_HID, "cannot set up an in-memory HDF5 file");
        file_ = h5::Handle(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl));
        if (!file_.valid())
            h5::fail(H5I_INVALID_HID, "cannot create in-memory file " + in_quotes(path));
    } else {
        file_ = h5::create_file(path);
    }
    const hid_t f = file_;
    // Identity and state first, as in a run file: a file cut short still says complete = 0.
    h5::write_attr_string(f, "filetype", shard_filetype);
    h5::write_attr_array<std::int32_t>(f, "format_version",
                                       {shard_format_major, shard_format_minor});
    h5::write_attr<std::uint8_t>(f, "complete", 0);
    h5::write_attr_string(f, "incomplete_reason", running_reason);
    h5::write_attr<std::uint32_t>(f, "shard_index", id.shard_index);
    h5::write_attr<std::uint32_t>(f, "shard_count", id.shard_count);
    h5::write_attr_string(f, "card_digest", id.card_digest);
    h5::write_attr<std::uint64_t>(f, "seed", id.seed);
    h5::write_attr_string(f, "experiment_kind", id.experiment_kind);
    h5::write_attr<std::uint32_t>(f, "n_bins", id.n_bins);
    h5::write_attr_string(f, "software_version", id.software_version);
    h5::write_attr_string(f, "git_sha1", id.git_sha);
    h5::write_attr_string(f, "created", id.created_utc.empty() ? utc_timestamp() : id.created_utc);
    h5::write_attr_string(f, "backend", id.backend);
    h5::write_string_dataset(f, "config_json", id.config_json);
    {
        h5::Handle d = h5::open_dataset(f, "config_json");
        h5::write_attr_string(d, "media_type", "application/json");
    }
    h5::flush(f);
}

ShardWriter::~ShardWriter() {
    // An error unwound the writer: the file stays complete = 0 with the reason it had.
    group_.reset();
    condition_.reset();
    stimulus_.reset();
    word_.reset();
    count_.reset();
    file_.reset();
}

void ShardWriter::begin_stage(ShardStageKind kind, const ShardStage& stage) {
    if (!file_.valid() || in_stage_)
        throw std::logic_error("ShardWriter: begin_stage out of order");
    const layout::Group& g = group_of(kind);
    kind_ = kind;
    stage_ = stage;
    stage_.n_trials.assign(stage.n_conditions, 0);
    stage_.output_spikes.assign(stage.n_conditions, 0);
    stage_.wall_s.assign(stage.n_conditions, 0.0);
    row_start_.assign(stage.n_conditions, 0);
    row_count_.assign(stage.n_conditions, 0);
    rows_ = 0;
    last_condition_ = -1;
    group_ = h5::create_group(file_, g.path);
    h5::write_attr<std::uint32_t>(group_, "n_conditions", stage.n_conditions);
    h5::write_attr<std::uint32_t>(group_, "n_stimuli", stage.n_stimuli);
    h5::write_attr<std::uint32_t>(group_, "n_repeats", stage.n_repeats);
    h5::write_attr<std::uint64_t>(group_, "unit_begin", stage.unit_begin);
    h5::write_attr<std::uint64_t>(group_, "unit_end", stage.unit_end);
    condition_ = create_rows<std::uint32_t>(group_, g, "condition");
    stimulus_ = create_rows<std::uint32_t>(group_, g, "stimulus");
    word_ = create_rows<std::uint64_t>(group_, g, "word");
    count_ = create_rows<std::uint64_t>(group_, g, "count");
    h5::write_attr_string(word_, "bit_order", "lsb_first");
    in_stage_ = true;
}

void ShardWriter::append(std::uint32_t condition, std::uint32_t s_begin,
                         const ConditionCounts& counts, std::uint64_t n_trials,
                         std::uint64_t output_spikes, double wall_s) {
    if (!in_stage_) throw std::logic_error("ShardWriter: append outside a stage");
    if (condition >= stage_.n_conditions ||
        static_cast<std::int64_t>(condition) < last_condition_ ||
        s_begin + counts.n_stimuli() > stage_.n_stimuli)
        throw std::invalid_argument("ShardWriter: condition or stimuli out of order or range");
    const std::size_t m = counts.words.size();
    std::vector<std::uint32_t> cond(m, condition), stim(m);
    for (std::size_t s = 0; s < counts.n_stimuli(); ++s)
        for (std::uint64_t k = counts.offsets[s]; k < counts.offsets[s + 1]; ++k)
            stim[k] = static_cast<std::uint32_t>(s_begin + s);
    if (static_cast<std::int64_t>(condition) != last_condition_) row_start_[condition] = rows_;
    if (m > 0) {
        h5::append<std::uint32_t>(condition_, cond);
        h5::append<std::uint32_t>(stimulus_, stim);
        h5::append<std::uint64_t>(word_, counts.words);
        h5::append<std::uint64_t>(count_, counts.counts);
    }
    rows_ += m;
    row_count_[condition] += m;
    stage_.n_trials[condition] += n_trials;
    stage_.output_spikes[condition] += output_spikes;
    stage_.wall_s[condition] += wall_s;
    last_condition_ = condition;
    h5::flush(file_);
}

void ShardWriter::end_stage() {
    if (!in_stage_) throw std::logic_error("ShardWriter: end_stage outside a stage");
    const layout::Group& g = group_of(kind_);
    write_per_condition(group_, g, "condition_row_start", row_start_);
    write_per_condition(group_, g, "condition_row_count", row_count_);
    write_per_condition(group_, g, "n_trials", stage_.n_trials);
    write_per_condition(group_, g, "output_spikes", stage_.output_spikes);
    write_per_condition(group_, g, "wall_s", stage_.wall_s);
    condition_.close();
    stimulus_.close();
    word_.close();
    count_.close();
    group_.close();
    in_stage_ = false;
    h5::flush(file_);
}

void ShardWriter::finish(double wall_s, std::uint64_t n_trials) {
    if (in_stage_) end_stage();
    h5::write_attr<double>(file_, "wall_s", wall_s);
    h5::write_attr<std::uint64_t>(file_, "n_trials", n_trials);
    h5::write_attr_string(file_, "incomplete_reason", "");
    h5::write_attr<std::uint8_t>(file_, "complete", 1);
    file_.close();
}

std::vector<unsigned char> ShardWriter::finish_image(double wall_s, std::uint64_t n_trials) {
    if (in_stage_) end_stage();
    h5::write_attr<double>(file_, "wall_s", wall_s);
    h5::write_attr<std::uint64_t>(file_, "n_trials", n_trials);
    h5::write_attr_string(file_, "incomplete_reason", "");
    h5::write_attr<std::uint8_t>(file_, "complete", 1);
    h5::flush(file_);
    const ssize_t n = H5Fget_file_image(file_, nullptr, 0);
    if (n < 0) h5::fail(file_, "cannot size the image of " + in_quotes(path_));
    std::vector<unsigned char> image(static_cast<std::size_t>(n));
    if (H5Fget_file_image(file_, image.data(), image.size()) != n)
        h5::fail(file_, "cannot copy the image of " + in_quotes(path_));
    file_.close();
    return image;
}

void ShardWriter::abort(const std::string& reason) {
    if (!file_.valid()) return;
    h5::write_attr_string(file_, "incomplete_reason", reason);
    group_.reset();
    condition_.reset();
    stimulus_.reset();
    word_.reset();
    count_.reset();
    file_.close();
}

// ---- ShardReader -----------------------------------------------------------------------------

ShardReader::ShardReader(const std::vector<unsigned char>& image, const std::string& name)
    : path_(name) {
    h5::silence_errors();
    // flags 0: HDF5 copies the bytes and opens them read-only
    file_ =
        h5::Handle(H5LTopen_file_image(const_cast<unsigned char*>(image.data()), image.size(), 0));
    if (!file_.valid()) h5::fail(H5I_INVALID_HID, in_quotes(name) + " is not an HDF5 image");
    check();
}

ShardReader::ShardReader(const std::string& path) : path_(path) {
    file_ = h5::open_file(path, false);
    check();
}

void ShardReader::check() const {
    const std::string& path = path_;
    if (!h5::has_attr(file_, "filetype"))
        throw IoError(in_quotes(path) + " is not a memlif shard file (no 'filetype' attribute)");
    const std::string type = h5::read_attr_string(file_, "filetype");
    if (type != shard_filetype)
        throw IoError(in_quotes(path) + " is not a memlif shard file (filetype " + in_quotes(type) +
                      ")");
    const auto v = format_version();
    if (v[0] != shard_format_major)
        throw IoError(in_quotes(path) + ": memlif-shard format version " + std::to_string(v[0]) +
                      "." + std::to_string(v[1]) + " is not supported (this build reads " +
                      std::to_string(shard_format_major) + ".x)");
}

std::array<std::int32_t, 2> ShardReader::format_version() const {
    const auto v = h5::read_attr_array<std::int32_t>(file_, "format_version");
    if (v.size() != 2)
        throw IoError(in_quotes(path_) + ": 'format_version' must hold {major, minor}");
    return {v[0], v[1]};
}

ShardIdentity ShardReader::identity() const {
    ShardIdentity id;
    id.software_version = h5::read_attr_string(file_, "software_version");
    id.git_sha = h5::read_attr_string(file_, "git_sha1");
    id.backend = h5::read_attr_string(file_, "backend");
    id.created_utc = h5::read_attr_string(file_, "created");
    id.config_json = h5::read_string_dataset(file_, "config_json");
    id.card_digest = h5::read_attr_string(file_, "card_digest");
    id.experiment_kind = h5::read_attr_string(file_, "experiment_kind");
    id.seed = h5::read_attr<std::uint64_t>(file_, "seed");
    id.shard_index = h5::read_attr<std::uint32_t>(file_, "shard_index");
    id.shard_count = h5::read_attr<std::uint32_t>(file_, "shard_count");
    id.n_bins = h5::read_attr<std::uint32_t>(file_, "n_bins");
    return id;
}

bool ShardReader::complete() const { return h5::read_attr<std::uint8_t>(file_, "complete") == 1; }

std::string ShardReader::incomplete_reason() const {
    return h5::read_attr_string(file_, "incomplete_reason");
}

bool ShardReader::has_stage(ShardStageKind kind) const {
    return h5::exists(file_, group_of(kind).path);
}

bool ShardReader::stage_complete(ShardStageKind kind) const {
    return has_stage(kind) &&
           h5::exists(file_, std::string(group_of(kind).path) + "/condition_row_start");
}

ShardStage ShardReader::stage(ShardStageKind kind) const {
    const layout::Group& g = group_of(kind);
    if (!has_stage(kind)) throw IoError(in_quotes(path_) + ": no group " + in_quotes(g.path));
    const std::string p = std::string(g.path) + "/";
    h5::Handle grp = h5::open_group(file_, g.path);
    ShardStage s;
    s.n_conditions = h5::read_attr<std::uint32_t>(grp, "n_conditions");
    s.n_stimuli = h5::read_attr<std::uint32_t>(grp, "n_stimuli");
    s.n_repeats = h5::read_attr<std::uint32_t>(grp, "n_repeats");
    s.unit_begin = h5::read_attr<std::uint64_t>(grp, "unit_begin");
    s.unit_end = h5::read_attr<std::uint64_t>(grp, "unit_end");
    for (const layout::Dataset& d : g.datasets)
        if (!h5::exists(file_, p + d.name))
            throw IoError(in_quotes(path_) + ": dataset " + in_quotes(p + d.name) + " is missing");
    s.n_trials = h5::read_dataset<std::uint64_t>(file_, p + "n_trials");
    s.output_spikes = h5::read_dataset<std::uint64_t>(file_, p + "output_spikes");
    s.wall_s = h5::read_dataset<double>(file_, p + "wall_s");
    if (s.n_trials.size() != s.n_conditions || s.output_spikes.size() != s.n_conditions ||
        s.wall_s.size() != s.n_conditions)
        throw IoError(in_quotes(path_) + ": " + g.path + " tables are not of length n_conditions");
    return s;
}

void ShardReader::condition_rows(ShardStageKind kind, std::uint32_t condition,
                                 std::vector<std::uint32_t>& stimulus,
                                 std::vector<std::uint64_t>& word,
                                 std::vector<std::uint64_t>& count) const {
    const std::string p = std::string(group_of(kind).path) + "/";
    // Small per-condition tables, read once per call: a merge reads each condition once.
    const auto start = h5::read_dataset<std::uint64_t>(file_, p + "condition_row_start");
    const auto n = h5::read_dataset<std::uint64_t>(file_, p + "condition_row_count");
    if (condition >= start.size() || condition >= n.size())
        throw IoError(in_quotes(path_) + ": condition " + std::to_string(condition) +
                      " out of range in " + p);
    stimulus.clear();
    word.clear();
    count.clear();
    if (n[condition] == 0) return;
    const std::vector<hsize_t> b{start[condition]}, c{n[condition]};
    h5::Handle ds = h5::open_dataset(file_, p + "stimulus");
    stimulus = h5::read_box<std::uint32_t>(ds, b, c);
    ds = h5::open_dataset(file_, p + "word");
    word = h5::read_box<std::uint64_t>(ds, b, c);
    ds = h5::open_dataset(file_, p + "count");
    count = h5::read_box<std::uint64_t>(ds, b, c);
}

} // namespace memlif::io
