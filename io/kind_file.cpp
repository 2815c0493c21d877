// SPDX-License-Identifier: MIT
//! \file io/kind_file.cpp
#include "io/kind_file.hpp"
#include "io/text.hpp"

#include "io/h5.hpp"

#include <sstream>
#include <stdexcept>

namespace memlif::io {

namespace {

std::string type_text(const h5::ElementType& t) {
    if (t.is_float) return "float" + std::to_string(8 * t.size);
    if (t.is_integer) return std::string(t.is_signed ? "int" : "uint") + std::to_string(8 * t.size);
    return "other";
}

} // namespace

void create_kind_file(const std::string& path, const RunMetadata& meta) {
    h5::Handle file = h5::create_file(path);
    const hid_t f = file;
    // Identity and state first, as RunWriter does: a file cut short is recognisable and says
    // complete = 0.
    h5::write_attr_string(f, "filetype", run_filetype);
    h5::write_attr_array<std::int32_t>(f, "format_version", {run_format_major, run_format_minor});
    h5::write_attr<std::uint8_t>(f, "complete", 0);
    h5::write_attr_string(f, "incomplete_reason", "running");
    h5::write_attr_string(f, "phase", meta.phase);
    h5::write_attr_string(f, "software_version", meta.software_version);
    h5::write_attr_string(f, "git_sha1", meta.git_sha);
    h5::write_attr_string(f, "created",
                          meta.created_utc.empty() ? utc_timestamp() : meta.created_utc);
    h5::write_attr_string(f, "backend", meta.backend);
    h5::write_attr<std::uint64_t>(f, "seed", meta.seed);
    h5::write_attr_string(f, "experiment_kind", meta.experiment_kind);
    h5::write_attr_string(f, "trial_id_layout", meta.trial_id_layout);
    h5::write_string_dataset(f, "config_json", meta.config_json);
    {
        h5::Handle d = h5::open_dataset(f, "config_json");
        h5::write_attr_string(d, "media_type", "application/json");
    }
    h5::flush(f);
    file.close();
}

KindGroupWriter::KindGroupWriter(const std::string& path, const kind_layout::Group& group,
                                 std::map<std::string, std::size_t> extents, bool replace)
    : group_(group), extents_(std::move(extents)), w_(path, group.path, replace) {
    w_.write_attr("experiment_kind", group.kind);
}

const kind_layout::Dataset& KindGroupWriter::checked(const std::string& name,
                                                     layout::Type type) const {
    const kind_layout::Dataset* d = nullptr;
    try {
        d = &group_.at(name);
    } catch (const std::out_of_range&) {
        throw std::logic_error(std::string("KindGroupWriter: ") + group_.path + "/" + name +
                               " is not in io/kind_layout.cpp");
    }
    if (d->type != type)
        throw std::logic_error(std::string("KindGroupWriter: ") + group_.path + "/" + name +
                               " is " + layout::type_name(d->type));
    if (written_.count(name))
        throw std::logic_error(std::string("KindGroupWriter: ") + group_.path + "/" + name +
                               " written twice");
    return *d;
}

std::vector<std::size_t> KindGroupWriter::shape_of(const kind_layout::Dataset& d,
                                                   std::size_t n_data) const {
    std::vector<std::size_t> shape;
    std::size_t n = 1;
    for (const char* a : d.axes) {
        const auto it = extents_.find(a);
        if (it == extents_.end())
            throw std::logic_error(std::string("KindGroupWriter: no extent for axis '") + a +
                                   "' of " + group_.path + "/" + d.name);
        shape.push_back(it->second);
        n *= it->second;
    }
    if (n != n_data)
        throw std::logic_error(std::string("KindGroupWriter: ") + group_.path + "/" + d.name +
                               " holds " + std::to_string(n_data) + " values, its shape " +
                               std::to_string(n));
    return shape;
}

void KindGroupWriter::label(const std::string& name, const kind_layout::Dataset& d) {
    std::vector<std::string> axes(d.axes.begin(), d.axes.end());
    w_.set_axes(name, axes);
    written_.insert(name);
}

void KindGroupWriter::write(const std::string& name, const std::vector<double>& data) {
    const auto& d = checked(name, layout::Type::f64);
    w_.write_f64(name, data, shape_of(d, data.size()), d.units);
    label(name, d);
}

void KindGroupWriter::write(const std::string& name, const std::vector<std::uint32_t>& data) {
    const auto& d = checked(name, layout::Type::u32);
    w_.write_u32(name, data, shape_of(d, data.size()), d.units);
    label(name, d);
}

void KindGroupWriter::write(const std::string& name, const std::vector<std::uint8_t>& data) {
    const auto& d = checked(name, layout::Type::u8);
    w_.write_u8(name, data, shape_of(d, data.size()), d.units);
    label(name, d);
}

void KindGroupWriter::close() {
    for (const kind_layout::Dataset& d : group_.datasets)
        if (!written_.count(d.name))
            throw std::logic_error(std::string("KindGroupWriter: ") + group_.path + "/" + d.name +
                                   " was not written");
    w_.close();
}

std::optional<std::string> describe_kind_file(const std::string& path) {
    h5::Handle file = h5::open_file(path, false);
    const hid_t f = file;
    if (!h5::has_attr(f, "filetype") || h5::read_attr_string(f, "filetype") != run_filetype)
        throw IoError(in_quotes(path) + " is not a memlif-run file");
    const auto v = h5::read_attr_array<std::int32_t>(f, "format_version");
    if (v.size() != 2 || v[0] != run_format_major)
        throw IoError(in_quotes(path) + ": format version not supported (this build reads " +
                      std::to_string(run_format_major) + ".x)");
    if (!h5::has_attr(f, "experiment_kind")) return std::nullopt;
    const std::string kind = h5::read_attr_string(f, "experiment_kind");
    if (kind == "mi_sweep") return std::nullopt;
    std::ostringstream out;
    const bool complete = h5::read_attr<std::uint8_t>(f, "complete") != 0;
    out << "file:      " << path << "\nfiletype:  memlif-run " << v[0] << "." << v[1]
        << "\nkind:      " << kind << "\nsoftware:  memlif "
        << h5::read_attr_string(f, "software_version") << " (git "
        << h5::read_attr_string(f, "git_sha1")
        << ")\ncreated:   " << h5::read_attr_string(f, "created")
        << "\nbackend:   " << h5::read_attr_string(f, "backend")
        << "\nseed:      " << h5::read_attr<std::uint64_t>(f, "seed") << "\nstatus:    "
        << (complete ? std::string("complete")
                     : "INCOMPLETE: " + h5::read_attr_string(f, "incomplete_reason"))
        << "\n";
    if (h5::exists(f, "runtime/wall_s"))
        out << "runtime:   " << h5::read_scalar_dataset<double>(f, "runtime/wall_s") << " s\n";
    bool any = false;
    for (const kind_layout::Group* g : kind_layout::kind_groups()) {
        if (!h5::exists(f, g->path)) continue;
        any = true;
        out << g->path << ":\n";
        {
            h5::Handle grp = h5::open_group(f, g->path);
            if (h5::has_attr(grp, "summary"))
                out << "  " << h5::read_attr_string(grp, "summary") << "\n";
        }
        for (const kind_layout::Dataset& d : g->datasets) {
            const std::string name = std::string(g->path) + "/" + d.name;
            if (!h5::exists(f, name)) {
                out << "  " << d.name << ": MISSING\n";
                continue;
            }
            h5::Handle ds = h5::open_dataset(f, name);
            out << "  " << d.name << ": " << type_text(h5::element_type(ds)) << "[";
            const auto dims = h5::shape(ds);
            for (std::size_t i = 0; i < dims.size(); ++i) out << (i ? ", " : "") << dims[i];
            out << "]" << (d.units[0] ? std::string(" ") + d.units : std::string()) << "\n";
        }
    }
    if (!any) out << "(no group of this kind written yet)\n";
    return out.str();
}

} // namespace memlif::io
