# %% [markdown]
# # 06 · From scalars to tensors
#
# Everything so far was done one number at a time: a `Value` per weight, per activation,
# per example. Real frameworks hold whole layers and whole batches in arrays (*tensors*) and
# differentiate those. This notebook runs one small network three ways and checks that they
# compute the same numbers:
#
# 1. the scalar engine (`nn.MLP`, one graph node per number);
# 2. numpy matrices (`nn.analytic`): BP1–BP4 applied to a whole batch at once, the middle
#    step;
# 3. PyTorch, with the same weights: raw tensors first, then `torch.nn.Linear` layers.
#
# Along the way: what a `Value` corresponds to in PyTorch, where δ lives in a tensor
# program, one training step in both, and how much faster the batched versions run.
#
# PyTorch is **optional** here. Without it every cell still runs; the PyTorch parts say
# they were skipped.
#
# *Sources: A. Karpathy's micrograd lecture (where the same neuron is computed again in
# PyTorch); M. Nielsen, Neural Networks and Deep Learning, ch. 2 (the matrix form of
# BP1–BP4); the wiki article "Backpropagation" (Brilliant) (the batch matrices of its worked
# example).*

# %%
import statistics
import time

import numpy as np

import nn
from micrograd_like import Value, topological_order
from micrograd_like import tape as mtape
from nn import analytic as an
from nn.train import paused_gc

try:
    import torch
except ImportError:
    torch = None
HAVE_TORCH = torch is not None

if HAVE_TORCH:
    torch.set_num_threads(1)   # small tensors; one thread gives steadier timings
    print(f"PyTorch {torch.__version__} found: the PyTorch cells will run (float64, CPU).")
else:
    print("PyTorch is not installed: the PyTorch cells below will skip themselves.\n"
          "Everything else (scalar engine, numpy, compiled tape) still runs; "
          "`pip install torch` to see the comparison.")

# %% [markdown]
# ## One `Value` ↔ one 0-dimensional tensor
# A `Value` holds a number (`.data`), remembers how it was made, and receives
# $\partial(\text{root})/\partial(\text{itself})$ in `.grad`. A PyTorch tensor with no
# dimensions is the same thing: `.item()` is the number, `requires_grad=True` makes it a leaf
# whose `.grad` is filled by `backward()`.
#
# One difference shows up at once: the engine keeps the grad of *every* node, while PyTorch
# frees the grads of intermediate tensors unless asked for them with `retain_grad()`.

# %%
a, b = Value(2.0, label="a"), Value(-3.0, label="b")
c = a * b + a.tanh()
d = c.sigmoid()
d.backward()
print(f"engine : d = {d.data:.15f}   ∂d/∂a = {a.grad:+.15f}   ∂d/∂b = {b.grad:+.15f}"
      f"   ∂d/∂c = {c.grad:+.15f}")

if HAVE_TORCH:
    ta = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(-3.0, dtype=torch.float64, requires_grad=True)
    tc = ta * tb + torch.tanh(ta)
    tc.retain_grad()                       # an intermediate: keep its grad, as Values do
    td = torch.sigmoid(tc)
    td.backward()
    print(f"PyTorch: d = {td.item():.15f}   ∂d/∂a = {ta.grad.item():+.15f}"
          f"   ∂d/∂b = {tb.grad.item():+.15f}   ∂d/∂c = {tc.grad.item():+.15f}")
    print("tensor shape:", tuple(td.shape), "(0 dimensions: one number)")
    for value, tensor in ((d.data, td.item()), (a.grad, ta.grad.item()),
                          (b.grad, tb.grad.item()), (c.grad, tc.grad.item())):
        assert abs(value - tensor) < 1e-12
else:
    print("PyTorch: skipped (not installed)")

# %% [markdown]
# ## The network, the batch and the loss
# A 3 → 4 → 2 network with a tanh hidden layer and a linear output, five examples with
# two targets each, and the quadratic cost over the batch,
# $C = \frac{1}{2n}\sum_x \lVert a^L(x) - y(x)\rVert^2$ with $n = 5$.
#
# The scalar engine builds one graph per example (`mlp.trace` keeps every weighted-input
# node $z$), adds them into one cost and calls `backward()` once.

# %%
mlp = nn.MLP(3, [4, 2], activation="tanh", output_activation="linear", seed=5)
rng = np.random.default_rng(0)
X = rng.normal(size=(5, 3))                  # (n, 3): one row per example
Y = rng.normal(size=(5, 2))                  # (n, 2)
n = len(X)

traces = [mlp.trace(row) for row in X.tolist()]
C = nn.quadratic([t.outputs for t in traces], Y.tolist())
C.backward()
print(mlp, f"  C = {C.data:.15f}")

weights, biases = mlp.to_matrices()          # Nielsen's layout: weights[l] is (n_l, n_{l-1})
engine_w_grad = [np.array([[w.grad for w in nrn.w] for nrn in layer.neurons])
                 for layer in mlp.layers]
engine_b_grad = [np.array([nrn.b.grad for nrn in layer.neurons]) for layer in mlp.layers]
# z.grad of every example's z nodes, stacked into one (n, n_l) matrix per layer
engine_z_grad = [np.array([[z.grad for z in t.zs[l]] for t in traces]) for l in range(2)]
print("engine z.grad per layer:", [g.shape for g in engine_z_grad])

# %% [markdown]
# ## The middle step: the same equations on matrices (numpy)
# Stack the examples as rows. A whole layer's weighted inputs for the whole batch are then
# one matrix product, $Z^l = A^{l-1} (w^l)^{\mathsf T} + b^l$, shape $(n, n_l)$ (the bias row is
# broadcast down the batch). The errors stack the same way: row $x$ of $\Delta^l$ is that
# example's $\delta^l$, so BP1 and BP2 act row by row,
#
# $$\Delta^L = (A^L - Y) \odot g_o'(Z^L), \qquad
#   \Delta^l = (\Delta^{l+1} w^{l+1}) \odot \sigma'(Z^l),$$
#
# and the averages of BP3 and BP4 over the batch become a column mean and one more matrix
# product: $\partial C/\partial b^l = \frac1n \sum_x \delta^l_x$,
# $\partial C/\partial w^l = \frac1n (\Delta^l)^{\mathsf T} A^{l-1}$.
#
# `nn.analytic.forward_batch` and `batch_gradient_vectorised` do this; here are the two
# error lines written out, to compare with the engine's z grads.

# %%
zs, acts = an.forward_batch(weights, biases, X, "tanh", "linear")   # zs[l]: (n, n_l)
for l in range(2):
    assert np.allclose(zs[l], [[z.data for z in t.zs[l]] for t in traces], rtol=0, atol=1e-12)

Delta = [None, None]
Delta[1] = (acts[2] - Y) * 1.0                                  # BP1, identity output: g' = 1
Delta[0] = (Delta[1] @ weights[1]) * (1.0 - acts[1] ** 2)       # BP2, tanh' = 1 − tanh²
for l in range(2):
    # C averages over the batch, so the engine's z.grad is δ / n for each example
    assert np.allclose(Delta[l] / n, engine_z_grad[l], rtol=0, atol=1e-12)
print("row x of Δˡ / n == the engine's z.grad for example x, in both layers")

nabla_b, nabla_w = an.batch_gradient_vectorised(weights, biases, X, list(Y), "quadratic",
                                                "tanh", "linear")
for l in range(2):
    assert np.allclose(nabla_w[l], engine_w_grad[l], rtol=0, atol=1e-12)
    assert np.allclose(nabla_b[l], engine_b_grad[l], rtol=0, atol=1e-12)
    assert np.allclose(nabla_w[l], Delta[l].T @ acts[l] / n, rtol=0, atol=1e-12)
print("numpy ∂C/∂w and ∂C/∂b == the engine's w.grad and b.grad")
print("∂C/∂w of the output layer:\n", nabla_w[1])

# %% [markdown]
# Compare the bookkeeping: the engine made one `dot` node per neuron *per example*
# ($5 \times 6$ of them here) and one grad per node; numpy made one matrix per layer and
# one error matrix per layer. Same numbers, far fewer Python operations.
#
# ## PyTorch with raw tensors
# The same weights go into leaf tensors with `requires_grad=True`. The forward pass is the
# numpy one, letter for letter. The pre-activations $Z^l$ are intermediate tensors, so we
# ask PyTorch to keep their gradients with `retain_grad()`: **`Z.grad` is the δ matrix**
# (divided by $n$, like the engine's `z.grad`, because the cost is a batch mean).

# %%
if HAVE_TORCH:
    W = [torch.tensor(w, requires_grad=True) for w in weights]     # float64, like the numpy
    B = [torch.tensor(b_, requires_grad=True) for b_ in biases]
    A = torch.tensor(X)
    Z_kept = []
    for l in range(2):
        Z = A @ W[l].T + B[l]                                      # (n, n_l)
        Z.retain_grad()                                            # keep δ / n
        Z_kept.append(Z)
        A = torch.tanh(Z) if l == 0 else Z                         # identity output
    loss = ((A - torch.tensor(Y)) ** 2).sum() / (2 * n)
    loss.backward()

    print(f"loss: engine {C.data:.15f}   PyTorch {loss.item():.15f}")
    assert abs(loss.item() - C.data) < 1e-12
    for l in range(2):
        assert np.allclose(W[l].grad.numpy(), engine_w_grad[l], rtol=0, atol=1e-12)
        assert np.allclose(B[l].grad.numpy(), engine_b_grad[l], rtol=0, atol=1e-12)
        assert np.allclose(Z_kept[l].grad.numpy(), engine_z_grad[l], rtol=0, atol=1e-12)
    print("W.grad, b.grad and Z.grad (δ / n) equal the engine's w.grad, b.grad and z.grad")
    print("Z.grad of the hidden layer (rows = examples):\n", Z_kept[0].grad.numpy())
else:
    print("PyTorch: skipped (not installed)")

# %% [markdown]
# ## PyTorch with `nn.Linear`
# A layer of neurons is what `torch.nn.Linear(n_in, n_out)` computes: $z = x W^{\mathsf T} + b$
# with `weight` of shape `(n_out, n_in)`. That is exactly Nielsen's layout (row $j$ holds the
# weights into neuron $j$), so `mlp.to_matrices()` copies straight in.
#
# With modules the pre-activation is not a variable we hold, so to read δ we attach a hook:
# a *forward hook* on each `Linear` registers a *tensor hook* on its output, which PyTorch
# calls with that output's gradient during `backward()`.

# %%
if HAVE_TORCH:
    model = torch.nn.Sequential(
        torch.nn.Linear(3, 4, dtype=torch.float64),
        torch.nn.Tanh(),
        torch.nn.Linear(4, 2, dtype=torch.float64),
    )
    linears = [model[0], model[2]]
    with torch.no_grad():
        for lin, w, b_ in zip(linears, weights, biases):
            lin.weight.copy_(torch.from_numpy(w))
            lin.bias.copy_(torch.from_numpy(b_))

    # one layer, one example: the engine's z nodes == a Linear's output
    x0 = torch.tensor(X[0])
    print("layers[0] z, engine :", [round(z.data, 12) for z in traces[0].zs[0]])
    print("Linear(3, 4)(x₀)    :", [round(v, 12) for v in linears[0](x0).tolist()])

    deltas_seen = {}

    def keep_delta(name):
        def on_forward(module, inputs, output):
            output.register_hook(lambda grad: deltas_seen.__setitem__(name, grad.detach()))
        return on_forward

    handles = [lin.register_forward_hook(keep_delta(i)) for i, lin in enumerate(linears)]
    out = model(torch.tensor(X))
    loss_module = torch.nn.functional.mse_loss(out, torch.tensor(Y), reduction="sum") / (2 * n)
    loss_module.backward()
    for h in handles:
        h.remove()

    assert abs(loss_module.item() - C.data) < 1e-12
    for l, lin in enumerate(linears):
        assert np.allclose(lin.weight.grad.numpy(), engine_w_grad[l], rtol=0, atol=1e-12)
        assert np.allclose(lin.bias.grad.numpy(), engine_b_grad[l], rtol=0, atol=1e-12)
        assert np.allclose(deltas_seen[l].numpy(), engine_z_grad[l], rtol=0, atol=1e-12)
    print("\nnn.Linear: loss, every weight and bias gradient, and the hooked δ / n all match")
else:
    print("PyTorch: skipped (not installed)")

# %% [markdown]
# ### The correspondence, in one table
#
# | scalar engine | numpy (`nn.analytic`) | PyTorch |
# |---|---|---|
# | `Value` (`.data`, `.grad`) | one entry of an array | 0-dim tensor (`.item()`, `.grad`) |
# | a `Neuron`'s weights `w[0..n-1]`, `b` | row $j$ of $w^l$, entry $j$ of $b^l$ | row $j$ of `Linear.weight`, `Linear.bias[j]` |
# | a `Layer` of neurons, one example | $z^l = w^l a^{l-1} + b^l$ | `Linear(n_in, n_out)(x)` |
# | one graph per example | rows of a batch matrix | the batch dimension |
# | `z.grad` on a `dot` node: $\delta/n$ | row of $\Delta^l / n$ | `Z.grad` after `retain_grad()`, or a tensor hook |
# | `b.grad` | $\frac1n \sum_x \delta_x$ (BP3) | `Linear.bias.grad` |
# | `w.grad` | $\frac1n (\Delta^l)^{\mathsf T} A^{l-1}$ (BP4) | `Linear.weight.grad` |
# | `nn.SGD(...).step()` | `w -= lr * nabla_w` | `torch.optim.SGD(...).step()` |

# %% [markdown]
# ## One training step, three ways
# Plain gradient descent with $\eta = 0.1$, from the gradients just computed. The engine's
# optimiser updates each `Value`; numpy subtracts matrices; PyTorch's optimiser updates the
# `Linear` parameters. The new weights must agree.

# %%
eta = 0.1
nn.SGD(mlp.parameters(), lr=eta).step()
new_weights, new_biases = mlp.to_matrices()
for l in range(2):
    assert np.allclose(new_weights[l], weights[l] - eta * nabla_w[l], rtol=0, atol=1e-12)
    assert np.allclose(new_biases[l], biases[l] - eta * nabla_b[l], rtol=0, atol=1e-12)
print("engine step == numpy step")

if HAVE_TORCH:
    torch.optim.SGD(model.parameters(), lr=eta).step()
    for l, lin in enumerate(linears):
        assert np.allclose(lin.weight.detach().numpy(), new_weights[l], rtol=0, atol=1e-12)
        assert np.allclose(lin.bias.detach().numpy(), new_biases[l], rtol=0, atol=1e-12)
    print("engine step == PyTorch step")
    with torch.no_grad():
        loss_after = torch.nn.functional.mse_loss(model(torch.tensor(X)), torch.tensor(Y),
                                                  reduction="sum") / (2 * n)
else:
    loss_after = None
C_after = nn.quadratic([mlp(row) for row in X.tolist()], Y.tolist())
print(f"loss before the step {C.data:.6f}, after: engine {C_after.data:.6f}"
      + ("" if loss_after is None else f", PyTorch {loss_after.item():.6f}"))
assert C_after.data < C.data

# %% [markdown]
# ## How much faster? The micrograd demo step
# The workload of micrograd's demo: a 2 → 16 → 16 → 1 ReLU network (337 parameters), 100
# two-moons points with labels ±1, the max-margin loss $\frac1n\sum_x \max(0, 1 - y\,s(x))$
# plus $10^{-4}\sum p^2$, and one full-batch gradient step. Three implementations:
#
# * **scalar eager**: the engine builds a graph of thousands of nodes (counted below),
#   `backward()` walks it, `SGD` steps (the cyclic garbage collector paused, as `nn.fit`
#   does);
# * **compiled tape**: `micrograd_like.tape.compile` turns *one example's* graph into a flat
#   program once, then replays it over the whole batch with numpy (a layer's `dot` nodes
#   become one matrix product); the step copies the parameters in and the gradients back
#   to the `Value`s, as `nn.fit(compile=True)` does;
# * **PyTorch**, batched tensors, float64, one thread.
#
# First, all three must compute the same loss and gradient from the same weights.

# %%
Xm, ym = nn.datasets.make_moons(100, noise=0.1, seed=0)
labels = (2 * ym - 1).astype(np.float64)                  # ±1
ALPHA = 1e-4
rows, label_list = Xm.tolist(), labels.tolist()


def eager_loss(model):
    """Max-margin loss over the batch plus the L2 term, as one Value."""
    scores = [model(r) for r in rows]
    return nn.hinge(scores, label_list) + nn.l2(model.parameters(), ALPHA)


def eager_step(model, opt):
    with paused_gc():
        loss = eager_loss(model)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return loss.data


def make_tape(model):
    """One example's hinge term, compiled; inputs are the two coordinates and the label."""
    xs = [Value(0.0), Value(0.0)]
    label = Value(0.0)
    root = nn.losses.hinge_term(model(xs), [label])
    return mtape.compile(root, inputs=[*xs, label], params=model.parameters())


batch = np.column_stack([Xm, labels])                     # (100, 3): x₁, x₂, label


def tape_step(tape, params, opt):
    theta = np.array([p.data for p in params])
    loss = tape.forward(batch, theta).mean() + ALPHA * float(theta @ theta)
    grad = tape.backward() + 2 * ALPHA * theta
    for p, g in zip(params, grad.tolist()):
        p.grad = g
    opt.step()
    return loss


demo = nn.MLP(2, [16, 16, 1], activation="relu", seed=0)
w_demo, b_demo = demo.to_matrices()

# the same first gradient, three ways
check = nn.MLP.from_matrices(w_demo, b_demo, "relu", "linear")
loss_eager = eager_loss(check)
loss_eager.backward()
grad_eager = np.array([p.grad for p in check.parameters()])
tape = make_tape(check)
theta0 = np.array([p.data for p in check.parameters()])
loss_tape = tape.forward(batch, theta0).mean() + ALPHA * float(theta0 @ theta0)
grad_tape = tape.backward() + 2 * ALPHA * theta0
assert abs(loss_tape - loss_eager.data) < 1e-12
assert np.allclose(grad_tape, grad_eager, rtol=0, atol=1e-12)
print(demo)
print(f"one eager step's graph: {len(topological_order(loss_eager)):,} nodes")
print(f"loss {loss_eager.data:.12f}: eager and tape agree, gradients to 1e-12")


def torch_model(ws, bs):
    layers = []
    for i, (w, b_) in enumerate(zip(ws, bs)):
        lin = torch.nn.Linear(w.shape[1], w.shape[0], dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w))
            lin.bias.copy_(torch.from_numpy(b_))
        layers.append(lin)
        if i < len(ws) - 1:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


if HAVE_TORCH:
    Xt, yt = torch.tensor(Xm), torch.tensor(labels)

    def torch_loss(model):
        scores = model(Xt)[:, 0]
        reg = sum((p ** 2).sum() for p in model.parameters())
        return torch.relu(1 - yt * scores).mean() + ALPHA * reg

    def torch_step(model, opt):
        loss = torch_loss(model)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    tm = torch_model(w_demo, b_demo)
    lt = torch_loss(tm)
    lt.backward()
    # same parameter order as mlp.parameters(): per neuron, its weights then its bias
    grad_torch = np.concatenate([
        np.hstack([lin.weight.grad.numpy(), lin.bias.grad.numpy()[:, None]]).ravel()
        for lin in tm if isinstance(lin, torch.nn.Linear)
    ])
    assert abs(lt.item() - loss_eager.data) < 1e-12
    assert np.allclose(grad_torch, grad_eager, rtol=0, atol=1e-12)
    print("PyTorch agrees too")
else:
    print("PyTorch: skipped (not installed)")

# %% [markdown]
# Now the clock: each implementation trains its own copy of the network for the same ten
# steps, and we report the median time of one step. These numbers depend on the machine
# and on whatever else it is doing; nothing about them is asserted. What *is* asserted:
# after the ten steps the three copies hold the same weights.

# %%
LR = 0.1
STEPS = 10


def median_ms(step):
    times = []
    for _ in range(STEPS):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


results = {}
m_eager = nn.MLP.from_matrices(w_demo, b_demo, "relu", "linear")
opt_eager = nn.SGD(m_eager.parameters(), lr=LR)
results["scalar engine, eager"] = median_ms(lambda: eager_step(m_eager, opt_eager))

m_tape = nn.MLP.from_matrices(w_demo, b_demo, "relu", "linear")
start = time.perf_counter()
tape_m = make_tape(m_tape)
compile_ms = 1000 * (time.perf_counter() - start)
opt_tape = nn.SGD(m_tape.parameters(), lr=LR)
params_tape = m_tape.parameters()
results["compiled tape (numpy)"] = median_ms(lambda: tape_step(tape_m, params_tape, opt_tape))

if HAVE_TORCH:
    warm = torch_model(w_demo, b_demo)                     # warm-up on a throwaway copy
    opt_warm = torch.optim.SGD(warm.parameters(), lr=LR)
    for _ in range(3):
        torch_step(warm, opt_warm)
    m_torch = torch_model(w_demo, b_demo)
    opt_torch = torch.optim.SGD(m_torch.parameters(), lr=LR)
    results["PyTorch, batched"] = median_ms(lambda: torch_step(m_torch, opt_torch))

base = results["scalar engine, eager"]
print(f"{'implementation':<24} {'ms per step':>12} {'vs eager':>9}")
for name, ms in results.items():
    print(f"{name:<24} {ms:>12.2f} {base / ms:>8.0f}×")
if not HAVE_TORCH:
    print(f"{'PyTorch, batched':<24} {'skipped (not installed)':>22}")
print(f"(compiling the tape, once: {compile_ms:.0f} ms)")

trained = {"eager": m_eager.to_matrices(), "tape": m_tape.to_matrices()}
if HAVE_TORCH:
    lins = [m for m in m_torch if isinstance(m, torch.nn.Linear)]
    trained["PyTorch"] = ([m.weight.detach().numpy() for m in lins],
                          [m.bias.detach().numpy() for m in lins])
ref_w, ref_b = trained["eager"]
for name, (ws_, bs_) in list(trained.items())[1:]:
    gap = max(np.max(np.abs(u - v)) for u, v in zip(ws_ + bs_, ref_w + ref_b))
    print(f"after {STEPS} steps, largest |{name} weight − eager weight| = {gap:.1e}")
    assert gap < 1e-9

# %% [markdown]
# ## Handing a model over to PyTorch
# When a network outgrows the scalar engine (more data, a GPU, many machines), move it to
# PyTorch in one call: `nn.to_torch(mlp)` returns an ordinary `torch.nn.Sequential` of
# `Linear` layers and activation modules holding a copy of the weights (float64 unless you
# ask otherwise), and `nn.MLP.from_torch(module)` brings one back. The conventions are those
# of the table above: layer `l` of the MLP is the `Linear` at position `2l` (followed by its
# activation), and `Linear.weight[j, k]` is `mlp.layers[l].neurons[j].w[k]`.
#
# Below, the demo network (micrograd's moons) goes to PyTorch, trains there for 200 steps
# of full-batch gradient descent on the hinge loss, on a GPU when one is present, and comes
# back; the scalar engine then gives exactly the outputs PyTorch gives.

# %%
if HAVE_TORCH:
    from nn.datasets import make_moons

    Xm, ym = make_moons(100, noise=0.1, seed=0)
    labels = 2.0 * ym - 1.0
    scalar_net = nn.MLP(2, [16, 16, 1], activation="relu", seed=0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    moved = nn.to_torch(scalar_net).to(device)
    print(moved, f"\non {device}")

    Xt = torch.tensor(Xm, device=device)
    yt = torch.tensor(labels, device=device)
    opt_t = torch.optim.SGD(moved.parameters(), lr=0.1)
    for step in range(200):
        scores = moved(Xt)[:, 0]
        loss_t = torch.relu(1 - yt * scores).mean()        # the same hinge loss as nn
        opt_t.zero_grad()
        loss_t.backward()
        opt_t.step()
    acc_t = ((moved(Xt)[:, 0] > 0) == (yt > 0)).double().mean().item()
    print(f"after 200 steps on PyTorch: loss {loss_t.item():.4f}, accuracy {acc_t:.2f}")

    back = nn.MLP.from_torch(moved)                    # copies from any device
    with torch.no_grad():
        theirs = moved(Xt).cpu().numpy()
    ours = nn.predict(back, Xm)
    print(f"back in the engine: {back}; largest |engine − PyTorch| output difference "
          f"{np.max(np.abs(ours - theirs)):.1e}")
    assert np.max(np.abs(ours - theirs)) < 1e-12
else:
    print("PyTorch: skipped (not installed); nn.to_torch would say how to install it")

# %% [markdown]
# Where the time goes. The eager engine creates, links and walks thousands of Python
# objects per step, each carrying one float: that is the slow part (the last column of the
# table says by how much). The batched versions do the same arithmetic as a few dozen array operations
# on arrays the size of the batch (100) or of a layer times the batch, so on a network this
# small their time is mostly the fixed cost of each call, not arithmetic.
#
# If the compiled tape comes out ahead of PyTorch in the table, that is not a mistake: the
# tape was compiled once and replays a fixed list of numpy calls, while PyTorch records a
# fresh autograd graph every step and sends each small operation through its general
# dispatch machinery. Those fixed costs stop mattering once layers and batches are large
# and the arithmetic dominates, which is the case PyTorch's kernels (and GPUs) are built for.
#
# ## What to take away
# * A `Value` is a 0-dimensional tensor; a layer of `Neuron`s is one `Linear`; a batch is one
#   more array dimension. The numbers do not change, only the bookkeeping.
# * δ is still there in the tensor program: it is the gradient of each layer's
#   pre-activation, `Z.grad` (with `retain_grad()` or a hook), divided by $n$ when the cost
#   is a batch mean.
# * Nielsen's matrix layout $w^l_{jk}$ is PyTorch's `Linear.weight`, which is why BP2 needs
#   $(w^{l+1})^{\mathsf T}$ and `Linear` computes $x W^{\mathsf T}$.
# * The scalar engine is for seeing and checking; arrays are for speed. The compiled tape
#   sits between them: graphs built from Values, replayed as array operations.
# * Moving on is one call each way: `nn.to_torch(mlp)` and `nn.MLP.from_torch(module)`.
