# %% [markdown]
# # 01 · A Value and the chain rule
#
# A `Value` is one number in a computation, plus the record of how it was made.
# In this notebook we build a small expression by hand, work out its derivatives on paper
# with the chain rule, and watch `backward()` arrive at the same numbers — then check them
# a third way, with finite differences.
#
# *Sources: the chain rule on a small expression follows A. Karpathy's micrograd lecture, "The
# spelled-out intro to neural networks and backpropagation"; the same derivatives are the
# building blocks of M. Nielsen's Neural Networks and Deep Learning, ch. 2, and of the wiki
# article "Backpropagation" (Brilliant).*

# %%
import math

import matplotlib.pyplot as plt

from micrograd_like import Value, gradcheck, no_grad, topological_order

# %% [markdown]
# ## A Value by hand
# A leaf is a number you make yourself. An op makes a new Value that remembers three things:
# the op's name, its inputs (`parents`) and the **local derivative** of its output with
# respect to each input (`local_grads`), computed once, in the forward pass, as plain numbers.

# %%
a = Value(3.0, label="a")
b = Value(-2.0, label="b")
c = a * b
print(c)
print("op:", c.op)
print("parents:", c.parents)
print("local grads ∂c/∂a, ∂c/∂b:", c.local_grads)   # (b, a) for a product

# %% [markdown]
# ## The chain rule on a small expression
#
# Take  $e = a·b$,  $d = e + a$,  $L = \tanh(d)$.
#
# On paper, walking backwards from $L$:
#
# * $\partial L/\partial d = 1 - \tanh^2 d$
# * $\partial L/\partial e = \partial L/\partial d \cdot 1$
# * $\partial L/\partial b = \partial L/\partial e \cdot a$
# * $\partial L/\partial a = \partial L/\partial e \cdot b + \partial L/\partial d \cdot 1$ —
#   $a$ is used twice, so both paths add up.

# %%
a = Value(0.5, label="a")
b = Value(-1.5, label="b")
e = a * b
e.label = "e"
d = e + a
d.label = "d"
L = d.tanh()
L.label = "L"

dL_dd = 1 - math.tanh(d.data) ** 2
dL_de = dL_dd * 1.0
by_hand = {"a": dL_de * b.data + dL_dd * 1.0, "b": dL_de * a.data, "d": dL_dd, "e": dL_de}
print("by hand:", by_hand)

# %% [markdown]
# `backward()` does exactly this walk: it orders the graph so that every node comes after
# its parents, then visits it in reverse, adding `local_grad × grad` into each parent.

# %%
print("reverse topological order:", [v.label or v.op for v in reversed(topological_order(L))])
L.backward()
for v in (a, b, d, e):
    print(f"{v.label}: backward {v.grad:+.12f}   by hand {by_hand[v.label]:+.12f}")
    assert abs(v.grad - by_hand[v.label]) < 1e-15

# %% [markdown]
# ## A third opinion: finite differences
# Nudge one input by a small $h$ either way and measure the slope:
# $\partial L/\partial a \approx (L(a+h) - L(a-h)) / 2h$. `gradcheck` does this for every
# input and reports the worst error.

# %%
report = gradcheck(lambda a, b: (a * b + a).tanh(), [0.5, -1.5])
print(report)

# %% [markdown]
# ## Local derivative, pictured
# The engine's local derivative of `tanh` is $1-\tanh^2 x$. Plot it next to a finite
# difference of the forward value: the two curves are indistinguishable.

# %%
xs = [i / 20 for i in range(-80, 81)]
grads, slopes = [], []
for x in xs:
    v = Value(x)
    y = v.tanh()
    y.backward()
    grads.append(v.grad)
    h = 1e-5
    with no_grad():
        slopes.append((Value(x + h).tanh().data - Value(x - h).tanh().data) / (2 * h))

fig, ax = plt.subplots(figsize=(6, 3.2))
ax.plot(xs, [math.tanh(x) for x in xs], label="tanh x")
ax.plot(xs, grads, label="backward: 1 − tanh² x", linewidth=3, alpha=0.6)
ax.plot(xs, slopes, "k--", label="finite difference", linewidth=1)
ax.set_xlabel("x")
ax.legend()
ax.grid(alpha=0.3)
plt.show()
print("largest disagreement:", max(abs(g - s) for g, s in zip(grads, slopes)))

# %% [markdown]
# ## Derivatives of derivatives
# `grad(f)` turns a function into its derivative, as HIPS/autograd's `grad` does: given a
# number it returns the number f′(x); given a Value it returns a Value whose own graph
# computes f′(x), so it can be differentiated again: `grad(grad(f))` is the second
# derivative.
# Each node's local derivative comes from one rule (`1 − tanh²x` for tanh), rebuilt as
# Values when a derivative must itself be differentiated. Here are tanh and its first
# four derivatives (the picture HIPS/autograd made famous), checked against the closed
# form of the fourth, tanh⁗ = 8 tanh·(1 − tanh²)(2 − 3 tanh²).

# %%
from micrograd_like import grad, tanh

xs4 = [i / 25 for i in range(-100, 101)]
derivatives = [tanh]
for _ in range(4):
    derivatives.append(grad(derivatives[-1]))

fig, ax = plt.subplots(figsize=(6, 3.2))
curves = [[tanh(x).data for x in xs4]]                  # tanh itself makes a Value
curves += [[f(x) for x in xs4] for f in derivatives[1:]]  # each derivative, a number
for n, ys in enumerate(curves):
    ax.plot(xs4, ys, label="tanh" + "′" * n if n < 4 else "tanh⁗")
ax.set_xlabel("x")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)
plt.show()


def fourth(x):
    t = math.tanh(x)
    return 8 * t * (1 - t * t) * (2 - 3 * t * t)


print("largest |tanh⁗ − closed form|:",
      max(abs(derivatives[4](x) - fourth(x)) for x in xs4))

# %% [markdown]
# ## Gradients accumulate in leaves
# A second `backward()` *adds* to leaf gradients (that is how gradients are summed over
# examples), while intermediate gradients are recomputed, so they always equal
# $\partial L/\partial v$ for the last root. `zero_grad()` resets the leaves.
#
# **Coming from the micrograd lecture?** There, a second `backward()` adds into *every*
# node's gradient, intermediate ones included, and only `zero_grad()` resets them. Here
# only leaves (the Values you made: weights, inputs) accumulate; each `backward()` first
# sets the intermediate gradients to 0, so that after it a neuron's `z.grad` is exactly
# its δ = ∂C/∂z for this cost, however often `backward()` ran before.

# %%
before = a.grad
L.backward()
print(f"a.grad after one backward {before:.6f}, after two {a.grad:.6f}")
print(f"d.grad stays {d.grad:.6f} (intermediate)")
L.zero_grad()
print("after zero_grad:", a.grad, b.grad)
