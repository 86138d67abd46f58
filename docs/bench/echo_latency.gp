# Written by ttyhub-bench; render with: gnuplot echo_latency.gp (from this directory)
DATA = 'echo_latency.dat'
set terminal svg size 900,520 dynamic enhanced font 'sans,12' background '#ffffff'
set output 'echo_latency.svg'
set datafile missing 'NaN'
set grid
set key top left
set title "Echo round trip, 16-byte messages one at a time\n{/*0.8 AMD EPYC, 2 CPUs, 2026-11-30T02:31:21+0000, ttyhub dffd531; median of 3}"
set ylabel 'round-trip time (µs, log scale)'
set logscale y
set xlabel 'percentile'
set style data linespoints
set key below
plot for [i=2:6] DATA using i:xtic(1) title columnhead(i) lw 2 pt 7
