#!/usr/bin/env python3
"""Turn one bench run (build/bench/run-*/raw.jsonl) into latest.json, a
Markdown table (results.md) and PNG plots (gnuplot).

    bench/report.py [RUN_DIR] [--publish DIR]

RUN_DIR defaults to the newest build/bench/run-*.  With --publish, the
outputs (and the raw runs) are also copied into DIR (bench/results/).
Only ratios measured in the same guest boot mean anything: the guest is
emulated and shares its host.
"""
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS = [("nginx", "ktls"), ("nginx", "user-tls"),
         ("lighttpd", "ktls"), ("lighttpd", "user-tls")]
ORDER = PEERS + [("ktls-httpd", "ktls+klua"), ("ktls-httpd", "ktls+ulua"),
                 ("ktls-httpd", "ktls+nolua"), ("ktls-httpd", "utls+ulua"),
                 ("ceiling", "sendfile"), ("ceiling", "fixed")]
SIZES = ["1k", "100k", "1m", "10m"]
COLORS = ["#d62728", "#ff9896", "#1f77b4", "#aec7e8", "#2ca02c", "#98df8a",
          "#9467bd", "#c5b0d5", "#7f7f7f", "#bcbd22"]
SIZE_NAME = {"1k": "1 KiB", "100k": "100 KiB", "1m": "1 MiB", "10m": "10 MiB"}
LARGE = {"1m", "10m"}


def load_jsonl(path):
    out = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    out.append(json.loads(line))
    return out


def load_json(path):
    try:
        with open(path) as f:
            return json.loads(f.read().strip() or "{}")
    except (OSError, ValueError):
        return {}


def run_metrics(r):
    """req/s, MB/s (10^6 B/s), p50 and p99 (us), errors of one run."""
    res = r.get("result")
    if not res:
        return None
    if r["tool"] == "wrk":
        sec = res["duration_us"] / 1e6
        if sec <= 0:
            return None
        errs = sum(res[k] for k in res if k.startswith("err_"))
        return {"rps": res["requests"] / sec, "mbps": res["bytes"] / sec / 1e6,
                "p50_us": res["p50_us"] or None, "p99_us": res["p99_us"] or None,
                "errors": errs, "requests": res["requests"]}
    if res.get("rps_ab") is None:
        return None
    kbs = res.get("kbytes_per_s_ab") or 0
    return {"rps": res["rps_ab"], "mbps": kbs * 1024 / 1e6,
            "p50_us": res.get("p50_us"), "p99_us": res.get("p99_us"),
            "errors": res.get("failed") or 0, "requests": res.get("requests")}


def cell_key(r):
    return (r["tool"], r["tls"], r["size"], r["conns"])


def metric_name(size):
    """Large files are compared by MB/s (partial responses count), small
    ones by requests/s."""
    return "mbps" if size in LARGE else "rps"


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def build(run_dir):
    raw = load_jsonl(os.path.join(run_dir, "raw.jsonl"))
    servers = load_jsonl(os.path.join(run_dir, "servers.jsonl"))
    machine = {"host": dict(load_json(os.path.join(run_dir, "host.json")),
                            **load_json(os.path.join(run_dir, "host-end.json"))),
               "guest": load_json(os.path.join(run_dir, "guest.json"))}
    skipped = {(s["server"], s["mode"]): s["skipped"] for s in servers
               if s.get("skipped")}
    known = [(s["server"], s["mode"]) for s in servers]
    expect = {(s["server"], s["mode"]): s["expect_ktls"] for s in servers}

    groups = {}
    cells = []
    cut = load_jsonl(os.path.join(run_dir, "skipped-cells.jsonl"))
    for r in raw:
        groups.setdefault(cell_key(r), {}).setdefault(
            (r["server"], r["mode"]), []).append(r)
        if cell_key(r) not in cells:
            cells.append(cell_key(r))

    records = []
    nothing = []
    for ck in cells:
        tool, tls, size, conns = ck
        m = metric_name(size)
        per = {}
        for sm, runs in groups[ck].items():
            ms = [run_metrics(r) for r in runs]
            ok = [x for x in ms if x]
            vals = [x[m] for x in ok]
            rec = {
                "tool": tool, "tls": tls, "size": size,
                "file_bytes": runs[0]["bytes"], "conns": conns,
                "keepalive": tool == "wrk",
                "server": sm[0], "mode": sm[1],
                "duration_s": runs[0]["dur_s"], "runs": len(runs),
                "runs_ok": len(ok),
                "req_per_s": med([x["rps"] for x in ok]),
                "mb_per_s": med([x["mbps"] for x in ok]),
                "p50_ms": (med([x["p50_us"] for x in ok]) or 0) / 1000 or None,
                "p99_ms": (med([x["p99_us"] for x in ok]) or 0) / 1000 or None,
                "metric": "mb_per_s" if m == "mbps" else "req_per_s",
                "each_run": [round(v, 2) for v in vals],
                "spread_pct": (round(100 * (max(vals) - min(vals)) /
                                     statistics.median(vals), 1)
                               if vals and statistics.median(vals) > 0 else None),
                "errors": sum(x["errors"] for x in ok),
                "requests_total": sum(x["requests"] or 0 for x in ok),
                "tls_stat_delta": {k: sum(r["tls_stat"].get(k, 0) for r in runs)
                                   for k in runs[0]["tls_stat"]},
                "expect_ktls": expect.get(sm, runs[0].get("expect_ktls")),
                "skipped": None,
            }
            per[sm] = rec
        if all(not (r.get("req_per_s") or r.get("mb_per_s"))
               for r in per.values()):
            nothing.append({"tool": tool, "tls": tls, "size": size,
                            "conns": conns, "note": "no server completed a "
                            "response in its median run (host too loaded)"})
        peer_vals = [(per[p][rec_metric(per[p])], p) for p in PEERS
                     if p in per and per[p][rec_metric(per[p])]]
        best = max(peer_vals) if peer_vals else None
        for sm in known:
            if sm in per:
                rec = per[sm]
                v = rec[rec["metric"]]
                rec["best_peer"] = "%s/%s" % best[1] if best else None
                rec["ratio_to_best_peer"] = (round(v / best[0], 3)
                                             if best and v else None)
                records.append(rec)
            elif sm in skipped and serves(sm, size):
                records.append({
                    "tool": tool, "tls": tls, "size": size, "conns": conns,
                    "server": sm[0], "mode": sm[1], "req_per_s": None,
                    "mb_per_s": None, "p50_ms": None, "p99_ms": None,
                    "ratio_to_best_peer": None, "skipped": skipped[sm]})

    for c in cut:
        ck = cell_key(c)
        if ck not in cells:
            cells.append(ck)
        for sm in known:
            if serves(sm, c["size"]):
                records.append({
                    "tool": c["tool"], "tls": c["tls"], "size": c["size"],
                    "conns": c["conns"], "server": sm[0], "mode": sm[1],
                    "req_per_s": None, "mb_per_s": None, "p50_ms": None,
                    "p99_ms": None, "ratio_to_best_peer": None,
                    "skipped": skipped.get(sm) or c["skipped"]})

    # kTLS engagement per server/mode and TLS version
    engaged = []
    for sm in known:
        row = {"server": sm[0], "mode": sm[1], "expect": expect.get(sm),
               "skipped": skipped.get(sm)}
        for tls in ("1.2", "1.3"):
            tx = sum(r["tls_stat"].get("TlsTxSw", 0) for r in raw
                     if (r["server"], r["mode"]) == sm and r["tls"] == tls)
            rx = sum(r["tls_stat"].get("TlsRxSw", 0) for r in raw
                     if (r["server"], r["mode"]) == sm and r["tls"] == tls)
            n = sum(1 for r in raw
                    if (r["server"], r["mode"]) == sm and r["tls"] == tls)
            row["tls" + tls] = {"runs": n, "TlsTxSw": tx, "TlsRxSw": rx}
        engaged.append(row)

    sysc = []
    for x in load_jsonl(os.path.join(run_dir, "syscalls.jsonl")):
        req = x["requests"] or 0
        x["syscalls_per_request"] = round(x["syscalls"] / req, 2) if req else None
        x["tcp_segments_per_request"] = (round(x["tcp_out_segs"] / req, 2)
                                         if req else None)
        top = sorted(x["by_call"].items(), key=lambda kv: -kv[1])[:6]
        x["top_per_request"] = {k: round(v / req, 2) for k, v in top} if req else {}
        sysc.append(x)
    hook = ""
    for name in ("ktls_lua-before-runs.txt", "ktls_lua-after-runs.txt"):
        path = os.path.join(run_dir, name)
        if os.path.exists(path):
            with open(path) as f:
                hook += "# %s\n%s" % (name[9:-4], f.read())
    notes = nothing + load_jsonl(os.path.join(run_dir, "cell-notes.jsonl")) + [
        dict(c, note=c["skipped"]) for c in cut]
    return {"machine": machine, "records": records, "ktls_engaged": engaged,
            "cell_notes": notes,
            "hook_counters": hook,
            "syscalls_1k_c1": sysc, "idle": load_json(os.path.join(run_dir, "idle.json")),
            "cells": [list(c) for c in cells], "targets": targets(records)}


def rec_metric(rec):
    return rec["metric"]


def serves(sm, size):
    return not (sm == ("ceiling", "fixed") and size not in ("1k", "100k"))


def find(records, **kw):
    for r in records:
        if all(r.get(k) == v for k, v in kw.items()):
            return r
    return None


def targets(records):
    """The issue's targets, for kernel TLS + kernel Lua."""
    out = []

    def ratio(a, b, metric):
        if not a or not b or a.get("skipped") or b.get("skipped"):
            return None
        if not a.get(metric) or not b.get(metric):
            return None
        return round(a[metric] / b[metric], 3)

    def best_peer(cell):
        c = [r for r in records if all(r.get(k) == v for k, v in cell.items())
             and (r["server"], r["mode"]) in PEERS and not r.get("skipped")]
        return max(c, key=lambda r: r[r["metric"]] or 0) if c else None

    k = dict(server="ktls-httpd", mode="ktls+klua")
    specs = [
        ("req/s, 1 KiB, 50 conns, TLS 1.3: kTLS+kLua / best peer", 1.3,
         dict(tool="wrk", tls="1.3", size="1k", conns=50), None, "req_per_s"),
        ("MB/s, 10 MiB, 10 conns, TLS 1.3: kTLS+kLua / best peer", 1.0,
         dict(tool="wrk", tls="1.3", size="10m", conns=10), None, "mb_per_s"),
        ("ab (new handshakes), 1 KiB, TLS 1.3: kTLS+kLua / best peer", 1.0,
         dict(tool="ab", tls="1.3", size="1k", conns=10), None, "req_per_s"),
        ("ab (new handshakes), 1 MiB, TLS 1.3: kTLS+kLua / best peer", 1.0,
         dict(tool="ab", tls="1.3", size="1m", conns=10), None, "mb_per_s"),
        ("MB/s, 10 MiB, 10 conns: kTLS+kLua / raw kTLS sendfile ceiling", 0.9,
         dict(tool="wrk", tls="1.3", size="10m", conns=10),
         ("ceiling", "sendfile"), "mb_per_s"),
        ("req/s, 1 KiB, 50 conns: kTLS+kLua / kTLS without Lua (hook cost <= 5 %)",
         0.95, dict(tool="wrk", tls="1.3", size="1k", conns=50),
         ("ktls-httpd", "ktls+nolua"), "req_per_s"),
        ("req/s, 1 KiB, 50 conns: kernel Lua / user Lua (both kTLS)", 1.0,
         dict(tool="wrk", tls="1.3", size="1k", conns=50),
         ("ktls-httpd", "ktls+ulua"), "req_per_s"),
    ]
    for name, goal, cell, against, metric in specs:
        mine = find(records, **cell, **k)
        if against:
            other = find(records, **cell, server=against[0], mode=against[1])
        else:
            other = best_peer(cell)
        r = ratio(mine, other, metric)
        why = None
        if r is None:
            why = (mine or {}).get("skipped") or (other or {}).get("skipped") \
                or "not measured"
        out.append({"target": name, "goal": goal, "ratio": r,
                    "against": ("%s/%s" % (other["server"], other["mode"])
                                if other else None),
                    "met": (r >= goal) if r is not None else None,
                    "why_not_measured": why})
    return out


# ---- Markdown -----------------------------------------------------------------

def short(sm):
    s, m = sm
    return {"ktls-httpd": "httpd", "lighttpd": "lighttpd",
            "nginx": "nginx", "ceiling": "ceiling"}[s] + " " + m


def fmt(v, unit=""):
    if v is None:
        return "–"
    if v >= 100:
        return "%.0f%s" % (v, unit)
    if v >= 10:
        return "%.1f%s" % (v, unit)
    return "%.2f%s" % (v, unit)


def cell_title(c):
    tool, tls, size, conns = c
    if tool == "ab":
        return "ab %s, TLS %s, c%d, new TLS handshake per request" % (
            SIZE_NAME[size], tls, conns)
    return "wrk %s, TLS %s, c%d" % (SIZE_NAME[size], tls, conns)


def markdown(rep):
    recs = rep["records"]
    present = [sm for sm in ORDER if any((r["server"], r["mode"]) == sm
                                         for r in recs)]
    L = []
    h = rep["machine"].get("host", {})
    g = rep["machine"].get("guest", {})
    L.append("Run of %s on `%s` (%s, %s host CPUs; shared with other work), "
             "guest: Linux %s under QEMU %s TCG, %s vCPUs, AES driver `%s`; "
             "nginx %s, lighttpd %s, OpenSSL %s, GnuTLS %s, wrk %s; commit %s%s."
             % (h.get("date", "?"), h.get("host", "?"), h.get("host_cpu", "?"),
                h.get("host_cpus", "?"), g.get("kernel", "?"), h.get("qemu", "?"),
                g.get("vcpus", "?"), g.get("aes_driver", "?"), g.get("nginx", "?"),
                g.get("lighttpd", "?"), g.get("openssl", "?"), g.get("gnutls", "?"),
                g.get("wrk", "?"), h.get("commit", "?"),
                ", QUICK run (1 repetition, few cells)" if h.get("quick") else ""))
    if h.get("loadavg_start"):
        L.append("")
        L.append("Host load average (1, 5, 15 min) at the start: %s; at the end: "
                 "%s. On 2 host CPUs anything well above 2 means the guest got a "
                 "fraction of its CPUs and the numbers are mostly noise." % (
                     h["loadavg_start"], h.get("loadavg_end", "?")))
    L.append("")
    L.append("Each entry: the median of the repetitions as a ratio to the best "
             "peer (the faster of nginx and lighttpd, kTLS on or off, in that "
             "cell); the best peer's own median is in the second column "
             "(req/s for 1 KiB and 100 KiB, MB/s = 10^6 B/s for 1 MiB and "
             "10 MiB). `skip` = not measured (reason below).")
    L.append("")
    L.append("| cell | best peer | " + " | ".join(short(sm) for sm in present) + " |")
    L.append("| --- | --- |" + " --- |" * len(present))
    for c in rep["cells"]:
        c = tuple(c)
        row = [r for r in recs if cell_key(r) == c]
        bp = next((r for r in row if r.get("best_peer") and
                   "%s/%s" % (r["server"], r["mode"]) == r["best_peer"]), None)
        unit = " MB/s" if c[2] in LARGE else " req/s"
        bps = ("%s %s" % (bp["best_peer"].replace("/", " "),
                          fmt(bp[bp["metric"]], unit)) if bp else "–")
        cols = []
        for sm in present:
            r = next((x for x in row if (x["server"], x["mode"]) == sm), None)
            if r is None:
                cols.append("")
            elif r.get("skipped"):
                cols.append("skip")
            else:
                cols.append(fmt(r.get("ratio_to_best_peer")))
        L.append("| %s | %s | %s |" % (cell_title(c), bps, " | ".join(cols)))
    L.append("")

    if rep.get("cell_notes"):
        L.append("Cells with a note:")
        L.append("")
        for c in rep["cell_notes"]:
            L.append("- %s: %s" % (cell_title(cell_key(c)), c["note"]))
        L.append("")
    L.append("Targets of issue 6 (kernel TLS + kernel Lua):")
    L.append("")
    L.append("| target | goal | measured | |")
    L.append("| --- | --- | --- | --- |")
    for t in rep["targets"]:
        if t["ratio"] is None:
            L.append("| %s | ≥ %.2f | – | not measured: %s |" % (
                t["target"], t["goal"], t["why_not_measured"]))
        else:
            L.append("| %s | ≥ %.2f | %.2f (vs %s) | %s |" % (
                t["target"], t["goal"], t["ratio"], t["against"],
                "met" if t["met"] else "**missed**"))
    L.append("")

    L.append("kTLS engaged? Sum of the `/proc/net/tls_stat` deltas over each "
             "server's runs (TlsTxSw/TlsRxSw count kernel-TLS sessions set up "
             "per direction):")
    L.append("")
    L.append("| server | mode | expected | TLS 1.2 TX/RX | TLS 1.3 TX/RX | verdict |")
    L.append("| --- | --- | --- | --- | --- | --- |")
    for e in rep["ktls_engaged"]:
        if e.get("skipped"):
            L.append("| %s | %s | %s | – | – | skipped |" % (
                e["server"], e["mode"], e["expect"]))
            continue
        a, b = e["tls1.2"], e["tls1.3"]
        exp = e["expect"]
        if exp == "none":
            ok = a["TlsTxSw"] == 0 and a["TlsRxSw"] == 0 and \
                b["TlsTxSw"] == 0 and b["TlsRxSw"] == 0
            verdict = "off, as configured" if ok else "**kTLS used though off**"
        else:
            need_rx = "rx" in exp
            tx_ok = all(x["TlsTxSw"] > 0 for x in (a, b) if x["runs"])
            rx_ok = all(x["TlsRxSw"] > 0 for x in (a, b) if x["runs"])
            rx12 = a["TlsRxSw"] > 0
            if tx_ok and (rx_ok or not need_rx):
                verdict = "TX" + (" and RX" if rx_ok else
                                  (" (RX on TLS 1.2 only)" if rx12 else ""))
            else:
                verdict = "**NOT engaged as expected**"
        L.append("| %s | %s | %s | %d/%d | %d/%d | %s |" % (
            e["server"], e["mode"], exp, a["TlsTxSw"], a["TlsRxSw"],
            b["TlsTxSw"], b["TlsRxSw"], verdict))
    L.append("")
    if rep.get("syscalls_1k_c1"):
        L.append("Where the time goes: system calls per request of each server "
                 "(strace -c on all its processes, wrk keep-alive, 1 "
                 "connection, 1 KiB, TLS 1.3; the run's one handshake "
                 "included) and TCP segments per request (both ends, "
                 "/proc/net/snmp):")
        L.append("")
        L.append("| server | mode | requests | syscalls/req | TCP segs/req | top calls per request |")
        L.append("| --- | --- | --- | --- | --- | --- |")
        for x in rep["syscalls_1k_c1"]:
            L.append("| %s | %s | %d | %s | %s | %s |" % (
                x["server"], x["mode"], x["requests"],
                fmt(x["syscalls_per_request"]),
                fmt(x["tcp_segments_per_request"]),
                ", ".join("%s %s" % (k, fmt(v))
                          for k, v in x["top_per_request"].items())))
        L.append("")
    if rep.get("hook_counters"):
        L.append("The kernel hook's counters (`/proc/ktls_lua`) before and "
                 "after the measured runs:")
        L.append("")
        L.append("```")
        L.append(rep["hook_counters"].rstrip())
        L.append("```")
        L.append("")
    skips = [e for e in rep["ktls_engaged"] if e.get("skipped")]
    if skips:
        L.append("Skipped:")
        L.append("")
        for e in skips:
            L.append("- %s %s: %s" % (e["server"], e["mode"], e["skipped"]))
        L.append("")
    return "\n".join(L)


def details(rep):
    L = ["| cell | server | mode | req/s | MB/s | p50 ms | p99 ms | runs | "
         "spread | errors | ratio |",
         "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rep["records"]:
        c = cell_key(r)
        if r.get("skipped"):
            L.append("| %s | %s | %s | skipped | | | | | | | |" % (
                cell_title(c), r["server"], r["mode"]))
            continue
        L.append("| %s | %s | %s | %s | %s | %s | %s | %d | %s | %d | %s |" % (
            cell_title(c), r["server"], r["mode"], fmt(r["req_per_s"]),
            fmt(r["mb_per_s"]), fmt(r["p50_ms"]), fmt(r["p99_ms"]),
            r["runs_ok"],
            "–" if r["spread_pct"] is None else "%.0f %%" % r["spread_pct"],
            r["errors"], fmt(r.get("ratio_to_best_peer"))))
    return "\n".join(L)


# ---- plots ------------------------------------------------------------------------

def gnuplot(script, png):
    """Draw; a plot that cannot be drawn (no valid points) is left out."""
    r = subprocess.run(["gnuplot"], input=script.encode(),
                       stderr=subprocess.PIPE)
    if r.returncode != 0:
        if os.path.exists(png):
            os.unlink(png)
        print("report: no plot %s: %s" % (os.path.basename(png),
              r.stderr.decode(errors="replace").strip()[:200]),
              file=sys.stderr)
        return False
    return True


def plots(rep, out_dir):
    recs = [r for r in rep["records"] if not r.get("skipped")]
    made = []
    for tls in ("1.3",):
        for size in SIZES:
            rows = [r for r in recs if r["tool"] == "wrk" and r["tls"] == tls
                    and r["size"] == size]
            conns = sorted({r["conns"] for r in rows})
            if len(conns) < 2:
                continue
            sms = [sm for sm in ORDER if any((r["server"], r["mode"]) == sm
                                             for r in rows)]
            metric = "mb_per_s" if size in LARGE else "req_per_s"
            dat = os.path.join(out_dir, ".plot-%s.dat" % size)
            with open(dat, "w") as f:
                f.write("# conns " + " ".join(short(sm).replace(" ", "_")
                                              for sm in sms) + "\n")
                for c in conns:
                    vals = []
                    for sm in sms:
                        r = next((x for x in rows if x["conns"] == c and
                                  (x["server"], x["mode"]) == sm), None)
                        vals.append("%.3f" % r[metric] if r and r[metric]
                                    else "NaN")
                    f.write("%d %s\n" % (c, " ".join(vals)))
            png = os.path.join(out_dir, "wrk-tls%s-%s.png" % (tls, size))
            lines = ", ".join(
                "'%s' using 1:%d with linespoints lw 2 lc rgb '%s' title '%s'" % (
                    dat, i + 2, COLORS[ORDER.index(sm) % len(COLORS)], short(sm))
                for i, sm in enumerate(sms))
            script = (
                "set terminal pngcairo size 900,560 font ',10'\n"
                "set output '%s'\n"
                "set title 'wrk keep-alive, %s, TLS %s (median of runs, same guest boot)'\n"
                "set xlabel 'connections'\nset ylabel '%s'\n"
                "set logscale x\nset xtics (1, 10, 50)\nset grid\n"
                "set key outside right\nset yrange [0:*]\n"
                "plot %s\n" % (png, SIZE_NAME[size], tls,
                               "MB/s" if metric == "mb_per_s" else "requests/s",
                               lines))
            ok = gnuplot(script, png)
            os.unlink(dat)
            if ok:
                made.append(os.path.basename(png))
    # ratios to the best peer, every measured cell, as bars per server/mode
    cells = [tuple(c) for c in rep["cells"]]
    sms = [sm for sm in ORDER if sm not in PEERS and
           any((r["server"], r["mode"]) == sm for r in recs)] + PEERS
    sms = [sm for sm in sms if any((r["server"], r["mode"]) == sm for r in recs)]
    cells = [c for c in cells if any(
        cell_key(r) == c and r.get("ratio_to_best_peer") for r in recs)]
    if cells and sms:
        dat = os.path.join(out_dir, ".plot-ratio.dat")
        with open(dat, "w") as f:
            for c in cells:
                lab = "%s %s TLS%s c%d" % (c[0], c[2], c[1], c[3])
                vals = []
                for sm in sms:
                    r = next((x for x in recs if cell_key(x) == c and
                              (x["server"], x["mode"]) == sm), None)
                    v = r.get("ratio_to_best_peer") if r else None
                    vals.append("%.3f" % v if v else "NaN")
                f.write('"%s" %s\n' % (lab, " ".join(vals)))
        png = os.path.join(out_dir, "ratio-to-best-peer.png")
        cols = ", ".join("'%s' using %d%s lc rgb '%s' title '%s'" % (
            dat, i + 2, ":xtic(1)" if i == 0 else "",
            COLORS[ORDER.index(sm) % len(COLORS)], short(sm))
            for i, sm in enumerate(sms))
        script = (
            "set terminal pngcairo size 1400,600 font ',9'\n"
            "set output '%s'\n"
            "set title 'ratio to the best peer (faster of nginx and lighttpd in each cell)'\n"
            "set style data histograms\nset style histogram clustered gap 1\n"
            "set style fill solid 0.8 border -1\nset boxwidth 0.9\n"
            "set xtics rotate by -35 scale 0\nset grid ytics\n"
            "set yrange [0:*]\nset key outside right\n"
            "set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 2\n"
            "plot %s\n" % (png, cols))
        ok = gnuplot(script, png)
        os.unlink(dat)
        if ok:
            made.append(os.path.basename(png))
    return made


BEGIN = "<!-- results: begin (written by bench/report.py) -->"
END = "<!-- results: end -->"


def update_readme(path, text):
    """Put the tables of a published run between the markers of README.md."""
    try:
        with open(path) as f:
            old = f.read()
    except OSError:
        return
    if BEGIN not in old or END not in old:
        return
    head, rest = old.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    with open(path, "w") as f:
        f.write(head + BEGIN + "\n\n" + text.rstrip() + "\n\n" + END + tail)


def main(argv):
    publish = None
    args = []
    i = 0
    while i < len(argv):
        if argv[i] == "--publish":
            publish = argv[i + 1]
            i += 2
        else:
            args.append(argv[i])
            i += 1
    if args:
        run_dir = args[0]
    else:
        runs = sorted(glob.glob(os.path.join(TOP, "build/bench/run-*")))
        runs = [r for r in runs if os.path.exists(os.path.join(r, "raw.jsonl"))]
        if not runs:
            print("report.py: no run in build/bench/", file=sys.stderr)
            return 1
        run_dir = runs[-1]
    rep = build(run_dir)
    with open(os.path.join(run_dir, "latest.json"), "w") as f:
        json.dump(rep, f, indent=1)
        f.write("\n")
    made = plots(rep, run_dir)
    md = ["# Benchmark results", "", markdown(rep), "",
          "Plots: " + ", ".join("[%s](%s)" % (p, p) for p in made), "",
          "## Every cell", "", details(rep), ""]
    with open(os.path.join(run_dir, "results.md"), "w") as f:
        f.write("\n".join(md))
    print(markdown(rep))
    print("report: %s/results.md" % run_dir)
    if publish:
        os.makedirs(publish, exist_ok=True)
        for old in glob.glob(os.path.join(publish, "*.png")):
            os.unlink(old)
        for name in ["latest.json", "results.md", "raw.jsonl", "servers.jsonl"] + made:
            shutil.copy(os.path.join(run_dir, name), os.path.join(publish, name))
        readme = os.path.join(os.path.dirname(os.path.abspath(publish)),
                              "README.md")
        update_readme(readme, markdown(rep))
        print("report: published into %s" % publish)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
