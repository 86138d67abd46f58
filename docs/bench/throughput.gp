# Written by ttyhub-bench; render with: gnuplot throughput.gp (from this directory)
DATA = 'throughput.dat'
set terminal svg size 900,520 dynamic enhanced font 'sans,12' background '#ffffff'
set output 'throughput.svg'
set datafile missing 'NaN'
set grid
set key top left
set title "Throughput (every byte verified)\n{/*0.8 AMD EPYC, 2 CPUs, 2026-11-30T02:31:21+0000, ttyhub dffd531; median of 3}"
set ylabel 'MB/s (log scale)'
set logscale y
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set key top right
plot for [i=2:5] DATA using i:xtic(1) title columnhead(i)
