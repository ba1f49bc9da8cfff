# %% [markdown]
# # Exercise 7 · Gradients of the weights and biases (BP3, BP4)
#
# *Sources: M. Nielsen, Neural Networks and Deep Learning, ch. 2, equations BP3 and BP4; the
# wiki article "Backpropagation" (Brilliant), section "Error Function Derivatives"; A. Karpathy's
# micrograd lecture.*
#
# Once every δ is known, the gradients of the parameters need no more backward steps:
#
# $$ \text{(BP3)}\quad \frac{\partial C}{\partial b^l_j} = \delta^l_j, \qquad
#    \text{(BP4)}\quad \frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_k\, \delta^l_j
#    \quad\text{i.e.}\quad \frac{\partial C}{\partial w^l} = \delta^l\, (a^{l-1})^{\mathsf T}. $$
#
# BP4 says: a weight learns in proportion to the activation coming *into* it and the error
# of the neuron it feeds. Layer 2's inputs are $a^1 = x$.
#
# Give the four gradients of the 2-2-2 network of exercises 5 and 6, shaped like the
# parameters: row $j$ is neuron $j$, column $k$ is incoming activation $k$ (both weight
# matrices are 2 × 2, so a transposed one is wrong, not just misshapen).

# %%
import numpy as np

from nn import exercises as ex

SEED = 0
mlp, x, y = ex.tiny_network(seed=SEED)
t = mlp.trace(x)
a1 = np.array(x)  # the input is layer 1's activation
a2 = np.array([a.data for a in t.activations[0]])
a3 = np.array([a.data for a in t.outputs])
delta3 = (a3 - np.array(y)) * a3 * (1 - a3)  # BP1 (exercise 5)
w3 = np.array([[w.data for w in n.w] for n in mlp.layers[1].neurons])
delta2 = (w3.T @ delta3) * a2 * (1 - a2)  # BP2 (exercise 6)
print(f"a¹ = {a1}\na² = {a2}\nδ³ = {delta3}\nδ² = {delta2}")

# %%
# BEGIN SOLUTION
grad_b3 = delta3  # BP3
grad_w3 = np.outer(delta3, a2)  # BP4: δ³ (a²)ᵀ, shape (2, 2)
grad_b2 = delta2
grad_w2 = np.outer(delta2, a1)  # δ² (a¹)ᵀ, shape (2, 2)
# END SOLUTION
# EXERCISE: grad_b3 = ...  # shape (2,)
# EXERCISE: grad_w3 = ...  # shape (2, 2)
# EXERCISE: grad_b2 = ...  # shape (2,)
# EXERCISE: grad_w2 = ...  # shape (2, 2)

# %%
ex.check_bp3_bp4(grad_b3, grad_w3, grad_b2, grad_w2, seed=SEED)

# %% [markdown]
# Once your answer is right: the engine finds the same numbers by the chain rule alone, in
# `p.grad` of each parameter.

# %%
import nn

if ex.check_bp3_bp4(grad_b3, grad_w3, grad_b2, grad_w2, seed=SEED):
    C = nn.quadratic([t.outputs], [y])
    C.backward()
    for sup, layer in zip("²³", mlp.layers):  # Nielsen's layers 2 and 3
        w_grad = np.array([[w.grad for w in n.w] for n in layer.neurons])
        print(f"∂C/∂w{sup} =", w_grad.round(8).tolist(),
              f" ∂C/∂b{sup} =", [round(n.b.grad, 8) for n in layer.neurons])
else:
    print("this cell shows the engine's gradients once yours are right")
