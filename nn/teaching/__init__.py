"""Teaching a class: per-student exercise packs, and a grader for what the students hand in.

* :mod:`nn.teaching.sources`: the teacher's exercise sources, the twins cut from them and the
  ``SEED`` line of each student;
* :mod:`nn.teaching.packs`: the roster, and the packs written from it;
* :mod:`nn.teaching.grading`: each notebook run in a fresh kernel with the teacher's checks
  (needs nbclient and ipykernel: ``pip install "micrograd-like[teach]"``);
* :mod:`nn.teaching.reports`: the CSV, the summary table and each student's feedback file;
* :mod:`nn.teaching.kernel`: what the grader runs inside a student's kernel.

The command line drives them: ``micrograd-like exercises pack|solutions`` and
``micrograd-like grade`` (docs/teaching.md is the teacher's guide).
"""
