"""Course tooling, kept apart from the teaching library: nothing in ``softmax_course`` outside
this subpackage imports it.

| module | what it does | command |
| --- | --- | --- |
| ``common`` | repository root, running Jupyter Book, reading cell tags and outputs | |
| ``execute`` | re-execute notebooks in place (the only way stored outputs are made) | ``execute`` |
| ``catalog`` | find the exercises of a notebook and check their format; the overview page | |
| ``editions`` | the student edition (no solutions) and its leak check | ``student`` |
| ``grading`` | grade a folder of submissions: files, jobs, verdicts, sheets, feedback | ``grade`` |
| ``sandbox`` | the bubblewrap command line and resource limits of one grading job | |
| ``grade_worker`` | runs one notebook inside the sandbox, with a deadline per cell | |
| ``grade_probe`` | takes one answer out of the student's kernel as data (in the sandbox) | |
| ``grade_data`` | the strict JSON codec of answers between the sandbox and the grader | |
| ``grade_checks`` | what each exercise compares, secret inputs, judging in the grader | |
| ``bench`` | benchmarks of the kernels, the training and the course | ``bench`` |
| ``browser`` | headless Chromium and a local web server for the book | |
| ``pdf`` | the whole book as one PDF | ``pdf`` |
| ``launch`` | point the repository button, launch links and install cells at a repository | ``launch`` |
| ``sphinx_ext`` | the book's Sphinx extension (Chinese search, interface texts) | |
"""
