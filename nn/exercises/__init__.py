"""Checkers for the exercise notebooks: each one judges a student's answer and says why.

Every ``check_*`` function takes the student's answer (a number, an array, a function, a
graph) and returns a :class:`Verdict`: ``ok`` or "not yet", one line on what was found, and
a hint.  A checker never raises because of the answer: a missing answer (``...`` or
``None``), a malformed one (wrong shape, a string, nan) or a student function that crashes
all become a "not yet" verdict that names the problem.  (A bug in a checker itself still
raises, so it cannot hide.)

How a checker judges:

1. it computes the right answer on its own, with closed forms, finite differences or the
   numpy equations of :mod:`nn.analytic`, never by trusting the engine it is teaching;
2. it compares with a tolerance of 1e-6 relative (1e-9 absolute), and calls an answer that is
   only within 0.1 % "close" (rounded numbers typed in by hand);
3. otherwise it computes what the usual mistakes would give (BP1 without σ′, BP4 transposed,
   a gradient assigned instead of accumulated, ...) and names the one the answer matches;
4. failing that, it reports a constant factor or a sign, if there is one.

The exercises, in teaching order (notebooks/exercises/, solved in notebooks/solutions/):

====  ===========================================  ==========================================
 #    exercise                                     checkers
====  ===========================================  ==========================================
 1    the slope of f by nudging x                  :func:`check_slope`, :func:`check_derivative`
 2    a new op's local derivative                  :func:`check_partial`, :func:`check_op`
 3    backprop by hand through a small graph       :func:`check_by_hand` (:func:`small_graph`)
 4    the two classic bugs                         :func:`check_backward`, :func:`check_descent`
 5    BP1 for a 2-2-2 sigmoid network              :func:`check_bp1` (:func:`tiny_network`)
 6    BP2                                          :func:`check_bp2`
 7    BP3 and BP4                                  :func:`check_bp3_bp4`
 8    a training loop written out                  :func:`check_step`, :func:`check_training`
 9    BP1 with the cross-entropy cost              :func:`check_xent_gradient`,
                                                   :func:`check_bp1_cross_entropy`
10    BP1 and BP2 with the matrix Σ′(z)            :func:`check_sigma_prime_matrix`,
                                                   :func:`check_delta_by_matrices`
11    backprop with a single modified neuron       :func:`check_modified_delta`,
                                                   :func:`check_modified_weights`
12    backprop with linear neurons                 :func:`check_linear_backprop`
====  ===========================================  ==========================================

The checkers live by exercise in :mod:`nn.exercises.derivatives` (1-2),
:mod:`nn.exercises.backward_pass` (3-4), :mod:`nn.exercises.bp_equations` (5-7 and 9, with the
tiny network and its numpy oracle), :mod:`nn.exercises.training_loop` (8) and
:mod:`nn.exercises.chapter_problems` (10-12, the problems of Nielsen's chapter 2); import them
from here, ``from nn import exercises as ex``.

Indices in messages are Nielsen's: the input is layer 1, so the 2-2-2 network of exercises
5-7 has a hidden layer 2 and an output layer 3, and w²ⱼₖ is the weight *to* neuron j of
layer 2 *from* input k (``mlp.layers[0].neurons[j - 1].w[k - 1]``).

Every exercise's numbers come from a seed (the notebooks' ``SEED``): every helper that makes
them (:func:`cubic`, :func:`small_graph`, :func:`tiny_network`, ...) and every checker takes
``seed=`` and the checker computes the right answer for that seed (seed 0 is the book's
instance; see :mod:`nn.exercises.instances`).

>>> v = check_derivative(lambda x: 3 * x**2 - 4)     # seed 0: f(x) = x³ − 4x + 1
>>> v.ok, str(v).splitlines()[0]
(True, 'right · fprime is f′(x) for f(x) = x³ − 4x + 1: f′(1.5) = 2.75, and it agrees at 5 points')
>>> print(check_derivative(..., seed=7))
not yet · fprime is still ...
  hint: replace the ... with your function
"""

from nn.exercises.backward_pass import (
    DESCENT,
    check_backward,
    check_by_hand,
    check_descent,
    descent_problem,
    small_graph,
)
from nn.exercises.bp_equations import (
    check_bp1,
    check_bp1_cross_entropy,
    check_bp2,
    check_bp3_bp4,
    check_xent_gradient,
    cross_entropy_example,
    tiny_network,
)
from nn.exercises.chapter_problems import (
    check_delta_by_matrices,
    check_linear_backprop,
    check_modified_delta,
    check_modified_weights,
    check_sigma_prime_matrix,
    linear_cases,
    matrix_network,
    modified_network,
)
from nn.exercises.derivatives import (
    check_derivative,
    check_op,
    check_partial,
    check_slope,
    cubic,
    cubic_text,
    softsign_scale,
)
from nn.exercises.training_loop import (
    TRAINING_THRESHOLD,
    XOR_X,
    XOR_Y,
    check_step,
    check_training,
    training_network,
)
from nn.verdict import Verdict

__all__ = [
    "Verdict",
    "cubic",
    "cubic_text",
    "check_slope",
    "check_derivative",
    "softsign_scale",
    "check_partial",
    "check_op",
    "small_graph",
    "check_by_hand",
    "check_backward",
    "DESCENT",
    "descent_problem",
    "check_descent",
    "tiny_network",
    "cross_entropy_example",
    "check_bp1",
    "check_bp2",
    "check_bp3_bp4",
    "XOR_X",
    "XOR_Y",
    "TRAINING_THRESHOLD",
    "training_network",
    "check_step",
    "check_training",
    "check_xent_gradient",
    "check_bp1_cross_entropy",
    "matrix_network",
    "check_sigma_prime_matrix",
    "check_delta_by_matrices",
    "modified_network",
    "check_modified_delta",
    "check_modified_weights",
    "linear_cases",
    "check_linear_backprop",
]
