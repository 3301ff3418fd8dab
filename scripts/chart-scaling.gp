# chart-scaling.gp: time per transfer against frame size, log-log, one line per strategy.
# A copy grows with the frame (slope near 1); sharing does not (slope near 0).
# Variables: dat (report-data.jq's scaling), n (number of strategies), ttl, kinds (one word per
# strategy: copy, zero-copy or reference, in the order of the blocks).
set title ttl
set xlabel "frame size (bytes, log scale)"
set ylabel "median time per transfer (log scale)"
set logscale xy
set micro
set format y "%.0s %cs"
set xtics rotate by -30 nomirror font ",9"
set ytics nomirror
set grid xtics ytics
set key outside right top
set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05
kind(i) = word(kinds, i + 1)
dash(i) = kind(i) eq "zero-copy" ? 2 : 1
marker(i) = 5 + 2 * (i % 4)
hue(i) = kind(i) eq "reference" ? ref_rgb : kind(i) eq "zero-copy" ? zc_rgb : copy_rgb
plot for [i=0:n-1] dat index i using 1:($2*1e-9):xtic(3) with linespoints \
        lw 2 pt marker(i) ps 0.9 dt dash(i) \
        lc rgb hue(i) \
        title columnheader(1)
