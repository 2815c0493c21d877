// SPDX-License-Identifier: MIT
//! \file io/run_file.hpp
//! The `memlif-run` HDF5 file: RunWriter streams a sweep into it condition by condition,
//! RunReader reads it back, AnalysisWriter adds /analysis groups later. The layout is specified
//! in io/FORMAT.md, which is authoritative; the constants below must agree with it.
#pragma once

#include "io/h5.hpp"
#include "memlif/core/condition_record.hpp"
#include "memlif/core/counts.hpp"
#include "memlif/core/errors.hpp"
#include "memlif/core/plugin_measures.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace memlif::io {

inline constexpr const char* run_filetype = "memlif-run";
inline constexpr std::int32_t run_format_major = 1; //!< readers refuse any other major version
inline constexpr std::int32_t run_format_minor = 3; //!< additions that old readers may ignore

//! Most conditions and stimuli a file may hold: the trial id has 16 bits for each.
inline constexpr std::size_t max_conditions = 65536;
inline constexpr std::size_t max_stimuli = 65536;

//! Provenance and run constants, stored as root attributes (config_json as /config_json).
struct RunMetadata {
    std::string software_version; //!< memlif version that wrote the file
    std::string git_sha;          //!< source revision (root attribute `git_sha1`)
    std::string backend;          //!< e.g. "cuda: NVIDIA H100 80GB HBM3" or "cpu: openmp x2"
    std::string created_utc;      //!< ISO-8601 UTC; the writer fills in "now" when empty
    std::string config_json;      //!< the fully resolved run card
    std::uint64_t seed = 0;       //!< master Philox seed
    std::uint32_t n_bins = 0;     //!< L, response word length in output bins (1..64)
    double bin_width_s = 0;       //!< output bin width, seconds
    double window_s = 0;          //!< output window, seconds
    double dt_s = 0;              //!< solver step, seconds
    std::uint32_t n_repeats = 0;  //!< repeats per (stimulus, condition)
    std::string stimulus_set;     //!< "symmetric" | "all"
    std::string p_s_mode;         //!< "uniform" | "multiplicity"
    std::string synapse_model;    //!< "linear" | "ul-gap"
    std::string trial_id_layout;  //!< text describing the Philox key/counter layout
    std::string experiment_kind;  //!< the driver that wrote the file (format >= 1.1; "" if absent)
    std::string phase;            //!< the stage being run (format >= 1.3; "" if absent)
};

//! The stimulus axis. All vectors have n_stimuli entries.
struct StimulusTable {
    std::vector<std::uint16_t> code;           //!< bit (4*i + b) = spike of input i in input bin b
    std::vector<std::uint32_t> multiplicity;   //!< ordered patterns in the class (1 for "all")
    std::vector<std::uint32_t> n_input_spikes; //!< popcount(code)
    std::vector<double> p_s;                   //!< stimulus probability p(s), dimensionless
};

//! The condition (conductance point) axis. All vectors have n_conditions entries.
struct ConditionAxis {
    std::vector<std::array<double, 4>> conductance_S; //!< read conductance per synapse, siemens
    std::vector<std::array<double, 4>> weight;        //!< normalised weight w_i, dimensionless
    std::vector<std::array<double, 4>> current_A;     //!< synaptic current during a spike, amperes
};

//! Timing of one stage of a run (the sweep, the post-run analysis, the ground-truth reruns, ...).
struct StageRecord {
    std::string name;           //!< stage name
    double wall_s = 0;          //!< wall time of the stage, seconds
    std::uint64_t n_trials = 0; //!< trials the stage simulated
};

//! Run-level timing, present once the run finished.
struct RuntimeInfo {
    double wall_s = 0;               //!< whole-run wall time (every stage), seconds
    double trials_per_s = 0;         //!< n_trials / wall_s (0 when wall_s is 0)
    std::uint64_t n_trials = 0;      //!< trials simulated in the whole run (every stage)
    std::vector<StageRecord> stages; //!< per stage, in run order (format >= 1.1)
};

//! Optional per-trial records (rows of /trials, in append order).
struct TrialTable {
    std::vector<std::uint32_t> condition;
    std::vector<std::uint32_t> stimulus;
    std::vector<std::uint32_t> repeat;
    std::vector<std::uint64_t> word; //!< bit b = output bin b, lsb_first
};

//! The per-trial rows of one condition (written with it when the run stores trials).
struct ConditionTrials {
    std::vector<std::uint32_t> stimulus; //!< stimulus index of each trial
    std::vector<std::uint32_t> repeat;   //!< repeat index of each trial
    std::vector<std::uint64_t> word;     //!< response word of each trial
};

//! Streams one run into a new file, or continues an interrupted one. Every condition is committed
//! in two steps (FORMAT.md, "Completeness and crash semantics"): its data is written and flushed,
//! and only then its completed flag, so a process killed at any instant leaves a file in which
//! every condition marked completed is intact. Not thread-safe.
class RunWriter {
  public:
    //! Creates (truncates) \p path and writes provenance, /config_json, /stimuli and /axes, plus
    //! results tables filled with NaN/0 and root attribute complete = 0. IoError naming the path
    //! if the file cannot be created; std::invalid_argument for inconsistent table sizes.
    RunWriter(const std::string& path, const RunMetadata& meta, const StimulusTable& stimuli,
              const ConditionAxis& axis, bool store_trials);
    //! Opens the interrupted run at \p path to continue it (`memlif run --resume`): the file is
    //! checked as RunReader checks it, every completed condition is read back (one whose rows a
    //! kill during a later flush damaged is made pending again: repaired_conditions()), rows left
    //! over from an interrupted commit are cut off (/counts after the last completed block, /trials
    //! after the completed conditions' trials), and `incomplete_reason` is set to "running" again.
    //! IoError if the file cannot be resumed.
    struct Resume {};
    RunWriter(const std::string& path, Resume);
    RunWriter(const RunWriter&) = delete;
    RunWriter& operator=(const RunWriter&) = delete;
    ~RunWriter();

    //! Stores one finished condition (any order, each at most once): sparse counts, plug-in
    //! results, stats and (runs that store trials) its trial rows; flushes; then marks it
    //! completed, updates `n_conditions_completed` and `n_trials_written`, flushes again.
    //! std::invalid_argument if the index is out of range, already written, or sizes disagree;
    //! IoError (before anything is written) if the disk or the file size limit leaves too little
    //! room for it.
    void write_condition(std::uint32_t condition_index, const ConditionCounts& counts,
                         const PluginMeasures& plugin, const ConditionStats& stats,
                         const ConditionTrials* trials = nullptr);
    //! Appends per-trial rows (only when constructed with store_trials) and flushes.
    void append_trials(std::uint32_t condition_index,
                       const std::vector<std::uint32_t>& stimulus_index,
                       const std::vector<std::uint32_t>& repeat,
                       const std::vector<std::uint64_t>& words);
    //! Closes the file once every condition is written (std::logic_error otherwise). The run is
    //! complete only after finish_run(), once every later stage has added its groups.
    void close();
    //! close(), then finish_run() with this one stage: for runs with nothing after the sweep.
    void finish(double wall_s, std::uint64_t n_trials);
    //! Records \p reason in `incomplete_reason` (complete stays 0) and closes the file.
    void abort(const std::string& reason);

    //! Records the stage being run in the root attribute `phase` and flushes.
    void set_phase(const std::string& phase);

    const std::string& path() const { return path_; }
    std::uint32_t n_conditions_completed() const { return n_completed_; }
    //! Conditions not completed yet, ascending.
    std::vector<std::uint32_t> pending_conditions() const;
    //! Resuming: conditions that were marked completed but whose data a kill during a later
    //! flush had damaged; they are pending again (and simulated again, to the same data).
    const std::vector<std::uint32_t>& repaired_conditions() const { return repaired_; }

  private:
    void require_open(const char* what) const;
    void close_all();
    //! Opens the appendable datasets of file_ (counts, and trials when stored).
    void open_handles();

    std::string path_;
    std::uint32_t n_bins_ = 0;
    std::size_t n_conditions_ = 0;
    std::size_t n_stimuli_ = 0;
    bool store_trials_ = false;
    std::uint32_t n_completed_ = 0;
    std::uint64_t n_trials_written_ = 0;
    std::vector<std::uint8_t> completed_;
    std::vector<std::uint32_t> repaired_;
    // Declared first so it is destroyed last, after every dataset of the file.
    h5::Handle file_;
    h5::Handle trials_group_;
    h5::Handle counts_condition_, counts_stimulus_, counts_word_, counts_count_;
    h5::Handle trials_condition_, trials_stimulus_, trials_repeat_, trials_word_;
};

//! Read access to a memlif-run file (complete or not).
class RunReader {
  public:
    //! IoError if \p path is missing, unreadable, not HDF5, not `memlif-run`, or of another
    //! major format version.
    //! \p writable opens the file read-write, so an AnalysisWriter can share the handle and
    //! stream rows while counts are read.
    explicit RunReader(const std::string& path, bool writable = false);

    RunMetadata metadata() const;
    StimulusTable stimuli() const;
    ConditionAxis axis() const;
    std::array<std::int32_t, 2> format_version() const;
    bool complete() const;
    //! "" for a finished run, "running" if the writer never closed it (killed), else the reason.
    std::string incomplete_reason() const;
    //! The stage that was running when the file was last written (root attribute `phase`, format
    //! >= 1.3): e.g. "sweep", "analysis", "ground_truth", "complete"; "" in older files.
    std::string phase() const;
    std::size_t n_conditions() const { return n_conditions_; }
    std::size_t n_stimuli() const { return n_stimuli_; }
    //! Indices of completed conditions, ascending.
    std::vector<std::uint32_t> completed_conditions() const;
    bool is_completed(std::uint32_t condition_index) const;

    //! IoError if the condition is out of range or not completed, or if its rows break the format
    //! (a word with bits at or above n_bins, words not strictly ascending within a stimulus, a
    //! zero count, sums that overflow or differ from /results).
    ConditionCounts counts(std::uint32_t condition_index) const;
    //! The /results row of a completed condition (counts left empty: see counts()).
    ConditionRecord results(std::uint32_t condition_index) const;
    PluginMeasures plugin(std::uint32_t condition_index) const;
    ConditionStats stats(std::uint32_t condition_index) const;
    //! Present only for a finished run.
    std::optional<RuntimeInfo> runtime() const;
    bool has_trials() const;
    //! The first `n_trials_written` rows of /trials; IoError if the file has none.
    TrialTable trials() const;

    // Generic access for later analysis groups (paths are absolute HDF5 paths).
    std::string path() const { return path_; }
    bool has(const std::string& object_path) const;
    std::vector<double> read_f64(const std::string& dataset_path,
                                 std::vector<std::size_t>* shape = nullptr) const;
    std::vector<std::uint32_t> read_u32(const std::string& dataset_path,
                                        std::vector<std::size_t>* shape = nullptr) const;
    std::vector<std::uint8_t> read_u8(const std::string& dataset_path,
                                      std::vector<std::size_t>* shape = nullptr) const;
    //! A per-condition column (e.g. /analysis/run/pt_mi_bit): IoError unless it is a float64 /
    //! uint8 dataset of shape [n_conditions].
    std::vector<double> read_condition_f64(const std::string& dataset_path) const;
    std::vector<std::uint8_t> read_condition_u8(const std::string& dataset_path) const;
    //! Progress of an analysis group written row by row (its `completed` dataset, format >= 1.3):
    //! the number of rows marked done and the number of rows; {0, 0} without such a dataset.
    std::array<std::size_t, 2> analysis_progress(const std::string& group) const;
    std::string read_attr_string(const std::string& object_path, const std::string& name) const;
    //! The open file (for writers sharing it).
    hid_t handle() const { return file_; }

  private:
    void require_completed(std::uint32_t condition_index) const;
    //! The checks of the constructor that go beyond the layout tables (ranges, blocks, flags).
    void check_contents() const;
    [[noreturn]] void corrupt(const std::string& what) const;

    std::string path_;
    h5::Handle file_;
    std::size_t n_conditions_ = 0;
    std::size_t n_stimuli_ = 0;
    std::uint32_t n_bins_ = 0;
};

//! Seals a run file: writes /runtime, sets incomplete_reason = "" and complete = 1.
void finish_run(const std::string& path, const RuntimeInfo& runtime);

//! Records `reason` as the file's incomplete_reason (complete stays 0); nothing if `path` does
//! not exist.
void mark_run_incomplete(const std::string& path, const std::string& reason);

//! Records the stage being run in the root attribute `phase` of the run file at `path`.
void set_run_phase(const std::string& path, const std::string& phase);

//! Makes the interrupted run file at `path` readable again where a kill inside an HDF5 flush left
//! the superblock's end of allocation behind objects already written (as `h5clear --increment=0`
//! does). Best effort and silent; RunWriter(path, Resume) calls it too. Only for a file whose
//! writer is gone (the caller holds its lock).
void repair_end_of_allocation(const std::string& path);

//! What a resume reads of a run file of any kind (the MI sweep's or a device kind's, which has none
//! of /stimuli, /counts, /results): identity checked, provenance, phase, state.
struct StoredRun {
    std::array<std::int32_t, 2> format_version{};
    std::string software_version, git_sha, backend, config_json, experiment_kind, phase;
    bool complete = false;
    std::size_t n_conditions = 0, n_conditions_completed = 0; //!< 0 for a device kind's file
};

//! Reads StoredRun from the run file at `path`; IoError naming it if it is not a memlif-run file
//! of this major version or lacks a field.
StoredRun read_stored_run(const std::string& path);

//! Opens every group, dataset and attribute of the run file at `path` and reads every numeric
//! dataset outside /counts and /trials (which RunWriter(path, Resume) reads back itself): IoError
//! naming the object at the first that HDF5 cannot read. A kill inside an HDF5 flush can leave
//! metadata that points at objects never written (a torn group heap or B-tree); this finds it
//! before a resumed run trips on it halfway.
void check_run_file_readable(const std::string& path);

//! How AnalysisWriter treats an existing group of the same name.
enum class GroupMode {
    create,  //!< IoError if it exists
    replace, //!< unlinked first (its space is reclaimed only by h5repack)
    resume,  //!< kept: its tables and committed rows are continued (an interrupted run)
};

//! Adds one group (e.g. /analysis/<name>) to an existing memlif-run file without touching
//! anything else. Strings are variable-length UTF-8; every dataset carries a `units` attribute.
//! Tables written row by row commit each row like RunWriter commits a condition: the row's
//! values are flushed first, then its `completed` flag.
class AnalysisWriter {
  public:
    //! Opens \p path read-write (IoError if it is not a memlif-run file of this major version) and
    //! creates \p group, with intermediate groups. The group is /analysis/NAME, NAME a non-empty
    //! run of letters, digits, '_', '-' and '.' not starting with '.' (std::invalid_argument
    //! otherwise: "" or "/" would name all of /analysis).
    AnalysisWriter(const std::string& path, const std::string& group, bool replace);
    AnalysisWriter(const std::string& path, const std::string& group, GroupMode mode);
    //! The same on a file already open read-write through \p file (RunReader(path, true)); the
    //! reader must outlive the writer.
    AnalysisWriter(const RunReader& file, const std::string& group, GroupMode mode);
    ~AnalysisWriter();
    AnalysisWriter(const AnalysisWriter&) = delete;
    AnalysisWriter& operator=(const AnalysisWriter&) = delete;

    //! \p shape is the dataset shape (rank >= 1, product == data.size()).
    void write_f64(const std::string& name, const std::vector<double>& data,
                   const std::vector<std::size_t>& shape, const std::string& units);
    void write_u32(const std::string& name, const std::vector<std::uint32_t>& data,
                   const std::vector<std::size_t>& shape, const std::string& units);
    void write_u8(const std::string& name, const std::vector<std::uint8_t>& data,
                  const std::vector<std::size_t>& shape, const std::string& units);
    //! A per-condition table streamed one row at a time: shape [n_conditions] (width 0) or
    //! [n_conditions, width] chunked one row per chunk, filled with NaN (float64) or 0 (uint8)
    //! until written; \p axes names its dimensions.
    void create_table(const std::string& name, std::size_t n_conditions, std::size_t width, bool u8,
                      const std::string& units, const std::vector<std::string>& axes);
    //! Writes row \p condition of a table (width values, or 1 for a 1-D table).
    void write_row(const std::string& name, std::size_t condition,
                   const std::vector<double>& values);
    //! Creates (or, resuming, opens) the group's `completed` dataset, uint8[n_rows] along
    //! \p axis, which marks the rows committed by commit_row().
    void track_rows(std::size_t n_rows, const std::string& axis);
    //! True if row \p row was committed (always false before track_rows()).
    bool row_done(std::size_t row) const;
    //! Commits row \p row: flushes what was written, then sets completed[row] = 1 and flushes.
    void commit_row(std::size_t row);
    //! True if the group existed and is being continued (GroupMode::resume).
    bool resumed() const { return resumed_; }
    //! Axis names of a dataset already written in this group (attribute `axes`).
    void set_axes(const std::string& name, const std::vector<std::string>& axes);
    //! String attribute on the group. Resuming, an attribute already present must hold the same
    //! value (IoError otherwise: the group was started with other options) and is kept.
    void write_attr(const std::string& name, const std::string& value);
    //! Numeric attributes on the group.
    void write_attr(const std::string& name, double value);
    void write_attr(const std::string& name, std::uint64_t value);
    //! Flushes and closes; IoError on failure. The destructor does the same but swallows errors.
    void close();

  private:
    void require_open(const char* what) const;
    void check_group_name() const;
    void open_group(hid_t file, GroupMode mode);
    //! Resuming: true if `name` exists (then checked against the expected shape and type).
    bool reuse(const std::string& name, const std::vector<hsize_t>& dims, bool u8, bool u32) const;

    std::string path_;
    std::string group_name_;
    h5::Handle file_; //!< owned file (path constructor); empty when sharing a RunReader's
    hid_t file_id_ = H5I_INVALID_HID;
    h5::Handle group_;
    h5::Handle completed_;
    bool resumed_ = false;
};

} // namespace memlif::io
