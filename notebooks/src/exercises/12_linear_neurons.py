# %% [markdown]
# # Exercise 12 · Backpropagation with linear neurons
#
# *Source: M. Nielsen, Neural Networks and Deep Learning, ch. 2, the problem "Backpropagation
# with linear neurons".*
#
# Replace the sigmoid by the identity, $\sigma(z) = z$, in every neuron of the network. Then
# $a^l = z^l$ and $\sigma'(z) = 1$. Rewrite the algorithm for this case and code it: a
# function that takes the weights, biases, one input $x$ and its target $y$ and returns
# $\partial C/\partial b$ and $\partial C/\partial w$ for every layer, for the quadratic cost
# $C = \tfrac12 \lVert a^L - y \rVert^2$.
#
# Start from Nielsen's five steps (notebook 03) and see what each becomes when every
# $\sigma'(z^l_j)$ is 1:
#
# 1. input: $a^1 = x$;
# 2. feedforward: $a^l = z^l = w^l a^{l-1} + b^l$ for $l = 2, \dots, L$;
# 3. output error: $\delta^L = \nabla_a C$;
# 4. backpropagate: $\delta^l = (w^{l+1})^{\mathsf T} \delta^{l+1}$ for $l = L-1, \dots, 2$;
# 5. output: $\partial C/\partial b^l = \delta^l$ and $\partial C/\partial w^l = \delta^l
#    (a^{l-1})^{\mathsf T}$.
#
# `weights[i]` and `biases[i]` are Nielsen's $w^{i+2}$ and $b^{i+2}$ (the input is layer 1),
# with `weights[i][j, k]` the weight into neuron $j$ from neuron $k$ of the layer before.
# Return `(nabla_b, nabla_w)`, two lists of numpy arrays shaped like `biases` and `weights`.
# The checker runs your function on two networks.

# %%
import numpy as np

from nn import exercises as ex

SEED = 0
for weights, biases, x, y in ex.linear_cases(seed=SEED):
    print("weights", [w.shape for w in weights], " x =", x, " y =", y)

# %%
def backprop_linear(weights, biases, x, y):
    # BEGIN SOLUTION
    activations = [np.asarray(x, dtype=float)]            # step 1
    for w, b in zip(weights, biases):                      # step 2: a = z
        activations.append(w @ activations[-1] + b)
    delta = activations[-1] - y                            # step 3: δᴸ = a − y
    deltas = [delta]
    for w in reversed(weights[1:]):                        # step 4: no σ′
        delta = w.T @ delta
        deltas.insert(0, delta)
    nabla_b = deltas                                       # step 5: BP3
    nabla_w = [np.outer(d, a) for d, a in zip(deltas, activations[:-1])]   # BP4
    return nabla_b, nabla_w
    # END SOLUTION
    # EXERCISE: ...


# %%
ex.check_linear_backprop(backprop_linear, seed=SEED)

# %% [markdown]
# Once it is right, the engine: an `nn.MLP` of linear neurons with the same parameters, one
# `backward()`, the same gradients.

# %%
import nn

if ex.check_linear_backprop(backprop_linear, seed=SEED):
    weights, biases, x, y = ex.linear_cases(seed=SEED)[1]
    mlp = nn.MLP.from_matrices(weights, biases, activation="linear", output_activation="linear")
    nn.quadratic([mlp(list(x))], [list(y)]).backward()
    _, nabla_w = backprop_linear(weights, biases, x, y)
    for layer, mine in zip(mlp.layers, nabla_w):
        engine = np.array([[w.grad for w in n.w] for n in layer.neurons])
        print("largest |yours − engine| =", np.max(np.abs(mine - engine)))
else:
    print("this cell compares your gradients with the engine's once they are right")

# %% [markdown]
# A network of linear neurons is itself linear (affine): $a^L = W x + c$ with
# $W = w^L \cdots w^2$, however many layers it has, so depth buys it nothing it could not do
# with one layer. Backpropagation still works, and is simpler: the error is handed back by the
# transposed weights alone, $\delta^l = (w^{l+1})^{\mathsf T} \cdots (w^L)^{\mathsf T}
# (a^L - y)$, the $\Sigma'$ of exercise 10 being the identity.
