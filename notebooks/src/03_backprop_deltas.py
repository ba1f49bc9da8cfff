# %% [markdown]
# # 03 · Backprop as δ
#
# The engine of notebooks 01–02 knows nothing about neural networks: it multiplies local
# derivatives along edges. The textbooks describe backpropagation differently, as four
# equations about one quantity per neuron, its **error** δ. This notebook shows that the two
# descriptions are the same computation, number for number:
#
# 1. the equations, in Nielsen's notation (BP1–BP4) and in the wiki's (bias as weight $w_0$,
#    the sigmoid's $o(1-o)$);
# 2. the two assumptions backpropagation makes about the cost, each checked on numbers;
# 3. Nielsen's algorithm as five numbered steps, then one example through a small sigmoid
#    network, one step per cell: the engine's `z.grad`, `b.grad`, `w.grad` against BP1, BP2,
#    BP3 and BP4 evaluated by hand in numpy;
# 4. the wiki's worked example (3-bit inputs, 3 hidden sigmoid units, 10,000 steps of
#    gradient descent) trained by the engine and by the matrix equations, ending in the same
#    network;
# 5. `nn.compare_deltas` on a deeper network, and a picture of δ flowing backwards.
#
# *Sources: M. Nielsen, Neural Networks and Deep Learning, ch. 2 (BP1–BP4); the wiki article
# "Backpropagation" (Brilliant) (its notation and worked example); A. Karpathy's micrograd
# lecture (the engine that checks them).*

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

import nn
from micrograd_like import draw_dot, topological_order
from nn import analytic as an

# %% [markdown]
# ## The equations, in two notations
#
# ### Nielsen
# Layers are numbered $l = 1, \dots, L$ with the input as layer 1. For neuron $j$ of layer $l$:
#
# * $w^l_{jk}$ is the weight **into** neuron $j$ of layer $l$ **from** neuron $k$ of layer $l-1$
#   (row $j$, column $k$ of the matrix $w^l$), and $b^l_j$ is its bias;
# * $z^l = w^l a^{l-1} + b^l$ is the weighted input and $a^l = \sigma(z^l)$ the activation;
# * for one training example the cost is $C$, e.g. $C = \tfrac12\lVert y - a^L\rVert^2$;
#   the cost of a data set is the average of the examples' costs;
# * the **error** of a neuron is how much the cost reacts to a nudge of its weighted input,
#   $\delta^l_j \equiv \partial C / \partial z^l_j$.
#
# With $\odot$ the elementwise product:
#
# $$
# \begin{aligned}
# \text{(BP1)}\quad & \delta^L = \nabla_a C \odot \sigma'(z^L)
#   && \text{error at the output}\\
# \text{(BP2)}\quad & \delta^l = \big((w^{l+1})^{\mathsf T}\, \delta^{l+1}\big) \odot \sigma'(z^l)
#   && \text{error handed one layer back}\\
# \text{(BP3)}\quad & \partial C / \partial b^l_j = \delta^l_j
#   && \text{bias gradient}\\
# \text{(BP4)}\quad & \partial C / \partial w^l_{jk} = a^{l-1}_k\, \delta^l_j
#   \quad\text{i.e.}\quad \partial C/\partial w^l = \delta^l (a^{l-1})^{\mathsf T}
#   && \text{weight gradient}
# \end{aligned}
# $$
#
# BP2 is the only step that goes backwards: the transpose sends each neuron's error back
# along the same weights that carried its inputs forward.
#
# ### The wiki
# The wiki counts layers $k = 0$ (input) to $m$ (output) and names things differently:
#
# | wiki | meaning | Nielsen |
# |---|---|---|
# | $a^k_j$ ("activation": product sum plus bias) | weighted input | $z^l_j$ |
# | $o^k_j$ (output of the node) | activation | $a^l_j$ |
# | $w^k_{ij}$, **from** node $i$ **to** node $j$ | a weight | $w^l_{ji}$ (transposed) |
# | $w^k_{0j}$, times a fixed output $o^{k-1}_0 = 1$ | the bias | $b^l_j$ |
# | $E = \frac{1}{2N}\sum_d (\hat y_d - y_d)^2$ | quadratic cost | $C$ |
# | $\delta^k_j = \partial E / \partial a^k_j$ | error | $\delta^l_j$ |
#
# Folding the bias in as weight 0 on an input that is always 1 makes the weighted input one
# sum, $a^k_j = \sum_{i=0}^{r_{k-1}} w^k_{ij}\, o^{k-1}_i$, so a layer is a single matrix of
# shape $(r_{k-1}+1) \times r_k$ whose first row holds the biases.
#
# With sigmoid hidden units $g = \sigma$ and an identity output $g_o(x) = x$, the derivatives
# need nothing but the forward outputs: $\sigma'(a) = \sigma(a)(1-\sigma(a)) = o(1-o)$ and
# $g_o' = 1$. The δ recurrence becomes
#
# $$
# \delta^m = \hat y - y, \qquad
# \delta^k_j = o^k_j\,(1 - o^k_j) \sum_{l} w^{k+1}_{jl}\, \delta^{k+1}_l, \qquad
# \frac{\partial E_d}{\partial w^k_{ij}} = \delta^k_j\, o^{k-1}_i,
# $$
#
# and the gradient of $E$ is the average of the per-example gradients. These are BP1, BP2
# and BP4 (with BP3 as the case $i = 0$, where $o_0 = 1$), written with the matrix transposed.
#
# ### The same letters, different jobs
# Reading both texts side by side, the letters trip you up more than the ideas: the wiki's
# $k$ is a **layer** where Nielsen's $k$ is a **neuron**, and the wiki's $l$ is a **neuron**
# (of the next layer, in BP2's sum) where Nielsen's $l$ is a **layer**. Index by index:
#
# | index | Nielsen, ch. 2 | the wiki | `nn` (`notation="zero-based"`) |
# |---|---|---|---|
# | layer | $l = 1, \dots, L$; the input is layer 1 | $k = 0, \dots, m$; the input is layer 0 | `mlp.layers[l]`, $l = 0, 1, \dots$; the input is no layer |
# | neuron of this layer | $j$ | $j$ | `neurons[j]`, from 0 |
# | neuron of the layer before | $k$ (in $w^l_{jk}$, $a^{l-1}_k$) | $i$ (in $w^k_{ij}$, $o^{k-1}_i$) | `w[k]`, from 0 |
# | neuron of the layer after (BP2) | none: the matrix $(w^{l+1})^{\mathsf T}$ | $l$ (in $\sum_l w^{k+1}_{jl}\,\delta^{k+1}_l$) | none |
# | order of a weight's indices | to $j$, from $k$: $w^l_{jk}$ | from $i$, to $j$: $w^k_{ij}$ | to, from: `neurons[j].w[k]` |
#
# So Nielsen's $w^3_{12}$ (into neuron 1 of layer 3 from neuron 2 of layer 2) is the wiki's
# $w^2_{21}$ and `mlp.layers[1].neurons[0].w[1]`. The drawings and `compare_deltas` use
# Nielsen's names by default (`z²₁`, `w³₁₂`, `δ²₁`); pass `notation="zero-based"` for
# Python's.
#
# ### Python's indices
# In `nn`, `mlp.layers[l]` for $l = 0, 1, \dots$ is a layer of *neurons*, so `layers[0]` is
# Nielsen's layer 2 and the wiki's layer 1. Neurons and inputs are numbered from 0.
# Below, `weights[l]` and `biases[l]` are Nielsen's $w^{l+2}$ and $b^{l+2}$.

# %%
# One weight, three names: nn.notation is the one place that writes them.
w = nn.MLP(2, [2, 3, 1], seed=0).layers[1].neurons[0].w[1]
print("Nielsen:", nn.notation.w(1, 0, 1), "  zero-based:", nn.notation.w(1, 0, 1, "zero-based"),
      "  label:", w.label)

# %% [markdown]
# ## The two assumptions about the cost
#
# Backpropagation asks two things of the cost function $C$, and the quadratic cost
# $C = \frac{1}{2n}\sum_x \lVert y(x) - a^L(x)\rVert^2$ meets both.
#
# 1. **$C$ is an average over the training examples**, $C = \frac1n \sum_x C_x$, here with
#    $C_x = \tfrac12\lVert y - a^L\rVert^2$. Backpropagation works on one example at a
#    time: it gives $\partial C_x/\partial w$ and $\partial C_x/\partial b$, and the
#    gradient of $C$ is the average of these, because differentiation is linear. So from here
#    on the example $x$ is fixed and $C$ stands for $C_x$.
# 2. **$C$ is a function of the output activations $a^L$**, with the target $y$ a fixed
#    parameter, not something the network can change. This is what gives BP1 its first
#    factor: the vector $\nabla_a C$ of the partial derivatives $\partial C/\partial a^L_j$,
#    for the quadratic cost $a^L - y$.
#
# Both, on numbers. The engine's gradient of the averaged cost over three examples is the
# average of three one-example gradients computed by `nn.analytic.backprop` (numpy, one
# example at a time); and after `backward()` the grad stored on each output activation node
# is $\partial C/\partial a^L_j = a^L_j - y_j$.

# %%
net = nn.MLP(2, [3, 2], activation="sigmoid", output_activation="sigmoid", seed=4)
batch_x = [[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]]
batch_y = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
C_avg = nn.quadratic([net(row) for row in batch_x], batch_y)   # 1/n Σₓ Cₓ, n = 3
C_avg.backward()
net_w, net_b = net.to_matrices()
per_example = [an.backprop(net_w, net_b, xi, yi, "quadratic", "sigmoid", "sigmoid")
               for xi, yi in zip(batch_x, batch_y)]           # (∂Cₓ/∂b, ∂Cₓ/∂w, δ) per x
for l, layer in enumerate(net.layers):
    mean_w = np.mean([g[1][l] for g in per_example], axis=0)  # 1/n Σₓ ∂Cₓ/∂w
    engine_w = np.array([[w.grad for w in n.w] for n in layer.neurons])
    print(f"layers[{l}]: largest |∂C/∂w − mean of ∂Cₓ/∂w| = "
          f"{np.max(np.abs(engine_w - mean_w)):.1e}")
    assert np.allclose(engine_w, mean_w, rtol=0, atol=1e-12)

t1 = net.trace(batch_x[0])
C_1 = nn.quadratic([t1.outputs], [batch_y[0]])              # one example's C
C_1.backward()
grad_a_engine = [a.grad for a in t1.outputs]
a_L = np.array([a.data for a in t1.outputs])
print("∂C/∂aᴸ on the output nodes:", np.round(grad_a_engine, 10),
      "  aᴸ − y:", np.round(a_L - batch_y[0], 10))
assert np.allclose(grad_a_engine, a_L - batch_y[0], rtol=0, atol=1e-15)

# %% [markdown]
# ## The algorithm, as five steps
#
# Nielsen states backpropagation for one training example $x$ as five steps. The cells of
# the next section carry them out one at a time, and `nn.analytic.backprop` (numpy) does the
# same in a dozen lines; the right-hand column says where each step is.
#
# | step | what it computes | in the cells below |
# |---|---|---|
# | 1 · input $x$ | set the input layer's activation $a^1 = x$ | `activations = [np.array(x)]` |
# | 2 · feedforward | for $l = 2, 3, \dots, L$: $z^l = w^l a^{l-1} + b^l$ and $a^l = \sigma(z^l)$ | the loop over `zip(weights, biases)` |
# | 3 · output error | $\delta^L = \nabla_a C \odot \sigma'(z^L)$ (BP1) | `delta[out] = grad_a * sigma_prime_L` |
# | 4 · backpropagate the error | for $l = L-1, L-2, \dots, 2$: $\delta^l = ((w^{l+1})^{\mathsf T} \delta^{l+1}) \odot \sigma'(z^l)$ (BP2) | the loop `for l in range(out - 1, -1, -1)` |
# | 5 · output the gradient | $\partial C/\partial b^l_j = \delta^l_j$ (BP3), $\partial C/\partial w^l_{jk} = a^{l-1}_k \delta^l_j$ (BP4) | `nabla_b`, `nabla_w` |
#
# Step 4 is the one that runs backwards, from the last layer to the first, and gives the
# algorithm its name. Training repeats the five steps for each example $x$ of a mini-batch of
# $m$ examples, then moves every parameter against the averaged gradient (assumption 1):
# $w^l \to w^l - \frac{\eta}{m} \sum_x \delta^{x,l} (a^{x,l-1})^{\mathsf T}$ and
# $b^l \to b^l - \frac{\eta}{m} \sum_x \delta^{x,l}$ for each layer $l$. That is what
# `nn.fit` does (notebooks 04 and 07); `tests/test_nielsen.py` checks it against exactly this
# loop written in numpy.
#
# ## One example, one step at a time
#
# A 3 → 4 → 3 → 2 network with sigmoid neurons everywhere (a sigmoid output layer too, so
# that BP1 has a $\sigma'$ in it), one input and the quadratic cost
# $C = \tfrac12\lVert a^L - y\rVert^2$. `mlp.trace(x)` runs the forward pass and keeps every
# $z$ node; `C.backward()` fills in every gradient.

# %%
mlp = nn.MLP(3, [4, 3, 2], activation="sigmoid", output_activation="sigmoid", seed=7)
x = [0.5, -1.2, 2.0]
y = [1.0, 0.0]

t = mlp.trace(x)
C = nn.quadratic([t.outputs], [y])   # one example: ½ ‖a − y‖²
C.backward()
print(mlp)
print(f"C = {C.data:.12f}")

# what the engine found, as arrays (layer l = mlp.layers[l])
engine_delta = [np.array([z.grad for z in layer]) for layer in t.zs]
engine_b_grad = [np.array([n.b.grad for n in layer.neurons]) for layer in mlp.layers]
engine_w_grad = [np.array([[w.grad for w in n.w] for n in layer.neurons]) for layer in mlp.layers]

# %% [markdown]
# Now the same thing with matrices only. First the forward pass, $z^l = w^l a^{l-1} + b^l$ and
# $a^l = \sigma(z^l)$, from the network's own parameters in Nielsen's layout. Its numbers must
# match the values stored in the engine's z nodes.

# %%
weights, biases = mlp.to_matrices()          # weights[l]: (n_l, n_{l-1}), biases[l]: (n_l,)
print("shapes:", [w.shape for w in weights])

activations = [np.array(x)]                  # step 1: a¹ = x (activations[0])
zs = []
for w, b in zip(weights, biases):            # step 2: feedforward, l = 2, ..., L
    z = w @ activations[-1] + b
    zs.append(z)
    activations.append(an.sigmoid(z))

for l, z in enumerate(zs):
    from_engine = np.array([v.data for v in t.zs[l]])
    assert np.allclose(z, from_engine, rtol=0, atol=1e-12)
print("numpy z⁽ˡ⁾ equal the engine's z nodes in every layer")

# %% [markdown]
# ### BP1: the output layer's error
# For $C = \tfrac12 \sum_j (a^L_j - y_j)^2$ the gradient with respect to the outputs is
# $\nabla_a C = a^L - y$, and $\sigma'(z^L) = a^L(1 - a^L)$, the wiki's $o(1-o)$.

# %%
SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")   # layer numbers as superscripts
L = len(weights) + 1                         # Nielsen's L: the input is layer 1, so L = 4
out = len(weights) - 1                       # the output layer's place in the lists (= L − 2)
grad_a = activations[-1] - np.array(y)       # ∇ₐC
sigma_prime_L = activations[-1] * (1 - activations[-1])
delta = [None] * len(weights)
delta[out] = grad_a * sigma_prime_L          # step 3: BP1

print(f"BP1   δᴸ = δ{str(L).translate(SUP)} =", delta[out])
print("engine      =", engine_delta[out])
assert np.allclose(delta[out], engine_delta[out], rtol=0, atol=1e-12)

# %% [markdown]
# ### BP2: hand the error back, layer by layer
# $\delta^l = ((w^{l+1})^{\mathsf T} \delta^{l+1}) \odot \sigma'(z^l)$. Each hidden neuron
# collects the errors of the neurons it feeds, weighted by the connecting weights, and
# scales the sum by its own slope $\sigma'(z^l_j) = a^l_j(1 - a^l_j)$.

# %%
for l in range(out - 1, -1, -1):             # step 4: Nielsen's layers L − 1, ..., 2
    a_l = activations[l + 1]                 # activations[l + 1] belongs to layers[l]
    delta[l] = (weights[l + 1].T @ delta[l + 1]) * (a_l * (1 - a_l))   # BP2
    print(f"BP2   δ{str(l + 2).translate(SUP)} (layers[{l}]) =", delta[l])
    print("      engine           =", engine_delta[l])
    assert np.allclose(delta[l], engine_delta[l], rtol=0, atol=1e-12)

# %% [markdown]
# ### BP3: the bias gradient is the error
# $\partial C/\partial b^l_j = \delta^l_j$: a bias enters $z$ with coefficient 1, so nudging
# it is nudging $z$.

# %%
nabla_b = [d.copy() for d in delta]          # step 5: BP3
for l in range(len(weights)):
    print(f"layers[{l}]  ∂C/∂b = {nabla_b[l]}")
    assert np.allclose(nabla_b[l], engine_b_grad[l], rtol=0, atol=1e-12)
print("BP3 agrees with every b.grad")

# %% [markdown]
# ### BP4: the weight gradient is error × incoming activation
# $\partial C/\partial w^l_{jk} = a^{l-1}_k\,\delta^l_j$, for the whole matrix the outer
# product $\delta^l (a^{l-1})^{\mathsf T}$, of shape $(n_l, n_{l-1})$ like $w^l$. A weight
# learns only as fast as the activation on its input: an input of 0 leaves it unchanged.

# %%
nabla_w = [np.outer(delta[l], activations[l]) for l in range(len(weights))]   # step 5: BP4
for l in range(len(weights)):
    worst = np.max(np.abs(nabla_w[l] - engine_w_grad[l]))
    print(f"layers[{l}]  ∂C/∂w shape {nabla_w[l].shape}, largest |BP4 − w.grad| = {worst:.1e}")
    assert np.allclose(nabla_w[l], engine_w_grad[l], rtol=0, atol=1e-12)
print("BP4 agrees with every w.grad")

# %% [markdown]
# The engine never saw these equations. It computed each $z$ node's grad by summing
# (local derivative × grad) over the nodes that use it, which for a layer of neurons is
# exactly the sum $\sum_j w^{l+1}_{jk}\delta^{l+1}_j$ of BP2, then multiplied by the local
# derivative of the activation, $\sigma'(z)$. The equations are that chain rule, organised by
# layer.

# %% [markdown]
# ## The wiki's worked example
#
# Six 3-bit inputs, one target each, a 3 → 3 → 1 network with sigmoid hidden units and an
# identity output, full-batch gradient descent on $E = \frac1{2N}\sum_d(\hat y_d - y_d)^2$ with
# $\alpha = 0.1$ for 10,000 steps. The starting weights are the ones the wiki's code draws
# (numpy's legacy generator seeded with 1; `nn.datasets` draws them from a private generator,
# so numpy's global state is not touched), in the wiki's layout: one matrix per layer,
# bias row first.

# %%
X, Y = nn.datasets.wiki_3bit()
hidden_weights, output_weights = nn.datasets.wiki_initial_weights()
print("X =\n", X, "\nY =", Y.ravel())
print("hidden_weights", hidden_weights.shape, " output_weights", output_weights.shape)
print(np.round(hidden_weights, 4))

# %% [markdown]
# `MLP.from_augmented` reads that layout: row 0 of each matrix becomes the biases, and the
# rest is transposed into Nielsen's $w^l$ (the wiki's weight from node $i$ to node $j$ sits in
# row $i$, column $j$; Nielsen's in row $j$, column $i$).

# %%
wiki_net = nn.MLP.from_augmented([hidden_weights, output_weights], "sigmoid", "linear")
w0, b0 = wiki_net.to_matrices()
print(wiki_net)
assert np.array_equal(b0[0], hidden_weights[0]) and np.array_equal(w0[0], hidden_weights[1:].T)
assert np.array_equal(b0[1], output_weights[0]) and np.array_equal(w0[1], output_weights[1:].T)
print("biases = first rows, weights = the other rows transposed")

# %% [markdown]
# ### The first gradient, the wiki's way
# Before training, one gradient in the wiki's own form, written with the augmented matrices:
# prepend a column of ones to the inputs and to the hidden outputs (the fixed $o_0 = 1$),
# propagate, take $\delta^m = \hat y - y$ and $\delta^1 = o(1-o) \odot (\delta^m\,
# W_{\text{out}}^{\mathsf T})$ without the bias row, and average $\delta_j\,o_i$ over the six
# examples. Rows are examples here.

# %%
N = len(X)
ones = np.ones((N, 1))
o0 = np.hstack([ones, X])                                   # (6, 4): o₀ = 1, then the bits
o1 = np.hstack([ones, an.sigmoid(o0 @ hidden_weights)])     # (6, 4): 1, then 3 hidden outputs
y_hat = o1 @ output_weights                                 # (6, 1): identity output

delta_out = y_hat - Y                                       # δᵐ = ŷ − y
delta_hidden = o1[:, 1:] * (1 - o1[:, 1:]) * (delta_out @ output_weights[1:].T)  # (6, 3)
grad_hidden = o0.T @ delta_hidden / N                       # mean over d of o⁰ᵢ δ¹ⱼ, (4, 3)
grad_output = o1.T @ delta_out / N                          # (4, 1)

# the engine, on the same batch and cost
wiki_net.zero_grad()
E = nn.quadratic([wiki_net(row) for row in X.tolist()], Y.tolist())
E.backward()
engine_w = [np.array([[w.grad for w in n.w] for n in layer.neurons]) for layer in wiki_net.layers]
engine_b = [np.array([n.b.grad for n in layer.neurons]) for layer in wiki_net.layers]
engine_aug = an.to_augmented(engine_w, engine_b)            # back to bias-row-first layout

print(f"E before training = {E.data:.6f}   (one step's graph: {len(topological_order(E))} nodes)")
print("∂E/∂W_hidden, wiki form:\n", np.round(grad_hidden, 6))
for mine, engine, library in zip([grad_hidden, grad_output], engine_aug,
                                 an.wiki_gradient([hidden_weights, output_weights], X, Y)):
    assert np.allclose(mine, engine, rtol=0, atol=1e-12)
    assert np.allclose(mine, library, rtol=0, atol=1e-12)
print("the wiki-form gradient equals the engine's and nn.analytic.wiki_gradient's")

# %% [markdown]
# ### 10,000 steps, twice
# Once with the scalar engine, through `nn.fit`: each epoch builds the graph of all six
# examples, calls `backward()` and updates every parameter by $-\alpha\,\partial E/\partial
# \theta$ (full batch, no shuffling, plain SGD; the graph printed above, rebuilt 10,000 times).
# Once with `nn.analytic.gradient_descent`, which applies BP1–BP4 to the whole batch as
# matrices. Both start from the wiki's weights.

# %%
engine_net = nn.MLP.from_augmented([hidden_weights, output_weights], "sigmoid", "linear")
start = time.perf_counter()
history = nn.fit(engine_net, X, Y, loss="quadratic", lr=0.1, epochs=10_000,
                 shuffle=False, progress=False)
engine_seconds = time.perf_counter() - start

weights0, biases0 = an.from_augmented([hidden_weights, output_weights])
start = time.perf_counter()
weights_gd, biases_gd = an.gradient_descent(weights0, biases0, X, Y, 0.1, 10_000,
                                            "quadratic", "sigmoid", "linear")
numpy_seconds = time.perf_counter() - start

engine_out = np.array([[a.data for a in engine_net(row)] for row in X.tolist()])
numpy_out = an.forward_batch(weights_gd, biases_gd, X, "sigmoid", "linear")[1][-1]
gap = np.max(np.abs(engine_out - numpy_out))
print(f"scalar engine: {engine_seconds:.1f} s    numpy matrices: {numpy_seconds:.1f} s")
print(f"largest |engine output − numpy output| after 10,000 steps: {gap:.1e}")
assert gap < 1e-9

final_w, _ = engine_net.to_matrices()
weight_gap = max(np.max(np.abs(a - b)) for a, b in zip(final_w, weights_gd))
print(f"largest difference between the trained weights: {weight_gap:.1e}")
assert weight_gap < 1e-9

# %% [markdown]
# Two implementations that share no code took 10,000 steps through a non-convex landscape
# and ended at the same point, to within the gaps printed above: the rounding of two
# different summation orders, not amplified by the descent.
#
# ### What the network learnt
# (The wiki prints the outputs of its last forward pass, computed just before the final
# update; these are the outputs after it. That last step moves them by less than 2·10⁻⁶.)

# %%
print(" x₁ x₂ x₃ │ target │ engine output │ numpy output │ rounded")
print("──────────┼────────┼───────────────┼──────────────┼────────")
for bits, target, e_out, n_out in zip(X, Y[:, 0], engine_out[:, 0], numpy_out[:, 0]):
    print(f" {bits[0]:.0f}  {bits[1]:.0f}  {bits[2]:.0f}  │ {target:6.0f} │ {e_out:13.8f} │"
          f" {n_out:12.8f} │ {round(e_out):4d}")
assert np.array_equal(np.round(engine_out), Y)
print(f"\nfinal E = {history.loss[-1]:.3e}")

# %%
fig, ax = plt.subplots(figsize=(6, 3.2))
ax.semilogy(np.arange(1, len(history.loss) + 1), history.loss, label="E")
E_constant = np.mean((Y.mean() - Y) ** 2) / 2          # the best constant guess, ŷ = ȳ
ax.axhline(E_constant, color="k", linestyle="--", linewidth=1, label="E of ŷ = ȳ")
ax.legend()
ax.set_xlabel("gradient-descent step")
ax.set_ylabel("E (log scale)")
ax.set_title("The wiki's example, trained by the scalar engine")
ax.grid(alpha=0.3, which="both")
plt.show()

# %% [markdown]
# E drops within a few dozen steps to about the dashed line, the error of answering the mean
# target $\bar y = \tfrac12$ for every input; then it creeps for thousands of steps, until
# the hidden units have become different enough from each other to separate the six inputs
# (a plateau like this usually means they are still too much alike), and only then falls
# steadily.

# %% [markdown]
# ## A deeper network: `nn.compare_deltas`
# `compare_deltas(mlp, x, y, cost)` runs both sides on one example and reports, layer by
# layer, the largest difference between the engine's δ, ∂C/∂b, ∂C/∂w and the equations'
# (from `nn.analytic.backprop`). Here a 4 → 6 → 5 → 3 → 2 network with tanh hidden layers,
# a sigmoid output and the cross-entropy cost, for which BP1 simplifies: with a sigmoid
# output, $\nabla_a C \odot \sigma'(z^L) = \frac{a - y}{a(1-a)}\, a(1-a) = a - y$.

# %%
deep = nn.MLP(4, [6, 5, 3, 2], activation="tanh", output_activation="sigmoid", seed=11)
x_deep = [0.3, -0.8, 1.5, 0.1]
y_deep = [1.0, 0.0]
report = nn.compare_deltas(deep, x_deep, y_deep, cost="cross_entropy")
assert report.max_abs_diff < 1e-12
out = np.array([[v.data for v in deep(x_deep)]])[0]
assert np.allclose(report.layers[-1].analytic_delta, out - np.array(y_deep), atol=1e-12)
report

# %% [markdown]
# The same network under the quadratic cost, as plain text (`str(report)`), and then every
# equation written out with its numbers (`report.explain()`; the command line prints the
# same with `micrograd-like deltas --explain`), here for a small network so it fits:

# %%
report_q = nn.compare_deltas(deep, x_deep, y_deep, cost="quadratic")
assert report_q.max_abs_diff < 1e-12
print(report_q)
print()
print(nn.compare_deltas(nn.MLP(2, [2, 1], seed=3), [0.5, -1.0], [1.0]).explain())

# %% [markdown]
# ## δ flowing backwards, pictured
# A 2 → 3 → 2 → 1 network after `C.backward()`: sigmoid hidden neurons and one linear
# output neuron ($a = z$, so $\sigma'$ is replaced by 1 in BP1). Each neuron is collapsed
# into one box showing $z$, $\delta$, $a$ and the grad of $a$. Read right to left: the output
# δ is $a - y$; each box to its left holds BP2's weighted sum of the δ to its right, times
# its own $\sigma'(z)$.

# %%
small = nn.MLP(2, [3, 2, 1], activation="sigmoid", seed=2)
ts = small.trace([1.0, -0.5])
C_small = nn.quadratic([ts.outputs], [[1.0]])
C_small.backward()
assert ts.deltas()[-1][0] == ts.outputs[0].data - 1.0     # BP1, identity output
draw_dot(C_small, collapse=True, number_format=".4f", color_by_grad=True)

# %% [markdown]
# ## What to take away
# * δ is not an extra idea on top of the chain rule: it is the gradient the engine already
#   leaves on each neuron's weighted-input node, $\delta^l_j$ = `z.grad`.
# * BP1 starts it at the output, BP2 passes it back through $(w^{l+1})^{\mathsf T}$ and
#   $\sigma'$, and BP3/BP4 read the parameter gradients off it: $\delta$ itself for a bias,
#   $\delta$ times the incoming activation for a weight.
# * The wiki's form is the same algorithm with the bias as weight 0 on a constant input,
#   transposed weight matrices, and the sigmoid's derivative written as $o(1-o)$.
# * Scalars and matrices ran the wiki's 10,000 steps to the same network. Notebook 06 takes
#   the matrix view one step further, to tensors.
