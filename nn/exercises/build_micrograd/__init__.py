"""Checkers for the build-your-own track: a ``Value`` written from scratch, then a trained MLP.

The notebooks (``notebooks/build_micrograd/``, solved in ``notebooks/build_micrograd_solutions/``)
follow the micrograd lecture.  Each checker takes the student's own classes or functions and
a ``seed`` (so a per-student instance can vary every number), and returns a
:class:`~nn.verdict.Verdict`:

====  =====================================  ===============================================
 #    notebook                               checkers
====  =====================================  ===============================================
 1    a Value: + and ×, then the other ops   :func:`check_add_mul`, :func:`check_value_ops`
 2    tanh, directly and from exp            :func:`check_tanh`, :func:`check_exp`,
                                             :func:`check_tanh_from_exp`
 3    backward()                             :func:`check_backward`
 4    Neuron, Layer, MLP                     :func:`check_mlp`
 5    training on the moons                  :func:`check_step`, :func:`check_moons`
====  =====================================  ===============================================

How they judge: the student's code runs with micrograd_like's ``backward``, ``zero_grad``,
``grad`` and ``topological_order`` switched off (:mod:`.student`), and a class that is or
subclasses micrograd_like's ``Value``, or a node that wraps one, is refused.  Each op is
tried alone first, so a missing method is named (``2 * v`` fails: ``__rmul__`` is missing);
then seeded random graphs (:mod:`.graphs`: shared nodes, a repeated input, every op of the
step) are built with the student's class and with micrograd_like's, and every ∂root/∂node
is compared with our backward and, for the inputs, with central differences.  A wrong
answer is compared with what the classic mistakes give and the one it matches is named:
``=`` for ``+=``, the forward order, a node visited twice, no ``self.grad = 1``,
``1 − x²`` for tanh′, grads not reset between steps, a step uphill.  Whatever the student's
code raises (also ``RecursionError``) becomes "not yet"; a checker's own bug still raises.

>>> from nn.exercises import build_micrograd as ex
>>> print(ex.check_add_mul(...))
not yet · Value is still ...
  hint: pass your class: ex.check_...(Value)
"""

from __future__ import annotations

from nn.exercises.build_micrograd.backward import check_backward
from nn.exercises.build_micrograd.networks import (
    MOONS_LR,
    MOONS_SIZES,
    MOONS_STEPS,
    check_mlp,
    check_moons,
    check_step,
    moons,
    our_moons_accuracy,
)
from nn.exercises.build_micrograd.value import (
    check_add_mul,
    check_exp,
    check_tanh,
    check_tanh_from_exp,
    check_value_ops,
)

__all__ = [
    "check_add_mul",
    "check_value_ops",
    "check_tanh",
    "check_exp",
    "check_tanh_from_exp",
    "check_backward",
    "check_mlp",
    "check_step",
    "check_moons",
    "moons",
    "our_moons_accuracy",
    "MOONS_SIZES",
    "MOONS_STEPS",
    "MOONS_LR",
]
