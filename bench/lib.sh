# Sourced by the benchmark scripts (bench/real.sh, bench/gix.sh): one way to time a command.
#
# measure CMD...: runs CMD $runs times (`runs` from the script, after evaluating `$before`
# each time if it is set) and prints "median_wall_seconds median_cpu_seconds median_peak_kb".
# Wall time comes from the shell's clock (GNU time's %e has 10 ms steps, too coarse for
# tokio's 40 ms); CPU time (user + system) and peak memory from GNU time (/usr/bin/time).
# A failing command is timed like any other (its error output is discarded).

median() { sort -n | sed -n "$(((runs + 1) / 2))p"; }

measure() {
  local walls=() cpus=() mems=() tmp start end u s m
  tmp="$(mktemp)"
  for _ in $(seq "$runs"); do
    if [ -n "${before:-}" ]; then eval "$before"; fi
    start="$EPOCHREALTIME"
    /usr/bin/time -o "$tmp" -f '%U %S %M' "$@" > /dev/null 2>&1 || true
    end="$EPOCHREALTIME"
    read -r u s m < <(tail -n 1 "$tmp")
    walls+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')")
    cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')")
    mems+=("$m")
  done
  rm -f "$tmp"
  printf '%s %s %s\n' "$(printf '%s\n' "${walls[@]}" | median)" \
    "$(printf '%s\n' "${cpus[@]}" | median)" "$(printf '%s\n' "${mems[@]}" | median)"
}
