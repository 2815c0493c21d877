// SPDX-License-Identifier: MIT
//! \file io/kind_file.hpp
//! Run files of the experiment kinds other than the MI sweep (io/FORMAT.md, "Files of the device
//! kinds"): the same identity and provenance as a memlif-run file (filetype, format_version,
//! software, git, backend, seed, experiment_kind, /config_json, complete, incomplete_reason,
//! /runtime), none of the MI layout (/stimuli, /axes, /counts, /results), and the kind's own group
//! as io/kind_layout.hpp specifies it. finish_run, mark_run_incomplete and AnalysisWriter of
//! io/run_file.hpp work on these files unchanged.
#pragma once

#include "io/kind_layout.hpp"
#include "io/run_file.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace memlif::io {

//! Creates (truncates) \p path with the provenance of \p meta (the MI-only fields of RunMetadata
//! are not written), complete = 0 and incomplete_reason = "running". IoError naming the path.
void create_kind_file(const std::string& path, const RunMetadata& meta);

//! Writes one group of io/kind_layout.hpp into an existing run file: every dataset gets the
//! table's element type, the shape of its named axes (\p extents: axis name -> length), its units
//! and its `axes` attribute. std::logic_error for a dataset the table does not hold, of the wrong
//! type or size, or (at close) a dataset of the table left unwritten.
class KindGroupWriter {
  public:
    KindGroupWriter(const std::string& path, const kind_layout::Group& group,
                    std::map<std::string, std::size_t> extents, bool replace = false);

    void write(const std::string& name, const std::vector<double>& data);
    void write(const std::string& name, const std::vector<std::uint32_t>& data);
    void write(const std::string& name, const std::vector<std::uint8_t>& data);
    void attr(const std::string& name, const std::string& value) { w_.write_attr(name, value); }
    void attr(const std::string& name, const char* value) { w_.write_attr(name, value); }
    void attr(const std::string& name, double value) { w_.write_attr(name, value); }
    void attr(const std::string& name, std::uint64_t value) { w_.write_attr(name, value); }
    void close();

  private:
    std::vector<std::size_t> shape_of(const kind_layout::Dataset& d, std::size_t n_data) const;
    const kind_layout::Dataset& checked(const std::string& name, layout::Type type) const;
    void label(const std::string& name, const kind_layout::Dataset& d);

    const kind_layout::Group& group_;
    std::map<std::string, std::size_t> extents_;
    std::set<std::string> written_;
    AnalysisWriter w_;
};

//! `memlif info` of a file whose experiment_kind is not the MI sweep: provenance, status and the
//! kind group's datasets with their shapes; std::nullopt for an MI sweep file (or a file that
//! predates experiment_kind). IoError if \p path is not a memlif-run file.
std::optional<std::string> describe_kind_file(const std::string& path);

} // namespace memlif::io
