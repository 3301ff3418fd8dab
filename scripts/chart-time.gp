# chart-time.gp: median time per transfer by strategy on a log scale; the whisker spans the
# fastest to the slowest repetition and the dots are the repetitions themselves.
# Variables: dat (report-data.jq's bars), samples (report-data.jq's samples), ttl.
set title ttl
set ylabel "time per transfer (log scale)"
set logscale y
set micro
set format y "%.0s %cs"
set style fill solid 0.85 border rgb "black"
set boxwidth 0.65
set xtics rotate by -30 nomirror
set ytics nomirror
set grid ytics
set key outside top center horizontal
stats dat using 1 nooutput
set xrange [-0.6:STATS_max + 0.6]
set offsets 0, 0, graph 0.12, graph 0.04
plot dat using 1:($5*1e-9):4:xtic(2) with boxes lc rgb variable notitle, \
     '' using 1:($5*1e-9):($6*1e-9):($7*1e-9) with yerrorbars lc rgb "black" pt -1 notitle, \
     samples using 1:($2*1e-9) with points pt 7 ps 0.35 lc rgb "black" notitle, \
     dat using 1:($7*1e-9):14 with labels offset 0,0.8 font ",9" notitle, \
     NaN with boxes lc rgb zc_rgb title "zero-copy", \
     NaN with boxes lc rgb copy_rgb title "copy", \
     NaN with boxes lc rgb ref_rgb title "memcpy reference"
