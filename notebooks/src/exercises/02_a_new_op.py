# %% [markdown]
# # Exercise 2 · A node's local derivative
#
# *Sources: A. Karpathy's micrograd lecture, "The spelled-out intro to neural networks and
# backpropagation" (each op's local derivative); M. Nielsen, Neural Networks and Deep
# Learning, ch. 2; the wiki article "Backpropagation" (Brilliant).*
#
# Every op of the engine stores, next to its output, the **local derivative** of the output
# with respect to each input. `backward()` only multiplies these local numbers along the
# graph. So adding an op means knowing its derivative.
#
# The op here is **softsign**, a cheap cousin of tanh that also squashes every number into
# $(-1, 1)$:
#
# $$ s(x) = \frac{x}{1 + |x|}. $$
#
# Use the quotient rule $\big(\tfrac{u}{v}\big)' = \tfrac{u'v - uv'}{v^2}$ with $u = x$,
# $v = 1 + |x|$, and $\tfrac{d}{dx}|x| = \operatorname{sign} x$ (for $x \ne 0$).

# %%
from micrograd_like import Value, gradcheck
from nn import exercises as ex


def softsign_float(x: float) -> float:  # the reference: the op on plain numbers
    return x / (1 + abs(x))


# %% [markdown]
# ## 2a · The derivative, by hand
# Write $s'(x)$ as a function of a float. Hint: the numerator simplifies to a constant in
# both cases $x > 0$ and $x < 0$.

# %%
def softsign_prime(x: float) -> float:
    # BEGIN SOLUTION
    return 1 / (1 + abs(x)) ** 2
    # END SOLUTION
    # EXERCISE: ...  # s'(x)


ex.check_partial(softsign_prime, softsign_float, name="softsign")

# %% [markdown]
# ## 2b · The op on Values
# Now make softsign work on a `Value`, so that it joins the graph and `backward()` can pass
# through it. Build it from the engine's ops (`/`, `+`, `abs`); each of them brings its own
# local derivative, and the chain rule combines them into your $s'(x)$. The checker compares
# `backward()` through your op with finite differences, and `gradcheck` shows the same
# comparison as a table.

# %%
def softsign(x: Value) -> Value:
    # BEGIN SOLUTION
    return x / (1 + abs(x))
    # END SOLUTION
    # EXERCISE: ...  # build s(x) from Value operations


ex.check_op(softsign, softsign_float, name="softsign")

# %%
if ex.check_op(softsign, softsign_float, name="softsign"):
    print(gradcheck(lambda x: softsign(x) * 2.0, [0.8]))
else:
    print("gradcheck runs here once softsign is a working op")
