# Written by ttyhub-bench; render with: gnuplot slow_viewer.gp (from this directory)
DATA = 'slow_viewer.dat'
set terminal svg size 900,520 dynamic enhanced font 'sans,12' background '#ffffff'
set output 'slow_viewer.svg'
set datafile missing 'NaN'
set grid
set key top left
set title "Slow viewer: the fast client's rate while a viewer stops reading\n{/*0.8 AMD EPYC, 2 CPUs, 2026-11-30T02:31:21+0000, ttyhub dffd531; first repetition}"
set xlabel 'time (s)'
set ylabel 'fast client MB/s per 250 ms bucket'
set yrange [0:*]
set key below
set arrow from 2, graph 0 to 2, graph 1 nohead dt 2 lw 2
set label 'viewer stops reading' at 2, graph 0.95 offset 1,0
plot DATA index 0 using 1:2 with steps lw 2 title 'ttyhub', \
     DATA index 1 using 1:2 with steps lw 2 title 'ser2net', \
     DATA index 2 using 1:2 with steps lw 2 title 'ser2net-tuned'
