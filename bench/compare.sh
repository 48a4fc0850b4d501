#!/usr/bin/env bash
# Ratio table from one bench/run.sh session: compare.sh GREENLIGHT_TSV PEER_TSV FIXED_RATE_TSV
# (harness results.tsv format: system rep metric value unit; medians over reps). PEER_TSV may be "".
set -euo pipefail
GL=$1 PEER=${2:-} FR=${3:-}
cat "$GL" ${PEER:+"$PEER"} ${FR:+"$FR"} | awk -F'\t' '
  { k = $1 SUBSEP $3; n[k]++; v[k, n[k]] = $4 }
  function med(s, m,   k, c, i, j, t, a) { k = s SUBSEP m; c = n[k]; if (!c) return "";
    for (i = 1; i <= c; i++) a[i] = v[k, i];
    for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return a[int((c + 1) / 2)] }
  function fmt(x) { return x == "" ? "–" : (x + 0 >= 100 ? sprintf("%.0f", x) : sprintf("%.2f", x)) }
  # better: "high" (ratio GL/peer, bigger is better) or "low" (peer/GL shown as "x better")
  function row(label, m, better, goal,   g, p, r) {
    g = med("greenlight", m); p = med("debezium-kafka", m); r = "–"
    if (g != "" && p != "" && g + 0 > 0 && p + 0 > 0) r = sprintf("%.2f", g / p)
    printf "| %s | %s | %s | %s | %s |\n", label, fmt(g), fmt(p), r, goal }
  END {
    print "| figure | Greenlight | peer | Greenlight / peer | goal |"
    print "| --- | ---: | ---: | ---: | --- |"
    row("snapshot rows/s (" med("greenlight", "snapshot_rows") " rows)", "snapshot_rows_per_s", "high", "")
    ld = med("limits", "maria_load_data_rows_per_s")
    g = med("greenlight", "snapshot_rows_per_s")
    printf "| target LOAD DATA limit rows/s (harness) | %s | | | |\n", fmt(ld)
    printf "| snapshot / target LOAD DATA limit | %s | %s | | %s |\n", (ld != "" ? sprintf("%.1f %%", 100 * g / ld) : "–"),
      (ld != "" ? sprintf("%.1f %%", 100 * med("debezium-kafka", "snapshot_rows_per_s") / ld) : "–"), ""
    su = med("greenlight", "snapshot_startup_s"); gsn = med("greenlight", "snapshot_s")
    if (su != "" && gsn + 0 > su + 0) {
      gx = med("greenlight", "snapshot_rows") / (gsn - su)
      printf "| snapshot rows/s without Greenlight'"'"'s JVM + embedded broker start-up (%.1f s of %.1f s; the peer'"'"'s JVMs start before its clock) | %s | | %s | |\n", su, gsn, fmt(gx), (p = med("debezium-kafka", "snapshot_rows_per_s")) ? sprintf("%.2f", gx / p) : "–"
      printf "| that / target LOAD DATA limit | %s | | | ≥ 60 %% (#20) |\n", (ld != "" ? sprintf("%.1f %%", 100 * gx / ld) : "–")
    }
    row("streaming events/s, burst start → caught up", "stream_events_per_s_e2e", "high", "≥ 10×")
    # No system can stream a burst faster than the source produces it: the pgbench rate without CDC
    gb = med("greenlight", "pgbench_tps_without_cdc") * med("greenlight", "stream_events") / (med("greenlight", "stream_txns") + 0 ? med("greenlight", "stream_txns") : 1)
    pb = med("debezium-kafka", "pgbench_tps_without_cdc") * med("debezium-kafka", "stream_events") / (med("debezium-kafka", "stream_txns") + 0 ? med("debezium-kafka", "stream_txns") : 1)
    printf "|   ceiling: the burst'"'"'s own events/s without CDC | %s | %s | | |\n", (gb ? fmt(gb) : "–"), (pb ? fmt(pb) : "–")
    row("streaming capacity: events/s draining a backlog (" med("greenlight", "drain_events") " events, processes frozen while it was written)", "drain_events_per_s", "high", "≥ 10×")
    row("  CPU ms per event while draining (system processes)", "drain_cpu_ms_per_event", "low", "≤ 0.15 ms (#20)")
    row("  mariadbd CPU ms per event while draining", "drain_mariadbd_cpu_ms_per_event", "low", "")
    row("lag at burst end (s)", "stream_lag_at_burst_end_s", "low", "< 2 s")
    row("catch-up after burst (s)", "stream_catchup_after_burst_s", "low", "< 5 s")
    row("source TPS with CDC", "pgbench_tps_with_cdc", "high", "")
    row("source TPS without CDC", "pgbench_tps_without_cdc", "high", "")
    gw = med("greenlight", "pgbench_tps_with_cdc"); go = med("greenlight", "pgbench_tps_without_cdc")
    pw = med("debezium-kafka", "pgbench_tps_with_cdc"); po = med("debezium-kafka", "pgbench_tps_without_cdc")
    printf "| source TPS with / without CDC | %s | %s | | ≥ 75 %% |\n", (go ? sprintf("%.0f %%", 100 * gw / go) : "–"), (po ? sprintf("%.0f %%", 100 * pw / po) : "–")
    grss = med("greenlight", "rss_greenlight_max_streaming_mb"); gs = med("greenlight", "rss_greenlight_max_snapshot_mb"); if (gs + 0 > grss + 0) grss = gs
    pr = 0; split("connect kafka", names, " ")
    for (i in names) { a = med("debezium-kafka", "rss_" names[i] "_max_snapshot_mb"); b = med("debezium-kafka", "rss_" names[i] "_max_streaming_mb"); pr += (a + 0 > b + 0 ? a : b) }
    printf "| RSS max MiB (all processes) | %s | %s | %s | < 512 MiB |\n", fmt(grss), (pr ? fmt(pr) : "–"), (pr ? sprintf("%.2f", grss / pr) : "–")
    gc = med("greenlight", "cpu_greenlight_streaming_s"); ge = med("greenlight", "stream_events")
    pc = med("debezium-kafka", "cpu_connect_streaming_s") + med("debezium-kafka", "cpu_kafka_streaming_s"); pe = med("debezium-kafka", "stream_events")
    printf "| CPU ms per streamed event (system processes) | %s | %s | %s | |\n", (ge ? sprintf("%.3f", 1000 * gc / ge) : "–"), (pe ? sprintf("%.3f", 1000 * pc / pe) : "–"), (ge && pe && pc ? sprintf("%.2f", (gc / ge) / (pc / pe)) : "–")
    row("lag p50 at " med("greenlight", "fixed_rate_target_per_s") " changes/s (s)", "fixed_rate_lag_p50_s", "low", "")
    row("lag p99 at that rate (s)", "fixed_rate_lag_p99_s", "low", "< 1 s")
    row("lag p99 in the first " med("greenlight", "fixed_rate_warmup_s") " s at that rate (cold JVM after the backfill)", "fixed_rate_cold_lag_p99_s", "low", "")
    row("  rate pgbench achieved during it (tps)", "fixed_rate_tps_achieved", "high", "")
    row("cutover write-blocked window under that load (s)", "cutover_write_blocked_s", "low", "< 1 s")
  }'
echo
echo "Ratios are Greenlight / peer: above 1 is better for rates and TPS, below 1 is better for lags, catch-up, RSS and CPU."
echo "Load averages (1 min) in this session: $(cat "$GL" ${PEER:+"$PEER"} ${FR:+"$FR"} | awk -F'\t' '$3 ~ /loadavg/ {printf "%s %s=%s; ", $1, $3, $4}')"
