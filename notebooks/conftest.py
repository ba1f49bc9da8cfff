"""The exercise track is executed once, by tests/test_exercise_notebooks.py, which also reads
each checker's verdict; nbmake would only run it a second time, so it skips these folders."""

collect_ignore_glob = ["exercises/*", "solutions/*"]
