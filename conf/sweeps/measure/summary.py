"""Summaries of the issue-14 measurements from the stage result files (no Parquet reader needed)."""
import glob, json, math, sys

def stages(out, kind):
    rows = []
    for f in sorted(glob.glob(f"{out}/stages/{kind}/*/result.json")):
        r = json.load(open(f)); q = json.load(open(f.replace("result.json", "request.json")))
        s = q["settings"]; m = r["metrics"]
        rows.append(dict(id=r["pointId"], ok=r["status"] == "ok", lam=s.get("lambda", 0.0), method=s.get("method"), ratio=s.get("ratio", 0.0),
                         epochs=s["epochs"], map=m.get("after.map50_95"), params=m.get("after.params"),
                         gflops=m.get("after.gflops"), wall=r["durations"].get("wall", 0.0),
                         ft=r["durations"].get("finetune", 0.0)))
    return rows

def cost(out):
    """Stage-seconds (child-JVM wall) per stage kind and in total; finetune = the points' training seconds alone."""
    c = {k: round(sum(x["wall"] for x in stages(out, k)), 1) for k in ("dense", "sparse", "points")}
    c["total"] = round(sum(c.values()), 1)
    c["finetune"] = round(sum(x["ft"] for x in stages(out, "points")), 1)
    c["point_runs"] = len(stages(out, "points"))
    return c

def dense_map(out):
    return stages(out, "dense")[0]["map"]

def bracket(points, dense, tol):
    pts = sorted((p for p in points if p["ok"]), key=lambda p: p["ratio"])
    hi = next((p["ratio"] for p in pts if dense - p["map"] > tol), None)
    if hi is None: return None
    lo = max([p["ratio"] for p in pts if p["ratio"] < hi], default=0.0)
    return lo, hi

def pareto_ranks(pts):
    rank = [-1] * len(pts); front = 0
    while -1 in rank:
        now = [i for i, p in enumerate(pts) if rank[i] < 0 and not any(
            j != i and (rank[j] < 0 or rank[j] >= front) and q["map"] >= p["map"] and q["params"] <= p["params"]
            and (q["map"] > p["map"] or q["params"] < p["params"]) for j, q in enumerate(pts))]
        for i in now: rank[i] = front
        front += 1
    return rank

def standings(points, epochs):
    lvl = [p for p in points if p["ok"] and p["epochs"] == epochs]
    r = pareto_ranks(lvl); agg = {}
    for p, k in zip(lvl, r):
        a = agg.setdefault((p["method"], p["lam"]), [0, 0, 0]); a[0] += k; a[1] += p["map"]; a[2] += 1
    return sorted(((v[0] / v[2], -v[1] / v[2], s) for s, v in agg.items()))

what = sys.argv[1]
M = "runs/measure"  # as conf/sweeps/measure/adaptive.sh writes it; run from the repository root
if what == "plan":
    for name in ("plan", "uniform"):
        p = stages(f"{M}/{name}", "points")[0]
        print(f"{name}: ratio {p['ratio']} mAP50-95 {p['map']:.4f} params {p['params']:.0f} GFLOPs {p['gflops']:.4f} "
              f"point wall {p['wall']:.1f} s; dense {dense_map(f'{M}/{name}'):.4f}")
elif what == "knee":
    for name in ("knee", "grid05"):
        pts = stages(f"{M}/{name}", "points"); d = dense_map(f"{M}/{name}")
        print(f"{name}: {len(pts)} points, bracket at tol 0.01: {bracket(pts, d, 0.01)}, cost {cost(f'{M}/{name}')}")
        print("   ", " ".join(f"{p['ratio']}:{p['map'] - d:+.4f}" for p in sorted(pts, key=lambda p: p['ratio'])))
elif what == "halving":
    full = stages(f"{M}/fullgrid", "points"); hv = stages(f"{M}/halving", "points")
    top = max(p["epochs"] for p in full)
    print(f"full grid standings at {top} epochs (mean Pareto rank, -mean mAP, series):", standings(full, top))
    levels = sorted({p["epochs"] for p in hv})
    for e in levels:
        print(f"halving at {e} epochs:", standings(hv, e))
    print("cost full", cost(f"{M}/fullgrid"), "\ncost halving", cost(f"{M}/halving"))
    # a promoted point resumes from the previous level's checkpoint: it trains only the difference
    trained = sum(p["epochs"] - ([0] + levels)[levels.index(p["epochs"])] for p in hv)
    print("finetune epochs trained: full", sum(p["epochs"] for p in full), "halving", trained)
