# %% [markdown]
# # 08 · Backpropagation up close: the demon, the proof, the speed, the saturation
#
# *Sources: M. Nielsen, Neural Networks and Deep Learning, ch. 2, "How the backpropagation
# algorithm works" (the demon, the proof of the four equations, "in what sense is
# backpropagation a fast algorithm?", "backpropagation: the big picture"); the wiki article "Backpropagation" (Brilliant);
# A. Karpathy's micrograd lecture, "The spelled-out intro to neural networks and
# backpropagation".*
#
# Notebook 03 showed that the engine's `z.grad` *is* the δ of BP1–BP4. This one asks why the
# equations hold and why they matter:
#
# 1. **the demon**: nudge one weighted input $z^l_j$ in the forward pass and the cost moves by
#    $\approx \delta^l_j\,\Delta z$, for every neuron of a small network;
# 2. **the proof** of BP1, BP2, BP3 and BP4 by the chain rule, read off the drawn graph;
# 3. **the speed**: the numerical gradient needs two forward passes per parameter, backprop
#    one backward pass for all of them, counted as the network grows;
# 4. **saturation**: δ shrinking layer by layer through a deep sigmoid network, and what
#    tanh and relu change;
# 5. **the big picture**: $\partial C/\partial w$ as a sum over the paths from $w$ to the
#    cost of products of rate factors, added up by hand for one weight.
#
# Indices are Nielsen's: the input is layer 1, so `mlp.layers[0]` is layer 2 (`nn.notation`
# writes the names).

# %%
# %matplotlib inline
import time

import matplotlib.pyplot as plt
import numpy as np

import nn
from micrograd_like import backward_steps, draw_dot, no_grad, topological_order
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
# **BP3 and BP4.** In the graph, $z^l_j = \sum_k w^l_{jk} a^{l-1}_k + b^l_j$ is one `dot`
# node. Its parents are the weights $w^l_{jk}$, the activations $a^{l-1}_k$ and the bias
# $b^l_j$, and the local derivatives it stores are, in the same order, $a^{l-1}_k$ (the
# partial derivative with respect to $w^l_{jk}$), $w^l_{jk}$ (with respect to $a^{l-1}_k$) and
# $1$ (with respect to $b^l_j$). A bias and a weight each feed this one node and nothing else,
# so exactly one path leaves each of them, through $z^l_j$, and the chain rule has a single
# term:
#
# $$ \frac{\partial C}{\partial b^l_j}
#    = \frac{\partial C}{\partial z^l_j}\,\frac{\partial z^l_j}{\partial b^l_j}
#    = \delta^l_j \cdot 1 \quad\text{(BP3)}, \qquad
#    \frac{\partial C}{\partial w^l_{jk}}
#    = \frac{\partial C}{\partial z^l_j}\,\frac{\partial z^l_j}{\partial w^l_{jk}}
#    = \delta^l_j\, a^{l-1}_k \quad\text{(BP4)}. $$
#
# Checked for every parameter of the small network: how many nodes use it, the local
# derivative its one edge carries, $\delta$ times that, and the grad `backward()` left on it.

# %%
nodes_small = topological_order(Cs)
print(f"{'parameter':>9} {'children':>8} {'∂z/∂p':>10} {'δ · ∂z/∂p':>12} {'p.grad':>12}")
for l, layer in enumerate(small.layers):
    for j, neuron in enumerate(layer.neurons):
        z = ts.zs[l][j]
        named = [(notation.b(l, j), neuron.b)]
        named += [(notation.w(l, j, k), w) for k, w in enumerate(neuron.w)]
        for name, p in named:
            children = [v for v in nodes_small if any(q is p for q in v.parents)]
            assert children == [z]  # one path: p → zˡⱼ
            local = z.local_grads[[i for i, q in enumerate(z.parents) if q is p][0]]
            print(f"{name:>9} {len(children):>8} {local:>10.6f} {z.grad * local:>12.8f} "
                  f"{p.grad:>12.8f}")
            assert z.grad * local == p.grad
a_in = [0.5, -0.4]  # the input a¹ of this example
assert ts.zs[0][0].local_grads[:2] == tuple(a_in)  # ∂z²₁/∂w²₁ₖ = a¹ₖ = xₖ

# %% [markdown]
# Every bias's row shows $\partial z/\partial b = 1$, so its grad is $\delta$ itself (BP3);
# every weight's row shows the activation it multiplies, so its grad is $\delta$ times that
# activation (BP4). The grads are equal to the last bit, not just close: the engine computed
# exactly this product.
#
# ## 3 · Why backpropagation is fast
#
# Before backpropagation, the obvious way to get $\partial C/\partial w$ for every parameter
# was to nudge each one: $\partial C/\partial p \approx (C(p + \varepsilon) - C(p -
# \varepsilon))/2\varepsilon$. That is **two forward passes per parameter**. A forward pass
# does about one multiply-add per weight, so with $P$ parameters the numerical gradient costs
# $2P$ forward passes, $O(P^2)$ operations.
#
# Backpropagation computes all $P$ derivatives with **one** forward and **one** backward pass.
# The backward pass visits every edge of the graph once, multiplying a stored local
# derivative by a gradient: one operation per edge, like the forward pass. So the whole
# gradient costs $O(P)$: about as much as two forward passes. The ratio between the two
# methods grows like $P$ itself.
#
# Rather than time the two (a timing depends on the machine and on what else it is doing),
# we count. On networks 4 → n → n → 1 (tanh) as n grows, one example:
#
# * a forward pass does about one operation per edge of the graph it builds (a `dot` node
#   with $2m + 1$ parents does $m$ multiplications and $m$ additions, a `tanh` node one
#   evaluation): we count the edges of the graph;
# * the numerical gradient counts the forward passes it makes;
# * the backward pass's operations are counted as they happen: `backward_steps` replays
#   `backward()` and lists every product $\partial v/\partial p \cdot$ `v.grad` it adds.
#
# Both methods must give the same gradient, and the cell checks that they do.

# %%
def numerical_gradient(net, x, y, eps=1e-6):
    """∂C/∂p for every parameter p by central differences, and the forward passes made."""
    grads, passes = [], 0
    with no_grad():
        for p in net.parameters():
            p.data += eps
            up = nn.quadratic([net(x)], [y]).data
            p.data -= 2 * eps
            down = nn.quadratic([net(x)], [y]).data
            p.data += eps
            passes += 2
            grads.append((up - down) / (2 * eps))
    return grads, passes


def backprop_gradient(net, x, y):
    """∂C/∂p for every parameter p by one forward and one backward pass, and the number of
    multiply-adds the backward pass made."""
    net.zero_grad()
    C = nn.quadratic([net(x)], [y])
    products = sum(len(updates) for _, _, updates in backward_steps(C))
    C.backward()
    return [p.grad for p in net.parameters()], products


widths = [2, 4, 8, 16, 24, 32]
sizes, ops_numeric, ops_backprop = [], [], []
x4, y1 = [0.3, -0.8, 0.5, 0.1], [0.25]
print(f"{'n':>3} {'P':>6} {'edges E':>8} {'passes':>7} {'numerical 2P·E':>15} "
      f"{'backprop E + backward':>22} {'ratio':>7}")
for n in widths:
    net = nn.MLP(4, [n, n, 1], activation="tanh", seed=n)
    edges = sum(len(v.parents) for v in topological_order(nn.quadratic([net(x4)], [y1])))
    g_num, passes = numerical_gradient(net, x4, y1)
    g_bp, products = backprop_gradient(net, x4, y1)
    assert np.allclose(g_num, g_bp, rtol=1e-5, atol=1e-8)  # the same gradient
    sizes.append(net.num_parameters())
    ops_numeric.append(passes * edges)
    ops_backprop.append(edges + products)
    print(f"{n:>3} {sizes[-1]:>6} {edges:>8} {passes:>7} {ops_numeric[-1]:>15,} "
          f"{ops_backprop[-1]:>22,} {ops_numeric[-1] / ops_backprop[-1]:>7.0f}")

# %%
P = np.array(sizes)
ratio = np.array(ops_numeric) / np.array(ops_backprop)
slope_num = np.polyfit(np.log(P[-3:]), np.log(ops_numeric[-3:]), 1)[0]
slope_bp = np.polyfit(np.log(P[-3:]), np.log(ops_backprop[-3:]), 1)[0]
fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4))
ax.loglog(P, ops_numeric, "o-", label="numerical: 2P forward passes")
ax.loglog(P, ops_backprop, "s-", label="backprop: 1 forward + 1 backward")
ax.set_xlabel("number of parameters P")
ax.set_ylabel("operations for the whole gradient")
ax.set_title("Cost of ∂C/∂p for every parameter")
ax.legend()
ax2.loglog(P, ratio, "o-", label="numerical / backprop operations")
ax2.loglog(P, P, "k--", label="P")
ax2.set_xlabel("number of parameters P")
ax2.set_title("How many times fewer operations backprop makes")
ax2.legend()
plt.show()
print(f"slopes over the three largest networks: numerical {slope_num:.2f}, "
      f"backprop {slope_bp:.2f} (the counting argument says 2 and 1)")
print("ratio of operations, smallest to largest network:",
      " < ".join(f"{r:.0f}" for r in ratio))
assert np.all(np.diff(ratio) > 0)

start = time.perf_counter()
numerical_gradient(net, x4, y1)
t_num = time.perf_counter() - start
start = time.perf_counter()
net.zero_grad()
nn.quadratic([net(x4)], [y1]).backward()
t_bp = time.perf_counter() - start
print(f"and in time, on the machine that ran this notebook, for P = {P[-1]}: numerical "
      f"{t_num:.2f} s, backprop {t_bp * 1e3:.1f} ms")

# %% [markdown]
# On a log-log plot a count $\propto P^k$ is a line of slope $k$: the numerical curve has
# slope 2 and the backprop curve slope 1, and the ratio between them, in the right panel, is
# the number of parameters itself (up to rounding). Here each forward pass does $E$
# operations, the numerical gradient makes $2P$ of them and backprop's backward pass makes
# exactly $E$ more, so the ratio is $2PE / 2E = P$. For a network with a million weights the
# numerical gradient would need two million forward passes per training step;
# backpropagation needs the work of about two.
#
# ## 4 · Saturation: δ shrinking layer by layer
#
# BP2 multiplies the error by $\sigma'(z^l)$ at every step back. For the sigmoid,
# $\sigma'(z) = \sigma(z)(1-\sigma(z)) \le \tfrac14$, with equality only at $z = 0$, and it is
# tiny when $|z|$ is large (the neuron is **saturated**). Take lengths in BP2 (the Euclidean
# norm $\lVert\cdot\rVert$ of a vector) and write $\lVert w\rVert_2$ for the spectral norm
# of a matrix, its largest singular value, the most it can stretch a vector's length (the
# same for $w$ and $w^{\mathsf T}$). Then
#
# $$ \lVert \delta^l \rVert \le \max_j \sigma'(z^l_j)\,
#    \lVert w^{l+1} \rVert_2\, \lVert \delta^{l+1} \rVert
#    \le \tfrac14\, \lVert w^{l+1} \rVert_2\, \lVert \delta^{l+1} \rVert , $$
#
# so wherever $\tfrac14 \lVert w^{l+1}\rVert_2 < 1$ each step back shrinks the error, and in
# a deep sigmoid network the first layers receive errors many times smaller than the last;
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
# combines such activations with an initialisation that keeps $\lVert w\rVert_2\,\sigma'$
# near 1.
#
# The bound, layer by layer, for the sigmoid network and the last input: the measured
# shrink factor $\lVert\delta^l\rVert / \lVert\delta^{l+1}\rVert$ beside
# $\tfrac14\lVert w^{l+1}\rVert_2$. Then, as a check of the numbers in the plot,
# `nn.analytic` (the numpy BP1–BP4, independent of the engine) gives the same δ:

# %%
deep = nn.MLP(width, [width] * depth + [1], activation="sigmoid", seed=11)
tr = deep.trace(list(inputs[-1]))
nn.quadratic([tr.outputs], [[1.0]]).backward()
ws, bs = deep.to_matrices()
norms = [np.linalg.norm(d) for d in tr.deltas()]
print(f"{'layer l':>7} {'‖δˡ‖/‖δˡ⁺¹‖':>12} {'¼‖wˡ⁺¹‖₂':>10}")
for l in range(depth):
    shrink, bound = norms[l] / norms[l + 1], np.linalg.norm(ws[l + 1], 2) / 4
    print(f"{l + 2:>7} {shrink:>12.3f} {bound:>10.3f}")
    assert shrink <= bound
_, _, numpy_deltas = an.backprop(ws, bs, inputs[-1], [1.0], "quadratic", "sigmoid", "linear")
print("largest difference:", max(np.max(np.abs(np.array(e) - n))
                                  for e, n in zip(tr.deltas(), numpy_deltas)))

# %% [markdown]
# ## 5 · Backpropagation: the big picture
#
# Nielsen ends the chapter by asking how someone could have found the algorithm. Change one
# weight $w^l_{jk}$ by $\Delta w^l_{jk}$. The activation of neuron $j$ in layer $l$ changes by
# $\Delta a^l_j \approx \frac{\partial a^l_j}{\partial w^l_{jk}} \Delta w^l_{jk}$; that
# changes every activation $a^{l+1}_q$ of the next layer by
# $\Delta a^{l+1}_q \approx \frac{\partial a^{l+1}_q}{\partial a^l_j} \Delta a^l_j$, and so on
# to the output and the cost. Follow one path $j \to q \to \dots \to n \to m$ through the
# layers and multiply the factors; add the paths, since the changes along different paths add
# up to first order:
#
# $$ \frac{\partial C}{\partial w^l_{jk}} = \sum_{m n p \ldots q}
#    \frac{\partial C}{\partial a^L_m}\,
#    \frac{\partial a^L_m}{\partial a^{L-1}_n}\,
#    \frac{\partial a^{L-1}_n}{\partial a^{L-2}_p} \cdots
#    \frac{\partial a^{l+1}_q}{\partial a^l_j}\,
#    \frac{\partial a^l_j}{\partial w^l_{jk}} . $$
#
# Each factor is a **rate factor** that belongs to one edge: from the weight to its neuron,
# $\partial a^l_j/\partial w^l_{jk} = \sigma'(z^l_j)\, a^{l-1}_k$; from a neuron to a neuron
# of the next layer, $\partial a^{l+1}_q/\partial a^l_j = \sigma'(z^{l+1}_q)\, w^{l+1}_{qj}$;
# from an output neuron to the cost, $\partial C/\partial a^L_m$ ($= a^L_m - y_m$ for the
# quadratic cost). The rate factor of a path is the product of its edges' factors, and
# $\partial C/\partial w^l_{jk}$ is the sum of the rate factors of all the paths from the
# weight to the cost.
#
# On numbers: a 2 → 2 → 2 → 2 sigmoid network (Nielsen's layers 1 to 4, so $L = 4$) and the
# weight $w^2_{11}$, from input 1 into neuron 1 of layer 2. From neuron 1 of layer 2 a path
# can go through either neuron of layer 3 and then either neuron of layer 4: four paths.
# Every rate factor is read from the local derivatives the engine stored in the forward pass
# (a σ node's is $\sigma'(z)$, a `dot` node's towards an activation is the weight), and the
# sum is compared with the grad that `backward()` leaves on the weight.

# %%
import itertools

net4 = nn.MLP(2, [2, 2, 2], activation="sigmoid", output_activation="sigmoid", seed=8)
x2, y2 = [0.9, -0.6], [0.0, 1.0]
t4 = net4.trace(x2)
C4 = nn.quadratic([t4.outputs], [y2])
C4.backward()
w211 = net4.layers[0].neurons[0].w[0]  # w²₁₁: layers[0] is Nielsen's layer 2


def rate(a_next, a_prev):
    """∂a_next/∂a_prev = σ′(z_next) · w, both read off the graph: a_next = σ(z_next)."""
    z_next = a_next.parents[0]
    w = z_next.local_grads[[i for i, q in enumerate(z_next.parents) if q is a_prev][0]]
    return a_next.local_grads[0] * w


a2, a3, a4 = t4.activations
first = a2[0].local_grads[0] * x2[0]  # ∂a²₁/∂w²₁₁ = σ′(z²₁) · a¹₁
total = 0.0
print(f"{'path':>22} {'∂a²₁/∂w':>9} {'∂a³/∂a²':>9} {'∂a⁴/∂a³':>9} {'∂C/∂a⁴':>9} "
      f"{'product':>12}")
for q, m in itertools.product(range(2), range(2)):
    factors = [first, rate(a3[q], a2[0]), rate(a4[m], a3[q]), a4[m].grad]
    product = float(np.prod(factors))
    total += product
    path = f"w²₁₁ → a²₁ → {notation.a(1, q)} → {notation.a(2, m)} → C"
    print(f"{path:>22} " + " ".join(f"{f:>9.5f}" for f in factors) + f" {product:>12.3e}")
print(f"sum over the four paths {total:.12e}\nw²₁₁.grad from backward {w211.grad:.12e}")
assert a4[0].grad == a4[0].data - y2[0]  # ∂C/∂a⁴₁ = a⁴₁ − y₁
assert np.isclose(total, w211.grad, rtol=1e-12, atol=0)

# %% [markdown]
# The four products add up to the engine's gradient (to rounding: the engine adds the same
# terms in another order). Written this way the sum has one term per path, and the number of
# paths multiplies with every layer: with $n$ neurons per layer there are $n^{L-l}$ paths
# from a weight of layer $l$. Backpropagation never lists them. BP2 adds up, once per
# neuron, the paths that leave that neuron: $\delta^l_j$ is the sum over every path from
# $z^l_j$ to the cost, and each earlier layer reuses these sums instead of walking the paths
# again. That reuse is why one backward pass costs about as much as one forward pass
# (section 3), and it is exactly what the engine's loop does on any graph: a node's grad is
# complete, summed over all the paths from it, before it is passed back to its parents.
