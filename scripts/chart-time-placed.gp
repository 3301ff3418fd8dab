# chart-time-placed.gp: chart-time.gp for a scenario measured at CPU placements (thread,
# process): one group of bars per strategy, one bar per placement, the fill saying which
# (solid: same CPU, hatched: two CPUs, cross-hatched: free) and the colour the verdict, as in
# every chart; an unplaced row (reference_memcpy) is a group of its own.  The whisker spans the
# fastest to the slowest repetition and the dots are the repetitions.
# Variables: dat (report-data.jq's placed_bars), samples (placed_samples), xt (a file holding
# placed_xtics), places (the placements present, in bar order: "same cross"), ttl, labels
# (chart-labels.gp), W, H.
set title ttl
set ylabel "time per transfer (log scale)"
set logscale y
set micro
set format y "%.0s %cs"
set style fill solid 0.85 border rgb "black"
np = words(places)
set boxwidth 0.8 / np * 0.92 absolute
stats dat using 2 nooutput
ng = STATS_max + 1
# A bar's slot is 0.8 / np of a group's: the labels fit as over ng * np / 0.8 bars; the group
# names under the axis have a whole group each.
LAB_dat = dat; LAB_col = 8; LAB_n = ng * np / 0.8; LAB_w = W - 110; LAB_h = H * 0.55; LAB_pt = 7; LAB_ticpt = 10
load labels
lab_mode = LAB_mode
lab_top = LAB_top
LAB_dat = dat; LAB_col = 8; LAB_n = ng; LAB_w = W - 110; LAB_h = H * 0.55; LAB_pt = 7; LAB_ticpt = 10
LAB_names = 9     # the strategies with their placement: longer than the groups' names
load labels
set xtics rotate by -TIC_angle nomirror scale 0
set bmargin at screen TIC_room / H
load xt
set ytics nomirror
set grid ytics
# The key in two rows, filled column by column: the verdict colours above, the placements'
# fills below (an empty slot where a placement is missing, so that the rows stay apart).
set key outside top center vertical maxrows 2
set xrange [-0.6:ng - 0.4]
set offsets 0, 0, graph lab_top, graph 0.04
pat(p) = p eq "same" ? 3 : p eq "cross" ? 4 : p eq "free" ? 1 : 5
legend(p) = p eq "same" ? "same: 1 CPU" : p eq "cross" ? "cross: 2 CPUs" : \
            p eq "free" ? "free: unpinned" : p
at(p, v) = stringcolumn(10) eq p ? v : NaN
# The key entry of the i-th placement present, blank when there is none.
key_rgb(i) = i <= np ? "#555555" : "white"
key_title(i) = i <= np ? legend(word(places, i)) : " "
plot dat using 1:(at("", $5*1e-9)):4 with boxes fs solid 0.85 border rgb "black" \
        lc rgb variable notitle, \
     for [i=1:np] dat using 1:(at(word(places, i), $5*1e-9)):4 with boxes \
        fs pattern pat(word(places, i)) border rgb "black" lc rgb variable notitle, \
     dat using 1:($5*1e-9):($6*1e-9):($7*1e-9) with yerrorbars lc rgb "black" pt -1 notitle, \
     samples using 1:($2*1e-9) with points pt 7 ps 0.3 lc rgb "black" notitle, \
     dat using 1:($7*1e-9):(lab_mode == 0 ? strcol(8) : "") with labels center offset 0,0.7 font ",7" notitle, \
     '' using 1:($7*1e-9):(lab_mode == 90 ? strcol(8) : "") with labels rotate by 90 left offset 0,0.4 font ",7" notitle, \
     NaN with boxes fs solid 0.85 lc rgb zc_rgb title "zero-copy", \
     for [i=1:1] NaN with boxes fs pattern pat(word(places, i)) \
        border lc rgb key_rgb(i) lc rgb key_rgb(i) title key_title(i), \
     NaN with boxes fs solid 0.85 lc rgb copy_rgb title "copy", \
     for [i=2:2] NaN with boxes fs pattern pat(word(places, i)) \
        border lc rgb key_rgb(i) lc rgb key_rgb(i) title key_title(i), \
     NaN with boxes fs solid 0.85 lc rgb ref_rgb title "memcpy reference", \
     for [i=3:np] NaN with boxes fs pattern pat(word(places, i)) \
        border lc rgb key_rgb(i) lc rgb key_rgb(i) title key_title(i)
