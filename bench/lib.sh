# Sourced by the benchmark scripts (bench/real.sh, bench/gix.sh): one way to time a command.
#
# measure CMD...: runs CMD $runs times (`runs` from the script, after evaluating `$before`
# each time if it is set) and prints "median_wall_seconds median_cpu_seconds median_peak_kb".
# Wall time comes from the shell's clock (GNU time's %e has 10 ms steps, too coarse for
# tokio's 40 ms); CPU time (user + system) and peak memory from GNU time (/usr/bin/time).
# A failing command is timed like any other (its error output is discarded).
#
# measure_pair "A" "B": the same for two command lines (strings, run by `eval`), run in turn,
# A then B, $runs times, so that whatever else the machine does in the meantime falls on
# both alike; `before_a` / `before_b` are evaluated before each run of A / B. Prints
# "A_wall A_cpu A_kb B_wall B_cpu B_kb" (medians).

median() { sort -n | sed -n "$(((runs + 1) / 2))p"; }

# One timed run of the command line "$1" (evaluated): prints "wall cpu kb".
time_once() {
  local tmp start end u s m
  tmp="$(mktemp)"
  start="$EPOCHREALTIME"
  eval "/usr/bin/time -o '$tmp' -f '%U %S %M' $1" > /dev/null 2>&1 || true
  end="$EPOCHREALTIME"
  read -r u s m < <(tail -n 1 "$tmp")
  rm -f "$tmp"
  awk -v a="$start" -v b="$end" -v u="$u" -v s="$s" -v m="$m" \
    'BEGIN { printf "%.3f %.2f %s\n", b - a, u + s, m }'
}

# Reads "wall cpu kb" lines on stdin; prints their three medians.
medians() {
  local w=() c=() k=() a b d
  while read -r a b d; do w+=("$a") c+=("$b") k+=("$d"); done
  printf '%s %s %s' "$(printf '%s\n' "${w[@]}" | median)" \
    "$(printf '%s\n' "${c[@]}" | median)" "$(printf '%s\n' "${k[@]}" | median)"
}

measure() {
  local line
  line="$(printf '%q ' "$@")"
  for _ in $(seq "$runs"); do
    if [ -n "${before:-}" ]; then eval "$before"; fi
    time_once "$line"
  done | medians
  echo
}

measure_pair() {
  local a b
  a="$(mktemp)" b="$(mktemp)"
  for _ in $(seq "$runs"); do
    if [ -n "${before_a:-}" ]; then eval "$before_a"; fi
    time_once "$1" >> "$a"
    if [ -n "${before_b:-}" ]; then eval "$before_b"; fi
    time_once "$2" >> "$b"
  done
  printf '%s %s\n' "$(medians < "$a")" "$(medians < "$b")"
  rm -f "$a" "$b"
}
