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


def f(x):
    return x**3 - 4 * x + 1


for h in (0.1, 0.01, 0.001):
    print(f"h = {h:<6}  f(1.5 + h) − f(1.5) = {f(1.5 + h) - f(1.5):+.6f}")

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


ex.check_slope(slope)

# %% [markdown]
# As $h$ shrinks, the estimate settles (until rounding errors of floating point take over,
# below about $h = 10^{-8}$):

# %%
if ex.check_slope(slope):
    for h in (0.1, 0.01, 0.001, 1e-6):
        print(f"h = {h:<6}  slope = {slope(f, 1.5, h):.8f}")

# %% [markdown]
# ## 1b · The exact derivative
# The number the estimates approach is $f'(1.5)$. Work it out by hand: differentiate
# $f(x) = x^3 - 4x + 1$ term by term (power rule: $\tfrac{d}{dx}x^n = n x^{n-1}$), then put
# $x = 1.5$ in. Write the expression, not a number copied from above.

# %%
# BEGIN SOLUTION
dfdx = 3 * 1.5**2 - 4
# END SOLUTION
# EXERCISE: dfdx = ...  # f'(1.5), from the formula for f'(x)

ex.check_derivative(dfdx, f=f, x=1.5)

# %% [markdown]
# The engine of this project finds the same number without any $h$: it knows the local
# derivative of each operation ($x^3 \mapsto 3x^2$, $4x \mapsto 4$) and multiplies them along
# the graph. Exercise 2 writes such a local derivative; exercise 3 does the multiplying by
# hand.
