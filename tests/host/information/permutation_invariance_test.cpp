// SPDX-License-Identifier: MIT
//! \file tests/host/information/permutation_invariance_test.cpp
//! Permutation-invariance properties of information.md §7.4 and the class/pattern identity of §2:
//! * permuting the stimulus order permutes the per-stimulus results and leaves MI, H(R), H(R|S)
//!   of every deterministic estimator unchanged;
//! * relabelling the 16 per-input patterns consistently maps the 3876 permutation classes onto
//!   themselves (multiplicities kept) and leaves the class-level results unchanged;
//! * for a permutation-symmetric channel, the plug-in MI over the 65 536 equiprobable ordered
//!   patterns equals the multiplicity-weighted class MI, checked against a direct evaluation of
//!   the definition written in this test.
#include "host/information/estimators.hpp"
#include "host/information/plugin.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <numeric>
#include <random>

using namespace memlif;

namespace {

using Trials = std::vector<std::vector<std::uint64_t>>;

//! The 3876 classes: sorted 4-tuples a <= b <= c <= d of 4-bit per-input patterns.
std::vector<std::array<int, 4>> enumerate_classes() {
    std::vector<std::array<int, 4>> out;
    for (int a = 0; a < 16; ++a)
        for (int b = a; b < 16; ++b)
            for (int c = b; c < 16; ++c)
                for (int d = c; d < 16; ++d) out.push_back({a, b, c, d});
    return out;
}

//! Number of ordered patterns of a class: 4! / prod(repeat counts)!.
int multiplicity(const std::array<int, 4>& c) {
    std::map<int, int> rep;
    for (int x : c) ++rep[x];
    int m = 24;
    for (const auto& [x, k] : rep)
        for (int i = 2; i <= k; ++i) m /= i;
    return m;
}

std::uint32_t spikes_of(const std::array<int, 4>& c) {
    std::uint32_t n = 0;
    for (int x : c)
        for (int b = 0; b < 4; ++b) n += static_cast<std::uint32_t>(x >> b & 1);
    return n;
}

//! A permutation-symmetric synthetic response: the trial list depends on the class only.
//! 12 trials over 4-bit words, 1 to 3 distinct words.
std::vector<std::uint64_t> class_response(const std::array<int, 4>& c) {
    const std::uint64_t k = spikes_of(c);
    const std::uint64_t w0 = k & 15, w1 = static_cast<std::uint64_t>(c[0] * 7 + c[3]) & 15,
                        w2 = static_cast<std::uint64_t>(c[1] ^ c[2]);
    const std::uint64_t j = static_cast<std::uint64_t>(c[1] + c[2]) % 5; // 0..4
    std::vector<std::uint64_t> t(12 - j - (k % 3), w0);
    t.insert(t.end(), j, w1);
    t.insert(t.end(), k % 3, w2);
    return t;
}

//! Plain evaluation of the definition: MI = sum_s p(s) sum_r p(r|s) log2(p(r|s)/p(r)).
double mi_by_definition(const Trials& trials, const std::vector<double>& p) {
    std::map<std::uint64_t, double> p_r;
    std::vector<std::map<std::uint64_t, double>> cond(trials.size());
    for (std::size_t s = 0; s < trials.size(); ++s) {
        for (std::uint64_t w : trials[s]) cond[s][w] += 1.0 / static_cast<double>(trials[s].size());
        for (const auto& [w, q] : cond[s]) p_r[w] += p[s] * q;
    }
    double mi = 0;
    for (std::size_t s = 0; s < trials.size(); ++s)
        for (const auto& [w, q] : cond[s]) mi += p[s] * q * std::log2(q / p_r[w]);
    return mi;
}

void expect_same_scalars(const EstimatorResult& a, const EstimatorResult& b) {
    const double tol = 1e-11;
    EXPECT_NEAR(a.mi, b.mi, tol) << a.name;
    auto same_or_nan = [&](double x, double y, const char* what) {
        if (std::isnan(x))
            EXPECT_TRUE(std::isnan(y)) << a.name << " " << what;
        else
            EXPECT_NEAR(x, y, tol) << a.name << " " << what;
    };
    same_or_nan(a.h_r, b.h_r, "h_r");
    same_or_nan(a.h_rs, b.h_rs, "h_rs");
    same_or_nan(a.mi_se, b.mi_se, "mi_se");
    same_or_nan(a.mi_corrected, b.mi_corrected, "mi_corrected");
    same_or_nan(a.r_bins, b.r_bins, "r_bins");
}

//! b's stimulus perm[s] is a's stimulus s.
void expect_permuted(const std::vector<double>& a, const std::vector<double>& b,
                     const std::vector<std::size_t>& perm, const std::string& what) {
    ASSERT_EQ(a.size(), b.size()) << what;
    for (std::size_t s = 0; s < a.size(); ++s) {
        if (std::isnan(a[s]))
            EXPECT_TRUE(std::isnan(b[perm[s]])) << what << " " << s;
        else
            EXPECT_NEAR(a[s], b[perm[s]], 1e-11) << what << " " << s;
    }
}

void check_invariance(const Trials& trials, const std::vector<double>& p,
                      const std::vector<std::uint32_t>& spk, const std::vector<std::size_t>& perm,
                      std::uint32_t n_bins, const std::vector<std::string>& estimators) {
    Trials t2(trials.size());
    std::vector<double> p2(p.size());
    std::vector<std::uint32_t> spk2(spk.size());
    for (std::size_t s = 0; s < trials.size(); ++s) {
        t2[perm[s]] = trials[s];
        p2[perm[s]] = p[s];
        spk2[perm[s]] = spk[s];
    }
    EstimatorOptions o;
    o.estimators = estimators;
    o.qe_partition = QePartition::block; // deterministic: no stream depends on stimulus order
    const EstimatorResults a = compute_estimators(counts_from_trials(trials, n_bins), p, spk, o);
    const EstimatorResults b = compute_estimators(counts_from_trials(t2, n_bins), p2, spk2, o);
    ASSERT_EQ(a.estimates.size(), b.estimates.size());
    for (std::size_t i = 0; i < a.estimates.size(); ++i) {
        const EstimatorResult& x = a.estimates[i];
        const EstimatorResult& y = b.estimates[i];
        expect_same_scalars(x, y);
        expect_permuted(x.sss, y.sss, perm, x.name + " sss");
        expect_permuted(x.sps, y.sps, perm, x.name + " sps");
        expect_permuted(x.sss_se, y.sss_se, perm, x.name + " sss_se");
        expect_permuted(x.sss_corrected, y.sss_corrected, perm, x.name + " sss_corrected");
        expect_permuted(x.sps_se, y.sps_se, perm, x.name + " sps_se");
        expect_permuted(x.r_bins_s, y.r_bins_s, perm, x.name + " r_bins_s");
    }
}

const std::vector<std::string> deterministic_estimators{"plugin", "mm",        "pt",
                                                        "qe",     "jackknife", "nsb"};

} // namespace

TEST(PermutationInvariance, ClassEnumerationMatchesSpec) {
    // Input to the tests below, checked against information.md §2 / §7.6.
    const auto classes = enumerate_classes();
    ASSERT_EQ(classes.size(), 3876u);
    std::map<int, int> hist;
    int total = 0;
    for (const auto& c : classes) {
        ++hist[multiplicity(c)];
        total += multiplicity(c);
    }
    EXPECT_EQ(total, 65536);
    EXPECT_EQ(hist, (std::map<int, int>{{1, 16}, {4, 240}, {6, 120}, {12, 1680}, {24, 1820}}));
}

TEST(PermutationInvariance, StimulusOrderDoesNotMatter) {
    std::mt19937_64 gen(1234);
    std::uniform_int_distribution<int> n_trials(4, 12), word(0, 5), spk(0, 4);
    std::uniform_real_distribution<double> weight(0.5, 2.0);
    const std::size_t ns = 40;
    Trials trials(ns);
    std::vector<std::uint32_t> n_spk(ns);
    std::vector<double> p(ns);
    double sum = 0;
    for (std::size_t s = 0; s < ns; ++s) {
        for (int i = n_trials(gen); i > 0; --i)
            trials[s].push_back(static_cast<std::uint64_t>((word(gen) + static_cast<int>(s)) % 7));
        n_spk[s] = static_cast<std::uint32_t>(spk(gen));
        sum += (p[s] = weight(gen));
    }
    for (double& x : p) x /= sum;
    std::vector<std::size_t> perm(ns);
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), gen);
    check_invariance(trials, p, n_spk, perm, 3, deterministic_estimators);
    check_invariance(trials, test::empirical(counts_from_trials(trials, 3)), n_spk, perm, 3,
                     deterministic_estimators);
}

TEST(PermutationInvariance, RelabellingInputPatternsPermutesClasses) {
    const auto classes = enumerate_classes();
    std::map<std::array<int, 4>, std::size_t> index;
    for (std::size_t i = 0; i < classes.size(); ++i) index[classes[i]] = i;
    // Class-dependent but not relabelling-symmetric responses: relabelling moves them around.
    Trials trials(classes.size());
    std::vector<double> p(classes.size());
    std::vector<std::uint32_t> n_spk(classes.size());
    for (std::size_t i = 0; i < classes.size(); ++i) {
        trials[i] = class_response(classes[i]);
        p[i] = multiplicity(classes[i]) / 65536.0;
        n_spk[i] = spikes_of(classes[i]);
    }
    std::mt19937_64 gen(16);
    for (int rep = 0; rep < 2; ++rep) {
        std::array<int, 16> sigma{};
        std::iota(sigma.begin(), sigma.end(), 0);
        std::shuffle(sigma.begin(), sigma.end(), gen);
        std::vector<std::size_t> perm(classes.size());
        std::vector<char> hit(classes.size(), 0);
        for (std::size_t i = 0; i < classes.size(); ++i) {
            std::array<int, 4> c{};
            for (int k = 0; k < 4; ++k)
                c[static_cast<std::size_t>(k)] = sigma[static_cast<std::size_t>(classes[i][k])];
            std::sort(c.begin(), c.end());
            perm[i] = index.at(c);
            hit[perm[i]] = 1;
            ASSERT_EQ(multiplicity(c), multiplicity(classes[i])); // multiplicities are kept
        }
        ASSERT_EQ(std::count(hit.begin(), hit.end(), 1), 3876); // a bijection of the classes
        // The SpS denominators travel with the data (a relabelling need not keep spike counts).
        check_invariance(trials, p, n_spk, perm, 4, {"plugin", "mm", "pt", "jackknife"});
    }
}

TEST(PermutationInvariance, PatternMiEqualsMultiplicityWeightedClassMi) {
    const auto classes = enumerate_classes();
    std::map<std::array<int, 4>, std::size_t> index;
    for (std::size_t i = 0; i < classes.size(); ++i) index[classes[i]] = i;
    Trials class_trials(classes.size());
    std::vector<double> p_class(classes.size());
    for (std::size_t i = 0; i < classes.size(); ++i) {
        class_trials[i] = class_response(classes[i]);
        p_class[i] = multiplicity(classes[i]) / 65536.0;
    }
    // Ordered patterns: input k's 4-bit pattern in bits 4k..4k+3; each pattern responds exactly
    // as its class (permutation-symmetric neuron), with the same 12 trials.
    Trials pattern_trials(65536);
    std::vector<std::size_t> class_of(65536);
    for (std::size_t s = 0; s < 65536; ++s) {
        std::array<int, 4> c{};
        for (int k = 0; k < 4; ++k)
            c[static_cast<std::size_t>(k)] = static_cast<int>(s >> (4 * k) & 15);
        std::sort(c.begin(), c.end());
        class_of[s] = index.at(c);
        pattern_trials[s] = class_trials[class_of[s]];
    }
    const std::vector<double> p_pattern(65536, 1.0 / 65536.0);
    const double reference = mi_by_definition(class_trials, p_class);
    EXPECT_GT(reference, 0.1); // a channel that carries information
    // The same identity holds for the plain definition on the pattern set.
    EXPECT_NEAR(mi_by_definition(pattern_trials, p_pattern), reference, 1e-12);

    const auto cc = counts_from_trials(class_trials, 4);
    const auto pc = counts_from_trials(pattern_trials, 4);
    const PluginMeasures by_class = compute_plugin(cc, p_class, test::spikes(classes.size()));
    const PluginMeasures by_pattern = compute_plugin(pc, p_pattern, test::spikes(65536));
    EXPECT_NEAR(by_class.mi, reference, 1e-12);
    EXPECT_NEAR(by_pattern.mi, reference, 1e-12);
    EXPECT_NEAR(by_pattern.h_r, by_class.h_r, 1e-12);
    EXPECT_NEAR(by_pattern.h_rs, by_class.h_rs, 1e-12);
    for (std::size_t s = 0; s < 65536; s += 97)
        ASSERT_NEAR(by_pattern.sss[s], by_class.sss[class_of[s]], 1e-12) << s;
    // uniform-classes weights give a different (seed-faithful) MI (§2).
    const double uniform_classes = mi_by_definition(class_trials, test::uniform_p(classes.size()));
    EXPECT_GT(std::fabs(uniform_classes - reference), 1e-4);
}
