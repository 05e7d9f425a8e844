"""ipywidgets explorers, one module per topic.

Each explorer is a thin widget layer over plain functions of the package (which the tests call);
building it needs a running kernel, while the computations do not.
"""
