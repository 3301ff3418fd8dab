# report.jq: the content of report.md and report.html from slurped zcbench/1 results.
#
# Input: an array of results documents (jq -s).  Arguments: --arg fmt md|html, --arg governor
# (the scaling governor read from sysfs, or ""), --argjson sweep (slurped sweep documents, or
# []), --argjson charts (names of the charts present, e.g. "inproc-time").
# The content is built once as a list of blocks ({h}, {p}, {ul}, {table}, {img}) and then
# written as markdown or as HTML; an HTML image is a line "@@embed charts/NAME.png@@" that
# report.sh replaces with the PNG inlined as a data: URI.
include "report-data";

def pct: . * 100 | sig3 | . + "%";

# --- what the figures mean -------------------------------------------------------------------
def chart_caption($kind):
  { time: "Median time per transfer of each strategy on a log scale; the whisker spans the fastest to the slowest repetition and the dots are the repetitions. Green bars shared the frame, orange ones copied it, the grey bar is a bare memcpy of the frame for reference.",
    throughput: "Frame bytes delivered per second (log scale). For copying strategies this is a real copy bandwidth to compare with the grey memcpy bar; for zero-copy ones no byte moves, so the figure only says how cheap the hand-over is.",
    memory: "Per transfer: how many frames' worth of bytes were copied, how many frame-sized buffers were allocated, and how many minor page faults were taken (first touches of fresh memory); last, the peak resident memory of the process. Zero-copy strategies should show zeros in the first three panels.",
    gc: "Garbage collections per 100 frames. A zero-copy wrapper whose native size is not reported to the GC (no externalSize) lets collections run too rarely, so native frames pile up: fewer collections here and a higher peak RSS in the memory chart.",
    scaling: "Median time per transfer against frame size, both axes logarithmic, from 256x256 to 7680x4320. A strategy that copies the frame grows in step with it (slope near 1); one that shares it stays flat (slope near 0). The slope is in the legend." }[$kind];

# --- warnings: anything that makes the figures less trustworthy ------------------------------
# Input: the results documents; $all: those and the sweep documents, for machine-wide checks.
def governor_of($governor):
  (.context.cpu_scaling // "unknown") as $cs
  | if $cs == "unknown" and $governor != "" then $governor else $cs end;

def warnings($governor; $all):
  [ ($all[] | .scenario as $s | .context.build // "unknown" | select(. != "release")
     | "\($s): built as '\(.)', not release: timings do not represent an optimised build"),
    ($all[] | governor_of($governor) | select(. != "performance")
     | "CPU frequency scaling governor is '\(.)', not 'performance': the clock may change during a run"),
    ($all[] | select(.context.quick == true) | .scenario
     | "\(.): quick run (QUICK=1): few repetitions, treat the figures as indicative"),
    (.[] | .results[] | select((.time.ns_per_transfer.cv // 0) > 0.05)
     | "\(.scenario)/\(.strategy) is noisy: cv \(.time.ns_per_transfer.cv | pct) over \(.time.repetitions // "?") repetitions (above 5%)"),
    (.[] | .results[] | select(.strategy != "reference_memcpy")
     | select(.expect_zero_copy != null and (.identity.verdict == "zero-copy") != .expect_zero_copy)
     | "\(.scenario)/\(.strategy) was expected to \(if .expect_zero_copy then "share" else "copy" end) the frame but the measurement says \(.identity.verdict)"),
    ($all[] | .results[] | select(.identity.checksum_ok == false)
     | "\(.scenario)/\(.strategy): the consumer's checksum did not match the producer's"),
    ([$all[].context.git_commit] | unique | select(length > 1)
     | "the results come from different commits: \(join(", "))") ] | unique;

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
def verdict_cell:
  if .strategy == "reference_memcpy" then "reference (memcpy)"
  elif .expect_zero_copy != null and (.identity.verdict == "zero-copy") != .expect_zero_copy
  then "\(.identity.verdict) (UNEXPECTED)"
  else .identity.verdict // "?" end;

def verdict_table:
  { table: { head: ["strategy", "verdict", "evidence", "median", "cv", "vs memcpy", "GB/s",
                    "frames copied", "frame-sized allocs", "minor faults", "peak RSS"],
             rows: [ .frame.bytes as $fb | .results[] | [ .strategy, verdict_cell, (.identity.evidence // ""),
                     (.time.ns_per_transfer.median | fmt_ns),
                     (.time.ns_per_transfer.cv | if . == null then "?" else pct end),
                     (.time.vs_memcpy | fmt_ratio),
                     (.time.gb_per_s | sig3),
                     (frames_copied($fb) | sig3),
                     (.allocations.frame_sized_per_transfer | sig3),
                     (.memory.minor_faults_per_transfer | sig3 | commas),
                     (.memory.rss_peak_kib | if . == null then "?" else ((. / 1024 | sig3) + " MiB") end) ] ] } };

# A sentence with the ratio a reader came for: the cheapest copy against the cheapest share.
def summary:
  [ .results[] | select(.strategy != "reference_memcpy") ] as $r
  | ($r | map(select(.identity.verdict == "zero-copy"))) as $zc
  | ($r | map(select(.identity.verdict == "copy"))) as $cp
  | "\($zc | length) of \($r | length) strategies shared the frame (zero-copy), \($cp | length) copied it."
    + (if ($zc | length) > 0 and ($cp | length) > 0 then
         ($zc | min_by(.time.ns_per_transfer.median)) as $z
         | ($cp | min_by(.time.ns_per_transfer.median)) as $c
         | " The cheapest copy (\($c.strategy), \($c.time.ns_per_transfer.median | fmt_ns)) takes \($c.time.ns_per_transfer.median / $z.time.ns_per_transfer.median | sig3)x as long as the cheapest share (\($z.strategy), \($z.time.ns_per_transfer.median | fmt_ns))."
       else "" end);

def figures($charts; $s; $kinds):
  $kinds[] as $k | "\($s)-\($k)" as $n
  | select($charts | index($n))
  | { img: { name: $n, caption: chart_caption($k) } };

def scenario_blocks($charts):
  { h: 2, text: "\(.scenario): \(.frame.width)x\(.frame.height) frame, \(.frame.bytes | commas) bytes" },
  { p: summary },
  verdict_table,
  figures($charts; .scenario; ["time", "throughput", "memory", "gc", "scaling"]);

def sweep_blocks($sweep):
  if ($sweep | length) == 0 then empty else
    { h: 2, text: "Scaling with frame size (make sweep)" },
    { p: "Slope of log(time) against log(frame bytes), fitted over the sweep: near 1, the strategy copies every byte (O(n)); near 0, its cost does not depend on the frame (O(1))." },
    { table: { head: ["scenario", "strategy", "verdict", "slope", "frame sizes"],
               rows: [ $sweep | group_by(.scenario)[] | .[0].scenario as $s
                       | sweep_series[]
                       | [$s, .strategy, .verdict, (.slope | fixed2), (.points | length | tostring)] ] } }
  end;

def blocks($governor; $sweep; $charts):
  (. + $sweep) as $all
  | $all[0] as $first
  | warnings($governor; $all) as $w
  | { h: 1, text: "zcbench report" },
    { p: "Was the frame copied or shared when it crossed the boundary, and what did that cost? Results of commit \($first.context.git_commit // "?"), \($first.context.date // "?")." },
    (if ($w | length) > 0 then { h: 2, text: "Warnings" }, { ul: $w } else empty end),
    { h: 2, text: "Machine" }, ($first | context_table($governor)),
    (.[] | scenario_blocks($charts)),
    sweep_blocks($sweep),
    # Scaling charts of scenarios that have no results of their own at the default frame size.
    ([.[].scenario] as $have
     | ($sweep | map(.scenario) | unique | map(select(. as $x | $have | index($x) | not)))[]
     | figures($charts; .; ["scaling"]));

# --- writers ---------------------------------------------------------------------------------
def md_cell: tostring | gsub("\\|"; "\\|") | gsub("\n"; " ");

def md:
  if .h then ("#" * .h) + " " + .text + "\n"
  elif .p then .p + "\n"
  elif .ul then (.ul | map("- " + .) | join("\n")) + "\n"
  elif .table then
    (if (.table.head | all(. == "")) then "| | |" else "| " + (.table.head | join(" | ")) + " |" end),
    "|" + (.table.head | map("---") | join("|")) + "|",
    (.table.rows[] | "| " + (map(md_cell) | join(" | ")) + " |"),
    ""
  elif .img then "![\(.img.name)](charts/\(.img.name).png)\n", "*\(.img.caption)*\n"
  else empty end;

def html:
  if .h then "<h\(.h)>\(.text | @html)</h\(.h)>"
  elif .p then "<p>\(.p | @html)</p>"
  elif .ul then "<ul class=\"warn\">" + (.ul | map("<li>" + @html + "</li>") | join("")) + "</ul>"
  elif .table then
    "<table>" + (if (.table.head | all(. == "")) then "" else
      "<tr>" + (.table.head | map("<th>" + @html + "</th>") | join("")) + "</tr>" end)
    + (.table.rows | map("<tr>" + (map("<td>" + (tostring | @html) + "</td>") | join("")) + "</tr>") | join(""))
    + "</table>"
  elif .img then "<figure>", "@@embed charts/\(.img.name).png@@",
    "<figcaption>\(.img.caption | @html)</figcaption></figure>"
  else empty end;

def html_page($body):
  "<!DOCTYPE html>",
  "<html lang=\"en\"><head><meta charset=\"utf-8\"><title>zcbench report</title>",
  "<style>body{font-family:sans-serif;margin:2em;max-width:1100px;color:#222}",
  "table{border-collapse:collapse;margin:1em 0;font-size:90%}td,th{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top}",
  "th{background:#eee}ul.warn{background:#fff4e0;border-left:4px solid #e4572e;padding:.6em 2em}",
  "figure{margin:1.5em 0}figure img{max-width:100%;border:1px solid #ddd}figcaption{font-size:90%;color:#444}</style>",
  "</head><body>", $body, "</body></html>";

def report($fmt; $governor; $sweep; $charts):
  [ blocks($governor; $sweep; $charts) ] as $b
  | if $fmt == "md" then $b[] | md
    else html_page([$b[] | html] | join("\n")) end;
