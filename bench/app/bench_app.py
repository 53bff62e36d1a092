#!/usr/bin/env python3
"""session-revoker's own benchmarks for "find the user, be sure, revoke" (bench/README.md, "app").

Runs the C++ benchmark programs built from bench/app/ (bench/CMakeLists.txt) and reports each figure as a ratio
to a baseline measured in the same run:

  start-up      process start to the first painted main window, and peak RSS: sr-bench-startup (the app's own
                guiMain(), which src/app/main.cpp runs) against sr-bench-bare-window (a bare QMainWindow), runs
                alternating
  typing        Graph requests per 12-character name typed at 80 ms a key (sr-bench-typing), against the pauses
                in the typing
  results       last keystroke to results painted at 50 ms simulated latency, against the debounce interval plus
                one bare round trip of the same query
  scroll        event-loop stalls and peak RSS while scrolling the broadest search of a 100,000-user directory to
                its end (sr-bench-scroll), against the idle event loop and the RSS before the scroll

Python standard library only. Prints a table on stdout (progress on stderr); --json writes the results.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO_CLIENT_ID = "8c3791a0-3f69-437d-9f93-53f516aafdb3"
MB = 1e6 / (1024 * 1024)  # MiB per MB

GOALS = {
    "startup_ratio": 1.25,
    "startup_rss_ratio": 1.5,
    "requests_per_query": 1.0,
    "results_extra_ms": 30.0,
    "scroll_p99_ms": 50.0,
    "scroll_peak_rss_mib": 300 * MB,
}


def log(text):
    print(text, file=sys.stderr, flush=True)


def child_env(home):
    env = dict(os.environ)
    env.update({
        "QT_QPA_PLATFORM": "offscreen",
        "QT_LOGGING_RULES": "qt.qpa.*=false",
        # A throwaway home: no settings, audit log or keychain entry of whoever runs the benchmark is read.
        "HOME": home,
        "XDG_CONFIG_HOME": os.path.join(home, "config"),
        "XDG_DATA_HOME": os.path.join(home, "data"),
        "XDG_CACHE_HOME": os.path.join(home, "cache"),
        "XDG_RUNTIME_DIR": os.path.join(home, "runtime"),
    })
    os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
    return env


def spawn_to_first_paint(command, env):
    """Runs one start-up probe; returns its JSON line with the spawn time and the child's own peak RSS."""
    with tempfile.TemporaryFile() as err:
        spawned = time.monotonic_ns()  # CLOCK_MONOTONIC, the clock the probe prints
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, env=env)
        out = proc.stdout.read()
        proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)  # this child's rusage, not every child's maximum
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0 or not out.strip():
            err.seek(0)
            raise RuntimeError(f"{command[0]} exited with {proc.returncode}: {err.read().decode(errors='replace')}")
    result = json.loads(out.decode().strip().splitlines()[-1])
    result["spawned_ns"] = spawned
    result["max_rss_kib"] = usage.ru_maxrss
    result["cpu_ms"] = (usage.ru_utime + usage.ru_stime) * 1000
    return result


def startup(bin_dir, runs, home):
    env = child_env(home)
    app = [os.path.join(bin_dir, "sr-bench-startup"), "--cloud", "custom", "--authority", "http://127.0.0.1:9",
           "--graph", "http://127.0.0.1:9", "--tenant", "contoso.test", "--client-id", DEMO_CLIENT_ID]
    # One untimed run of each first: both then start with their libraries in the page cache.
    size = spawn_to_first_paint(app, env)
    bare = [os.path.join(bin_dir, "sr-bench-bare-window"), "--size", f"{size['width']}x{size['height']}"]
    spawn_to_first_paint(bare, env)

    samples = {"app": [], "bare": []}
    for i in range(runs):
        order = [("app", app), ("bare", bare)] if i % 2 == 0 else [("bare", bare), ("app", app)]
        for name, command in order:
            samples[name].append(spawn_to_first_paint(command, env))
        log(f"  start-up run {i + 1}/{runs}: app {ms(samples['app'][-1], 'spawned_ns', 'painted_ns'):.1f} ms, "
            f"bare {ms(samples['bare'][-1], 'spawned_ns', 'painted_ns'):.1f} ms")

    def summary(runs_of):
        return {
            "first_paint_ms": med(runs_of, "spawned_ns", "painted_ns"),
            "first_paint_ms_runs": [round(ms(r, "spawned_ns", "painted_ns"), 2) for r in runs_of],
            "spawn_to_main_ms": med(runs_of, "spawned_ns", "main_entered_ns"),
            "main_to_shown_ms": med(runs_of, "main_entered_ns", "shown_ns"),
            "shown_to_painted_ms": med(runs_of, "shown_ns", "painted_ns"),
            "peak_rss_mib": statistics.median(r["max_rss_kib"] for r in runs_of) / 1024,
            # The child's own user + system CPU time: what a busy machine moves much less than wall time.
            "cpu_ms": statistics.median(r["cpu_ms"] for r in runs_of),
        }

    result = {"runs": runs, "window": [size["width"], size["height"]], "app": summary(samples["app"]),
              "bare": summary(samples["bare"])}
    result["ratio"] = result["app"]["first_paint_ms"] / result["bare"]["first_paint_ms"]
    result["rss_ratio"] = result["app"]["peak_rss_mib"] / result["bare"]["peak_rss_mib"]
    result["cpu_ratio"] = result["app"]["cpu_ms"] / result["bare"]["cpu_ms"]
    return result


def ms(run, start, end):
    return (run[end] - run[start]) / 1e6


def med(runs_of, start, end):
    return statistics.median(ms(r, start, end) for r in runs_of)


def run_json(command, home):
    log("  " + " ".join(os.path.basename(c) if i == 0 else c for i, c in enumerate(command)))
    proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=None, env=child_env(home))
    if proc.returncode != 0:
        raise RuntimeError(f"{os.path.basename(command[0])} exited with {proc.returncode}")
    return json.loads(proc.stdout.decode().strip().splitlines()[-1])


def verdicts(r):
    s, t, lat, sc = r["startup"], r["typing"], r["results_latency"], r["scroll"]
    return {
        "startup_time": s["ratio"] <= GOALS["startup_ratio"],
        "startup_rss": s["rss_ratio"] <= GOALS["startup_rss_ratio"],
        "requests_per_query": t["requests_per_query"] <= GOALS["requests_per_query"],
        "results_latency": lat["key_to_painted_ms"]["p50"] <= lat["goal_ms"],
        "scroll_p99": sc["gaps_ms"]["p99"] < GOALS["scroll_p99_ms"],
        "scroll_rss": sc["peak_rss_mib"] <= GOALS["scroll_peak_rss_mib"],
    }


def table(r):
    s, t, lat, sc = r["startup"], r["typing"], r["results_latency"], r["scroll"]
    ok = r["goals_met"]

    def mark(key):
        return "met" if ok[key] else "MISSED"

    rows = [
        ("figure", "app", "baseline", "ratio", "goal"),
        ("start-up to first paint, median ms", f"{s['app']['first_paint_ms']:.1f}",
         f"{s['bare']['first_paint_ms']:.1f} (bare window)", f"{s['ratio']:.2f}",
         f"<= {GOALS['startup_ratio']} {mark('startup_time')}"),
        ("  spawn to main() / to shown / to painted", "{:.1f} / {:.1f} / {:.1f}".format(
            s["app"]["spawn_to_main_ms"], s["app"]["main_to_shown_ms"], s["app"]["shown_to_painted_ms"]),
         "{:.1f} / {:.1f} / {:.1f}".format(s["bare"]["spawn_to_main_ms"], s["bare"]["main_to_shown_ms"],
                                          s["bare"]["shown_to_painted_ms"]), "", ""),
        ("  CPU time to first paint (user + system), median ms", f"{s['app']['cpu_ms']:.1f}",
         f"{s['bare']['cpu_ms']:.1f}", f"{s['cpu_ratio']:.2f}", ""),
        ("start-up peak RSS, MiB", f"{s['app']['peak_rss_mib']:.1f}", f"{s['bare']['peak_rss_mib']:.1f}",
         f"{s['rss_ratio']:.2f}", f"<= {GOALS['startup_rss_ratio']} {mark('startup_rss')}"),
        (f"Graph requests per {t['query_length']}-char query at {t['key_interval_ms']} ms/key",
         f"{t['requests_per_query']:.2f} ({t['requests']}/{t['queries']})",
         f"{t['pauses'] / t['queries']:.2f} pauses/query", f"{t['ratio']:.2f}", f"1 {mark('requests_per_query')}"),
        (f"last key to results painted, p50 ms ({lat['latency_ms']} ms latency)",
         f"{lat['key_to_painted_ms']['p50']:.1f} (max {lat['key_to_painted_ms']['max']:.1f})",
         f"{lat['debounce_ms']} debounce + {lat['rtt_ms']['p50']:.1f} RTT", f"{lat['ratio']:.2f}",
         f"<= {lat['goal_ms']:.1f} {mark('results_latency')} (margin {lat['margin_ms']:.1f})"),
        ("  key to sent / sent to model / model to painted",
         "{:.1f} / {:.1f} / {:.1f}".format(lat["key_to_sent_ms"]["p50"], lat["sent_to_model_ms"]["p50"],
                                          lat["model_to_painted_ms"]["p50"]), "", "", ""),
        (f"scroll {sc['rows']} rows ('{sc['query']}', {sc['pages_fetched']} pages), stall p99 ms",
         f"{sc['gaps_ms']['p99']:.1f} (max {sc['gaps_ms']['max']:.1f})",
         f"{sc['idle_gaps_ms']['p99']:.1f} (idle)", f"{sc['p99_ratio']:.2f}",
         f"< {GOALS['scroll_p99_ms']:.0f} {mark('scroll_p99')}"),
        ("  stalls over 50 ms; p50 / p90 / p999 ms",
         f"{sc['gaps_over_50ms']:.0f}; " + "{:.1f} / {:.1f} / {:.1f}".format(
             sc["gaps_ms"]["p50"], sc["gaps_ms"]["p90"], sc["gaps_ms"]["p999"]),
         "{:.1f} / {:.1f} / {:.1f}".format(sc["idle_gaps_ms"]["p50"], sc["idle_gaps_ms"]["p90"],
                                          sc["idle_gaps_ms"]["p999"]), "", ""),
        ("  GUI-thread CPU within a gap, p99 / max ms",
         "{:.1f} / {:.1f}".format(sc["gap_cpu_ms"]["p99"], sc["gap_cpu_ms"]["max"]),
         "{:.1f} / {:.1f}".format(sc["idle_gap_cpu_ms"]["p99"], sc["idle_gap_cpu_ms"]["max"]), "", ""),
        ("  process CPU per page fetched (parse, insert, scroll), ms", f"{sc['cpu_ms_per_page']:.2f}", "", "", ""),
        ("scroll peak RSS, MiB", f"{sc['peak_rss_mib']:.1f}", f"{sc['rss_before_mib']:.1f} (before)",
         f"{sc['rss_ratio']:.2f}", f"<= {GOALS['scroll_peak_rss_mib']:.0f} {mark('scroll_rss')}"),
        ("  RSS growth per row, KiB", f"{sc['kib_per_row']:.2f}", "", "", ""),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    m = r["machine"]
    lines.append("")
    lines.append(f"cores {m['cores']}, load average {m['loadavg_before'][0]:.2f} before, "
                 f"{m['loadavg_after'][0]:.2f} after; start-up: {s['runs']} runs each, alternating, medians; "
                 f"window {s['window'][0]}x{s['window'][1]} offscreen")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke sizes: a few seconds each, proves nothing")
    parser.add_argument("--json", metavar="PATH", help="write the results here")
    parser.add_argument("--bin-dir", default=os.path.join(ROOT, "build", "default", "bench", "app"),
                        help="where the sr-bench-* programs are (default: build/default/bench/app)")
    parser.add_argument("--runs", type=int, help="start-up runs of each program (default 31, quick 3)")
    parser.add_argument("--users", type=int, help="directory size for typing and scrolling (default 100000, "
                        "quick 2000)")
    parser.add_argument("--queries", type=int, help="names typed (default 15, quick 2)")
    args = parser.parse_args()
    runs = args.runs or (3 if args.quick else 31)
    users = args.users or (2000 if args.quick else 100000)
    queries = args.queries or (2 if args.quick else 15)

    result = {"quick": args.quick, "complete": False,
              "machine": {"cores": os.cpu_count(), "loadavg_before": list(os.getloadavg())}}
    with tempfile.TemporaryDirectory(prefix="sr-bench-app-") as home:
        log(f"== start-up ({runs} runs each) ==")
        result["startup"] = startup(args.bin_dir, runs, home)
        log(f"== typing and results latency ({queries} names, {users} users, 50 ms latency) ==")
        result.update(run_json([os.path.join(args.bin_dir, "sr-bench-typing"), "--users", str(users),
                                "--latency-ms", "50", "--queries", str(queries), "--key-interval-ms", "80"], home))
        log(f"== scroll ({users} users) ==")
        result.update(run_json([os.path.join(args.bin_dir, "sr-bench-scroll"), "--users", str(users),
                                "--idle-ms", "500" if args.quick else "3000"], home))
    result["machine"]["loadavg_after"] = list(os.getloadavg())
    result["goals"] = GOALS
    result["goals_met"] = verdicts(result)
    required = ["startup", "typing", "results_latency", "scroll"]
    result["complete"] = all(key in result for key in required) and result["typing"]["requests"] > 0 and \
        result["scroll"]["gaps_ms"]["n"] > 0 and result["results_latency"]["key_to_painted_ms"]["n"] > 0
    print(table(result))
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as out:
            json.dump(result, out, indent=2)
        log(f"results: {args.json}")
    return 0 if result["complete"] else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, KeyError, ValueError, OSError) as error:
        log(f"bench_app: {error}")
        sys.exit(1)
