# bridges.jq: "What your bridge does", one table across the real bridges (issue: the README's
# table of every bridge: the call a user writes, the measured verdict, frames copied, cost
# against memcpy), from slurped zcbench/1 results of the bridge boundaries.
#
# Input: an array of results documents (jq -s). Output: Markdown, a header and a row per
# strategy (reference_memcpy left out: it is each row's yardstick), in the order given.
include "report-data";

def verdict_cell:
  .identity.verdict as $v
  | (.flags // []) as $f
  | $v + (if any($f[]; . == "unverified") then " (unverified)" else "" end)
  + (if .expect_zero_copy != null and (($v == "zero-copy") != .expect_zero_copy)
     then " (unexpected)" else "" end);

"| bridge | what you write | row | verdict | frames copied | median | x memcpy |",
"|---|---|---|---|---|---|---|",
(.[] | .frame.bytes as $fb | .scenario as $sc
 | .results[] | select(.strategy != "reference_memcpy")
 | "| `\($sc)` | \(.mirrors | gsub("\\|"; "\\|")) | `\(.strategy)` | \(verdict_cell) | \(frames_copied($fb) | fmt_frames) | \(.time.ns_per_transfer.median | fmt_ns) | \(.time.vs_memcpy | fmt_ratio) |")
