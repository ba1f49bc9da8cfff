# %% [markdown]
# # Exercise 3 · Backpropagation by hand
#
# *Sources: A. Karpathy's micrograd lecture, "The spelled-out intro to neural networks and
# backpropagation" (filling in gradients by hand); M. Nielsen, Neural Networks and Deep
# Learning, ch. 2; the wiki article "Backpropagation" (Brilliant).*
#
# The graph below computes
#
# $$ d = a\,b, \qquad e = d + c, \qquad L = \tanh e $$
#
# with your $a$, $b$, $c$ printed below. Your job: be `backward()`. Fill in every `.grad`,
# $\partial L/\partial v$ for each node $v$, starting at the root and walking towards the
# leaves. At each node, multiply the gradient that arrived from above by the node's local
# derivative (the chain rule):
#
# | node | local derivative | gradient |
# |---|---|---|
# | $L = \tanh e$ | $\partial L/\partial e = 1 - \tanh^2 e$ | $\partial L/\partial L = 1$ |
# | $e = d + c$ | $\partial e/\partial d = \partial e/\partial c = 1$ | $\partial L/\partial e$ |
# | $d = a b$ | $\partial d/\partial a = b,\ \partial d/\partial b = a$ | $\partial L/\partial d = \partial L/\partial e \cdot \partial e/\partial d$ |
#
# Use the nodes' `.data` and the `.grad` you have already filled in; do not call
# `L.backward()` (that is the answer key; the checker has its own, from these formulas).

# %%
from micrograd_like import draw_dot
from nn import exercises as ex

SEED = 0
a, b, c, d, e, L = ex.small_graph(seed=SEED)
for v in (a, b, c, d, e, L):
    print(f"{v.label} = {v.data:+.6f}")
draw_dot(L)

# %%
# BEGIN SOLUTION
L.grad = 1.0
e.grad = (1 - L.data**2) * L.grad
d.grad = 1.0 * e.grad
c.grad = 1.0 * e.grad
a.grad = b.data * d.grad
b.grad = a.data * d.grad
# END SOLUTION
# EXERCISE: L.grad = ...
# EXERCISE: e.grad = ...
# EXERCISE: d.grad = ...
# EXERCISE: c.grad = ...
# EXERCISE: a.grad = ...
# EXERCISE: b.grad = ...

# %%
ex.check_by_hand(L, seed=SEED)

# %% [markdown]
# Once the check says right, the drawing shows your gradients beside the values. Each edge
# carries one factor of the chain rule: $\partial L/\partial a = (1-\tanh^2 e)\cdot 1 \cdot b$.

# %%
if ex.check_by_hand(L, seed=SEED):
    display(draw_dot(L))
else:
    print("the drawing waits for every .grad to be right")
