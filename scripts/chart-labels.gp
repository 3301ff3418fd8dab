# chart-labels.gp: how a panel's labels fit, so that none runs into another (no drawing).
#
#   LAB_dat = DAT; LAB_col = COL; LAB_n = N; LAB_w = PLOT_W; LAB_h = PLOT_H; LAB_pt = PT;
#   LAB_ticpt = TIC_PT; [LAB_names = NAMES;] load labels
#
# DAT's column COL holds the N bars' value labels (strings) drawn at PT points over a plot area
# of about PLOT_W x PLOT_H pixels; the bar names under the axis are TIC_PT points (10 when they
# have the chart's font: the PNG's is 10 points, the SVG's 12 pixels), column NAMES of DAT (2
# when not set).  A label is drawn level when the longest one fits in a bar's slot (PLOT_W / N),
# standing up (90 degrees) when a line of text does, and not at all when neither does (the
# report's tables have every figure).  Sets:
#   LAB_mode   0 level, 90 standing up, -1 none
#   LAB_top    the graph offset above the highest bar that the labels need (set offsets)
#   TIC_angle  how far the bar names under the axis turn (30, 45 or 90 degrees), the least at
#              which neighbours clear each other (set xtics rotate by -TIC_angle)
#   TIC_room   the pixels the turned names take under the axis (set bmargin at screen
#              TIC_room / H: gnuplot's own guess clips the longest name in the PNG)
# A chart plots its labels twice, level and standing up, each with the labels of its mode only
# (gnuplot expands a macro in a loop or an if block once, before the block runs, so the mode
# cannot be a macro):
#   '' using X:Y:(LAB_mode == 0 ? strcol(C) : "") with labels center offset 0,0.7 font ",PT",
#   '' using X:Y:(LAB_mode == 90 ? strcol(C) : "") with labels rotate by 90 left offset 0,0.4 font ",PT"
# The sizes are estimates in pixels of the PNG, whose text the reports show: pngcairo draws a
# point as 1.33 pixels (96 dpi), the SVG as one, at the same positions; a character is 0.6 em
# wide (0.68 in the names under the axis: snake_case words are wide), a line 1.3 em high.
# tests/e2e_report.sh measures the SVG's texts at the PNG's size (tests/lib/svg_overlaps.awk).
PX_PT = 1.33
LAB_n = LAB_n > 0 ? LAB_n : 1
LAB_slot = LAB_w / LAB_n
LAB_em = LAB_pt * PX_PT
TIC_em = LAB_ticpt * PX_PT
stats LAB_dat using (strlen(strcol(LAB_col))) name "LABLEN" nooutput
LAB_chars = LABLEN_max
LAB_mode = LAB_slot >= LAB_chars * LAB_em * 0.6 + 4 ? 0 : LAB_slot >= LAB_em * 1.3 ? 90 : -1
# The share of the plot's height the labels take over the highest bar; offsets add a share of
# the data's range: f / (1 - f) of it leaves f of the height.
LAB_f = LAB_mode == 90 ? (LAB_chars * LAB_em * 0.6 + LAB_em) / LAB_h : LAB_em * 2.2 / LAB_h
LAB_f = LAB_f > 0.6 ? 0.6 : LAB_f
LAB_top = LAB_f / (1 - LAB_f)
# Two neighbouring names turned by a sit slot * sin(a) apart, which must hold a line.
TIC_angle = LAB_slot * 0.5 >= TIC_em * 1.3 ? 30 : LAB_slot * 0.707 >= TIC_em * 1.3 ? 45 : 90
if (!exists("LAB_names")) { LAB_names = 2 }
stats LAB_dat using (strlen(strcol(LAB_names))) name "NAMELEN" nooutput
TIC_room = NAMELEN_max * TIC_em * 0.68 * sin(TIC_angle * pi / 180) + TIC_em * cos(TIC_angle * pi / 180) + 12
