# %% [markdown]
# # Exercise 1 · The slope of a function, by nudging its input
#
# *Sources: M. Nielsen, Neural Networks and Deep Learning, ch. 2 ("How the backpropagation
# algorithm works"); the wiki article "Backpropagation" (Brilliant); A. Karpathy's micrograd
# lecture, "The spelled-out intro to neural networks and backpropagation".*
#
# How to work through the track: fill in every `...`, run the cell, read the verdict under it
# (**right**, or **not yet** with a hint), and go on when it says right. The solved twin of
# this notebook, with the same file name, is in `notebooks/solutions/`.
#
# A derivative answers one question: if I move the input a little, how much does the output
# move, per unit of input? Move $x$ by a small $h$ and measure
#
# $$ f'(x) \approx \frac{f(x+h) - f(x)}{h} \qquad\text{(the rise over the run).} $$
#
# Everything backpropagation computes is this number, only found without nudging.

# %%
from nn import exercises as ex

SEED = 0
(c3, c2, c1, c0), x0 = ex.cubic(seed=SEED)  # your function's coefficients and point


def f(x):
    return c3 * x**3 + c2 * x**2 + c1 * x + c0


print(f"f(x) = {ex.cubic_text((c3, c2, c1, c0))}, x0 = {x0}")
for h in (0.1, 0.01, 0.001):
    print(f"h = {h:<6}  f(x0 + h) − f(x0) = {f(x0 + h) - f(x0):+.6f}")

# %% [markdown]
# ## 1a · Write the slope
# `slope(f, x, h)` nudges `x` by `h` and returns the rise over the run. The checker tries it on
# a few functions, points and step sizes of its own.

# %%
def slope(f, x, h):
    # BEGIN SOLUTION
    return (f(x + h) - f(x)) / h
    # END SOLUTION
    # EXERCISE: ...  # your code: the change in f divided by the change in x


# %%
ex.check_slope(slope, seed=SEED)

# %% [markdown]
# As $h$ shrinks, the estimate settles (until rounding errors of floating point take over,
# below about $h = 10^{-8}$):

# %%
if ex.check_slope(slope, seed=SEED):
    for h in (0.1, 0.01, 0.001, 1e-6):
        print(f"h = {h:<6}  slope = {slope(f, x0, h):.8f}")

# %% [markdown]
# ## 1b · The exact derivative
# The number the estimates approach is $f'(x_0)$. Work out $f'(x)$ by hand: differentiate the
# $f$ printed above term by term (power rule: $\tfrac{d}{dx}x^n = n x^{n-1}$), and write it as
# a function of $x$. The checker asks for the formula, not a number: it tries `fprime` at
# $x_0$ and at four other points, and it wants the exact value there (to $10^{-12}$ of the
# size of $f'$'s terms). A slope by nudging, for any $h$, is an estimate and is named as one.

# %%
def fprime(x):
    # BEGIN SOLUTION
    return 3 * c3 * x**2 + 2 * c2 * x + c1
    # END SOLUTION
    # EXERCISE: ...  # f'(x), the formula, from c3, c2, c1, c0 and x


print(f"f'(x0) = {fprime(x0)}")

# %%
ex.check_derivative(fprime, seed=SEED)

# %% [markdown]
# The engine of this project finds the same number without any $h$: it knows the local
# derivative of each operation ($x^3 \mapsto 3x^2$, $4x \mapsto 4$) and multiplies them along
# the graph. Exercise 2 writes such a local derivative; exercise 3 does the multiplying by
# hand.
