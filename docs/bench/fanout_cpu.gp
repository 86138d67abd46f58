# Written by ttyhub-bench; render with: gnuplot fanout_cpu.gp (from this directory)
DATA = 'fanout_cpu.dat'
set terminal svg size 900,520 dynamic enhanced font 'sans,12' background '#ffffff'
set output 'fanout_cpu.svg'
set datafile missing 'NaN'
set grid
set key top left
set title "Fan-out: server CPU per GB of device input\n{/*0.8 AMD EPYC, 2 CPUs, 2026-11-30T02:31:21+0000, ttyhub dffd531; median of 3}"
set xlabel 'viewers on one port (log scale)'
set logscale x
set logscale y
set ylabel 'server CPU seconds per GB (log scale)'
set style data linespoints
set key below
plot for [i=2:4] DATA using 1:i title columnhead(i) lw 2 pt 7
