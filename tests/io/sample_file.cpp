// SPDX-License-Identifier: MIT
//! \file tests/io/sample_file.cpp
//! Writes the synthetic run (with per-trial words and one analysis group) to argv[1], so that
//! tools/test_memlif_h5.py can check the Python reader against a file written by the C++ code.
#include "io/run_file.hpp"
#include "synthetic_run.hpp"

#include <exception>
#include <iostream>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: io_sample_file OUT.h5\n";
        return 2;
    }
    try {
        using namespace memlif::io;
        const test::SyntheticRun run = test::make_run();
        {
            RunWriter w(argv[1], run.meta, run.stimuli, run.axis, true);
            test::write_condition(w, run, 2);
            w.append_trials(2, {0, 1, 2}, {0, 0, 4}, {0, 3, 1023});
            test::write_condition(w, run, 0);
            test::write_condition(w, run, 1);
            w.append_trials(0, {1}, {3}, {5});
            w.finish(2.0, 48);
        }
        AnalysisWriter a(argv[1], "/analysis/example", false);
        a.write_f64("mutual_information_bit", {0.5, 1.0, 1.5}, {3}, "bit");
        a.set_axes("mutual_information_bit", {"condition"});
        a.write_attr("estimator", "example");
        a.close();
    } catch (const std::exception& e) {
        std::cerr << "io_sample_file: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
