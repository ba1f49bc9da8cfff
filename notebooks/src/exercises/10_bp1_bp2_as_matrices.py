# %% [markdown]
# # Exercise 10 · BP1 and BP2 as matrix products
#
# *Source: M. Nielsen, Neural Networks and Deep Learning, ch. 2, the problem "Alternate
# presentation of the equations of backpropagation".*
#
# BP1 and BP2 use the Hadamard product $\odot$, entry by entry. The same equations can be
# written with ordinary matrix products. Let $\Sigma'(z^l)$ be the square matrix whose
# diagonal entries are the $\sigma'(z^l_j)$ and whose other entries are 0. Multiplying a
# vector by a diagonal matrix scales each entry by the diagonal entry of its row, so
# $\Sigma'(z)\, v = \sigma'(z) \odot v$, and
#
# $$ \delta^L = \Sigma'(z^L)\, \nabla_a C \quad\text{(BP1)}, \qquad
#    \delta^l = \Sigma'(z^l)\, (w^{l+1})^{\mathsf T} \delta^{l+1} \quad\text{(BP2)}. $$
#
# Putting the second inside itself, down to the first, every error is one product:
#
# $$ \delta^l = \Sigma'(z^l) (w^{l+1})^{\mathsf T} \Sigma'(z^{l+1}) (w^{l+2})^{\mathsf T}
#    \cdots \Sigma'(z^{L-1}) (w^L)^{\mathsf T}\, \Sigma'(z^L)\, \nabla_a C . $$
#
# The network: 2 inputs → 3 sigmoid neurons (layer 2) → 2 sigmoid neurons (layer 3, so
# $L = 3$), one example, the quadratic cost $C = \tfrac12 \lVert a^3 - y \rVert^2$, so
# $\nabla_a C = a^3 - y$.

# %%
import numpy as np

from nn import exercises as ex

SEED = 0
net = ex.matrix_network(seed=SEED)
w2, b2, w3, b3, x, y = (net[k] for k in ("w2", "b2", "w3", "b3", "x", "y"))


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


z2 = w2 @ x + b2
a2 = sigmoid(z2)
z3 = w3 @ a2 + b3
a3 = sigmoid(z3)
grad_a = a3 - y  # ∇ₐC
print(f"z² = {z2}\nz³ = {z3}\n∇ₐC = {grad_a}")

# %% [markdown]
# **(a)** Build $\Sigma'(z^3)$, a 2 × 2 matrix. ($\sigma'(z) = \sigma(z)(1 - \sigma(z))$;
# `np.diag(v)` makes a diagonal matrix from a vector.)

# %%
# BEGIN SOLUTION
S3 = np.diag(a3 * (1 - a3))
# END SOLUTION
# EXERCISE: S3 = ...  # Σ′(z³), 2 × 2

# %%
ex.check_sigma_prime_matrix(S3, seed=SEED)

# %% [markdown]
# **(b)** Compute the hidden layer's error as one product of matrices and vectors,
# $\delta^2 = \Sigma'(z^2)\,(w^3)^{\mathsf T}\,\Sigma'(z^3)\,\nabla_a C$ (the `@` operator
# multiplies matrices).

# %%
# BEGIN SOLUTION
S2 = np.diag(a2 * (1 - a2))
delta2 = S2 @ w3.T @ S3 @ grad_a
# END SOLUTION
# EXERCISE: delta2 = ...  # [δ²₁, δ²₂, δ²₃]

# %%
ex.check_delta_by_matrices(delta2, seed=SEED)

# %% [markdown]
# Once your answer is right, two comparisons: the Hadamard form of BP1 and BP2 gives the same
# three numbers, and so does the engine, whose hidden `z` nodes hold $\delta^2$ after
# `backward()`.

# %%
import nn

if ex.check_delta_by_matrices(delta2, seed=SEED):
    delta3 = grad_a * a3 * (1 - a3)                 # BP1 with ⊙
    print("Hadamard form:", (w3.T @ delta3) * a2 * (1 - a2))   # BP2 with ⊙
    mlp = nn.MLP.from_matrices([w2, w3], [b2, b3], "sigmoid", "sigmoid")
    t = mlp.trace(list(x))
    nn.quadratic([t.outputs], [list(y)]).backward()
    print("engine z.grad:", np.array([z.grad for z in t.zs[0]]))
    print("your δ²:      ", delta2)
else:
    print("this cell compares your δ² with the Hadamard form and the engine once it is right")

# %% [markdown]
# The matrix form is longer to compute (a diagonal matrix is mostly zeros), but it shows the
# structure: each layer back multiplies by one more $(w^{l+1})^{\mathsf T}$ and one more
# $\Sigma'$. If every $\sigma'$ is small, the product of many of them is very small; that is
# the vanishing gradient of notebook 08, section 4.
