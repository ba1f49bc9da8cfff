"""Trace once, replay many times: a scalar graph compiled into a flat, batched tape.

The scalar graph stays the model.  Build it once, for **one** example, with the ordinary
engine (the graph you draw and differentiate by hand), say which leaves are inputs and which
are parameters, and :func:`compile` turns it into a :class:`Tape` that runs the same ops on
a whole batch at once.  One idea in three steps, one module each:

* :mod:`~micrograd_like.tape.lower`: lower the graph (the engine's one walk,
  ``topological_order``) and group nodes at the same depth doing the same op;
* :mod:`~micrograd_like.tape.instructions`: each group is one numpy instruction, its
  values and partials from the op's rule in ``ops.RULES`` on arrays; the ``dot`` nodes
  sharing an input vector are one matrix product ``Z = W A + c``;
* :mod:`~micrograd_like.tape.replay`: the :class:`Tape` replays the instructions forward,
  then backward for ``∂C/∂θ`` of the **batch mean** ``C = (1/B) Σₓ Cₓ`` of the root,
  the eager engine's gradients averaged over the examples.

Every input holds one number per example, and every op runs element-wise over the batch
(``relu``, ``abs`` choose their branch per example, as the engine does for one); nodes that
depend only on parameters and constants are computed once.

The rule for what can be compiled: **the graph's structure must not depend on the data.**
A Python ``if`` on a Value, or a constant computed from an input's ``.data``, would be
replayed as taken for the traced example.  :func:`compile` refuses inputs and parameters
that are not leaves of the graph and undeclared leaves annotated as inputs or parameters;
:func:`trace` (:mod:`~micrograd_like.tape.trace`) builds the graph itself, refuses any Value
comparison while building, and rebuilds on further examples to check that structure and
constants do not change.

>>> from micrograd_like import Value
>>> x, w = Value(0.0), Value(3.0)
>>> loss = (w * x - 1.0) ** 2            # one example: C = (w·x − 1)²
>>> tape = compile(loss, inputs=[x], params=[w])
>>> tape.forward([[1.0], [2.0]]).tolist()  # x = 1 and x = 2, with w = 3
[4.0, 25.0]
>>> tape.backward().tolist()             # mean of 2(wx − 1)·x: (2·2·1 + 2·5·2) / 2
[12.0]
"""

from micrograd_like.tape.lower import DataDependenceError, compile
from micrograd_like.tape.replay import Tape
from micrograd_like.tape.trace import trace

__all__ = ["Tape", "compile", "trace", "DataDependenceError"]

for _public in (Tape, compile, trace, DataDependenceError):
    _public.__module__ = __name__  # shown (and pickled) where users import them from
del _public
