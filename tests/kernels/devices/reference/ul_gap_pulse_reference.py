#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Independent reference for the UL-GAP pulse cycles of Fig. 1c,d (model.md §3.2, §8).

Written from the equations of model.md §3.2 only (no memlif code): scipy's implicit Radau
integrator with tight tolerances, brentq for the series resistor, the barrier clipped at its bounds
by zeroing the rate that pushes outward. It prints the resistance after each pulse,
R = V_read / <I_read> - R_s, where <I_read> is the time average over the 50 us read.
tests/kernels/devices/protocols_test.cpp asserts the values this script prints.

Run: /usr/bin/python3 tests/kernels/devices/reference/ul_gap_pulse_reference.py [R_th]
"""
import math
import sys

from scipy.integrate import solve_ivp
from scipy.optimize import brentq

I0, V0, X0 = 20.4e-6, 0.25, 1.0e-9
XMIN, XMAX = 1.5e-9, 6.0e-9
KS, AS, KR, AR = 5e-10, 20.0, 1.2e-8, 40.0
EA, T0, KB = 0.6, 300.0, 8.617333262e-5
RTH = float(sys.argv[1]) if len(sys.argv) > 1 else 1e5
RS = 10e3


def current(v, x):
    return I0 * math.exp(-x / X0) * math.sinh(v / V0)


def device_voltage(vs, x):
    if vs == 0.0:
        return 0.0
    f = lambda v: v + RS * current(v, x) - vs
    lo, hi = min(0.0, vs), max(0.0, vs)
    return brentq(f, lo, hi, xtol=1e-16, rtol=1e-15, maxiter=200)


def rate(vs, x):
    v = device_voltage(vs, x)
    t = T0 + RTH * abs(v * current(v, x))
    theta = math.exp(-(EA / KB) * (1.0 / t - 1.0 / T0))
    if v > 0:
        r = -KS * math.sinh(AS * v) * theta
    elif v < 0:
        r = KR * math.sinh(AR * -v) * theta
    else:
        r = 0.0
    if (x <= XMIN and r < 0) or (x >= XMAX and r > 0):
        return 0.0
    return r


def pulse(x, vs, width):
    sol = solve_ivp(lambda t, y: [rate(vs, y[0])], (0.0, width), [x], method="Radau",
                    rtol=1e-11, atol=1e-22, dense_output=True)
    return min(max(sol.y[0, -1], XMIN), XMAX), sol


def read(x, v_read=0.05, width=50e-6, n=2000):
    xe, sol = pulse(x, v_read, width)
    # mean current by the trapezoid rule on a fine grid of the dense solution
    s = 0.0
    prev = None
    for k in range(n + 1):
        xk = min(max(sol.sol(width * k / n)[0], XMIN), XMAX)
        ik = current(device_voltage(v_read, xk), xk)
        if prev is not None:
            s += 0.5 * (prev + ik)
        prev = ik
    i_mean = s / n
    return xe, v_read / i_mean - RS


def main():
    x = XMAX
    out = []
    trains = [(20, 0.6, 100e-6)] + [(20, -0.2, 10e-6), (20, 0.55, 30e-6)] * 2
    for n, v, w in trains:
        for _ in range(n):
            x, _ = pulse(x, v, w)
            x, r = read(x)
            out.append(r)
    for k, r in enumerate(out):
        print(k, "%.9f" % (r / 1e3))


if __name__ == "__main__":
    main()
