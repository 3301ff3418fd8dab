# chart-render.gp: draws one chart script twice, as SVG and as PNG, at the same size.
# Variables (gnuplot -e): chart (the chart script), svg_out, png_out, W, H, the verdict colours
# zc_rgb, copy_rgb and ref_rgb (charts.sh takes them from report-data.jq's palette, which the
# HTML report uses too), and whatever the chart script itself reads (dat, samples, ttl, ...).
set encoding utf8

set terminal svg size W,H fixed noenhanced font "sans,12" background rgb "white"
set output svg_out
load chart
unset multiplot
set output

reset
set encoding utf8
set terminal pngcairo size W,H noenhanced font "sans,10" background rgb "white"
set output png_out
load chart
unset multiplot
set output
