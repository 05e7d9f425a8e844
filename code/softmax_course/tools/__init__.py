"""Course tooling, kept apart from the teaching library: nothing in ``softmax_course`` outside
this subpackage imports it.

| module | what it does | command |
| --- | --- | --- |
| ``common`` | repository root, running Jupyter Book, reading cell tags and outputs | |
| ``execute`` | re-execute notebooks in place (the only way stored outputs are made) | ``execute`` |
| ``catalog`` | find the exercises of a notebook and check their format; the overview page | |
| ``editions`` | the student edition (no solutions) and its leak check | ``student`` |
| ``grading`` and ``grade_worker`` | grade submitted notebooks | ``grade`` |
| ``bench`` | benchmarks of the kernels, the training and the course | ``bench`` |
| ``browser`` | headless Chromium and a local web server for the book | |
| ``pdf`` | the whole book as one PDF | ``pdf`` |
| ``sphinx_ext`` | the book's Sphinx extension (Chinese search, interface texts) | |
"""
