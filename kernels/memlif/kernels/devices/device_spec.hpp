// SPDX-License-Identifier: MIT
//! \file kernels/memlif/kernels/devices/device_spec.hpp
//! Run-time choice of a device model: every model's parameter set side by side and one switch that
//! calls a template with the chosen model (static dispatch, no virtual calls, CUDA-friendly).
#pragma once

#include "../macros.hpp"
#include "device_model.hpp"
#include "gmms.hpp"
#include "ion_drift.hpp"
#include "linear.hpp"
#include "short_long_term.hpp"
#include "ul_gap.hpp"
#include "vteam.hpp"
#include "yakopcic.hpp"

#include <type_traits>

namespace memlif {

//! A device model and its parameters (only the chosen model's set is used).
struct DeviceSpec {
    DeviceModel model = DeviceModel::ul_gap;
    LinearParams linear;
    UlGapParams ul_gap;
    GmmsParams gmms;
    VteamParams vteam;
    YakopcicParams yakopcic;
    ShortLongTermParams short_long_term;
    IonDriftParams ion_drift;
};

static_assert(std::is_trivially_copyable<DeviceSpec>::value,
              "DeviceSpec is passed by value to kernels");

//! Calls op.template apply<M>(params) for the spec's model M; returns false for an unknown id.
template <class Op> MEMLIF_HD_INLINE bool visit_device_model(const DeviceSpec& spec, Op& op) {
    switch (spec.model) {
    case DeviceModel::linear:
        op.template apply<LinearModel>(spec.linear);
        return true;
    case DeviceModel::ul_gap:
        op.template apply<UlGapModel>(spec.ul_gap);
        return true;
    case DeviceModel::gmms:
        op.template apply<GmmsModel>(spec.gmms);
        return true;
    case DeviceModel::vteam:
        op.template apply<VteamModel>(spec.vteam);
        return true;
    case DeviceModel::yakopcic:
        op.template apply<YakopcicModel>(spec.yakopcic);
        return true;
    case DeviceModel::short_long_term:
        op.template apply<ShortLongTermModel>(spec.short_long_term);
        return true;
    case DeviceModel::ion_drift:
        op.template apply<IonDriftModel>(spec.ion_drift);
        return true;
    }
    return false;
}

namespace detail {
struct FixedStateCurrent {
    double g_read_S, v_read_V, v_V, i_A;
    template <class M> MEMLIF_HD_INLINE void apply(const typename M::Params& p) {
        i_A = M::current_A(p, M::state_from_read_conductance(p, g_read_S, v_read_V), v_V);
    }
};
} // namespace detail

//! Current at voltage v through a device of any model fixed at the state whose read conductance
//! (at v_read) is g_read: the synapse of a plasticity-off MI run (model.md §2.1, §9).
MEMLIF_HD_INLINE double device_fixed_state_current_A(const DeviceSpec& spec, double g_read_S,
                                                     double v_read_V, double v_V) {
    detail::FixedStateCurrent op{g_read_S, v_read_V, v_V, 0.0};
    visit_device_model(spec, op);
    return op.i_A;
}

} // namespace memlif
