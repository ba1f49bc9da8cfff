# %% [markdown]
# # Exercise 5 · The error of the output neurons (BP1)
#
# *Sources: M. Nielsen, Neural Networks and Deep Learning, ch. 2, equation BP1; the wiki
# article "Backpropagation" (Brilliant), section "The Output Layer"; A. Karpathy's micrograd
# lecture.*
#
# A 2-2-2 network of sigmoid neurons, in Nielsen's numbering: layer 1 is the input $x$,
# layer 2 has two hidden neurons, layer 3 two output neurons. For one example $(x, y)$ the
# cost is $C = \tfrac12 \lVert a^3 - y \rVert^2 = \tfrac12 \sum_j (a^3_j - y_j)^2$.
#
# The **error** of a neuron is how strongly the cost reacts to its weighted input,
# $\delta^l_j = \partial C / \partial z^l_j$. At the output, BP1 says
#
# $$ \delta^L_j = \frac{\partial C}{\partial a^L_j}\; \sigma'(z^L_j),
#    \qquad \sigma'(z) = \sigma(z)\,(1 - \sigma(z)), $$
#
# one output neuron at a time; for the whole layer, $\delta^L = \nabla_a C \odot \sigma'(z^L)$.
# Compute $\delta^3 = [\delta^3_1, \delta^3_2]$ from the numbers of the forward pass below,
# without `backward()`.

# %%
import numpy as np

from nn import exercises as ex

SEED = 0
mlp, x, y = ex.tiny_network(seed=SEED)
t = mlp.trace(x)  # the forward pass, keeping every z and a
z3 = np.array([z.data for z in t.zs[1]])  # z³, shape (2,)
a3 = np.array([a.data for a in t.outputs])  # a³ = σ(z³)
y = np.array(y)
print(mlp)
print(f"x = {x}, y = {y}")
print(f"z³ = {z3}, a³ = {a3}")

# %%
# BEGIN SOLUTION
dC_da = a3 - y  # ∇ₐC for C = ½‖a − y‖²
sigma_prime = a3 * (1 - a3)  # σ′(z³) = σ(z)(1 − σ(z)), and σ(z³) = a³
delta3 = dC_da * sigma_prime  # ⊙: entry by entry
# END SOLUTION
# EXERCISE: delta3 = ...  # [δ³₁, δ³₂], from z3, a3 and y

# %%
ex.check_bp1(delta3, seed=SEED)

# %% [markdown]
# Once your answer is right, compare with the engine: after `C.backward()`, the z nodes'
# gradients *are* $\delta^3$.

# %%
import nn

if ex.check_bp1(delta3, seed=SEED):
    C = nn.quadratic([t.outputs], [list(y)])  # ½ ‖a³ − y‖² for one example
    C.backward()
    print("z.grad =", [round(z.grad, 10) for z in t.zs[1]], " yours =", delta3.round(10))
else:
    print("this cell shows the engine's δ³ once yours is right")
