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
# The op here is **softsign** with a scale $c > 0$ (your $c$ is printed below), a cheap
# cousin of tanh that also squashes every number into $(-1, 1)$:
#
# $$ s(x) = \frac{x}{c + |x|}. $$
#
# Use the quotient rule $\big(\tfrac{u}{v}\big)' = \tfrac{u'v - uv'}{v^2}$ with $u = x$,
# $v = c + |x|$, and $\tfrac{d}{dx}|x| = \operatorname{sign} x$ (for $x \ne 0$).

# %%
from micrograd_like import Value, draw_dot, gradcheck
from nn import exercises as ex

SEED = 0
c = ex.softsign_scale(seed=SEED)
print(f"c = {c}")


def softsign_float(x: float) -> float:  # the reference: the op on plain numbers
    return x / (c + abs(x))


# %% [markdown]
# ## 2a · The derivative, by hand
# Write $s'(x)$ as a function of a float. Hint: the numerator simplifies to a constant in
# both cases $x > 0$ and $x < 0$.

# %%
def softsign_prime(x: float) -> float:
    # BEGIN SOLUTION
    return c / (c + abs(x)) ** 2
    # END SOLUTION
    # EXERCISE: ...  # s'(x)


# %%
ex.check_partial(softsign_prime, seed=SEED)

# %% [markdown]
# ## 2b · The op, through `define_op`
# An op of the engine is one entry of its rule table: a name, the forward computation, one
# local derivative per input, and the formula as text. `define_op` adds an entry; from then
# on the op works on Values, `backward()` multiplies by *your* local derivative, and
# drawings write your formula beside it:
#
# ```python
# define_op(name, forward, [partial], formula="...", partial_text=["..."])
# ```
#
# Define softsign with `softsign_float` as its forward computation and your
# `softsign_prime` as its partial. The checker sends `backward()` through the op and compares
# with finite differences of `softsign_float`; a wrong partial shows up here.

# %%
from micrograd_like import define_op

# BEGIN SOLUTION
softsign = define_op("softsign", softsign_float, [softsign_prime],
                     formula=f"x / ({c} + |x|)", partial_text=[f"{c} / ({c} + |x|)²"])
# END SOLUTION
# EXERCISE: softsign = ...  # define_op("softsign", ..., [...], formula=f"x / ({c} + |x|)")

# %%
ex.check_op(softsign, seed=SEED)

# %% [markdown]
# `gradcheck` is the engine's own judge: it runs `backward()` through any expression and
# compares every input's gradient with a central difference. Here the op sits inside a
# larger expression, so the chain rule multiplies your local derivative by its neighbours'.
# The drawing shows the local derivative on the edge into the op.

# %%
if ex.check_op(softsign, seed=SEED):
    print(gradcheck(lambda x, w: softsign(w * x) * 2.0, [0.8, -1.5]))
    u = Value(0.8, label="x")
    y = softsign(u)
    y.label = "s"
    y.backward()
    display(draw_dot(y, show_local_grads=True))
else:
    print("gradcheck and the drawing run here once softsign is a working op")
