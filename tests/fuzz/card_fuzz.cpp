// SPDX-License-Identifier: MIT
//! \file tests/fuzz/card_fuzz.cpp
//! libFuzzer target (issue 12): the card parser and validation, as `memlif run CARD [--set ...]`
//! goes through them. The input is a card's text; a first line starting with "--set " is applied
//! as an override first (so the fuzzer reaches apply_override and the typed sections too). The
//! only acceptable outcome of a hostile card is ConfigError, UsageError or IoError (exit 2): any
//! other exception, a crash, a hang or a sanitizer report is a finding. Built by
//! tests/fuzz/CMakeLists.txt (MEMLIF_BUILD_FUZZ=ON, Debian clang), run by tools/fuzz.sh.
#include "host/config.hpp"

#include "memlif/core/errors.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    std::string set;
    if (text.rfind("--set ", 0) == 0) {
        const auto nl = text.find('\n');
        set = text.substr(6, nl == std::string::npos ? std::string::npos : nl - 6);
        text = nl == std::string::npos ? std::string() : text.substr(nl + 1);
    }
    try {
        nlohmann::json card = memlif::parse_card_text(text, "fuzz.json");
        if (!set.empty()) memlif::apply_override(card, set);
        const memlif::RunConfig cfg = memlif::resolve_config(card);
        // what `memlif run` derives before it writes anything
        if (cfg.experiment.kind == "mi_sweep") (void)memlif::make_sweep(cfg);
    } catch (const memlif::ConfigError&) {
    } catch (const memlif::UsageError&) {
    } catch (const memlif::IoError&) {
    } catch (const std::exception& e) {
        std::fprintf(stderr, "card_fuzz: not a clear error (exit 1 in memlif): %s\n", e.what());
        std::abort();
    }
    return 0;
}
