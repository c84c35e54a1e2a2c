# mxcheck-milter comes with its own issue; libmilter is optional
# (./configure --disable-milter).
