"""Fits the constants of src/kernels/avx512/gelu_table.rs (the exact gelu's
AVX-512 f32 kernel) and prints them as Rust: the 25 interval rows
[b, c0, q0..q4] and the near-zero series P (e^r - 1 is exp.rs's).

Needs mpmath and numpy; a reference tool, never run by CI:

    python3 tools/fit_gelu_table.py

Fits are relative-error Lawson iterations (iteratively reweighted least
squares) on Chebyshev nodes, against mpmath at 50 digits; each line says
the fit's error after rounding the coefficients to f32.
"""
import struct

import mpmath as mp
import numpy as np

mp.mp.dps = 50
DEGREE = 4  # of each interval's q
OFFSET = 2.0  # the interval is eighths of the binades of OFFSET + a
A_MAX = 14.5


def f32(v):
    return float(np.float32(float(v)))


def f32_step(v, n):
    bits = struct.unpack("<I", struct.pack("<f", v))[0]
    return struct.unpack("<f", struct.pack("<I", bits + n))[0]


def ulp32(v):
    return 2.0 ** (np.floor(np.log2(abs(float(v)))) - 23)


def rust(v):
    v = np.float32(v)
    if v == 0 or 1e-4 <= abs(v) < 1e6:
        return np.format_float_positional(v, unique=True)
    return np.format_float_scientific(v, unique=True)


def lawson(xs, fs, weight, degree):
    """Coefficients (lowest first) minimising max |(p - f)·weight|."""
    vander = np.vander(xs, degree + 1, increasing=True)
    w = np.ones_like(xs)
    for _ in range(80):
        coef, *_ = np.linalg.lstsq(vander * (w * weight)[:, None], fs * w * weight, rcond=None)
        err = np.abs((vander @ coef - fs) * weight)
        w = np.sqrt(w * err / err.max())
        w /= w.max()
    coef32 = np.array([f32(c) for c in coef])
    return coef32, np.max(np.abs((vander @ coef32 - fs) * weight))


def chebyshev(lo, hi, n=400):
    k = np.arange(n)
    return (lo + hi) / 2 + (hi - lo) / 2 * np.cos(np.pi * (k + 0.5) / n)


def G(a):
    """a·Φ(-a)·e^(a²/2)."""
    a = mp.mpf(a)
    return a * mp.erfc(a / mp.sqrt(2)) / 2 * mp.exp(a * a / 2)


def intervals():
    for j in range(25):
        binade = OFFSET * 2.0 ** (j // 8)
        lo = binade * (1 + (j % 8) / 8) - OFFSET
        hi = binade * (1 + (j % 8 + 1) / 8) - OFFSET
        yield lo, min(hi, A_MAX)


def interval_row(lo, hi):
    # b: an f32 near the middle whose G is nearest an f32, c0.
    mid = f32((lo + hi) / 2)
    candidates = (f32_step(mid, n) for n in range(-3000, 3001))
    off, b, c0 = min(
        (abs(float((G(b) - f32(G(b))) / ulp32(f32(G(b))))), b, f32(G(b)))
        for b in candidates
        if lo < b < hi
    )
    # The interval widened by 2^-19: rounding OFFSET + a moves a by 2^-21.
    ys = chebyshev(lo - 2.0**-19, hi + 2.0**-19) - b
    ys = ys[np.abs(ys) > 1e-12]
    gs = [G(mp.mpf(b) + mp.mpf(float(y))) for y in ys]
    fs = np.array([float((g - mp.mpf(c0)) / mp.mpf(float(y))) for g, y in zip(gs, ys)])
    weight = np.abs(ys) / np.array([float(g) for g in gs])
    q, err = lawson(ys, fs, weight, DEGREE)
    return b, c0, q, off, err


def main():
    for lo, hi in intervals():
        b, c0, q, off, err = interval_row(lo, hi)
        print(f"    // a in [{lo}, {hi}): c0 {off:.4f} ULP off G(b), fit 2^{np.log2(err):.1f}")
        print("    [" + ", ".join(rust(v) for v in [b, c0, *q]) + "],")
    # gelu(x) = x/2 + x²·P(x²) on |x| <= 0.5, error relative to gelu(-|x|).
    us = chebyshev(0, 0.25 * 1.0001, 600)
    fs = np.array([float((mp.ncdf(mp.sqrt(u)) - mp.mpf(1) / 2) / mp.sqrt(u)) for u in us])
    gelu = np.array([float(-mp.sqrt(u) * mp.ncdf(-mp.sqrt(u))) for u in us])
    p, err = lawson(us, fs, us / np.abs(gelu), 3)
    print(f"SERIES (2^{np.log2(err):.1f}):", ", ".join(rust(v) for v in p))


if __name__ == "__main__":
    main()
