"""View: the list as people look at it: which rows, in what order, and their summary figures."""
