"""Reference fixture for scoring/tests/survey_reference.rs: replicate standard errors of a
small stratified two-stage design, computed independently of the Rust code.

Rerun (from this directory; the output is committed, the Rust test needs no Python):

    pip install samplics==0.6.1 numpy pandas     # scipy comes with samplics
    python3 generate.py                           # writes reference.json

What is computed where:

- Designs. "odd": 6 explicit strata with 2, 3, 2, 5, 3, 3 schools (zones: pairs in
  sampling order, the last three of an odd stratum forming a triple: 7 zones, 4 of them
  triples). "pairs": 6 strata with 2, 4, 2, 2, 2, 2 schools (7 zones of two). Schools are
  PSUs with selection probability pi_i = n_h * MOS_i / sum MOS_h over a simulated frame;
  students are a simple random sample with pi_j|i = m_i / N_i (N_i, the enrolment at
  testing time, differs from MOS_i, so the design is not self-weighting); everyone
  responds, so the replicate weights are the base weights times the replicate factors.
- JK1 (both designs): samplics' ReplicateWeight(jackknife, strat=False), i.e. delete one
  school and multiply all others by R/(R-1), with c = (R-1)/R.
- Fay BRR, k = 0.5, on the "pairs" design: samplics' ReplicateWeight(brr, fay_coef=0.5)
  with each zone as its stratum. samplics uses columns 1..7 of scipy's Sylvester matrix
  of order 8 and gives the first school of a zone factor k where the entry is +1.
- Fay BRR on the "odd" design: samplics cannot take zones of three, so it is implemented
  below in numpy from the definition (same matrix and sign convention; a triple's first
  school gets 1 - h(1-k)sqrt2, the other two 1 + h(1-k)/sqrt2, as in PISA). The same
  function is checked against samplics on the "pairs" design before it is used.
- JK2 (both designs): not in samplics; implemented below in numpy from the TIMSS
  definition: per zone of two, drop one school and double the other, both ways, c = 0.5;
  a zone of three (a, b, c) gives three replicates (drop a double b, drop b double c,
  drop c double a). Checked by hand for a linear statistic: c * sum (t_r - t_0)^2 equals
  the stratified with-replacement variance sum_h n_h/(n_h-1) sum (t_hi - tbar_h)^2 over
  zones.
- Statistics: weighted mean and total of y, mean of y in the domain d = 1, ratio
  sum(w y)/sum(w x). V = c * sum_r (t_r - t_0)^2 (samplics: conservative=True, with the
  factor c passed explicitly: samplics 0.6.1's own BRR coefficient has a precedence slip).
"""

import json
import math
import warnings

import numpy as np
import pandas as pd
from scipy.linalg import hadamard

warnings.simplefilter("ignore", FutureWarning)
from samplics import PopParam, RepMethod, ReplicateEstimator, ReplicateWeight  # noqa: E402

SEED = 20260517
FAY_K = 0.5


def make_design(name, counts, rng):
    """Schools (sampling order within strata) and their students."""
    schools, students = [], []
    school_id, student_id = 100, 1
    for h, n in enumerate(counts):
        stratum = f"S{h + 1}"
        frame_mos = rng.integers(40, 400, size=20).astype(float)
        total = frame_mos.sum()
        for order in range(n):
            mos = float(rng.integers(40, 400))
            prob = n * mos / total
            assert prob < 1
            m = int(rng.integers(6, 15))
            # Enrolment at testing time differs from the frame's MOS, so the design is
            # not self-weighting and the weight total varies across replicates.
            enrolled = max(m, round(mos * rng.uniform(0.7, 1.3)))
            effect = rng.normal(0, 40)
            schools.append(dict(id=school_id, stratum=stratum, order=order, mos=mos, prob=prob))
            for _ in range(m):
                students.append(
                    dict(
                        school=school_id,
                        id=student_id,
                        prob=m / enrolled,
                        y=round(float(500 + effect + rng.normal(0, 90)), 6),
                        x=round(float(1 + rng.uniform()), 6),
                        d=int(rng.uniform() < 0.5),
                    )
                )
                student_id += 1
            school_id += 1
    return dict(name=name, schools=schools, students=students)


def zones(design):
    """Zones as lists of school ids: pairs in sampling order, a triple at an odd end."""
    out = []
    by_stratum = {}
    for s in design["schools"]:
        by_stratum.setdefault(s["stratum"], []).append(s)
    for stratum in sorted(by_stratum):
        ids = [s["id"] for s in sorted(by_stratum[stratum], key=lambda s: s["order"])]
        k = len(ids)
        bounds = [(2 * z, 2 * z + 2) for z in range(k // 2)]
        if k % 2:
            bounds[-1] = (bounds[-1][0], k)
        out += [ids[a:b] for a, b in bounds]
    return out


def jk2_factors(zs, school_ids):
    """Replicate-by-school factors of TIMSS's paired jackknife (triples: see the header)."""
    col = {sid: i for i, sid in enumerate(school_ids)}
    reps = []
    for z in zs:
        if len(z) == 2:
            moves = [(z[0], z[1]), (z[1], z[0])]
        else:
            moves = [(z[i], z[(i + 1) % 3]) for i in range(3)]
        for dropped, doubled in moves:
            f = np.ones(len(school_ids))
            f[col[dropped]] = 0.0
            f[col[doubled]] = 2.0
            reps.append(f)
    return np.array(reps)


def fay_factors(zs, school_ids, k):
    """Replicate-by-school factors of Fay's BRR on scipy's Sylvester matrix."""
    col = {sid: i for i, sid in enumerate(school_ids)}
    order = 1
    while order < len(zs) + 1:
        order *= 2
    h = hadamard(order)
    reps = np.ones((order, len(school_ids)))
    step = 1 - k
    for r in range(order):
        for z, units in enumerate(zs):
            sign = h[r, 1 + z % (order - 1)]
            first, others = (step * math.sqrt(2), step / math.sqrt(2)) if len(units) == 3 else (step, step)
            reps[r, col[units[0]]] = 1 - sign * first
            for u in units[1:]:
                reps[r, col[u]] = 1 + sign * others
    return reps


def samplics_factors(method, school_ids, strata=None, fay=0.0):
    """Replicate-by-school factors from samplics, fed one row per school (weight 1)."""
    rw = ReplicateWeight(method=method, strat=strata is not None, fay_coef=fay)
    out = rw.replicate(samp_weight=np.ones(len(school_ids)), psu=np.array(school_ids), stratum=strata)
    cols = [c for c in out.columns if c not in ("_stratum", "_psu", "_samp_weight")]
    by_psu = {int(row["_psu"]): row[cols].to_numpy(dtype=float) for _, row in out.iterrows()}
    return np.array([by_psu[s] for s in school_ids]).T


def statistics(y, x, d, w):
    return dict(
        mean=float(np.sum(w * y) / np.sum(w)),
        total=float(np.sum(w * y)),
        domain_mean=float(np.sum(w * y * d) / np.sum(w * d)),
        ratio=float(np.sum(w * y) / np.sum(w * x)),
    )


def ses_numpy(y, x, d, w, repw, c):
    full = statistics(y, x, d, w)
    reps = [statistics(y, x, d, repw[:, r]) for r in range(repw.shape[1])]
    return {k: math.sqrt(c * sum((t[k] - full[k]) ** 2 for t in reps)) for k in full}


def ses_samplics(method, y, x, d, w, repw, c):
    def se(param, **kw):
        est = ReplicateEstimator(method, param).estimate(
            y=y, samp_weight=w, rep_weights=repw, rep_coefs=c, conservative=True, **kw
        )
        return est.stderror

    return dict(
        mean=float(se(PopParam.mean)),
        total=float(se(PopParam.total)),
        domain_mean=float(se(PopParam.mean, domain=d)[1]),
        ratio=float(se(PopParam.ratio, x=x)),
    )


def run(design):
    st = pd.DataFrame(design["students"])
    school_ids = [s["id"] for s in design["schools"]]
    prob = {s["id"]: s["prob"] for s in design["schools"]}
    w = (1 / (st["school"].map(prob) * st["prob"])).to_numpy()
    y, x, d = st["y"].to_numpy(), st["x"].to_numpy(), st["d"].to_numpy()
    col = {sid: i for i, sid in enumerate(school_ids)}
    rows = st["school"].map(col).to_numpy()
    zs = zones(design)
    expand = lambda f: w[:, None] * f.T[rows]  # noqa: E731 (students x replicates)
    results = {}

    jk1 = samplics_factors(RepMethod.jackknife, school_ids)
    r = jk1.shape[0]
    results["jk1"] = dict(
        replicates=r,
        se=ses_samplics(RepMethod.jackknife, y, x, d, w, expand(jk1), (r - 1) / r),
    )
    assert np.allclose(
        list(results["jk1"]["se"].values()), list(ses_numpy(y, x, d, w, expand(jk1), (r - 1) / r).values()), rtol=1e-12
    )

    jk2 = jk2_factors(zs, school_ids)
    results["jk2"] = dict(replicates=jk2.shape[0], se=ses_numpy(y, x, d, w, expand(jk2), 0.5))
    # Linear check: the JK2 variance of the total is the with-replacement estimate.
    t = {sid: float(np.sum((w * y)[st["school"].to_numpy() == sid])) for sid in school_ids}
    wr = sum(len(z) / (len(z) - 1) * sum((t[s] - np.mean([t[u] for u in z])) ** 2 for s in z) for z in zs)
    assert math.isclose(results["jk2"]["se"]["total"], math.sqrt(wr), rel_tol=1e-10)

    brr = fay_factors(zs, school_ids, FAY_K)
    r = brr.shape[0]
    c = 1 / (r * (1 - FAY_K) ** 2)
    if all(len(z) == 2 for z in zs):
        zone_of = {s: i for i, z in enumerate(zs) for s in z}
        ref = samplics_factors(RepMethod.brr, school_ids, np.array([zone_of[s] for s in school_ids]), FAY_K)
        assert np.allclose(ref, brr, atol=0, rtol=1e-15), "numpy BRR differs from samplics"
        se = ses_samplics(RepMethod.brr, y, x, d, w, expand(ref), c)
        source = "samplics"
    else:
        se = ses_numpy(y, x, d, w, expand(brr), c)
        source = "numpy (checked against samplics on the pairs design)"
    results["fay_brr"] = dict(replicates=r, k=FAY_K, se=se, source=source)
    results["estimates"] = statistics(y, x, d, w)
    design["zones"] = zs
    design["results"] = results
    return design


def main():
    rng = np.random.default_rng(SEED)
    designs = [
        run(make_design("odd", [2, 3, 2, 5, 3, 3], rng)),
        run(make_design("pairs", [2, 4, 2, 2, 2, 2], rng)),
    ]
    with open("reference.json", "w") as f:
        json.dump(
            dict(
                generator="generate.py",
                software="samplics 0.6.1, numpy, scipy",
                seed=SEED,
                designs=designs,
            ),
            f,
            indent=1,
        )
        f.write("\n")


if __name__ == "__main__":
    main()
