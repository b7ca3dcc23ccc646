#!/usr/bin/env bash
# Are isobench's outputs byte-identical before and after a change? For refactors (issue 22).
#
#   scripts/same-outputs.sh BASE_REV [WORK_DIR]
#
# Checks out BASE_REV in a git worktree (sharing this clone's node_modules), makes one demo run with
# it (its measurements are the fixed input), then runs the same list of deterministic commands with
# BASE_REV and with this working tree: the published data (dataset audit and regrade, leaderboards
# of each scope and format, tasks list and validate, the hub export with the card comparison) and
# that demo run (regrade, run-report, HTML report, leaderboards, export, the dry run). Each output
# (stdout, stderr, exit code, every file written) is compared; prints one line per output and exits
# 1 when any differs. Needs the published data at ../shared/data/iso-bench or $ISOBENCH_DATA.
set -euo pipefail
base_rev=${1:?usage: scripts/same-outputs.sh BASE_REV [WORK_DIR]}
root=$(cd "$(dirname "$0")/.." && pwd)
work=${2:-$(mktemp -d /tmp/isobench-same.XXXXXX)}
data=${ISOBENCH_DATA:-$root/../shared/data/iso-bench}
[ -f "$data/v5-rows.parquet" ] || { echo "same-outputs: no published data at $data (set ISOBENCH_DATA)" >&2; exit 2; }
mkdir -p "$work"
base_tree="$work/base-tree"
if [ ! -d "$base_tree" ]; then
  git -C "$root" worktree add --detach "$base_tree" "$base_rev" >/dev/null
  ln -s "$root/node_modules" "$base_tree/node_modules"
fi
# the HTML report's page script is built: build both sides
(cd "$base_tree" && node scripts/build.mjs >/dev/null) && (cd "$root" && node scripts/build.mjs >/dev/null)
trap 'git -C "$root" worktree remove --force "$base_tree" >/dev/null 2>&1 || true' EXIT

# one demo run with the base: its measured numbers are the input both sides read
demo="$work/demo-runs"
if [ ! -d "$demo/fixed" ]; then
  (cd "$base_tree" && node --import tsx src/cli/main.ts run --executor local --out "$demo" --run-id fixed \
    --repeats 3 --warmup 0 >"$work/demo-run.log" 2>&1) || { echo "same-outputs: the base's demo run failed: $work/demo-run.log" >&2; exit 2; }
fi

# side TREE OUT: every command, its stdout, stderr and exit code under OUT/NAME.*
side() {
  local tree=$1 out=$2
  rm -rf "$out"; mkdir -p "$out"
  cp -r "$demo/fixed" "$out/run"
  # the run folder's own copy: regrade and judge write beside it, reports read it
  one() {
    local name=$1; shift
    local rc=0
    (cd "$tree" && node --import tsx src/cli/main.ts "$@" >"$out/$name.stdout" 2>"$out/$name.stderr") || rc=$?
    echo "$rc" >"$out/$name.rc"
  }
  one audit-json dataset audit "$data/v5-rows.parquet" --json
  one audit-summary dataset audit "$data/v5-rows.parquet" --summary
  one audit-text dataset audit "$data/v5-rows.parquet"
  one data-regrade dataset regrade "$data/v5-rows.parquet" --out "$out/regraded.jsonl" --changes "$out/changes.json"
  one board-card leaderboard "$data/v5-rows.parquet"
  one board-card43-md leaderboard "$data/v5-rows.parquet" --scope card43 --markdown
  one board-all-json leaderboard "$data/v5-rows.parquet" --scope all --json
  one board-bench leaderboard "$data/v5-rows.parquet" --scope benchmarkable --sort beats
  one tasks-list tasks list
  one tasks-validate tasks validate
  one data-html report "$data/v5-rows.parquet" -o "$out/data-report.html"
  one export-data export "$data/v5-rows.parquet" -o "$out/export-data" --json
  one run-regrade regrade "$out/run" --band 3 --out "$out/regraded-run"
  one run-regrade-same regrade "$out/run" --json --out "$out/regraded-run-same"
  one run-report run-report "$out/run"
  one run-html report "$out/run" -o "$out/report.html"
  one run-board leaderboard "$out/run"
  one run-board-json leaderboard "$out/run" --json
  one run-export export "$out/run" -o "$out/export-run"
  one dry-run run --dry-run --executor local
  one dry-run-docker run --dry-run --executor docker
}
side "$base_tree" "$work/before"
side "$root" "$work/after"

# what differs: paths, the HTML report's time of writing and the time a command took are the only
# expected differences (before/ against after/)
stamps='-E -e s#"generatedAt":"[^"]*"#"generatedAt":STAMP#g -e s#[0-9]+[[:space:]]ms$#N_ms#'
# an HTML page without its bundled script (the one <script> with no type): the data and the markup
page_data() { perl -0pe 's#<script>.*?</script>#<script>PAGE_SCRIPT</script>#gs'; }
status=0
while IFS= read -r f; do
  rel=${f#"$work/before/"}
  a="$work/after/$rel"
  if [ ! -f "$a" ]; then echo "MISSING after: $rel"; status=1; continue; fi
  if cmp -s <(sed -e "s#$work/before#OUT#g" -e "s#$base_tree#TREE#g" $stamps "$f") \
    <(sed -e "s#$work/after#OUT#g" -e "s#$root#TREE#g" $stamps "$a"); then
    echo "same     $rel"
  elif [[ $rel == *.html ]] && cmp -s \
    <(sed -e "s#$work/before#OUT#g" -e "s#$base_tree#TREE#g" $stamps "$f" | page_data) \
    <(sed -e "s#$work/after#OUT#g" -e "s#$root#TREE#g" $stamps "$a" | page_data); then
    # the bundler orders functions by module; moving a module re-minifies the same page script
    echo "same     $rel (its data and markup; the bundled page script was rebuilt)"
  else
    echo "DIFFERS  $rel"; status=1
  fi
done < <(find "$work/before" -type f | sort)
while IFS= read -r f; do
  rel=${f#"$work/after/"}
  [ -f "$work/before/$rel" ] || { echo "NEW after: $rel"; status=1; }
done < <(find "$work/after" -type f | sort)
echo "same-outputs: $( [ $status = 0 ] && echo identical || echo 'outputs differ' ) (base $base_rev; folders under $work)"
exit $status
