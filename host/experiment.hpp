// SPDX-License-Identifier: MIT
//! \file host/experiment.hpp
//! The experiment seam. Each kind of experiment (the MI sweep, the ground-truth reruns, device
//! protocols, ...) is one driver in host/experiments/, in a file named after it: it reads its own
//! card section, runs on the chosen backend and writes its own documented HDF5 group. `memlif run`
//! runs the driver named by `experiment.kind`, then every follow-up stage of that kind the card
//! enables (e.g. `ground_truth` after `mi_sweep`). Adding a kind is adding a driver file and one
//! line in host/experiments/registry.cpp (README, "Adding an experiment").
#pragma once

#include "backend.hpp"
#include "config.hpp"
#include "summary.hpp"

#include "io/run_file.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace memlif {

struct RunOptions {
    bool quiet = false;  //!< no progress line, no table
    bool force = false;  //!< replace an existing output file, or discard an interrupted run of it
    bool resume = false; //!< continue the interrupted run of the output (`memlif run --resume`)
};

//! Timing of one stage of a run, stored in /runtime.
struct StageTiming {
    std::string name;           //!< e.g. "sweep", "analysis", "ground_truth"
    double wall_s = 0;          //!< wall time of the stage
    std::uint64_t n_trials = 0; //!< trials it simulated
};

//! What a run produced, for the command line.
struct RunReport {
    std::string output_path;
    std::string backend;
    double wall_s = 0;
    std::uint64_t n_trials = 0; //!< trials simulated by every stage together
    bool interrupted = false;
    int stop_signal = 0;           //!< SIGINT or SIGTERM when a signal stopped the run
    std::string phase;             //!< the stage that was running when it stopped
    std::string partial_path;      //!< where an interrupted run's file stays (for --resume)
    std::size_t resumed_units = 0; //!< units of work found done in the file (a resumed run)
    std::vector<StageTiming> stages;
    std::vector<SummaryRow> rows; //!< the MI table (sweep kinds)
    std::string text;             //!< anything else a driver prints after the run
};

//! What a driver runs with.
struct RunContext {
    const RunConfig& cfg;
    const BackendChoice& backend;
    RunOptions opts;
    RunReport& report;
    //! True once a stop was asked for (SIGINT/SIGTERM); drivers poll it between units of work
    //! (a condition, an analysis row) and inside long ones, at least every ~0.1 s.
    bool (*stop_requested)() = nullptr;
    //! The file to write: a temporary beside `cfg.output.path`, renamed onto it only once the
    //! whole run is complete (io/FORMAT.md, "Completeness and crash semantics"). Never write
    //! `cfg.output.path` itself.
    std::string file;
    //! The file holds an interrupted run of this card: every driver continues from the units it
    //! finds committed there (the primary does not create the file).
    bool resume = false;
    //! Records the stage starting now (e.g. "analysis") in the file's `phase` attribute, so an
    //! interrupted file says where it stopped. Drivers call it at the start of each of their
    //! stages.
    std::function<void(const std::string&)> enter_phase;
};

//! What a driver needs of the machine for a card, estimated before anything starts (run.cpp
//! refuses a run that cannot fit, exit 2, naming `key`).
struct ResourceNeeds {
    double peak_memory_bytes = 0; //!< host memory at the driver's peak
    double disk_bytes = 0;        //!< a lower estimate of what it adds to the output file
    std::string key;              //!< the card key that drives the memory need
};

//! One experiment kind.
class Experiment {
  public:
    virtual ~Experiment() = default;
    //! The name `experiment.kind` takes (primary drivers) or the stage name (follow-ups).
    virtual const char* kind() const = 0;
    //! One line for `memlif run --help`-like listings and error messages.
    virtual const char* summary() const = 0;
    //! The card section this driver owns ("" if none).
    virtual std::string section() const { return ""; }
    //! Reads its section from the user's card (nullptr if absent) over its defaults, checks it
    //! against the validated core `cfg` and returns the resolved section. ConfigError naming the
    //! key on bad input. Called for every card, whichever kind runs.
    virtual nlohmann::json resolve_section(const nlohmann::json* user, const RunConfig& cfg) const;
    //! A follow-up stage names the primary kind it follows; a primary returns "".
    virtual const char* follows() const { return ""; }
    bool is_primary() const { return follows()[0] == '\0'; }
    //! Whether a follow-up stage runs for this card.
    virtual bool enabled(const RunConfig& cfg) const {
        (void)cfg;
        return true;
    }
    //! Runs the experiment. A primary driver creates the output file (ctx.file), or reopens it
    //! when ctx.resume; follow-ups add to it, or continue what they find there.
    virtual void run(RunContext& ctx) const = 0;
    //! What run() will need of the machine for this card.
    virtual ResourceNeeds resources(const RunConfig& cfg) const {
        (void)cfg;
        return {};
    }
};

//! A driver that owns one typed card section `S` (a struct with defaults and visit(), as in
//! host/card.hpp): reading, checking and serialising the section are written once, here.
template <class S> class SectionExperiment : public Experiment {
  public:
    nlohmann::json resolve_section(const nlohmann::json* user,
                                   const RunConfig& cfg) const override {
        const S s = card::from_json<S>(user, section());
        check(s, cfg);
        return card::to_json(s);
    }
    //! The section of a resolved card.
    S read_section(const RunConfig& cfg) const {
        return card::from_json<S>(&cfg.card.at(section()), section());
    }

  protected:
    //! Rules that involve the core card; ConfigError naming the key.
    virtual void check(const S& s, const RunConfig& cfg) const {
        (void)s;
        (void)cfg;
    }
};

//! The provenance every run file starts with (software, backend, card, seed, response coding).
io::RunMetadata make_run_metadata(const RunConfig& cfg, const BackendChoice& backend);

//! Every registered driver, primaries first (host/experiments/registry.cpp).
const std::vector<const Experiment*>& experiments();

//! The driver of `kind` (a primary only if `primary_only`), or nullptr.
const Experiment* find_experiment(const std::string& kind, bool primary_only = false);

} // namespace memlif
