# %% [markdown]
# # Exercise 6 · The error of the hidden neurons (BP2)
#
# *Sources: M. Nielsen, Neural Networks and Deep Learning, ch. 2, equation BP2; the wiki
# article "Backpropagation" (Brilliant), section "The Hidden Layers"; A. Karpathy's micrograd
# lecture.*
#
# The same 2-2-2 sigmoid network as exercise 5. BP2 hands the error one layer back:
#
# $$ \delta^l = \big((w^{l+1})^{\mathsf T} \delta^{l+1}\big) \odot \sigma'(z^l),
#    \qquad\text{one neuron at a time:}\quad
#    \delta^l_j = \Big(\sum_k w^{l+1}_{kj}\, \delta^{l+1}_k\Big)\, \sigma'(z^l_j). $$
#
# Read it as: the error of hidden neuron $j$ is the output errors sent back along the weights
# that leave neuron $j$ ($w^{3}_{kj}$, from neuron $j$ of layer 2 to output neuron $k$: column
# $j$ of $w^3$, hence the transpose), then scaled by how sensitive neuron $j$ itself is,
# $\sigma'(z^2_j)$ (the Hadamard product $\odot$ multiplies entry by entry).
#
# Write BP2 as a function `bp2(w3, delta3, a2)` that returns $\delta^2$ for any such network
# ($\sigma'(z^2) = a^2 (1 - a^2)$). The checker runs it on your network and on one with three
# hidden neurons; it asks for the code, so a list of numbers is refused. $\delta^3$ is given
# (exercise 5's answer).

# %%
import numpy as np

from nn import exercises as ex

SEED = 0
mlp, x, y = ex.tiny_network(seed=SEED)
t = mlp.trace(x)
a3 = np.array([a.data for a in t.outputs])
delta3 = (a3 - np.array(y)) * a3 * (1 - a3)  # BP1, exercise 5
w3 = np.array([[w.data for w in n.w] for n in mlp.layers[1].neurons])  # w³, shape (2, 2)
z2 = np.array([z.data for z in t.zs[0]])  # z², shape (2,)
a2 = np.array([a.data for a in t.activations[0]])  # a² = σ(z²)
print(f"δ³ = {delta3}\nw³ = {w3}\nz² = {z2}\na² = {a2}")

# %%
def bp2(w3, delta3, a2):
    # BEGIN SOLUTION
    return (w3.T @ delta3) * a2 * (1 - a2)  # σ′(z²) = a²(1 − a²)
    # END SOLUTION
    # EXERCISE: ...  # δ² = ((w³)ᵀ δ³) ⊙ σ′(z²)


# %%
ex.check_bp2(bp2, seed=SEED)

# %% [markdown]
# Once your answer is right, compare with the engine: after `C.backward()`, each hidden z
# node holds its δ.

# %%
import nn

if ex.check_bp2(bp2, seed=SEED):
    C = nn.quadratic([t.outputs], [y])
    C.backward()
    print("z.grad of layer 2:", [round(z.grad, 10) for z in t.zs[0]])
    print("your bp2:         ", bp2(w3, delta3, a2).round(10))
else:
    print("this cell shows the engine's δ² once yours is right")
