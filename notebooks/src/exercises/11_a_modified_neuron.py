# %% [markdown]
# # Exercise 11 · Backpropagation with a single modified neuron
#
# *Source: M. Nielsen, Neural Networks and Deep Learning, ch. 2, the problem "Backpropagation
# with a single modified neuron".*
#
# Suppose one neuron of a network computes $f\big(\sum_k w_k x_k + b\big)$ with some $f$
# other than the sigmoid. How does the algorithm change? Look at where $\sigma$ enters the
# proofs of BP1 and BP2: only through $a^l_j = \sigma(z^l_j)$, whose derivative with respect
# to $z^l_j$ is $\sigma'(z^l_j)$. For the modified neuron, $a^l_j = f(z^l_j)$ and that
# derivative is $f'(z^l_j)$. So:
#
# * in the forward pass the neuron outputs $f(z^l_j)$, and that is what the next layer
#   receives;
# * in BP2 (BP1 if it is an output neuron) its error is multiplied by $f'(z^l_j)$ instead of
#   $\sigma'(z^l_j)$; every other neuron keeps its $\sigma'$;
# * BP3 and BP4 do not change: they never mention $\sigma$ (BP4 uses the activations, which
#   already include $f$).
#
# The network: 2 inputs → 3 hidden neurons (layer 2) → 1 sigmoid output (layer 3), the
# quadratic cost $C = \tfrac12 (a^3_1 - y)^2$. Neuron 2 of layer 2 computes
# $f(z) = \tanh z$, whose derivative is $f'(z) = 1 - \tanh^2 z$; neurons 1 and 3 are sigmoids.

# %%
import numpy as np

from nn import exercises as ex

SEED = 0
net = ex.modified_network(seed=SEED)
w2, b2, w3, b3, x, y = (net[k] for k in ("w2", "b2", "w3", "b3", "x", "y"))


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


z2 = w2 @ x + b2
print(f"z² = {z2}\nw³ = {w3}\ny = {y}")

# %% [markdown]
# **(a)** Finish the forward pass ($a^2$ with the tanh neuron, then $z^3$ and $a^3$), then
# compute $\delta^3$ by BP1 and the hidden errors $\delta^2 = [\delta^2_1, \delta^2_2,
# \delta^2_3]$ by BP2 with the right derivative for each neuron.

# %%
# BEGIN SOLUTION
a2 = sigmoid(z2)
a2[1] = np.tanh(z2[1])                        # neuron 2 outputs f(z²₂)
z3 = w3 @ a2 + b3
a3 = sigmoid(z3)
delta3 = (a3 - y) * a3 * (1 - a3)             # BP1: the output neuron is a sigmoid
slopes = a2 * (1 - a2)                        # σ′(z²ⱼ) = a²ⱼ(1 − a²ⱼ) ...
slopes[1] = 1 - np.tanh(z2[1]) ** 2           # ... except f′(z²₂) for neuron 2
delta2 = (w3.T @ delta3) * slopes             # BP2
# END SOLUTION
# EXERCISE: delta2 = ...  # [δ²₁, δ²₂, δ²₃]

# %%
ex.check_modified_delta(delta2, seed=SEED)

# %% [markdown]
# **(b)** The gradient of the output neuron's weights, $\partial C/\partial w^3_{1k} =
# a^2_k\,\delta^3_1$ (BP4), as a 1 × 3 matrix.

# %%
# BEGIN SOLUTION
nabla_w3 = np.outer(delta3, a2)
# END SOLUTION
# EXERCISE: nabla_w3 = ...  # [[∂C/∂w³₁₁, ∂C/∂w³₁₂, ∂C/∂w³₁₃]]

# %%
ex.check_modified_weights(nabla_w3, seed=SEED)

# %% [markdown]
# Once both are right, the engine: the same network built from Values by hand (one `dot`
# node per weighted input, then `sigmoid` or `tanh`), one `backward()`. The engine needed no
# change at all: the tanh node brings its own local derivative, $1 - \tanh^2 z$, and the
# chain rule puts it where BP2 does.

# %%
from micrograd_like import Value, dot

right = ex.check_modified_delta(delta2, seed=SEED) and ex.check_modified_weights(nabla_w3,
                                                                                seed=SEED)
if right:
    W2 = [[Value(w) for w in row] for row in w2]
    W3 = [[Value(w) for w in row] for row in w3]
    zs2 = [dot(row, list(x), plus=float(b)) for row, b in zip(W2, b2)]
    hidden = [z.tanh() if j == 1 else z.sigmoid() for j, z in enumerate(zs2)]
    out = dot(W3[0], hidden, plus=float(b3[0])).sigmoid()
    C = 0.5 * (out - float(y[0])) ** 2
    C.backward()
    print("engine δ²:     ", [round(z.grad, 12) for z in zs2])
    print("engine ∂C/∂w³: ", [round(w.grad, 12) for w in W3[0]])
else:
    print("this cell compares your answers with the engine once both are right")
