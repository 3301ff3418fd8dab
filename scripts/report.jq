# report.jq: the content of report.md and report.html from slurped zcbench/1 results.
#
# Input: an array of results documents (jq -s).  Arguments of report(): fmt (md, html, or
# summary: the Markdown without images, for a CI job summary), governor (the scaling governor
# read from sysfs, or ""), sweep (slurped sweep documents, or []), charts (names of the charts
# present, e.g. "inproc-time"), omitted (the lines of charts/*.omitted: "CHART: WHAT: WHY",
# what scripts/charts.sh left out of the charts and why).
# The content is built once as a list of blocks ({h}, {p}, {ul}, {table}, {matrix}, {img}, and
# {section} and {div} holding blocks) and then written as markdown or as HTML; an HTML image is
# a line "@@embed charts/NAME.png@@" that report.sh replaces with the PNG inlined as a data: URI.
#
# The order answers first: the answer (<section id="answer">: a matrix of every scenario and
# strategy with its verdict, cost relative to memcpy and frames copied, then per scenario the
# cheapest share against the cheapest copy), the scenarios with their evidence and charts, the
# sweep, the warnings (grouped), the machine.  scripts/check-report.sh checks that the answer is
# on the first screen and holds every result.
include "report-data";

def pct: . * 100 | sig3 | . + "%";

# --- what the figures mean -------------------------------------------------------------------
def chart_caption($kind):
  { time_placed: "Median time per transfer on a log scale, one group of bars per strategy and one bar per CPU placement: solid, both sides pinned to one CPU (same); hatched, pinned to two CPUs (cross); cross-hatched, left to the scheduler (free). The whisker spans the fastest to the slowest repetition and the dots are the repetitions. Green bars shared the frame, orange ones copied it, the grey bar is a bare memcpy of the frame for reference.",
    time: "Median time per transfer of each strategy on a log scale; the whisker spans the fastest to the slowest repetition and the dots are the repetitions. Green bars shared the frame, orange ones copied it, the grey bar is a bare memcpy of the frame for reference.",
    throughput: "Left: the strategies that copied the frame, in frame bytes per second (the frame's size over the median time, log scale), to compare with the grey memcpy bar; that is a copy bandwidth only for a row that copies the frame once: one named \"(N frames)\" copies it N times per transfer and moves N times the bytes drawn. Right: the zero-copy strategies, which move no frame byte and so have no bandwidth; their bar is the median time relative to a bare memcpy of the frame (log scale; the dashed line is memcpy, 1/1000x is a thousand times cheaper).",
    memory: "Per transfer: how many frames' worth of bytes were copied, how many frame-sized buffers were allocated, and how many minor page faults were taken (first touches of fresh memory); last, the peak resident memory of the process. Zero-copy strategies should show zeros in the first three. A figure that is zero in every row has no panel (the line under the charts says which).",
    gc: "Garbage collections per 100 frames. A zero-copy wrapper whose native size is not reported to the GC (no externalSize) lets collections run too rarely, so native frames pile up: fewer collections here and a higher peak RSS in the memory chart.",
    scaling: "Median time per transfer against frame size, both axes logarithmic, from 256x256 to 7680x4320. A strategy that copies the frame grows in step with it (slope near 1); one that shares it stays flat (slope near 0). The slope is in the legend." }[$kind];

# --- warnings: anything that makes the figures less trustworthy ------------------------------
# Input: the results documents; $all: those and the sweep documents, for machine-wide checks.
# Three groups, in this order: the machine and the run (build, a governor that can be set,
# evidence this machine cannot give, quick runs, commits),
# results that contradict themselves (unexpected verdict, checksum), and flagged rows (noisy,
# bimodal, unverified, unexplained work): one line per scenario and flag naming its strategies,
# never one line per strategy.
def governor_of($governor):
  (.context.cpu_scaling // "unknown") as $cs
  | if $cs == "unknown" and $governor != "" then $governor else $cs end;

# Distinct values in the order they first appear.
def distinct: reduce .[] as $x ([]; if any(.[]; . == $x) then . else . + [$x] end);

# The flags a file written before results had "flags" would have had, of those the report
# reads: noisy (cv above 5% and above twice $bg, the median cv of the file's rows: ZC_NOISY_CV
# and ZC_NOISY_BACKGROUND in src/core/verdict.h) and bimodal (time.bimodal, which such a file
# may not have recorded either: then not flagged).  tests/test_verdict.c checks the thresholds
# against verdict.h's.
def legacy_flags($bg):
  [ (if (.time.ns_per_transfer.cv // 0) > 0.05 and (.time.ns_per_transfer.cv // 0) > $bg * 2.0
     then "noisy" else empty end),
    (if .time.bimodal == true then "bimodal" else empty end) ];

# The median of an array of numbers, 0 for none.
def median_of: sort | length as $n
  | if $n == 0 then 0 elif $n % 2 == 1 then .[($n - 1) / 2] else (.[$n / 2 - 1] + .[$n / 2]) / 2 end;

# A results document whose rows without "flags" get legacy_flags against its rows' median cv.
def with_flags:
  ([.results[]? | .time.ns_per_transfer.cv | numbers] | median_of) as $bg
  | if .results then .results |= map(if has("flags") then . else .flags = legacy_flags($bg) end)
    else . end;

# The row's flags as the program decided them (src/core/verdict.h), else legacy_flags.
def flags: .flags // legacy_flags(0);
def flagged($word): any(flags[]; . == $word);
def noisy: flagged("noisy");
def bimodal: flagged("bimodal");
def unverified: flagged("unverified");
def unexplained: flagged("unexplained-work");

# The frames' worth of unexplained work src/core/verdict.c wrote into the evidence line
# ("; unexplained work: N pages written per transfer hold no frame bytes (F frames)"), or null.
def unexplained_frames:
  (.identity.evidence // "")
  | capture("unexplained work: [0-9]+ pages written per transfer hold no frame bytes \\((?<f>[0-9.]+) frames\\)")?
  | .f;

# reference_memcpy and reference_handover@PLACEMENT: yardsticks measured beside the strategies.
def reference: .strategy | startswith("reference_");

def machine_warnings($governor; $all):
  ([$all[] | (.context.build // "unknown") as $b | select($b != "release") | {b: $b, s: .scenario}]
   | group_by(.b)[]
   | "\(map(.s) | distinct | join(", ")): built as '\(.[0].b)', not release: timings do not represent an optimised build"),
  ([$all[] | governor_of($governor) | select(. != "performance" and . != "unknown")] | distinct[]
   | "CPU frequency scaling governor is '\(.)', not 'performance': the clock may change during a run (cpupower frequency-set -g performance, as root)"),
  ([$all[] | .context.pages_unavailable // empty] | distinct[]
   | "physical pages not compared (\(.)): run as root to compare them; the verdicts rest on the write-through probe and the copy counters"),
  ([$all[] | select(.context.quick == true) | .scenario] | distinct | select(length > 0)
   | "\(join(", ")): quick run (QUICK=1): few repetitions, treat the figures as indicative"),
  ([$all[].context.git_commit] | unique | select(length > 1)
   | "the results come from different commits: \(join(", "))");

def result_warnings($all):
  (.[] | .results[] | select(.strategy != "reference_memcpy")
   | select(.expect_zero_copy != null and (.identity.verdict == "zero-copy") != .expect_zero_copy)
   | "\(.scenario)/\(.strategy) was expected to \(if .expect_zero_copy then "share" else "copy" end) the frame but the measurement says \(.identity.verdict)"),
  ([$all[] | .scenario as $s | .results[] | select(.identity.checksum_ok == false)
    | "\(.scenario // $s)/\(.strategy): the consumer's checksum did not match the producer's"]
   | distinct[]);

# One line per scenario: "inproc: noisy (cv above 5% and twice the scenario median): serialize
# 8.3%, shared 6.1% (over 15 repetitions each)".  The rule is the program's (src/core/verdict.h,
# ZC_NOISY_CV and ZC_NOISY_BACKGROUND): a busy machine spreads every row, and is said once.
def noisy_warnings:
  [ .[] | .scenario as $s | .results[] | select(noisy) | . + {scenario: (.scenario // $s)} ] as $n
  | ($n | map(.scenario) | distinct[]) as $s
  | [ $n[] | select(.scenario == $s) ] as $r
  | ($r | map(.time.repetitions) | unique) as $reps
  | "\($s): noisy (cv above 5% and twice the scenario median): \($r | map("\(.strategy) \(.time.ns_per_transfer.cv | pct)") | join(", "))"
    + (if ($reps | length) == 1 and ($reps[0] | type) == "number"
       then " (over \($reps[0]) repetitions\(if ($r | length) > 1 then " each" else "" end))" else "" end);

# One line per scenario: "thread: bimodal (measuring processes' medians over 2x apart):
# copy@free 12.6 µs to 99 µs, move@free 47.7 µs to 96.5 µs".
def bimodal_warnings:
  [ .[] | .scenario as $s | .results[] | select(bimodal) | . + {scenario: (.scenario // $s)} ] as $b
  | ($b | map(.scenario) | distinct[]) as $s
  | "\($s): bimodal (measuring processes' medians over 2x apart): "
    + ([ $b[] | select(.scenario == $s)
         | [ .time.process_medians[]? | numbers ] as $m
         | .strategy + (if ($m | length) > 1 then " \($m | min | fmt_ns) to \($m | max | fmt_ns)" else "" end) ]
       | join(", "));

# The rows of the results documents that pass f, each with its scenario.
def rows_where(f): [ .[] | .scenario as $s | .results[] | select(f) | . + {scenario: (.scenario // $s)} ];

# One line per scenario: "inproc: unverified zero-copy (...): hidden_uffd, hidden_io_uring".
def unverified_warnings:
  rows_where(unverified) as $u
  | ($u | map(.scenario) | distinct[]) as $s
  | "\($s): unverified zero-copy (the evidence pass did not watch all the memory a copy could reach; the evidence says what): "
    + ([ $u[] | select(.scenario == $s) | .strategy ] | join(", "));

# One line per scenario: "java: unexplained work (...): byte_array 1.03 frames".
def unexplained_warnings:
  rows_where(unexplained) as $x
  | ($x | map(.scenario) | distinct[]) as $s
  | "\($s): unexplained work (pages written per transfer that hold no frame bytes, half a frame or more): "
    + ([ $x[] | select(.scenario == $s)
         | .strategy + (unexplained_frames | if . == null then "" else " \(.) frames" end) ]
       | join(", "));

# The flagged rows' lines together, scenario by scenario.  Input: the results documents.
def flag_warnings:
  ([ .[] | .scenario as $s | .results[] | .scenario // $s ] | distinct) as $order
  | [ noisy_warnings, bimodal_warnings, unverified_warnings, unexplained_warnings ] as $lines
  | $order[] as $s | $lines[] | select(startswith($s + ": "));

# The busy machine, once for the run: each program decided whether its machine was busy
# (context.machine_busy, src/core/machine.h); the line gives the lowest and highest load and the
# highest steal of the scenarios found busy, as scripts/bench.sh does at the top of summary.txt.
def tenths: (. * 10 | round) as $t | "\($t / 10 | floor).\($t % 10)";
def busy_line:
  [ .[].context | objects | select(.machine_busy == true) ] as $b
  | select($b | length > 0)
  | ([ $b[] | .load_start, .load_end | numbers ]) as $l
  | ([ $b[] | .steal | numbers ]) as $st
  | ($b[0].num_cpus // 0) as $n
  | "machine busy: load "
    + (if ($l | length) == 0 then "unknown"
       elif ($l | min | tenths) == ($l | max | tenths) then ($l | max | tenths)
       else "\($l | min | tenths)-\($l | max | tenths)" end)
    + " on \($n) CPU\(if $n == 1 then "" else "s" end)"
    + (if ($st | length) > 0 then ", steal \($st | max * 100 | round)%" else "" end)
    + ": timings vary; compare ratios in one run";

def warning_groups($governor; $all):
  { machine: [ machine_warnings($governor; $all) ],
    results: [ result_warnings($all) ],
    noisy: [ noisy_warnings ],
    bimodal: [ bimodal_warnings ],
    unverified: [ unverified_warnings ],
    unexplained: [ unexplained_warnings ],
    flags: [ flag_warnings ] };

# --- machine context -------------------------------------------------------------------------
def context_table($governor):
  .context as $c
  | { table: { head: ["", ""], rows: [
      ["CPU", "\($c.cpu // "?") (\($c.num_cpus // "?") CPUs)"],
      ["kernel", $c.kernel // "?"], ["compiler", $c.compiler // "?"],
      ["build", $c.build // "?"], ["commit", $c.git_commit // "?"], ["date", $c.date // "?"],
      ["host", $c.host // "?"],
      ["CPU scaling", governor_of($governor)],
      ["benchmark library", $c.benchmark_library // "?"],
      ["allocator", ($c.allocator | if . == null then "?" else "\(.name // "?"), mmap threshold \(.mmap_threshold // "?" | commas)\(if (.mmap_threshold | type) == "number" then " bytes" else "" end)\(if .mmap_threshold_pinned then " (pinned)" else "" end)" end)],
      ["quick run", ($c.quick // false | tostring)] ] } };

# --- one scenario ----------------------------------------------------------------------------
def unexpected: .strategy != "reference_memcpy" and .expect_zero_copy != null
  and (.identity.verdict == "zero-copy") != .expect_zero_copy;

def verdict_cell:
  if .strategy == "reference_memcpy" then "reference (memcpy)"
  elif unexpected then "\(.identity.verdict) (UNEXPECTED)"
  elif unverified then "\(.identity.verdict) (unverified)"
  else .identity.verdict // "?" end;

def median: .time.ns_per_transfer.median;

# A zero-copy strategy moves no frame byte: its "bandwidth" (frame bytes over a few nanoseconds)
# is no bandwidth at all, so the tables say so instead of printing it.
def bandwidth_cell:
  if verdict_word == "zero-copy" then "no bytes moved" else .time.gb_per_s | sig3 end;

# identity.same_pages: the fraction of the frame's pages the consumer maps on the producer's.
def same_pages_cell:
  .identity as $id
  | $id.same_pages | if type == "number" then pct
    else "not compared" + ($id.same_pages_unavailable // "" | if . == "" then "" else ": " + . end) end;

# time.vs_handover: the median over reference_handover's at the row's placement; "-" for a row
# with no hand-over to compare with (unplaced, or another scenario), "?" when one is missing.
def handover_cell:
  if (.time.vs_handover | type) == "number" and .time.vs_handover > 0 then .time.vs_handover | fmt_ratio
  elif placement_name != "" then "?" else "-" end;

def placement_cell: placement_name | if . == "" then "-" else . end;

# A scenario measured at CPU placements (thread, process) adds each row's placement and its
# cost relative to reference_handover at that placement.
def verdict_table:
  .frame.bytes as $fb
  | any(.results[]; .identity | type == "object" and has("same_pages")) as $pages
  | placed as $placed
  | { table: { head: (["strategy", "verdict"] + (if $placed then ["placement"] else [] end) + ["evidence"]
                      + (if $pages then ["same pages"] else [] end)
                      + ["median", "cv", "vs memcpy"] + (if $placed then ["x handover"] else [] end)
                      + ["GB/s", "frames copied", "frame-sized allocs", "minor faults", "peak RSS"]),
               rows: [ .results[] | [ .strategy, verdict_cell ]
                       + (if $placed then [placement_cell] else [] end)
                       + [ .identity.evidence // "" ]
                       + (if $pages then [same_pages_cell] else [] end)
                       + [ (median | fmt_ns),
                           (.time.ns_per_transfer.cv | if . == null then "?" else pct end),
                           (.time.vs_memcpy | fmt_ratio) ]
                       + (if $placed then [handover_cell] else [] end)
                       + [ bandwidth_cell,
                           (frames_copied($fb) | fmt_frames),
                           (.allocations.frame_sized_per_transfer | sig3),
                           (.memory.minor_faults_per_transfer | sig3 | commas),
                           (.memory.rss_peak_kib | if . == null then "?" else ((. / 1024 | sig3) + " MiB") end) ] ] } };

# "0,1": the CPUs a side was seen on; "?" when none was recorded.
def cpus_seen: if type == "array" and length > 0 then map(tostring) | join(",") else "?" end;

# The hand-over latency of each placed row (latency.one_way_ns, latency.post_ns), the CPUs each
# side was seen on, and once for the scenario how an idle CPU waits (placement.cpu_idle).
# Nothing for a scenario without latency figures.  Input: a results document.
def latency_blocks:
  [ .results[] | select(.latency | type == "object") ] as $r
  | if ($r | length) == 0 then empty else
      ([ .results[].placement.cpu_idle // empty | strings ] | distinct) as $idle
      | { h: 3, text: "Hand-over latency" },
        { p: "From the strategies' own clocks, over every measuring process's transfers pooled: one-way is from the start of the producer's post until the consumer has the frame; post is the producer's own cost, until its post returned. CPUs seen: the CPUs sched_getcpu returned on each side." },
        { table: { head: ["row", "one-way p50", "one-way p99", "post p50", "post p99", "CPUs seen (producer/consumer)"],
                   rows: [ $r[] | [ .strategy,
                                    (.latency.one_way_ns.p50 | fmt_ns), (.latency.one_way_ns.p99 | fmt_ns),
                                    (.latency.post_ns.p50 | fmt_ns), (.latency.post_ns.p99 | fmt_ns),
                                    "\(.placement.producer_cpus_seen | cpus_seen)/\(.placement.consumer_cpus_seen | cpus_seen)" ] ] } },
        { p: "CPU idle: \(if ($idle | length) > 0 then $idle | join("; ") else "unknown" end)." }
    end;

# The cheapest strategy that shared the frame and the cheapest that copied it (reference_memcpy
# and reference_handover, the yardsticks, are no strategies), among the rows at placement $p
# (null: every row); null when there is none.  A share is compared with copies made at its own
# placement only, as on the console (src/core/table.c).  Input: a results document.
def cheapest_at($p):
  [ .results[] | select(reference | not) | select($p == null or placement_name == $p)
    | select(median | type == "number" and . > 0) ] as $r
  | { share: ($r | map(select(.identity.verdict == "zero-copy")) | min_by(median)),
      copy: ($r | map(select(.identity.verdict == "copy")) | min_by(median)) };

def cheapest: cheapest_at(null);

# The placements a scenario's rows were measured at, or null once for an unplaced scenario.
def placement_or_null: if placed then placements[] else null end;
def at($p): if $p == null then "" else " at \($p)" end;

def named: "\(.strategy), \(median | fmt_ns)";

# A sentence with the ratio a reader came for: the cheapest copy against the cheapest share.
def summary:
  [ .results[] | select(reference | not) ] as $r
  | ($r | map(select(.identity.verdict == "zero-copy")) | length) as $nz
  | ($r | map(select(.identity.verdict == "copy")) | length) as $nc
  | ($r | map(select(unverified)) | length) as $nu
  | ($r | map(select(unexplained)) | length) as $nx
  | [ placement_or_null as $p | cheapest_at($p) as $c
      | select($c.share != null and $c.copy != null)
      | " The cheapest copy\(at($p)) (\($c.copy | named)) takes \((($c.copy | median) / ($c.share | median)) | sig3)x as long as the cheapest share (\($c.share | named))." ] as $cost
  | "\($nz) of \($r | length) strategies shared the frame (zero-copy), \($nc) copied it."
    + (if $nu > 0 then " \($nu) of the zero-copy verdicts \(if $nu == 1 then "is" else "are" end) unverified: the evidence pass did not watch all the memory a copy could reach." else "" end)
    + (if $nx > 0 then " \($nx) \(if $nx == 1 then "strategy" else "strategies" end) did unexplained work: pages written that hold no frame bytes." else "" end)
    + ($cost | join(""));

# $placed: the scenario's time chart is grouped by placement (charts.sh, chart-time-placed.gp).
def figures($charts; $s; $kinds; $placed):
  $kinds[] as $k | "\($s)-\($k)" as $n
  | select($charts | index($n))
  | { img: { name: $n, caption: chart_caption(if $placed and $k == "time" then "time_placed" else $k end) } };
def figures($charts; $s; $kinds): figures($charts; $s; $kinds; false);

def anchor: "scenario-" + gsub("[^A-Za-z0-9_-]"; "-");

# One line: what charts.sh left out of this scenario's charts and why ("inproc-gc, the chart:
# no garbage collection in any row"), from the lines of its .omitted file.
def omitted_line($omitted):
  .scenario as $s
  | [ $omitted[] | select(startswith($s + "-"))
      | capture("^(?<chart>[^:]*): (?<what>[^:]*): (?<why>.*)$")
      | select(.chart | ltrimstr($s + "-") | test("^[a-z]+$"))
      | "\(.chart), \(.what): \(.why)" ]
  | if length == 0 then empty else { p: "Not drawn: \(join("; ")).", class: "omitted" } end;

def scenario_blocks($charts; $omitted):
  { section: (.scenario | anchor), blocks: [
    { h: 2, text: "\(.scenario): \(.frame.width)x\(.frame.height) frame, \(.frame.bytes | commas) bytes" },
    { p: summary },
    verdict_table,
    latency_blocks,
    figures($charts; .scenario; ["time", "throughput", "memory", "gc", "scaling"]; placed),
    omitted_line($omitted) ] };

def sweep_blocks($sweep; $charts; $have):
  if ($sweep | length) == 0 then empty else
    { section: "sweep", blocks: [
      { h: 2, text: "Scaling with frame size (make sweep)" },
      { p: "Slope of log(time) against log(frame bytes), fitted over the sweep: near 1, the strategy copies every byte (O(n)); near 0, its cost does not depend on the frame (O(1))." },
      { table: { head: ["scenario", "strategy", "verdict", "slope", "frame sizes"],
                 rows: [ $sweep | group_by(.scenario)[] | .[0].scenario as $s
                         | sweep_series[]
                         | [$s, .strategy, .verdict, (.slope | fixed2), (.points | length | tostring)] ] } },
      # Scaling charts of scenarios that have no results of their own at the default frame size.
      (($sweep | map(.scenario) | unique | map(select(. as $x | $have | index($x) | not)))[]
       | figures($charts; .; ["scaling"])) ] }
  end;

# --- the answer: every result of every scenario in one matrix, first ------------------------
# Input: the results documents.  One row per scenario and strategy, in the order of the files:
# verdict (coloured as in the charts), cost relative to memcpy, relative to a hand-over reference
# when any result records one (time.vs_handover above 0, or a placement), and frames copied.
def matrix:
  any(.[].results[]; (.time.vs_handover | type == "number" and . > 0) or placement_name != "") as $handover
  | { matrix: {
      head: (["scenario", "strategy", "verdict", "cost vs memcpy"]
             + (if $handover then ["cost vs hand-over"] else [] end) + ["frames copied"]),
      rows: [ .[] | .frame.bytes as $fb | .scenario as $s | (.results | length) as $n
              | .results | to_entries[] | .key as $i | .value
              | { scenario: (.scenario // $s), strategy, verdict: verdict_word,
                  span: (if $i == 0 then $n else 0 end), anchor: ($s | anchor),
                  evidence: (.identity.evidence // ""),
                  cells: ([ (verdict_word
                             + (if unexpected then " (UNEXPECTED)" elif unverified then " (unverified)" else "" end)
                             + (if .identity.checksum_ok == false then ", checksum FAILED" else "" end)),
                            (.time.vs_memcpy | fmt_ratio) ]
                          + (if $handover then [handover_cell] else [] end)
                          + [frames_copied($fb) | fmt_frames]) } ] } };

# "inproc: the cheapest share (borrow, 9.59 ns) is 62,400x cheaper than the cheapest copy
# (copy_into, 599 µs)."; one line per placement, "thread at same: ...", for a scenario measured
# at placements.  Input: a results document.
def share_line:
  placement_or_null as $p
  | cheapest_at($p) as $c
  | "\(.scenario)\(at($p)): "
    + if $c.share != null and $c.copy != null then
        (($c.copy | median) / ($c.share | median)) as $x
        | if $x >= 1 then
            "the cheapest share (\($c.share | named)) is \($x | fmt_times) cheaper than the cheapest copy (\($c.copy | named))."
          else
            "the cheapest share (\($c.share | named)) is \(1 / $x | fmt_times) dearer than the cheapest copy (\($c.copy | named)): sharing did not pay here."
          end
      elif $c.copy != null then
        "no share: every strategy copied the frame; the cheapest copy is \($c.copy | named)."
      elif $c.share != null then
        "no copy to compare with (reference_memcpy aside): every strategy shared the frame; the cheapest share is \($c.share | named)."
      else "no strategy was timed besides reference_memcpy." end;

def answer_blocks($groups):
  ($groups | [.machine, .results, .noisy, .bimodal, .unverified, .unexplained] | map(length)) as $nw
  | { section: "answer", blocks: [
      { h: 2, text: "The answer: shared or copied, and at what cost" },
      { div: "answer-body", blocks: [
        { div: "answer-matrix", blocks: [
          (if length == 0 then { p: "No results at the default frame size: see the scaling section." }
           else matrix as $m | $m,
             { p: ("Green: the frame was shared (zero-copy); orange: it was copied; grey: reference_memcpy, a bare memcpy of the frame into a reused buffer in the same run. Cost vs memcpy: median time per transfer over memcpy's median (1/1000x is a thousand times cheaper)."
                   + (if $m.matrix.head | index(["cost vs hand-over"]) then " Cost vs hand-over: the median over reference_handover's at the same CPU placement, an empty message carried the same way (-: no hand-over to compare with)." else "" end)
                   + " Frames copied: bytes copied per transfer over the frame's bytes."), class: "legend" } end) ] },
        { div: "answer-lines", blocks: [
          (if length > 0 then
             { h: 3, text: "The cheapest share against the cheapest copy" },
             { ul: [ .[] | share_line ], class: "share" }
           else empty end),
          (if ($nw | add) > 0 then
             { p: ("Warnings: " + ([ (if $nw[0] > 0 then "\($nw[0]) about the machine or the run" else empty end),
                                    (if $nw[1] > 0 then "\($nw[1]) about a result contradicting its expectation" else empty end),
                                    (if $nw[2] > 0 then "noisy strategies in \($nw[2]) scenario\(if $nw[2] == 1 then "" else "s" end)" else empty end),
                                    (if $nw[3] > 0 then "bimodal strategies in \($nw[3]) scenario\(if $nw[3] == 1 then "" else "s" end)" else empty end),
                                    (if $nw[4] > 0 then "unverified zero-copy verdicts in \($nw[4]) scenario\(if $nw[4] == 1 then "" else "s" end)" else empty end),
                                    (if $nw[5] > 0 then "unexplained work in \($nw[5]) scenario\(if $nw[5] == 1 then "" else "s" end)" else empty end) ]
                                  | join("; ")) + ". They are listed after the scenarios."),
               href: "#warnings", link: "Read the warnings", class: "note" }
           else empty end) ] } ] } ] };

def warning_blocks($groups):
  if ($groups | [.[] | length] | add) == 0 then empty else
    { section: "warnings", blocks: [
      { h: 2, text: "Warnings" },
      (if ($groups.machine | length) > 0 then { h: 3, text: "The machine and the run" }, { ul: $groups.machine, class: "warn" } else empty end),
      (if ($groups.results | length) > 0 then { h: 3, text: "Results that contradict their expectation" }, { ul: $groups.results, class: "warn" } else empty end),
      (if ($groups.flags | length) > 0 then
         { h: 3, text: "Flagged measurements (noisy, bimodal, unverified, unexplained work): one line per scenario and flag" },
         { ul: $groups.flags, class: "warn" } else empty end) ] }
  end;

# --- the run ---------------------------------------------------------------------------------
# Which run the results come from: make bench gives every scenario of a run one id
# (context.run_id) and replaces the whole set, so one run is the rule; files written apart (a
# scenario program run by hand into results/) make a mixed set, which is said, with each
# scenario's run, frame, length and start.  Files without run ids (written before them) get
# the commit and date alone.  Input: the results documents; $first: the first of them, or of
# the sweep when there are none.
def run_of:
  { scenario, id: .context.run_id, frame: "\(.frame.width)x\(.frame.height)",
    length: (if .context.quick then "quick" else "full" end), date: (.context.date // "?") };
def run_intro($first):
  map(run_of) as $runs
  | ($runs | map(.id) | unique) as $ids
  | if ($ids | length) == 0 or $ids == [null] then
      "Results of commit \($first.context.git_commit // "?"), \($first.context.date // "?")."
    elif ($ids | length) == 1 and ($runs | map(.frame) | unique | length) == 1 then
      "Results of run \($ids[0]) (commit \($first.context.git_commit // "?")): \($runs[0].frame) frame, \($runs[0].length) run, started \($runs | map(.date) | min)."
    else
      "A mixed set: these results come from \($ids | length) runs, not measured together (make bench replaces the whole set; some files were written apart): "
      + ($runs | map("\(.scenario): run \(.id // "not recorded"), \(.frame) frame, \(.length) run, started \(.date)") | join("; ")) + "."
    end;

# The order: the answer (matrix, cheapest share against cheapest copy), the scenarios with their
# evidence and charts, the sweep, the warnings, the machine.
def blocks($governor; $sweep; $charts; $omitted):
  (. + $sweep) as $all
  | $all[0] as $first
  | warning_groups($governor; $all) as $w
  | { h: 1, text: "zcbench report" },
    { p: "Was the frame copied or shared when it crossed the boundary, and what did that cost? \(run_intro($first))", class: "intro" },
    (busy_line | { p: ., class: "warn" }),
    answer_blocks($w),
    (.[] | scenario_blocks($charts; $omitted)),
    sweep_blocks($sweep; $charts; [.[].scenario]),
    warning_blocks($w),
    { section: "machine", blocks: [ { h: 2, text: "Machine" }, ($first | context_table($governor)) ] };

# --- writers ---------------------------------------------------------------------------------
def md_cell: tostring | gsub("\\|"; "\\|") | gsub("\n"; " ");

# The verdict colours as Markdown can show them (GitHub drops inline styles): a square of the
# chart's colour.
def md_swatch: { "zero-copy": "🟩", "copy": "🟧", "reference": "⬜" }[.] // "🟧";

# $summary: for a CI job summary, which shows no image linked by a relative path: a section's
# charts become one line naming them, in report.html.
def md($summary):
  if .section and $summary then
    [ .blocks[] | select(.img) | .img.name ] as $imgs
    | (.blocks[] | select((.img | not) and .class != "omitted") | md(true)),
      (if ($imgs | length) > 0
       then "*Charts (in report.html, and charts/ as PNG and SVG): \($imgs | join(", ")).*\n" else empty end),
      (.blocks[] | select(.class == "omitted") | md(true))
  elif .section then .blocks[] | md($summary)
  elif .div then .blocks[] | md($summary)
  elif .h then ("#" * .h) + " " + .text + "\n"
  elif .p then .p + "\n"
  elif .ul then (.ul | map("- " + .) | join("\n")) + "\n"
  elif .table then
    (if (.table.head | all(. == "")) then "| | |" else "| " + (.table.head | join(" | ")) + " |" end),
    "|" + (.table.head | map("---") | join("|")) + "|",
    (.table.rows[] | "| " + (map(md_cell) | join(" | ")) + " |"),
    ""
  elif .matrix then
    "| " + (.matrix.head | join(" | ")) + " |",
    "|" + (.matrix.head | to_entries | map(if .key >= 3 then "---:" else "---" end) | join("|")) + "|",
    (.matrix.rows[] | "| " + ([.scenario, .strategy, "\(.verdict | md_swatch) \(.cells[0])"] + .cells[1:]
                              | map(md_cell) | join(" | ")) + " |"),
    ""
  elif .img then "![\(.img.name)](charts/\(.img.name).png)\n", "*\(.img.caption)*\n"
  else empty end;

def attr: tostring | @html;

# Each matrix row on a line of its own, marked with its scenario and strategy
# (scripts/check-report.sh counts them in the rendered page).
def html:
  if .section then "<section id=\"\(.section | attr)\">", (.blocks[] | html), "</section>"
  elif .div then "<div class=\"\(.div | attr)\">", (.blocks[] | html), "</div>"
  elif .h then "<h\(.h)>\(.text | @html)</h\(.h)>"
  elif .p then "<p\(if .class then " class=\"\(.class | attr)\"" else "" end)>"
    + (.p | @html) + (if .href then " <a href=\"\(.href | attr)\">\(.link // "more" | @html)</a>" else "" end) + "</p>"
  elif .ul then "<ul class=\"\(.class // "plain" | attr)\">" + (.ul | map("<li>" + @html + "</li>") | join("")) + "</ul>"
  elif .table then
    "<table>" + (if (.table.head | all(. == "")) then "" else
      "<tr>" + (.table.head | map("<th>" + @html + "</th>") | join("")) + "</tr>" end)
    + (.table.rows | map("<tr>" + (map("<td>" + (tostring | @html) + "</td>") | join("")) + "</tr>") | join(""))
    + "</table>"
  elif .matrix then
    "<table class=\"matrix\">",
    "<tr>" + (.matrix.head | map("<th>" + @html + "</th>") | join("")) + "</tr>",
    (.matrix.rows[]
     | "<tr data-scenario=\"\(.scenario | attr)\" data-strategy=\"\(.strategy | attr)\">"
       + (if .span > 0 then "<td class=\"scn\" rowspan=\"\(.span)\"><a href=\"#\(.anchor | attr)\">\(.scenario | @html)</a></td>" else "" end)
       + "<td>\(.strategy | @html)</td>"
       + "<td class=\"v v-\(.verdict | attr)\" title=\"\(.evidence | attr)\">\(.cells[0] | @html)</td>"
       + (.cells[1:] | map("<td class=\"num\">\(@html)</td>") | join(""))
       + "</tr>"),
    "</table>"
  elif .img then "<figure>", "@@embed charts/\(.img.name).png@@",
    "<figcaption>\(.img.caption | @html)</figcaption></figure>"
  else empty end;

# The verdict cells take the charts' colours (report-data.jq's palette).
def verdict_css:
  (palette + { unknown: palette["copy"] }) | to_entries
  | map("td.v-\(.key){background:\(.value);color:#fff;font-weight:bold}") | join("");

def html_page($body):
  "<!DOCTYPE html>",
  "<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>zcbench report</title>",
  "<style>body{font-family:sans-serif;margin:1em 2em;max-width:1200px;color:#222}",
  "h1{font-size:1.6em;margin:.3em 0}p.intro{margin:.3em 0 .6em}h2{font-size:1.3em;margin:1.2em 0 .5em}#answer h2{margin-top:.4em}h3{font-size:1.05em;margin:.8em 0 .4em}",
  "table{border-collapse:collapse;margin:1em 0;font-size:90%}td,th{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top}",
  "th{background:#eee}ul.warn,p.warn{background:#fff4e0;border-left:4px solid #e4572e;padding:.6em 2em}",
  ".answer-body{display:flex;flex-wrap:wrap;gap:0 2em;align-items:flex-start}.answer-lines{flex:1 1 380px}",
  "table.matrix{margin:0;font-size:85%}table.matrix td,table.matrix th{padding:1px 6px;vertical-align:middle}td.num{text-align:right}td.scn{font-weight:bold;background:#f6f6f6}",
  verdict_css,
  "p.legend{font-size:80%;color:#555;max-width:36em}ul.share{padding-left:1.2em;margin:.4em 0}ul.share li{margin:.35em 0}p.note{background:#fff4e0;border-left:4px solid #e4572e;padding:.4em .8em}p.omitted{font-size:90%;color:#555}",
  "figure{margin:1.5em 0}figure img{max-width:100%;border:1px solid #ddd}figcaption{font-size:90%;color:#444}</style>",
  "</head><body>", $body, "</body></html>";

# What the CI summary says in place of its images, after the introduction.
def summary_note:
  { p: "This is summary.md, the report for a CI job summary ($GITHUB_STEP_SUMMARY), which shows no image linked by a relative path: the charts are in report.html (one file, the charts inlined) and in charts/, beside this file in the results directory; keep that directory as the job's artifact to see them. report.md is the same with the charts linked.",
    class: "note" };

def report($fmt; $governor; $sweep; $charts; $omitted):
  [ map(with_flags) | blocks($governor; $sweep | map(with_flags); $charts; $omitted) ] as $b
  | if $fmt == "md" then $b[] | md(false)
    elif $fmt == "summary" then ($b[0:2][] | md(true)), (summary_note | md(true)), ($b[2:][] | md(true))
    else html_page([$b[] | html] | join("\n")) end;
