"""The exercise tracks are executed once, by tests/test_exercise_notebooks.py and
tests/test_build_micrograd_notebooks.py, which also reads
each checker's verdict; nbmake would only run it a second time, so it skips these folders."""

collect_ignore_glob = ["exercises/*", "solutions/*",
                       "build_micrograd/*", "build_micrograd_solutions/*"]
