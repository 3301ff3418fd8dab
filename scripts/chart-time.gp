# chart-time.gp: median time per transfer by strategy on a log scale; the whisker spans the
# fastest to the slowest repetition and the dots are the repetitions themselves.
# Variables: dat (report-data.jq's bars), samples (report-data.jq's samples), ttl, labels
# (chart-labels.gp), W, H.
set title ttl
set ylabel "time per transfer (log scale)"
set logscale y
set micro
set format y "%.0s %cs"
set style fill solid 0.85 border rgb "black"
set boxwidth 0.65
stats dat using 1 nooutput
n = STATS_records
LAB_dat = dat; LAB_col = 14; LAB_n = n; LAB_w = W - 110; LAB_h = H * 0.55; LAB_pt = 9; LAB_ticpt = 10
load labels
set xtics rotate by -TIC_angle nomirror
set bmargin at screen TIC_room / H
set ytics nomirror
set grid ytics
set key outside top center horizontal
set xrange [-0.6:n - 0.4]
set offsets 0, 0, graph LAB_top, graph 0.04
plot dat using 1:($5*1e-9):4:xtic(2) with boxes lc rgb variable notitle, \
     '' using 1:($5*1e-9):($6*1e-9):($7*1e-9) with yerrorbars lc rgb "black" pt -1 notitle, \
     samples using 1:($2*1e-9) with points pt 7 ps 0.35 lc rgb "black" notitle, \
     dat using 1:($7*1e-9):(LAB_mode == 0 ? strcol(14) : "") with labels center offset 0,0.7 font ",9" notitle, \
     '' using 1:($7*1e-9):(LAB_mode == 90 ? strcol(14) : "") with labels rotate by 90 left offset 0,0.4 font ",9" notitle, \
     NaN with boxes lc rgb zc_rgb title "zero-copy", \
     NaN with boxes lc rgb copy_rgb title "copy", \
     NaN with boxes lc rgb ref_rgb title "memcpy reference"
