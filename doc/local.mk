dist_man_MANS += %reldir%/mxcheck.1 %reldir%/libmxcheck.3
EXTRA_DIST += %reldir%/HACKING.md
