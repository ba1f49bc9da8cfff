# %% [markdown]
# # Exercise 6 · The error of the hidden neurons (BP2)
#
# *Sources: M. Nielsen, Neural Networks and Deep Learning, ch. 2, equation BP2; the wiki
# article "Backpropagation" (Brilliant), section "The Hidden Layers"; A. Karpathy's micrograd
# lecture.*
#
# The same 2-2-1 sigmoid network as exercise 5. BP2 hands the error one layer back:
#
# $$ \delta^l = \big((w^{l+1})^{\mathsf T} \delta^{l+1}\big) \odot \sigma'(z^l),
#    \qquad\text{one neuron at a time:}\quad
#    \delta^l_j = \Big(\sum_k w^{l+1}_{kj}\, \delta^{l+1}_k\Big)\, \sigma'(z^l_j). $$
#
# Read it as: the error of hidden neuron $j$ is the output errors sent back along the weights
# that leave neuron $j$ ($w^{3}_{1j}$, from neuron $j$ of layer 2 to the output neuron), then
# scaled by how sensitive neuron $j$ itself is, $\sigma'(z^2_j)$ (the Hadamard product $\odot$
# multiplies entry by entry).
#
# Compute $\delta^2 = [\delta^2_1, \delta^2_2]$. $\delta^3_1$ is given (exercise 5's answer).

# %%
import numpy as np

from nn import exercises as ex

mlp, x, y = ex.tiny_network()
t = mlp.trace(x)
a3 = t.outputs[0].data
delta3 = (a3 - y[0]) * a3 * (1 - a3)  # BP1, exercise 5
w3 = np.array([[w.data for w in n.w] for n in mlp.layers[1].neurons])  # w³, shape (1, 2)
z2 = np.array([z.data for z in t.zs[0]])  # z², shape (2,)
a2 = np.array([a.data for a in t.activations[0]])  # a² = σ(z²)
print(f"δ³₁ = {delta3:.6f}\nw³ = {w3}\nz² = {z2}\na² = {a2}")

# %%
# BEGIN SOLUTION
delta2 = (w3.T @ np.array([delta3])) * a2 * (1 - a2)  # σ′(z²) = a²(1 − a²)
# END SOLUTION
# EXERCISE: delta2 = ...  # [δ²₁, δ²₂]

ex.check_bp2(delta2)

# %% [markdown]
# Once your answer is right, compare with the engine: after `C.backward()`, each hidden z
# node holds its δ.

# %%
import nn

if ex.check_bp2(delta2):
    C = nn.quadratic([t.outputs], [y])
    C.backward()
    print("z.grad of layer 2:", [round(z.grad, 10) for z in t.zs[0]])
else:
    print("this cell shows the engine's δ² once yours is right")
