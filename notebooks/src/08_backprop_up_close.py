# %% [markdown]
# # 08 · Backpropagation up close: the demon, the proof, the speed, the saturation
#
# *Sources: M. Nielsen, Neural Networks and Deep Learning, ch. 2, "How the backpropagation
# algorithm works" (the demon, the proof of the four equations, "in what sense is
# backpropagation a fast algorithm?"); the wiki article "Backpropagation" (Brilliant);
# A. Karpathy's micrograd lecture, "The spelled-out intro to neural networks and
# backpropagation".*
#
# Notebook 03 showed that the engine's `z.grad` *is* the δ of BP1–BP4. This one asks why the
# equations hold and why they matter:
#
# 1. **the demon**: nudge one weighted input $z^l_j$ in the forward pass and the cost moves by
#    $\approx \delta^l_j\,\Delta z$, for every neuron of a small network;
# 2. **the proof** of BP1 and BP2 by the chain rule, read off the drawn graph;
# 3. **the speed**: the numerical gradient needs two forward passes per parameter, backprop
#    one backward pass for all of them, timed as the network grows;
# 4. **saturation**: δ shrinking layer by layer through a deep sigmoid network, and what
#    tanh and relu change.
#
# Indices are Nielsen's: the input is layer 1, so `mlp.layers[0]` is layer 2 (`nn.notation`
# writes the names).

# %%
# %matplotlib inline
import time

import matplotlib.pyplot as plt
import numpy as np

import nn
from micrograd_like import draw_dot, no_grad
from nn import analytic as an
from nn import notation

# %% [markdown]
# ## 1 · The demon
#
# Nielsen imagines a demon sitting in neuron $j$ of layer $l$. When an input arrives, the
# demon adds $\Delta z$ to the neuron's weighted input, so the neuron outputs
# $\sigma(z^l_j + \Delta z)$ instead of $\sigma(z^l_j)$, and the change travels on through the
# later layers to the cost. To first order the cost changes by
#
# $$ \Delta C \approx \frac{\partial C}{\partial z^l_j}\,\Delta z = \delta^l_j\,\Delta z .$$
#
# That is why $\delta^l_j$ is called the neuron's **error**: a large $|\delta^l_j|$ means the
# demon can lower the cost a lot by pushing $z^l_j$ against the sign of $\delta^l_j$; a
# $\delta^l_j$ near 0 means the neuron is already close to optimal for this example.
#
# The nudge is easy to make exactly: $z^l_j = \sum_k w^l_{jk} a^{l-1}_k + b^l_j$, so adding
# $\Delta z$ to the bias $b^l_j$ adds exactly $\Delta z$ to $z^l_j$ and to nothing else. (The
# same observation, $\partial z^l_j/\partial b^l_j = 1$, is BP3.)
#
# A 2 → 3 → 3 → 2 sigmoid network, one example, $C = \frac12 \lVert a^L - y\rVert^2$:

# %%
mlp = nn.MLP(2, [3, 3, 2], activation="sigmoid", output_activation="sigmoid", seed=3)
x, y = [0.7, -1.1], [1.0, 0.0]


def cost() -> float:
    with no_grad():
        return nn.quadratic([mlp(x)], [y]).data


t = mlp.trace(x)
C = nn.quadratic([t.outputs], [y])
C.backward()
deltas = t.deltas()  # δˡⱼ = zˡⱼ.grad, from the one backward pass
C0 = cost()
print(mlp, f"\nC = {C0:.10f}")

# %% [markdown]
# For every neuron, the demon nudges by $\Delta z = 10^{-4}$ and we record
# $\Delta C/\Delta z$; the last column is how far that is from $\delta^l_j$ (it shrinks in
# proportion to $\Delta z$: the neglected term is $\tfrac12 \tfrac{\partial^2 C}{\partial z^2}
# \Delta z$).

# %%
dz = 1e-4
print(f"{'neuron':>7} {'z':>10} {'ΔC/Δz':>14} {'δ = z.grad':>14} {'difference':>11}")
for l, layer in enumerate(mlp.layers):
    for j, neuron in enumerate(layer.neurons):
        neuron.b.data += dz  # the demon: z ↦ z + Δz for this neuron only
        ratio = (cost() - C0) / dz
        neuron.b.data -= dz
        d = deltas[l][j]
        print(f"{notation.z(l, j):>7} {t.zs[l][j].data:>10.5f} {ratio:>14.8f} {d:>14.8f} "
              f"{ratio - d:>11.1e}")

# %% [markdown]
# In every row the two columns differ by less than $10^{-5}$: the δ that one backward pass found for all
# eight neurons are the eight sensitivities the demon measures one neuron at a time. The
# output layer's δ are the largest here; each step back multiplies by a weight and by
# $\sigma' \le \tfrac14$ (section 4).
#
# ## 2 · BP1 and BP2 by the chain rule, on the graph
#
# A 2 → 2 → 1 sigmoid network is small enough to draw whole. Its graph is the proof: the
# chain rule says that $\partial C/\partial v$ is the sum, over every path from $v$ to $C$,
# of the product of the local derivatives along the path.

# %%
small = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=5)
ts = small.trace([0.5, -0.4])
Cs = nn.quadratic([ts.outputs], [[1.0]])
Cs.backward()
draw_dot(Cs, show_local_grads=True, number_format=".3f")

# %% [markdown]
# **BP1.** The output activation $a^L_j = \sigma(z^L_j)$ depends on $z^L_j$ alone, so only one
# path leaves $z^L_j$: through $a^L_j$ to $C$. Its product is
#
# $$ \delta^L_j = \frac{\partial C}{\partial z^L_j}
#    = \frac{\partial C}{\partial a^L_j}\,\frac{\partial a^L_j}{\partial z^L_j}
#    = \frac{\partial C}{\partial a^L_j}\,\sigma'(z^L_j). $$
#
# In the drawing: the edge from $z^3_1$ into the σ node carries $\sigma'(z^3_1)$, and the grad
# of $a^3_1$ is $\partial C/\partial a^3_1 = a^3_1 - y$.
#
# **BP2.** $z^l_j$ reaches the cost only through $a^l_j$, and $a^l_j$ only through the
# weighted inputs $z^{l+1}_k$ of the next layer (one path per neuron $k$). Summing over the
# paths,
#
# $$ \delta^l_j = \sum_k \frac{\partial C}{\partial z^{l+1}_k}\,
#    \frac{\partial z^{l+1}_k}{\partial a^l_j}\, \frac{\partial a^l_j}{\partial z^l_j}
#    = \sum_k \delta^{l+1}_k\, w^{l+1}_{kj}\, \sigma'(z^l_j), $$
#
# because $z^{l+1}_k = \sum_j w^{l+1}_{kj} a^l_j + b^{l+1}_k$ has local derivative
# $w^{l+1}_{kj}$ with respect to $a^l_j$. That is $\delta^l = ((w^{l+1})^{\mathsf T}\delta^{l+1})
# \odot \sigma'(z^l)$, written one entry at a time.
#
# The same products, read from the local derivatives the graph stores on its edges
# (`node.local_grads`, one per parent):

# %%
z3 = ts.zs[1][0]
a3 = ts.outputs[0]
print(f"BP1: ∂C/∂a³₁ · σ′(z³₁) = {a3.grad:.8f} · {a3.local_grads[0]:.8f} "
      f"= {a3.grad * a3.local_grads[0]:.8f};  δ³₁ = z.grad = {z3.grad:.8f}")
for j in range(2):
    z2, a2 = ts.zs[0][j], ts.activations[0][j]
    w = z3.local_grads[z3.parents.index(a2)]  # ∂z³₁/∂a²ⱼ = w³₁ⱼ
    s = a2.local_grads[0]  # ∂a²ⱼ/∂z²ⱼ = σ′(z²ⱼ)
    print(f"BP2: δ³₁ · w³₁{'₁₂'[j]} · σ′(z²{'₁₂'[j]}) = {z3.grad:.6f} · {w:.6f} · {s:.6f} "
          f"= {z3.grad * w * s:.8f};  {notation.delta(0, j)} = z.grad = {z2.grad:.8f}")

# %% [markdown]
# BP3 and BP4 follow the same way, one edge further: $\partial z^l_j/\partial b^l_j = 1$ and
# $\partial z^l_j/\partial w^l_{jk} = a^{l-1}_k$, each a single path.
#
# ## 3 · Why backpropagation is fast
#
# Before backpropagation, the obvious way to get $\partial C/\partial w$ for every parameter
# was to nudge each one: $\partial C/\partial p \approx (C(p + \varepsilon) - C(p -
# \varepsilon))/2\varepsilon$. That is **two forward passes per parameter**. A forward pass
# costs about one multiply-add per weight, so with $P$ parameters the numerical gradient costs
# $\approx 2P$ forward passes $= O(P^2)$ operations.
#
# Backpropagation computes all $P$ derivatives with **one** forward and **one** backward pass.
# The backward pass visits every edge of the graph once, multiplying a stored local
# derivative by a gradient: a constant number of operations per edge, like the forward pass.
# So the whole gradient costs $O(P)$: a fixed small multiple of evaluating the network once.
# The ratio between the two methods grows like $P$ itself.
#
# Timed on networks 4 → n → n → 1 (tanh) as n grows, one example:

# %%
def numerical_gradient(net, x, y, eps=1e-6):
    """∂C/∂p for every parameter p by central differences: two forward passes per p."""
    grads = []
    with no_grad():
        for p in net.parameters():
            p.data += eps
            up = nn.quadratic([net(x)], [y]).data
            p.data -= 2 * eps
            down = nn.quadratic([net(x)], [y]).data
            p.data += eps
            grads.append((up - down) / (2 * eps))
    return grads


def backprop_gradient(net, x, y):
    """∂C/∂p for every parameter p: one forward pass, one backward pass."""
    net.zero_grad()
    nn.quadratic([net(x)], [y]).backward()
    return [p.grad for p in net.parameters()]


widths = [2, 4, 8, 16, 24, 32]
sizes, t_numeric, t_backprop = [], [], []
x4, y1 = [0.3, -0.8, 0.5, 0.1], [0.25]
for n in widths:
    net = nn.MLP(4, [n, n, 1], activation="tanh", seed=n)
    start = time.perf_counter()
    g_num = numerical_gradient(net, x4, y1)
    t_numeric.append(time.perf_counter() - start)
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        g_bp = backprop_gradient(net, x4, y1)
        runs.append(time.perf_counter() - start)
    t_backprop.append(min(runs))  # the least disturbed of five runs
    sizes.append(net.num_parameters())
    assert np.allclose(g_num, g_bp, rtol=1e-5, atol=1e-8)  # the same gradient
    print(f"n = {n:>2}: P = {sizes[-1]:>5}, numerical {t_numeric[-1] * 1e3:8.1f} ms, "
          f"backprop {t_backprop[-1] * 1e3:6.2f} ms, ratio {t_numeric[-1] / t_backprop[-1]:6.0f}")

# %%
P, ratio = np.array(sizes), np.array(t_numeric) / np.array(t_backprop)
slope_num = np.polyfit(np.log(P[-3:]), np.log(t_numeric[-3:]), 1)[0]
slope_bp = np.polyfit(np.log(P[-3:]), np.log(t_backprop[-3:]), 1)[0]
fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4))
ax.loglog(P, t_numeric, "o-", label="numerical: 2P forward passes")
ax.loglog(P, t_backprop, "s-", label="backprop: 1 forward + 1 backward")
ax.set_xlabel("number of parameters P")
ax.set_ylabel("time for the whole gradient (s)")
ax.set_title("Cost of ∂C/∂p for every parameter")
ax.legend()
ax2.loglog(P, ratio, "o-", label="numerical time / backprop time")
ax2.loglog(P, P, "k--", label="P")
ax2.set_xlabel("number of parameters P")
ax2.set_title("How many times faster backprop is")
ax2.legend()
plt.show()
print(f"slopes over the three largest networks: numerical {slope_num:.2f}, "
      f"backprop {slope_bp:.2f} (the asymptotic values are 2 and 1)")

# %% [markdown]
# On a log-log plot a cost $\propto P^k$ is a line of slope $k$. The numerical curve is the
# steeper one, and the right panel shows the speed-up growing with $P$, close to the dashed
# line $P$ that the counting argument predicts. The measured slopes fall short of 2 and 1 at
# these sizes: every Python call has a fixed cost that does not grow with the network, and
# timings on a busy machine are noisy (rerun the cell to see the spread). For a network with
# a million weights the numerical gradient would need two million forward passes per
# training step; backpropagation needs the work of about two.
#
# ## 4 · Saturation: δ shrinking layer by layer
#
# BP2 multiplies the error by $\sigma'(z^l)$ at every step back. For the sigmoid,
# $\sigma'(z) = \sigma(z)(1-\sigma(z)) \le \tfrac14$, with equality only at $z = 0$, and it is
# tiny when $|z|$ is large (the neuron is **saturated**). With weights of size about 1, each
# layer back roughly multiplies $|\delta|$ by a factor below $\tfrac14 \lVert w\rVert$, so in a
# deep sigmoid network the first layers receive errors many times smaller than the last, and
# by BP3/BP4 their weights learn that much more slowly.
#
# tanh has $\tanh'(z) = 1 - \tanh^2 z \le 1$ (equal to 1 at $z = 0$), so it loses less per
# layer; relu has $\text{relu}'(z) \in \{0, 1\}$: an active neuron passes δ on unscaled, an
# inactive one stops it entirely.
#
# Ten layers of 8 neurons (same initialisation, weights uniform in $(-1, 1)$), a linear
# output, the mean $|\delta^l_j|$ of each layer averaged over 20 random inputs:

# %%
depth, width = 10, 8
rng = np.random.default_rng(0)
inputs = rng.uniform(-1, 1, size=(20, width))
mean_abs_delta = {}
for act in ("sigmoid", "tanh", "relu"):
    deep = nn.MLP(width, [width] * depth + [1], activation=act, seed=11)
    per_layer = np.zeros(depth + 1)
    for xi in inputs:
        tr = deep.trace(list(xi))
        nn.quadratic([tr.outputs], [[1.0]]).backward()
        per_layer += [np.mean(np.abs(d)) for d in tr.deltas()]
    mean_abs_delta[act] = per_layer / len(inputs)

layers = np.arange(2, depth + 3)  # Nielsen's numbers: layer 2 is the first of neurons
fig, ax = plt.subplots(figsize=(6, 4))
for act, values in mean_abs_delta.items():
    ax.semilogy(layers, values, "o-", label=act)
ax.set_xlabel("layer l (Nielsen: input = 1, output = 12)")
ax.set_ylabel("mean |δˡⱼ| over neurons and inputs")
ax.set_title("Error reaching each layer of a 10-hidden-layer network")
ax.legend()
plt.show()
for act, values in mean_abs_delta.items():
    print(f"{act:>7}: mean |δ| at the output {values[-1]:.2e}, at layer 2 {values[0]:.2e}, "
          f"ratio {values[-1] / values[0]:.1e}")

# %% [markdown]
# The sigmoid network's first layer receives an error several orders of magnitude smaller
# than its last: the vanishing gradient. tanh loses much less, and relu, whose active
# neurons pass δ through unscaled, keeps it within an order of magnitude or so here (its
# weights alone decide). Nielsen's chapter 5 takes this further; the cure in practice
# combines such activations with an initialisation that keeps $\lVert w\rVert\,\sigma'$ near 1.
#
# As a check of the numbers in the plot, `nn.analytic` (the numpy BP1–BP4, independent of the
# engine) gives the same δ for the sigmoid network and the last input:

# %%
deep = nn.MLP(width, [width] * depth + [1], activation="sigmoid", seed=11)
tr = deep.trace(list(inputs[-1]))
nn.quadratic([tr.outputs], [[1.0]]).backward()
ws, bs = deep.to_matrices()
_, _, numpy_deltas = an.backprop(ws, bs, inputs[-1], [1.0], "quadratic", "sigmoid", "linear")
print("largest difference:", max(np.max(np.abs(np.array(e) - n))
                                  for e, n in zip(tr.deltas(), numpy_deltas)))
