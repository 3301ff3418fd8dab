# report-data.jq: turns zcbench/1 results into whitespace-separated tables for gnuplot, and
# holds the number formatting and verdict colours that the charts and the reports share.
#
# Entry points (jq -r -L scripts 'include "report-data"; ENTRY'):
#   bars       one row per strategy of one results document
#   bandwidth  one row per copying strategy (and the memcpy reference) of one results document
#   relative   one row per zero-copy strategy of one results document: time relative to memcpy
#   samples    one row per repetition of every strategy of one results document
#   placed_bars, placed_samples, placed_xtics
#              bars and samples grouped by strategy, one bar per CPU placement, and the
#              groups' tic marks, for a results document whose rows carry placement (placed)
#   scaling    one block per strategy over a slurped (-s) set of sweep documents of one scenario
#   palette    the verdict colours, as "#rrggbb" strings (charts.sh hands them to gnuplot and
#              report.jq to the HTML report's style sheet)

# sig3, fmt_ns, fmt_ratio and fmt_times are the shell side's one formatting of figures; the
# console's is src/util/human.c, with the same rules (tests/test_human.c), "us" for "µs".

# Three significant figures, at most two decimals: 0.553, 14.2, 2300.
def sig3:
  if . == null then "?"
  elif . >= 100 or . == 0 then (. | round | tostring)
  elif . >= 10 then ((. * 10 | round) / 10 | tostring)
  else ((. * 100 | round) / 100 | tostring) end;

# A duration in nanoseconds, in the unit a reader would use.
def fmt_ns:
  if . == null then "?"
  elif . >= 1e9 then ((. / 1e9 | sig3) + " s")
  elif . >= 1e6 then ((. / 1e6 | sig3) + " ms")
  elif . >= 1e3 then ((. / 1e3 | sig3) + " µs")
  else ((. | sig3) + " ns") end;

# Frames' worth of bytes copied per transfer (2.51 for a codec that copies a frame and a half
# more); the count of copies when the bytes are not recorded.  Input: a result; $fb: frame bytes.
def frames_copied($fb):
  if (.copies.bytes_per_transfer | type) == "number" and ($fb | type) == "number" and $fb > 0
  then .copies.bytes_per_transfer / $fb else .copies.copies_per_transfer end;

# Two decimals, always: 1.00, -0.02 (for slopes).
def fixed2:
  if . == null then "?" else
  (. * 100 | round) as $r | ($r | fabs) as $a
  | (if $r < 0 then "-" else "" end) + "\($a / 100 | floor)."
    + ($a % 100 | tostring | if length < 2 then "0" + . else . end) end;

# A ratio to a reference: 4.18x, or 1/38732x when it is far below one; "?" when unknown (the
# schema writes time.vs_memcpy as 0 when there was no reference to divide by).
def fmt_ratio:
  if (type != "number") or . <= 0 then "?" elif . >= 0.01 then (sig3 + "x") else "1/\(1 / . | round)x" end;

# An integer with thousands separators: 8,294,400.
def commas:
  if type == "string" and test("^[0-9]+$") then tonumber | commas
  elif type == "number" and . == floor and . >= 1000
  then (. / 1000 | floor | commas) + "," + (. % 1000 | tostring | ("00" + .)[-3:])
  else tostring end;

def fmt_gbps: if . == null then "?" else (sig3 + " GB/s") end;

# Frames copied: 0, 1, 2.01, and "<0.01" for a few bytes of a header (not rounded to 0).
def fmt_frames:
  if type != "number" then "?" elif . > 0 and . < 0.01 then "<0.01" else sig3 end;

# A count per transfer or a size for a chart's bar label: three figures at most, "<0.01" for a
# small non-zero figure (never 5.4e-05, never 0 for a value that is not), "" when absent.
def fmt_count:
  if type != "number" then "" elif . > 0 and . < 0.01 then "<0.01" else sig3 end;

# How many times one figure is another: 58,491x, 4.8x.
def fmt_times:
  if type != "number" then "?" elif . >= 100 then (round | commas) + "x" else sig3 + "x" end;

# A bare number that gnuplot reads as missing when the field is absent.
def num: if type == "number" then . else "NaN" end;

# gnuplot quoting for a string column.
def q: "\"" + (tostring | gsub("\""; "'")) + "\"";

def verdict_word:
  if .strategy == "reference_memcpy" then "reference" else (.identity.verdict // "unknown") end;

# The verdict colours of every chart and of the report's answer matrix: zero-copy green, copy
# orange-red, the memcpy reference grey.  A verdict the schema does not know is drawn as a copy.
def palette: { "zero-copy": "#2e9d4f", "copy": "#e4572e", "reference": "#8c8c8c" };
def verdict_hex: palette[verdict_word] // palette["copy"];

# "#rrggbb" as the integer 0xRRGGBB that gnuplot's "lc rgb variable" reads.
def hex_int:
  ltrimstr("#") | ascii_downcase | explode
  | reduce .[] as $c (0; . * 16 + (if $c >= 97 then $c - 87 else $c - 48 end));

def colour: verdict_hex | hex_int;

# Columns: 1 index, 2 strategy, 3 verdict, 4 colour, 5 median ns, 6 min ns, 7 max ns, 8 GB/s,
# 9 frames copied, 10 frame-sized allocations, 11 minor faults, 12 peak RSS MiB, 13 GC per 100 frames,
# 14 median label, 15 GB/s label, 16 cv, and the labels of 9 to 12 (fmt_count): 17 to 20.  All per
# transfer unless named otherwise.  A column's label is always its column + 8 from 9 on.
def bars:
  .frame.bytes as $fb
  | .results | to_entries[]
  | .key as $i | .value
  | [ $i, (.strategy | q), (verdict_word | q), colour,
      (.time.ns_per_transfer.median | num), (.time.ns_per_transfer.min | num),
      (.time.ns_per_transfer.max | num), (.time.gb_per_s | num),
      (frames_copied($fb) | num), (.allocations.frame_sized_per_transfer | num),
      (.memory.minor_faults_per_transfer | num),
      (if .memory.rss_peak_kib | type == "number" then .memory.rss_peak_kib / 1024 else "NaN" end),
      (.gc.collections_per_100_frames | num),
      (.time.ns_per_transfer.median | fmt_ns | q), (.time.gb_per_s | fmt_gbps | q),
      (.time.ns_per_transfer.cv | num),
      (frames_copied($fb) | fmt_count | q), (.allocations.frame_sized_per_transfer | fmt_count | q),
      (.memory.minor_faults_per_transfer | fmt_count | q),
      (if .memory.rss_peak_kib | type == "number" then .memory.rss_peak_kib / 1024 else null end
       | fmt_count | q) ]
  | map(tostring) | join(" ");

# The throughput chart's two panels.  Columns: 1 index within the panel, 2 the bar's name, 3
# verdict, 4 colour, 5 the value drawn, 6 its label.  A zero-copy strategy moves no frame byte,
# so it has no bandwidth: bandwidth leaves it out and relative draws its median time over
# memcpy's.  Input of name and lab: the result; of lab also $v, the value (a number above 0).
def panel_rows(f; name; lab):
  to_entries[] | .key as $i | .value
  | (f | if type == "number" and . > 0 then . else null end) as $v
  | [ $i, (name | q), (verdict_word | q), colour, ($v | num),
      (if $v == null then "" else lab end | q) ]
  | map(tostring) | join(" ");

# time.gb_per_s is the frame's bytes over the median time, whatever was copied: a row that
# copies the frame 3 times (java's array_elements) moves 3 times the bytes drawn.  Its name on
# the axis says so: "array_elements (3 frames)".
def bandwidth:
  .frame.bytes as $fb
  | [ .results[] | select(verdict_word != "zero-copy") ]
  | panel_rows(.time.gb_per_s;
               frames_copied($fb) as $n
               | .strategy + (if ($n | type) == "number" and $n >= 1.5 then " (\($n | sig3) frames)" else "" end);
               .time.gb_per_s | fmt_gbps);

def relative:
  [ .results[] | select(verdict_word == "zero-copy") ]
  | panel_rows(.time.vs_memcpy; .strategy; .time.vs_memcpy | fmt_ratio);

# Columns: 1 strategy index, 2 ns per transfer of one repetition.
def samples:
  .results | to_entries[]
  | .key as $i | (.value.time.samples // [])[] | "\($i) \(.)";

# --- rows measured at a CPU placement (thread, process: STRATEGY@PLACEMENT) -----------------
# The placements in the order of the bars of a group and of the charts' legend.
def placement_order: ["same", "cross", "free"];

# The placement of a result, "" when it has none (reference_memcpy).
def placement_name: .placement.name // "" | tostring;

# The strategy a row measures, without its placement: "move" for "move@same".
def base_name: if placement_name == "" then .strategy else .strategy | sub("@[^@]*$"; "") end;

# Input: a results document.  True when any of its rows was measured at a placement.
def placed: any(.results[]; placement_name != "");

# The placements present in a results document, in placement_order (unknown names last).
def placements:
  [ .results[] | placement_name | select(. != "") ] | unique as $u
  | (placement_order | map(select(. as $p | $u | index($p)))) + ($u - placement_order);

# Each row of a results document with its place in the grouped chart: one group per base name
# in the order of first appearance, one bar per placement, an unplaced row alone in the middle
# of its group.  Bars are 0.8 / (placements present) wide.
def placed_rows:
  placements as $pl | ($pl | length) as $np
  | (reduce (.results[] | base_name) as $b ([]; if index([$b]) then . else . + [$b] end)) as $groups
  | .results[]
  | base_name as $b | placement_name as $n
  | ($groups | index([$b])) as $g
  | ($pl | index([$n])) as $p
  | . + { _group: $g, _x: (if $p == null then $g else $g + ($p - ($np - 1) / 2) * 0.8 / $np end) };

# Columns: 1 x, 2 group index, 3 verdict, 4 colour, 5 median ns, 6 min ns, 7 max ns,
# 8 median label, 9 strategy, 10 placement ("" when none).
def placed_bars:
  placed_rows
  | [ ._x, ._group, (verdict_word | q), colour,
      (.time.ns_per_transfer.median | num), (.time.ns_per_transfer.min | num),
      (.time.ns_per_transfer.max | num), (.time.ns_per_transfer.median | fmt_ns | q),
      (.strategy | q), (placement_name | q) ]
  | map(tostring) | join(" ");

# Columns: 1 x of the row's bar, 2 ns per transfer of one repetition.
def placed_samples:
  placed_rows | ._x as $x | (.time.samples // [])[] | "\($x) \(.)";

# A gnuplot command: one tic per group, named by its base name, in the middle of the group.
def placed_xtics:
  [ placed_rows | {g: ._group, b: base_name} ] | unique_by(.g)
  | "set xtics (" + (map("\(.b | q) \(.g)") | join(", ")) + ")";

# Least-squares slope of log(time) against log(bytes): about 1 for O(n) copying, 0 for O(1).
def loglog_slope:
  map([(.[0] | log10), (.[1] | log10)]) as $p
  | ($p | length) as $n
  | if $n < 2 then null else
      ($p | map(.[0]) | add / $n) as $mx | ($p | map(.[1]) | add / $n) as $my
      | ($p | map((.[0] - $mx) * (.[1] - $my)) | add) as $sxy
      | ($p | map((.[0] - $mx) * (.[0] - $mx)) | add) as $sxx
      | if $sxx == 0 then null else $sxy / $sxx end
    end;

# Per strategy over all frame sizes: [{strategy, verdict, colour, slope, points: [[bytes, ns, label]]}]
def sweep_series:
  [ .[] | .frame as $f | .results[]
    | select(.time.ns_per_transfer.median | type == "number")
    | { strategy, verdict: verdict_word, colour,
        point: [$f.bytes, .time.ns_per_transfer.median, "\($f.width)x\($f.height)"] } ]
  | group_by(.strategy)
  | map({ strategy: .[0].strategy, verdict: .[0].verdict, colour: .[0].colour,
          points: (map(.point) | sort_by(.[0])) })
  | map(.slope = (.points | loglog_slope));

# Blocks separated by two blank lines (gnuplot's index); the first line of a block is its title.
# Columns: 1 frame bytes, 2 median ns, 3 frame size label.
def scaling:
  sweep_series[]
  | "\"\(.strategy) (slope \(.slope | fixed2))\"",
    (.points[] | "\(.[0]) \(.[1]) \(.[2] | q)"),
    "", "";
